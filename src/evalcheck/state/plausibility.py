"""`check`'s warnings against last year's values (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import plausible

if TYPE_CHECKING:
    from evalcheck.state.snapshot import Row


def plausibility(checklist: Checklist, rows: Iterable[Row], *, marked: bool = False) -> list[Any]:
    """`check`'s warnings against last year (rules.Finding, severity warning).

    What each kind calls a large move (kinds.Kind.plausible: a count changing by more
    than the count factor, a percent moving more than the percent points, 是 → 否), and
    answered last year but not applicable now. Indicators whose kind changed are not
    compared. `marked`: this year's value says its stage while not final ('10 项（已退回）').
    """
    from evalcheck.state.findings import Finding, Involved

    out: list[Finding] = []
    for row in rows:
        ind, p = row.ind, row.previous
        now_value, now_na = _this_year(row)
        if p is None or (now_value is None and now_na is None) or p.kind_changed:
            continue
        if not p.answered:
            continue
        limits = checklist.thresholds(ind)
        if not limits.enabled:
            continue
        last = f"上年 {p.display}（{p.year}年第{p.old_id}项）"
        message = None
        rule = ""
        if now_na is not None:
            if p.na is None:
                rule, message = "上年对比:不适用", f"第{ind.id}项上年已填报，今年标为不适用"
        elif p.na is None:
            moved = plausible(ind, p.value, now_value, limits)  # the kind's own test
            if moved is not None:
                rule, message = moved[0], f"第{ind.id}项{moved[1]}"
        if message is None:
            continue
        now = row.marked_display if marked else row.display
        out.append(
            Finding(
                "previous",
                "warning",
                rule,
                f"{message}：{last} → 今年 {now}，请向{row.section}核实",
                (Involved(ind.id, _shown(row, now_value, now_na), ind.section, ind.owner),),
            )
        )
    return out


def _this_year(row: Row) -> tuple[Any, str | None]:
    """This year's value and 不适用 reason: the answer, or what the formula gives."""
    st = row.state
    if st is not None:
        return st.value, st.na
    if row.derived is not None and row.derived.value is not None:
        return row.derived.value, None
    return None, None


def _shown(row: Row, value: Any, na: str | None) -> str:
    """The value as the rules' findings show an indicator's ('45%', not '45%（自动计算）')."""
    from evalcheck.model.kinds import format_value

    return row.display if na is not None or value is None else format_value(row.ind, value)
