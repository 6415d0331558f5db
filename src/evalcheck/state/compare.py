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
    current: str
    change: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


def compare_rows(snap: Snapshot, rows: Sequence[Row]) -> list[CompareRow]:
    """Matched indicators answered in either year, grouped by section (checklist order)."""
    from evalcheck.state.snapshot import group_rows

    out: list[CompareRow] = []
    for section, group in group_rows(snap, rows, "section"):
        for row in group:
            p = row.previous
            if p is None or (row.state is None and not p.answered):
                continue  # nothing to compare in either year
            current = row.display if row.state is not None else ""
            change = change_text(row.ind, p, row.state)
            out.append(
                CompareRow(section, row.id, row.ind.text, p.old_id, p.display, current, change)
            )
    return out
