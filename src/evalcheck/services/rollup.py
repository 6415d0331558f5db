"""Use case: write the rolled-up values as the city's answers (`rollup --apply`).

Only complete roll-ups are applied unless told otherwise. A city answer that someone typed
or imported and that differs from the roll-up is a conflict: it is reported with both values
and kept, unless `overwrite_conflicts`. Each written answer records where it came from (the
formula with each unit's value) in its note and history, as action 单位汇总.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evalcheck.answers.store import REVIEW_ACTIONS, Answers, State, transaction
from evalcheck.answers.units import load_unit_answers
from evalcheck.errors import InputError
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import misfit_reason, value_fits
from evalcheck.model.rollups import REGISTRY
from evalcheck.state.rollup import Rollup, compute, same_value

ACTION = "rollup"


@dataclass
class Applied:
    written: list[Rollup] = field(default_factory=list)
    unchanged: list[Rollup] = field(default_factory=list)
    conflicts: list[tuple[Rollup, State]] = field(default_factory=list)  # with the city's answer
    incomplete: list[Rollup] = field(default_factory=list)
    manual: list[Rollup] = field(default_factory=list)  # rules with no automatic value, derived
    empty: list[Rollup] = field(default_factory=list)  # every unit reported 不适用


def origin(answers: Answers, ident: int) -> str | None:
    """Where the current value came from: the action of the last version that set it
    (an approval, a return or added evidence keeps the value it was given)."""
    rec = answers.records.get(ident)
    for st in reversed(rec.timeline if rec is not None else []):
        if st.action not in (*REVIEW_ACTIONS, "evidence"):
            return st.action
    return None


def provenance(r: Rollup) -> str:
    return f"由各单位汇总（{r.rule_label}）：{r.formula}"


def rollups(checklist: Checklist, answers_path: Path) -> list[Rollup]:
    return compute(checklist, load_unit_answers(answers_path, checklist))


def apply_rollups(
    checklist: Checklist,
    answers_path: Path,
    *,
    by: str,
    ids: Iterable[int] | None = None,
    include_incomplete: bool = False,
    overwrite_conflicts: bool = False,
) -> Applied:
    """Write the roll-ups as the city's answers, in one change (one `undo`)."""
    wanted = set(ids) if ids is not None else None
    todo = [r for r in rollups(checklist, answers_path) if wanted is None or r.id in wanted]
    out = Applied()
    with transaction(answers_path, checklist) as answers:
        seq = answers.next_seq()
        for r in todo:
            ind = checklist.get(r.id)
            if REGISTRY[r.spec.rule].combine is None or ind.formula:
                out.manual.append(r)
                continue
            if r.value is None or (not r.complete and not include_incomplete):
                (out.empty if r.complete else out.incomplete).append(r)
                continue
            current = answers.state(r.id)
            rolled = current is not None and origin(answers, r.id) == ACTION
            if current is not None and _stands(ind, current, r, rolled):
                out.unchanged.append(r)
                continue
            if current is not None and not rolled and not overwrite_conflicts:
                out.conflicts.append((r, current))  # typed by hand
                continue
            if not value_fits(ind, r.value):  # e.g. a sum past the largest number kept
                raise InputError(
                    f"第{r.id}项的汇总值不能作为答案：{misfit_reason(ind, r.value)}；"
                    "未写入任何汇总值（请核对各单位报送的值）"
                )
            answers.apply(ind, value=r.value, note=provenance(r), by=by, action=ACTION, seq=seq)
            out.written.append(r)
    return out


def _stands(ind: Indicator, current: State, r: Rollup, rolled: bool) -> bool:
    """The city's answer already is this roll-up: nothing to write. Not so for a roll-up
    whose total stayed while the units' values moved (its 备注, the units' values, is
    rewritten and waits for review again like any new roll-up), nor for a returned one
    (the units confirmed it: `rollup --apply` is its way back to review)."""
    if current.na is not None or not same_value(ind, current.value, r.value):
        return False
    return not (rolled and (current.note != provenance(r) or current.review == "returned"))
