"""Derived values: indicators computed from others by a formula in the checklist (pure).

Kept apart from the consistency rules so that listing commands load only this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from . import expr
from .checklist import Checklist, Indicator
from .store import Answers
from .values import format_value

TOLERANCE = 0.5  # percentage points: a recorded 83 for a computed 82.6 is a rounding, not an error


class Derived(NamedTuple):
    """A value computed from a formula; `value` None means not computable (`reason` says why)."""

    id: int
    value: float | None
    reason: str | None = None


def round_value(v: float) -> float:
    r = round(v, 2)
    return float(int(r)) if r.is_integer() else r


def compute_derived(checklist: Checklist, recorded: Mapping[int, float]) -> dict[int, Derived]:
    """Every formula's value from its inputs (recorded values, or other derived ones)."""
    formulas = [i for i in checklist.indicators if i.formula]
    values = dict(recorded)
    out: dict[int, Derived] = {}
    for _ in range(len(formulas) + 1):  # passes, so a formula may use another's result
        progressed = False
        for ind in formulas:
            if ind.id in out and out[ind.id].value is not None:
                continue
            assert ind.formula is not None
            try:
                v = float(expr.evaluate(ind.formula, values))
            except expr.NotComputable as exc:
                out[ind.id] = Derived(ind.id, None, exc.reason)
                continue
            out[ind.id] = Derived(ind.id, round_value(v))
            if ind.id not in recorded:
                values[ind.id] = v
            progressed = True
        if not progressed:
            break
    return out


def computed_ids(checklist: Checklist, answers: Answers) -> set[int]:
    """Unanswered derived indicators whose value can be computed: they count as done."""
    if not any(i.formula for i in checklist.indicators):
        return set()
    return {
        i
        for i, d in compute_derived(checklist, answers.numeric_values()).items()
        if d.value is not None and answers.status(i) == "unanswered"
    }


def display_derived(ind: Indicator, d: Derived | None, *, verbose: bool = False) -> str | None:
    """'82.5%（自动计算）' or '无法计算（除数为 0）'; None when there is nothing to show.

    Missing inputs are the normal state of an unanswered list, so they are only
    explained when `verbose` (in `show`).
    """
    if d is None:
        return None
    if d.value is None:
        if d.reason and (verbose or "除数" in d.reason):
            return f"无法计算（{d.reason}）"
        return None
    return f"{format_value(ind, as_number(d.value))}（自动计算）"


def as_number(v: float) -> float | int:
    """82.0 -> 82, 82.5 -> 82.5, for display."""
    return int(v) if v.is_integer() else v
