"""One snapshot, many views: the state of every indicator, computed once per command.

`take()` turns the checklist, the answers and "today" into one `Row` per indicator:
its current answer, its derived value, one `Status`, whether it is overdue, its
display text and its days against the due date. Every view (terminal tables, JSON,
CSV, the Excel export and its progress sheet, section forms, reminders, checks)
reads these rows and nothing else, so no two outputs can disagree.

Adding a field to every view is one place: a field of `Row`, filled in `take()`,
plus a column in `columns.py`.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.answers.paths import store_root
from evalcheck.answers.review import Review, review_of
from evalcheck.answers.store import Answers, State, describe_state
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.model.derived import Derived, as_number, compute_derived
from evalcheck.model.entity import Entity, replace
from evalcheck.model.kinds import NOT_APPLICABLE, format_value, number_ok
from evalcheck.state.lifecycle import (
    Stage,
    derived_stage,
    holdup_text,
    mark,
    recorded_stage,
    rule_text,
)

if TYPE_CHECKING:
    from evalcheck.answers.evidence import Evidence
    from evalcheck.year.previous import Previous

NO_OWNER = "未指定领导"


# ---------------------------------------------------------------- evidence, as the views show it

LACKING = "缺佐证"


class Current(NamedTuple):
    """This year's answer as a value and a 不适用 reason: what was recorded, or what the
    indicator's formula gives (compare, the year-over-year warnings, 市级答案)."""

    value: Any
    na: str | None = None


class EvidenceState(NamedTuple):
    """What every view shows about an indicator's evidence (cheap: no file is read)."""

    items: "tuple[Evidence, ...]"
    required: bool
    missing: tuple[str, ...]  # stored files that are not in the store folder
    lacking: bool  # answered, evidence required, and nothing there to show

    @property
    def files(self) -> "list[Evidence]":
        return [e for e in self.items if e.kind == "file"]

    @property
    def links(self) -> "list[Evidence]":
        return [e for e in self.items if e.kind == "link"]

    @property
    def text(self) -> str:
        """'对接说明.pdf；https://…' (the 佐证材料 cell and column)."""
        return "；".join(e.name for e in self.items)

    @property
    def summary(self) -> str:
        """'2 个文件、1 个链接', '缺佐证', '' (a short column)."""
        if self.lacking:
            return LACKING
        parts = []
        n_files = len(self.files)
        if n_files:
            parts.append(f"{n_files} 个文件")
        if self.links:
            parts.append(f"{len(self.links)} 个链接")
        legacy = len(self.items) - n_files - len(self.links)
        if legacy:
            parts.append(f"{legacy} 个旧版路径")
        if self.missing:
            parts.append(f"缺失 {len(self.missing)} 个")
        return "、".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "required": self.required,
            "lacking": self.lacking,
            "missing": list(self.missing),
            "items": [e.to_dict() for e in self.items],
        }


NO_EVIDENCE = EvidenceState((), False, (), False)


_NO_ITEMS = {
    (required, lacking): EvidenceState((), required, (), lacking)
    for required in (False, True)
    for lacking in (False, True)
}


def evidence_state(
    ind: Indicator, state: State | None, root: Path | None, base: Path | None, *, answered: bool
) -> EvidenceState:
    """An indicator's evidence as the views show it.

    `state` is the record's current state (also one with no answer but with evidence);
    `answered` says whether the indicator has a value (not-applicable needs no file).
    Without a store folder (answers not read from a file) files count as present.
    """
    items = state.evidence if state is not None else ()
    if not items:  # most rows: nothing to look at
        return _NO_ITEMS[ind.evidence_required, answered and ind.evidence_required]

    from evalcheck.answers.evidence import present  # only for rows that have evidence

    def there(e: "Evidence") -> bool:
        return root is None or base is None or present(root, ind.id, e, base)

    missing = tuple(e.name for e in items if e.kind == "file" and not there(e))
    shown = any(there(e) for e in items)
    lacking = answered and ind.evidence_required and not shown
    return EvidenceState(items, ind.evidence_required, missing, lacking)


def base_folder(answers: Answers) -> Path:
    """Where relative legacy paths are looked up: the answers file's folder."""
    return answers.path.parent if str(answers.path.parent) else Path(".")


