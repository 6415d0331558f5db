"""Unit forms: one workbook per unit (`export --units`), and the workspace a unit's form is
imported into (its answers file `单位/<单位名>/answers.yaml`, see answers/units.py).

A unit's form holds only the collected indicators, due by `units_due`, prefilled with the
unit's current answers; every hidden key names the unit, so `import` files the form under
it, all or nothing, with the stale-form checks of a section form (services/importing.py).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from evalcheck.answers.store import Answers, load_answers, transaction
from evalcheck.answers.units import UNIT_ANSWERS, unit_answers_path, unit_checklist
from evalcheck.errors import InputError, WriteError, os_reason
from evalcheck.model.checklist import Checklist
from evalcheck.model.units import NO_UNITS, UnitsPlan
from evalcheck.services.workspace import Workspace
from evalcheck.state.deadlines import parse_today
from evalcheck.state.snapshot import Snapshot, previous_for, take

if TYPE_CHECKING:
    from evalcheck.year.previous import Previous


class UnitWorkspace:
    """One unit's answers, as a Workspace: the checklist as the unit sees it (units_due,
    no sign-off) and the unit's answers file beside the city's."""

    def __init__(self, city: Workspace, unit: str) -> None:
        self.unit = unit
        self._checklist = unit_checklist(city.checklist)
        self._path = unit_answers_path(city.answers_path, unit)

    @property
    def checklist(self) -> Checklist:
        return self._checklist

    @property
    def answers_path(self) -> Path:
        return self._path

    def answers(self) -> Answers:
        return load_answers(self._path, self._checklist)

    def snapshot(self, today: str | None = None) -> Snapshot:
        """The unit's rows; an indicator that follows its sources (a formula over collected
        ones, never filled in by the unit) is 不适用 when every source is reported and it
        still has no value (a source 不适用): as status, remind and the roll-ups count it
        (state.rollup.unit_value), not overdue in the unit's form."""
        from evalcheck.model.entity import replace
        from evalcheck.state.rollup import follows_sources, unit_value
        from evalcheck.state.snapshot import Status

        answers = self.answers()
        snap = take(self._checklist, answers, parse_today(today), self.previous())
        plan = self._checklist.units
        if plan is None:
            return snap
        rows = tuple(
            replace(r, status=Status.NA)
            if r.status is Status.OPEN
            and follows_sources(plan, r.ind)
            and unit_value(self._checklist, answers, r.ind) == (True, None, True)
            else r
            for r in snap.rows
        )
        return Snapshot(self._checklist, snap.today, rows, answers)

    def previous(self) -> "Mapping[int, Previous] | None":
        """The unit's own last-year values, after `carry` (单位/<单位名>/answers.previous.yaml)."""
        return previous_for(self._path, self._checklist)

    def saved(self) -> Answers:
        return load_answers(self._path, self._checklist)

    @contextmanager
    def writing(self) -> Iterator[Answers]:
        """The unit's answers under its lock; the unit's folder is made for the first write,
        and taken away again (with its lock file) when that write is refused."""
        folder = self._path.parent
        made = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"无法创建文件夹 {folder}：{os_reason(exc)}") from None
        try:
            with transaction(self._path, self._checklist) as answers:
                yield answers
        except BaseException:
            if made and not self._path.exists():
                _remove_empty(folder)
            raise


def _remove_empty(folder: Path) -> None:
    """A unit folder this command made, when nothing but lock files came into it."""
    import contextlib

    from evalcheck.answers.store import holder_path, lock_path

    answers = folder / UNIT_ANSWERS
    with contextlib.suppress(OSError):
        for leftover in (lock_path(answers), holder_path(answers)):
            leftover.unlink(missing_ok=True)
        folder.rmdir()  # only if empty: anything else in it stays


def units_plan(ws: Workspace) -> UnitsPlan:
    plan = ws.checklist.units
    if plan is None:
        raise InputError(NO_UNITS)
    return plan


def unit_workspace(ws: Workspace, unit: str) -> UnitWorkspace:
    names = units_plan(ws).names
    if unit not in names:
        raise InputError(f"清单的填报单位中没有“{unit}”（填报单位：{'、'.join(names)}）")
    return UnitWorkspace(ws, unit)


def export_unit_forms(
    ws: Workspace,
    folder: Path,
    *,
    today: str | None = None,
    force: bool = False,
    due_as_written: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per unit (in the checklist's unit order), all or nothing;
    returns (file, indicators) for each form written."""
    from evalcheck.io.xlsx_forms import export_unit_forms as write_unit_forms

    plan = units_plan(ws)
    snaps = [(u, UnitWorkspace(ws, u).snapshot(today)) for u in plan.names]
    return write_unit_forms(
        folder, snaps, plan.ids, computed=computed_for_units(ws), force=force,
        due_as_written=due_as_written,
    )  # fmt: skip


def computed_for_units(ws: Workspace) -> frozenset[int]:
    """The collected indicators a unit never fills in: a formula over collected ones, its
    value follows the unit's sources (docs/units.md)."""
    from evalcheck.state.rollup import follows_sources

    plan = units_plan(ws)
    return frozenset(i for i in plan.ids if follows_sources(plan, ws.checklist.get(i)))
