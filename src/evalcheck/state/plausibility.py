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
        ind, p, now = row.ind, row.previous, row.current
        if p is None or now is None or p.kind_changed or not p.answered:
            continue
        limits = checklist.thresholds(ind)
        if not limits.enabled:
            continue
        last = f"上年 {p.display}（{p.year}年第{p.old_id}项）"
        message = None
        rule = ""
        if now.na is not None:
            if p.na is None:
                rule, message = "上年对比:不适用", f"第{ind.id}项上年已填报，今年标为不适用"
        elif p.na is None:
            moved = plausible(ind, p.value, now.value, limits)  # the kind's own test
            if moved is not None:
                rule, message = moved[0], f"第{ind.id}项{moved[1]}"
        if message is None:
            continue
        shown = row.marked_display if marked else row.display
        out.append(
            Finding(
                "previous",
                "warning",
                rule,
                f"{message}：{last} → 今年 {shown}，请向{row.section}核实",
                (Involved(ind.id, _shown(row, now.value, now.na), ind.section, ind.owner),),
            )
        )
    return out


def _shown(row: Row, value: Any, na: str | None) -> str:
    """The value as the rules' findings show an indicator's ('45%', not '45%（自动计算）')."""
    from evalcheck.model.kinds import format_value

    return row.display if na is not None or value is None else format_value(row.ind, value)