class Status(StrEnum):
    """The one status of an indicator. Overdue is a flag on open items, not a status."""

    ANSWERED = "answered"
    NA = "na"
    COMPUTED = "computed"
    OPEN = "open"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.ANSWERED: "已填报",
    Status.NA: NOT_APPLICABLE,
    Status.COMPUTED: "自动计算",
    Status.OPEN: "未填报",
}
# what people may type for --status (besides the names above): Chinese labels, old names
STATUS_ALIASES: dict[str, Status] = {
    **{label: status for status, label in STATUS_LABELS.items()},
    "unanswered": Status.OPEN,
}
OVERDUE_LABEL = "逾期"


class Row(Entity):
    """Everything a view may show about one indicator (immutable)."""

    ind: Indicator
    status: Status
    state: State | None  # the recorded answer (a value or not applicable); None when none
    derived: Derived | None  # the formula's value, for indicators with a formula
    days: int  # today - due, in days: > 0 days overdue, <= 0 days left (0 = due today)
    display: str  # the answer as shown: '312 个', '不适用（…）', '25%（自动计算）', ''
    category_label: str  # '一、网上政务服务能力', as the bureau's table writes it
    # why the recorded value no longer fits the indicator (kind, options or range changed,
    # or a hand edit); such a value is kept, shown as text, and left out of computations
    misfit: str | None = None
    previous: "Previous | None" = None  # last year's value (a reference, never an answer)
    review: Review | None = None  # the leader's sign-off; None when review is off or no answer
    evidence: EvidenceState = NO_EVIDENCE  # 佐证材料: items, required, missing, lacking
    # where the indicator stands in its lifecycle (lifecycle.py): the one "done" of every view
    stage: Stage = Stage.OPEN
    held_by: tuple[int, ...] = ()  # a derived value's inputs that are not final yet
    holdup: str = ""  # '第134项待审核' (why a derived value is not final)
    review_on: bool = False  # the checklist has review on (how the stage is labelled)
    author: str = ""  # 填报人: who filled the answer (Record.authorship), not who added evidence
    authored_at: str = ""  # 填报时间: when (ISO), not when evidence was added

    @property
    def id(self) -> int:
        return self.ind.id

    @property
    def done(self) -> bool:
        """Answered, not applicable or computed: nothing more for the section to do."""
        return self.status is not Status.OPEN

    @property
    def final(self) -> bool:
        """定稿: counts as done in every view (approved; answered where review is off; a
        derived value whose inputs are all final)."""
        return self.stage is Stage.FINAL

    complete = final  # the older name (units, rollup)

    @property
    def stage_label(self) -> str:
        """'已审核', '待审核', '已退回', '未填报' ('已填报' for final with review off)."""
        return self.stage.label(self.review_on)

    @property
    def stage_text(self) -> str:
        """The stage with what holds a derived value up: '待审核（第134项待审核）'."""
        if self.holdup and self.stage is not Stage.OPEN:
            return f"{self.stage_label}（{self.holdup}）"
        return self.stage_label

    @property
    def review_text(self) -> str:
        """审核状态: the sign-off of an answer, or a derived value's stage; '' when open."""
        if self.review is not None:
            return self.review.label
        if self.state is None and self.status is Status.COMPUTED and self.review_on:
            return self.stage_text
        return ""

    @property
    def marked_display(self) -> str:
        """The value as a working export shows it: '95 条（已退回）', '14 个（待审核）'."""
        if not self.display:
            return self.display
        return f"{self.display}{mark(self.stage, self.review_on)}"

    @property
    def final_display(self) -> str:
        """The value as a final export shows it: only when final, else blank."""
        return self.display if self.final else ""

    @property
    def overdue(self) -> bool:
        return self.status is Status.OPEN and self.days > 0

    @property
    def days_overdue(self) -> int:
        return max(self.days, 0)

    @property
    def days_left(self) -> int:
        return max(-self.days, 0)

    @property
    def section(self) -> str:
        return self.ind.section or UNASSIGNED

    @property
    def owner(self) -> str:
        return self.ind.owner or NO_OWNER

    @property
    def sections(self) -> tuple[str, ...]:
        """Every responsible section, the lead first (UNASSIGNED when none)."""
        return self.ind.sections or (UNASSIGNED,)

    @property
    def owners(self) -> tuple[str, ...]:
        return self.ind.owners or (NO_OWNER,)

    @property
    def status_text(self) -> str:
        """'已填报', '不适用', '自动计算', '未填报' or '逾期3天' (one place for every view)."""
        if self.overdue:
            return f"{OVERDUE_LABEL}{self.days}天"
        return self.status.label

    @property
    def current(self) -> Current | None:
        """This year's value: the answer, else the formula's value; None when neither."""
        if self.state is not None:
            return Current(self.state.value, self.state.na)
        computed = self.computed_value
        return Current(computed) if computed is not None else None

    @property
    def computed_value(self) -> float | int | None:
        if self.derived is None or self.derived.value is None:
            return None
        return as_number(self.derived.value)

    def review_dict(self) -> dict[str, Any] | None:
        """The sign-off part of a row's JSON; None while nothing is recorded."""
        if self.review is None or self.state is None:
            return None
        st = self.state
        signed = self.review is not Review.PENDING
        return {
            "state": self.review.value,
            "label": self.review.label,
            "by": st.reviewer if signed else None,
            "at": st.reviewed_at if signed else None,
            "comment": st.comment if signed else None,
            "signed_for": st.signed_for if signed else None,
        }

    def answer_dict(self, review: bool = False) -> dict[str, Any]:
        """The answer part of a row's JSON (list, show); `review`: the checklist has review on."""
        st = self.state
        out: dict[str, Any] = {
            "status": self.status.value,
            "overdue": self.overdue,
            "value": st.value if st else None,
            "na": st.na if st else None,
            "display": self.display,
            "computed": self.computed_value,
            "stage": self.stage.value,
            "stage_label": self.stage_label,
            "final": self.final,
        }
        if self.held_by:
            out["held_by"] = list(self.held_by)
        if st is not None:
            out.update(note=st.note, by=self.author, at=self.authored_at)
        if self.misfit is not None:
            out["misfit"] = self.misfit
        if review:
            out["review"] = self.review_dict()
        ev = self.evidence
        out.update(
            evidence=[e.to_dict() for e in ev.items],
            evidence_lacking=ev.lacking,
            evidence_missing=list(ev.missing),
        )
        return out

    def to_dict(self, checklist: Checklist) -> dict[str, Any]:
        """The row's JSON: every field of the indicator, plus its answer."""
        return {
            **self.ind.to_dict(),
            "category_label": self.category_label,
            "answer": self.answer_dict(checklist.review),
            "previous": self.previous.to_dict() if self.previous is not None else None,
        }


