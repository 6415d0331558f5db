"""carry: match last year's list again (keeping manual entries) and prefill this year's
answers from last year's, where the match is certain."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.store import Answers
from evalcheck.errors import DataError, UsageProblem
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.year.carry import Matching
from evalcheck.year.mapping import CarryFile, Entry, build, old_items, relative_path, resolve_path

NO_MAPPING = (
    "还没有上年对照：请先运行 evalcheck carry --from-checklist 上年清单.yaml "
    "--from-answers 上年答案.yaml"
)


class Rematch(NamedTuple):
    mapping: CarryFile
    matching: Matching
    old: Checklist
    edited: dict[int, int]  # entries a person changed without `how: manual`, kept as manual
    units: tuple[str, ...] = ()  # the units whose own mapping file was written beside theirs


def rematch(
    target: Path,
    checklist: Checklist,
    existing: CarryFile | None,
    from_checklist: Path | None,
    from_answers: Path | None,
    answers_path: Path,
    computed: Callable[[Checklist, Answers], Mapping[int, tuple[Any, str | None]]] | None = None,
) -> Rematch:
    """Match last year's list (with its answers) to this year's again, keeping what a
    person fixed by hand in `existing`, and write the mapping file `target`. `computed`
    gives last year's values worked out by formulas (the snapshot's, a layer above)."""
    from evalcheck.answers.store import load_answers
    from evalcheck.answers.units import units_root
    from evalcheck.errors import InputError
    from evalcheck.model.loading import load_checklist
    from evalcheck.year.carry import match

    if existing is not None:
        from_checklist = from_checklist or resolve_path(existing.from_checklist, target.parent)
        from_answers = from_answers or resolve_path(existing.from_answers, target.parent)
    if from_checklist is None or from_answers is None:
        raise UsageProblem(
            "请同时给出上年的清单和答案，例如：evalcheck carry --from-checklist "
            "2021清单.yaml --from-answers 2021答案.yaml"
        )
    if from_answers.resolve() == answers_path.resolve():
        raise InputError(f"--from-answers {from_answers} 就是今年的答案文件，请给出上年的答案文件")
    old = load_checklist(from_checklist)
    if not from_answers.exists():
        raise InputError(f"找不到上年的答案文件：{from_answers}")
    try:
        old_answers = load_answers(from_answers, old)
    except DataError as exc:
        if "属于清单" not in exc.message:
            raise
        raise DataError(
            f"上年的答案文件 {from_answers} 不属于上年的清单 {from_checklist}"
            f"（“{old.title}”{old.year}年）：请检查 --from-checklist 和 --from-answers"
        ) from None
    manual: dict[int, int | None] = {}
    edited: dict[int, int] = {}
    if existing is not None:
        manual.update(existing.manual())
        edited = existing.edited(checklist)
        manual.update(edited)
    unknown = sorted(o for o in manual if not old.has(o))
    if unknown:
        raise InputError(
            f"上年对照文件 {target} 中人工指定的上年第{'、'.join(map(str, unknown))}项"
            f"不在上年清单 {from_checklist} 中：请改正或删除这些条目"
        )
    matching = match(old_items(old), old_items(checklist), manual)
    mapping = _mapping(target, (old, old_answers), checklist, matching, from_checklist, computed)
    per_unit = _unit_mappings(
        checklist, old, matching, from_checklist, from_answers, answers_path, computed
    )  # read (and refused if broken) before anything is written
    _write_mappings(mapping, per_unit, checklist, answers_path, units_root(from_answers))
    return Rematch(mapping, matching, old, edited, tuple(u for u, _ in per_unit))


def _write_mappings(
    mapping: CarryFile,
    per_unit: list[tuple[str, CarryFile]],
    checklist: Checklist,
    answers_path: Path,
    last_units: Path,
) -> None:
    """The city's mapping file and the units' beside theirs (carry on a unit's own file
    is refused before: cli.shared.CITY_ONLY): every target checked and every folder made
    first, so a refusal leaves all as they were; then the units' files of earlier runs
    whose unit has no answers in last year's units folder `last_units` any more are
    removed."""
    from evalcheck.errors import WriteError
    from evalcheck.infra.fileio import atomic_write_text, is_read_only, read_only_refusal
    from evalcheck.infra.outputguard import MAPPING

    for target in [mapping.path, *(made.path for _, made in per_unit)]:
        if is_read_only(target):
            raise WriteError(f"{read_only_refusal(target)}。未写入任何上年对照")
    for _, made in per_unit:
        _make_folder(made.path.parent)
    atomic_write_text(mapping.path, mapping.to_text(), replacing=MAPPING)
    for unit, made in per_unit:
        text = _unit_head(unit) + made.to_text(editable=False)
        atomic_write_text(made.path, text, replacing=MAPPING)
    _drop_stale_unit_mappings(checklist, answers_path, last_units)


def _mapping(
    target: Path,
    last_year: tuple[Checklist, Answers],
    checklist: Checklist,
    matching: Matching,
    from_checklist: Path,
    computed: Callable[[Checklist, Answers], Mapping[int, tuple[Any, str | None]]] | None,
) -> CarryFile:
    """The mapping file `target` for last year's checklist and answers (`last_year`), with
    the paths it records relative to it."""
    old, old_answers = last_year
    return build(
        target,
        old,
        old_answers,
        checklist,
        matching,
        from_checklist=relative_path(from_checklist, target.parent),
        from_answers=relative_path(old_answers.path or target, target.parent),
        computed=computed(old, old_answers) if computed is not None else None,
    )


def _unit_mappings(
    checklist: Checklist,
    old: Checklist,
    matching: Matching,
    from_checklist: Path,
    from_answers: Path,
    answers_path: Path,
    computed: Callable[[Checklist, Answers], Mapping[int, tuple[Any, str | None]]] | None,
) -> list[tuple[str, CarryFile]]:
    """Each unit's own last-year values, when this year's checklist has units and last
    year's folder has that unit's answers (单位/<单位名>/answers.yaml beside last year's
    answers): a mapping file beside the unit's answers this year, with the city's matching
    (so a manual entry in the city's file holds for every unit). A unit's form then shows
    its own 上年值, and its import compares with them."""
    from evalcheck.answers.paths import previous_path
    from evalcheck.answers.store import load_answers
    from evalcheck.answers.units import UNIT_ANSWERS, unit_answers_path, unit_checklist, units_root
    from evalcheck.infra import notices

    plan = checklist.units
    if plan is None:
        return []
    if units_root(from_answers).resolve() == units_root(answers_path).resolve():
        notices.warn(  # both years' answers in one folder: one 单位/ for both years
            f"上年和今年的答案文件在同一个文件夹里，共用一个 {units_root(answers_path)}，分不出"
            "是哪一年各单位的答案：各单位的上年值未取（每年一个工作文件夹时，carry 也会给出"
            "各单位自己的上年值）"
        )
        return []
    # as a unit's answers are read: no sign-off (a unit's value is never 上年未审核)
    old, checklist = unit_checklist(old), unit_checklist(checklist)
    out: list[tuple[str, CarryFile]] = []
    for unit in plan.names:
        last = units_root(from_answers) / unit / UNIT_ANSWERS
        if not last.is_file():
            continue
        try:
            old_answers = load_answers(last, old)
        except DataError as exc:
            if "属于清单" in exc.message:  # another year's file: not this unit's last year
                notices.warn(
                    f"单位“{unit}”的 {last} 不属于上年的清单（“{old.title}”{old.year}年），"
                    "不是它上年的答案文件：未取它的上年值，它原有的上年对照保持不变"
                )
                continue
            raise DataError(f"单位“{unit}”上年的答案文件有误：{exc.message}") from None
        target = previous_path(unit_answers_path(answers_path, unit))
        last_year = (old, old_answers)
        out.append(
            (unit, _mapping(target, last_year, checklist, matching, from_checklist, computed))
        )
    return out


def _make_folder(folder: Path) -> None:
    from evalcheck.errors import WriteError, os_reason

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建文件夹 {folder}：{os_reason(exc)}，未写入任何上年对照") from None


def _unit_head(unit: str) -> str:
    """The first lines of a unit's mapping file: whose it is, and where it is corrected
    (`_drop_stale_unit_mappings` knows carry's own files by them)."""
    return (
        f"# 单位“{unit}”自己的上年值（evalcheck carry 随市级的上年对照生成）。对应关系请在市级的\n"
        "# 上年对照文件里改正：市级的文件每次重新对应时，本文件随之重新生成，这里的修改不保留。\n"
    )


def _drop_stale_unit_mappings(checklist: Checklist, answers_path: Path, last_units: Path) -> None:
    """A unit's mapping file carry wrote before, for a unit with no answers file in last
    year's units folder now (removed, or the unit renamed this year): its 上年值 would be
    stale. Only files that carry the unit head are removed (a file a person put there is
    left alone)."""
    import contextlib

    from evalcheck.answers.paths import previous_path
    from evalcheck.answers.units import UNIT_ANSWERS, units_root

    root = units_root(answers_path)
    if checklist.units is None or not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        target = previous_path(folder / UNIT_ANSWERS)
        if (last_units / folder.name / UNIT_ANSWERS).is_file() or not target.is_file():
            continue
        head = _unit_head(folder.name)
        with contextlib.suppress(OSError):
            start = target.read_bytes()[: 4 * len(head)].decode("utf-8", "replace")
            if start.replace("\r\n", "\n").startswith(head):
                target.unlink()


NOT_CONFIRMED = "文字相似，未经人工确认"
RETURNED_LAST_YEAR = "上年已退回"
UNREVIEWED_LAST_YEAR = "上年未审核"
COLLECTED = "由各单位填报，市级值由 rollup 汇总"
COMPUTED_LAST_YEAR = "上年为按公式自动计算的值"
COMPUTED_THIS_YEAR = "今年按公式自动计算"


class Filled(NamedTuple):
    done: list[int]  # filled (or refreshed) from last year
    skipped: dict[str, list[int]]  # left alone, by reason
    withdrawn: list[int]  # an earlier prefill taken back: last year's answer no longer carries


def prefill(checklist: Checklist, answers: Answers, mapping: CarryFile, by: str) -> Filled:
    """Copy last year's answers as this year's, in one change (one `undo`), marked 沿用上年.

    Only for identical text or a match a person confirmed (`manual`), the same kind, a
    value that fits this year's indicator, nothing answered yet this year, and an answer
    that was final last year (never one returned or left unreviewed). Never an indicator
    collected from the units (`collect: units`): its city value is their roll-up, and a
    prefilled one would stand as a hand-typed answer against it (`rollup --apply`); nor
    one this year's formula computes (a value typed over last year's formula would stand
    against it).

    An answer an earlier prefill wrote, untouched since (no edit, no sign-off), follows
    last year's again: refreshed when last year's final answer changed, withdrawn (cleared)
    when it no longer carries (returned or reopened last year, its match changed), so
    that no answer stands on a value last year's leader has since rejected.
    """
    skipped: dict[str, list[int]] = {}
    done: list[int] = []
    withdrawn: list[int] = []
    seq = answers.next_seq()
    carried_now: set[int] = set()
    for e in mapping.entries:
        if e.new is None or not checklist.has(e.new) or (e.value is None and e.na is None):
            continue
        ind = checklist.get(e.new)
        carried_now.add(ind.id)
        reason = _not_carried(checklist, answers, e, ind)
        if reason is None:
            value = e.value if e.na is None else None
            if answers.apply(ind, value=value, na=e.na, by=by, action="carry", seq=seq):
                done.append(ind.id)
        elif _prefilled_untouched(answers, ind.id):  # never ALREADY_ANSWERED (_not_carried)
            answers.clear(ind, by=by, seq=seq)
            withdrawn.append(ind.id)
        else:
            skipped.setdefault(reason, []).append(ind.id)
    for ind in checklist.indicators:  # last year's answer gone, or matched elsewhere now
        if ind.id not in carried_now and _prefilled_untouched(answers, ind.id):
            answers.clear(ind, by=by, seq=seq)
            withdrawn.append(ind.id)
    return Filled(done, skipped, sorted(withdrawn))


ALREADY_ANSWERED = "今年已填报"


def _prefilled_untouched(answers: Answers, ident: int) -> bool:
    """The current answer is one a prefill wrote, with no edit or sign-off since."""
    st = answers.state(ident)
    return st is not None and st.action == "carry"


def _not_carried(checklist: Checklist, answers: Answers, e: Entry, ind: Indicator) -> str | None:
    """Why last year's answer `e` is not this year's answer of `ind` (None: it is). An
    answer that an earlier prefill wrote does not count as answered this year."""
    from evalcheck.model.kinds import value_fits
    from evalcheck.year.carry import EXACT, MANUAL

    if e.computed:  # worked out by last year's formula: nobody's answer to carry
        return COMPUTED_LAST_YEAR
    if ind.formula is not None:  # worked out this year: a typed value would stand
        return COMPUTED_THIS_YEAR  # against it (last year's, typed over the formula)
    if checklist.units is not None and checklist.units.is_collected(ind.id):
        return COLLECTED
    if e.verdict == "returned":
        return RETURNED_LAST_YEAR
    if e.verdict == "pending":
        return UNREVIEWED_LAST_YEAR
    if e.how not in (EXACT, MANUAL):
        return NOT_CONFIRMED
    if e.kind != ind.kind:
        return "题型改变"
    if answers.state(ind.id) is not None and not _prefilled_untouched(answers, ind.id):
        return ALREADY_ANSWERED
    if e.value is not None and not value_fits(ind, e.value):
        return "上年的值不符合今年的题型或范围"
    return None
