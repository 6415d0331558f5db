"""The year-on-year report over snapshot rows (`compare`, the export's 同比 sheet)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.year.previous import change_text

if TYPE_CHECKING:
    from evalcheck.state.snapshot import Row, Snapshot


class CompareRow(NamedTuple):
    """One line of the year-on-year report (`compare`, the export's 同比 sheet)."""

    section: str
    id: int
    text: str
    previous_id: int
    previous: str
    current: str  # marked while not final ('312 个（待审核）'), or blank in a final export
    change: str
    stage: str = ""  # this year's 审核状态 (Row.review_text), '' with review off

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


def compare_rows(snap: Snapshot, rows: Sequence[Row], *, final: bool = False) -> list[CompareRow]:
    """Matched indicators answered in either year, grouped by section (checklist order).

    This year's value is shown as every working output shows it, marked while it is not
    final ('312 个（待审核）'); in a final export (`final`) a value that is not final is
    left blank, and so is what its change would be ('今年未定稿')."""
    from evalcheck.state.snapshot import group_rows

    out: list[CompareRow] = []
    for section, group in group_rows(snap, rows, "section"):
        for row in group:
            p = row.previous
            now = row.current
            if p is None or (now is None and not p.answered):
                continue  # nothing to compare in either year
            stage = row.review_text if now is not None else ""
            if now is None:
                current, change = "", change_text(row.ind, p, None)
            elif final and not row.final:
                current, change = "", "今年未定稿"
            else:
                current, change = row.marked_display, change_text(row.ind, p, now)
            out.append(
                CompareRow(
                    section, row.id, row.ind.text, p.old_id, p.display, current, change, stage
                )
            )
    return out