def display_derived(ind: Indicator, d: Derived | None, *, verbose: bool = False) -> str:
    """'82.5%（自动计算）' or '无法计算（除数为 0）'; '' when there is nothing to show.

    Missing inputs are the normal state of an unanswered list, so they are only
    explained when `verbose` (in `show`).
    """
    if d is None:
        return ""
    if d.value is None:
        if d.reason and (verbose or "除数" in d.reason):
            return f"无法计算（{d.reason}）"
        return ""
    return f"{format_value(ind, as_number(d.value))}（{STATUS_LABELS[Status.COMPUTED]}）"


class Snapshot:
    """One row per indicator of the checklist, in checklist order."""

    __slots__ = ("_by_id", "answers", "checklist", "rows", "today")

    def __init__(
        self, checklist: Checklist, today: dt.date, rows: tuple[Row, ...], answers: Answers
    ) -> None:
        self.checklist = checklist
        self.today = today
        self.rows = rows
        self.answers = answers
        self._by_id = {r.id: r for r in rows}

    def row(self, ident: int) -> Row:
        return self._by_id[ident]

    def where(self, ids: Iterable[int]) -> list[Row]:
        """The rows of these indicators, in checklist order."""
        wanted = set(ids)
        return [r for r in self.rows if r.id in wanted]

    def effective_values(self) -> dict[int, float]:
        """Recorded numbers, plus derived ones where nothing was recorded (for rules)."""
        out: dict[int, float] = {}
        for r in self.rows:
            v = r.state.value if r.state is not None else None
            if r.misfit is None and v is not None and number_ok(v):
                out[r.id] = float(v)
            elif r.state is None and r.computed_value is not None:
                out[r.id] = float(r.computed_value)
        return out


def previous_for(answers_path: "Path", checklist: Checklist) -> "Mapping[int, Previous] | None":
    """Last year's values for `take` after `carry` (the mapping file beside the answers
    file), else None."""
    from evalcheck.answers.paths import previous_path

    if not previous_path(answers_path).exists():
        return None
    from evalcheck.year.mapping import previous_values

    return previous_values(answers_path, checklist)


