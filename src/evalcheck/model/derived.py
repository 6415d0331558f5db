"""Derived values: indicators computed from others by a formula in the checklist (pure).

Kept apart from the consistency rules so that listing commands load only this.
"""

from collections.abc import Mapping
from typing import NamedTuple

from evalcheck.model import expr
from evalcheck.model.checklist import Checklist

TOLERANCE = 0.5  # percentage points: a recorded 83 for a computed 82.6 is a rounding, not an error


class Derived(NamedTuple):
    """A value computed from a formula; `value` None means not computable (`reason` says why)."""

    id: int
    value: float | None
    reason: str | None = None
    missing: tuple[int, ...] = ()  # the unanswered inputs, when that is the reason


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
                out[ind.id] = Derived(ind.id, None, exc.reason, exc.missing)
                continue
            out[ind.id] = Derived(ind.id, round_value(v))
            if ind.id not in recorded:
                values[ind.id] = v
            progressed = True
        if not progressed:
            break
    return out


def as_number(v: float) -> float | int:
    """82.0 -> 82, 82.5 -> 82.5, for display."""
    return int(v) if v.is_integer() else v