def take(
    checklist: Checklist,
    answers: Answers,
    today: dt.date,
    previous: "Mapping[int, Previous] | None" = None,
) -> Snapshot:
    """The state of every indicator, worked out once (`previous`: last year's values)."""
    derived: Mapping[int, Derived] = {}
    if any(i.formula for i in checklist.indicators):
        derived = compute_derived(checklist, answers.numeric_values())
    labels = {c: checklist.category_label(c) for c in checklist.categories}
    root, base = (store_root(answers.path), base_folder(answers)) if answers.path else (None, None)
    records, misfits = answers.records, answers.misfits
    days_to: dict[dt.date, int] = {}  # today - due, by due date (most indicators share one)
    on = checklist.review

    def row(ind: Indicator) -> Row:
        rec = records.get(ind.id)  # evidence may be recorded before any answer
        current = rec.current if rec is not None else None
        st = current if current is not None and current.recorded else None
        answered = st is not None and st.na is None
        ev = evidence_state(ind, current, root, base, answered=answered)
        category = labels.get(ind.category, "")
        misfit = misfits.get(ind.id)
        d = derived.get(ind.id)
        days = days_to.get(ind.due)
        if days is None:
            days = days_to[ind.due] = (today - ind.due).days
        if st is not None:
            status = Status.ANSWERED if answered else Status.NA
            review = review_of(checklist, st)
            shown = describe_state(ind, st)
            stage = recorded_stage(on, review)
            assert rec is not None  # a recorded state is a record's
            who, when = rec.authorship()
            return Row(
                ind, status, st, d, days, shown, category, misfit, None, review, ev, stage,
                review_on=on, author=who, authored_at=when,
            )  # fmt: skip
        status = Status.COMPUTED if d is not None and d.value is not None else Status.OPEN
        shown = display_derived(ind, d)
        return Row(
            ind, status, None, d, days, shown, category, misfit, None, None, ev, review_on=on
        )

    rows = with_stages(checklist, tuple(row(ind) for ind in checklist.indicators))
    if previous:
        rows = tuple(replace(r, previous=previous[r.id]) if r.id in previous else r for r in rows)
    return Snapshot(checklist, today, rows, answers)


def with_stages(checklist: Checklist, rows: tuple[Row, ...]) -> tuple[Row, ...]:
    """The rows with the stage of each derived value worked out from its inputs (recorded
    answers have theirs already); formulas over formulas: passes until nothing changes."""
    formulas = [r for r in rows if r.state is None and r.ind.formula]
    if not formulas:
        return rows
    from evalcheck.model.expr import references

    on = checklist.review
    stage_of = {r.id: r.stage for r in rows}
    inputs = {r.id: references(r.ind.formula or "") for r in formulas}
    held: dict[int, tuple[int, ...]] = {}
    for _ in range(len(formulas) + 1):
        changed = False
        for r in formulas:
            stage, held[r.id] = derived_stage(inputs[r.id], stage_of, r.status is Status.COMPUTED)
            if stage is not stage_of[r.id]:
                stage_of[r.id], changed = stage, True
        if not changed:
            break
    derived = {
        r.id: replace(
            r,
            stage=stage_of[r.id],
            held_by=held[r.id],
            holdup=holdup_text(held[r.id], stage_of, on),
        )
        for r in formulas
    }
    return tuple(derived.get(r.id, r) for r in rows)


# ---------------------------------------------------------------- progress: a group-by over rows


class Progress(NamedTuple):
    """Counts of one group of rows. Done (完成) is the lifecycle's final (lifecycle.py):
    approved answers and derived values whose inputs are all approved; where review is
    off, every answer and every computed value."""

    name: str
    total: int
    answered: int
    na: int
    computed: int
    overdue: int
    pending: int = 0  # stages: 待审核 (also a derived value over a pending input)
    approved: int = 0  # 已审核: final, with review on (approved, or derived over approved)
    returned: int = 0  # 已退回 (also a derived value over a returned input)
    review: bool = False
    lacking: int = 0  # 缺佐证: answered, evidence required, none there
    final: int = 0  # 定稿, whatever the review setting: what 完成率 counts

    @property
    def done(self) -> int:
        return self.final

    def count(self, status: Status) -> int:
        return {
            Status.ANSWERED: self.answered,
            Status.NA: self.na,
            Status.COMPUTED: self.computed,
            Status.OPEN: self.open,
        }[status]

    @property
    def open(self) -> int:
        """Not answered at all (未填报)."""
        return self.total - self.answered - self.na - self.computed

    @property
    def remaining(self) -> int:
        """Not done (未完成): unanswered, and with review on also pending or returned."""
        return self.total - self.done

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def percent(self) -> float:
        return round(100 * self.fraction, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "answered": self.answered,
            "na": self.na,
            "computed": self.computed,
            "overdue": self.overdue,
            "lacking": self.lacking,
            "open": self.open,
            "final": self.final,
            "remaining": self.remaining,
            "percent": self.percent,
            **(
                {"pending": self.pending, "approved": self.approved, "returned": self.returned}
                if self.review
                else {}
            ),
        }


def progress_of(name: str, rows: Sequence[Row], review: bool = False) -> Progress:
    count = {s: 0 for s in Status}
    stages = {s: 0 for s in Stage}
    overdue = lacking = 0
    for r in rows:
        count[r.status] += 1
        stages[r.stage] += 1
        overdue += r.overdue
        lacking += r.evidence.lacking
    final = stages[Stage.FINAL]
    return Progress(
        name,
        len(rows),
        count[Status.ANSWERED],
        count[Status.NA],
        count[Status.COMPUTED],
        overdue,
        stages[Stage.PENDING] if review else 0,
        final if review else 0,
        stages[Stage.RETURNED] if review else 0,
        review,
        lacking,
        final,
    )


def counts_line(rows: Iterable[Row], review: bool) -> str:
    """'已审核 10 / 待审核 26 / 已退回 1 / 未填报 107': one line for every export
    (where review is off: '未启用审核：已填报 12 / 未填报 132')."""
    stages = {s: 0 for s in Stage}
    for r in rows:
        stages[r.stage] += 1
    if not review:
        done = stages[Stage.FINAL]
        return f"未启用审核：已填报 {done} / 未填报 {stages[Stage.OPEN]}"
    order = (Stage.FINAL, Stage.PENDING, Stage.RETURNED, Stage.OPEN)
    return " / ".join(f"{s.label(True)} {stages[s]}" for s in order)


def counting_rule(checklist: Checklist) -> str:
    """The line a counting view prints: '完成按已审核计…' or '未启用审核：完成按已填报计'."""
    return rule_text(checklist.review)


# the names a row is counted under: an indicator with several sections (or leaders) is
# counted under each of them, so a grouping's totals may add up to more than the whole
GROUPINGS: dict[str, tuple[str, Callable[[Checklist, Row], tuple[str, ...]]]] = {
    "section": ("责任科室", lambda cl, r: r.sections),
    "owner": ("责任领导", lambda cl, r: r.owners),
    "category": ("二级指标", lambda cl, r: (r.category_label,)),
}


def group_rows(snap: Snapshot, rows: Iterable[Row], key: str) -> list[tuple[str, list[Row]]]:
    """Rows grouped by section, owner or category, in checklist order (unassigned last).

    A row with several sections (or leaders) is in the group of each.
    """
    names_of = GROUPINGS[key][1]
    groups: dict[str, list[Row]] = {}
    for r in rows:
        for name in names_of(snap.checklist, r):
            groups.setdefault(name, []).append(r)
    cl = snap.checklist
    order = {
        "section": [*cl.sections, UNASSIGNED],
        "owner": [*cl.owners, NO_OWNER],
        "category": [cl.category_label(c) for c in cl.categories],
    }[key]
    known = [n for n in order if n in groups]
    return [(n, groups[n]) for n in known] + [(n, g) for n, g in groups.items() if n not in order]


def progress(snap: Snapshot, rows: Sequence[Row] | None = None) -> dict[str, list[Progress]]:
    """Progress per section, per leader and per category, plus "all" (one row)."""
    chosen = snap.rows if rows is None else rows
    on = snap.checklist.review
    out = {
        key: [progress_of(name, group, on) for name, group in group_rows(snap, chosen, key)]
        for key in GROUPINGS
    }
    out["all"] = [progress_of("合计", chosen, on)]
    return out


def shared(rows: Iterable[Row], key: str) -> int:
    """How many rows are counted under more than one section (key="section") or leader."""
    return sum(1 for r in rows if len(r.sections if key == "section" else r.owners) > 1)


def shared_note(rows: Sequence[Row]) -> str:
    """'其中 2 项由多个科室共同负责…' for the totals of a grouped view; '' when none."""
    found = [
        (n, label)
        for key, label in (("section", "科室"), ("owner", "领导"))
        if (n := shared(rows, key))
    ]
    if not found:
        return ""
    counts = "、".join(f"{n} 项由多个{label}共同负责" for n, label in found)
    where = "、".join(label for _, label in found)
    return f"其中 {counts}，在每个{where}下各计一次（各组之和多于合计）"
