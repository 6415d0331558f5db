"""Roll-ups: each collected indicator's city value from its units' answers (pure).

`compute(checklist, units)` gives, for every collected indicator, the rolled-up value by its
rule (model/rollups.py), the formula with each unit's value ("= 沙坡头区 120 + 中宁县 80"),
and the units that have not reported (未报送单位). A roll-up with a missing unit is
incomplete: it is shown, never applied unless asked.

A unit that marked an indicator 不适用 has reported; its value takes no part in the sum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalcheck.answers.store import Answers
from evalcheck.model import expr
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import format_value, number_ok
from evalcheck.model.rollups import REGISTRY, Part, Spec
from evalcheck.model.units import UnitsPlan


@dataclass(frozen=True, slots=True)
class Rollup:
    """One collected indicator, rolled up."""

    id: int
    spec: Spec
    value: Any  # the city's value by the rule; None when there is none (see `reason`)
    parts: tuple[Part, ...]  # each reporting unit's value, in the checklist's unit order
    na: tuple[str, ...]  # units that reported 不适用
    missing: tuple[str, ...]  # units that have not reported (未报送单位)
    formula: str  # "= 沙坡头区 120 + 中宁县 80 + 海原县 60 + 市本级 12"
    reason: str | None = None  # why there is no value

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def rule_label(self) -> str:
        label = REGISTRY[self.spec.rule].label
        return f"{label}（按第{self.spec.ref}项加权）" if self.spec.ref is not None else label

    @property
    def applicable(self) -> bool:
        """A value the city's answer can take (a rule with an automatic value, not derived)."""
        return self.value is not None and REGISTRY[self.spec.rule].combine is not None

    def unit_values(self) -> dict[str, Any]:
        out: dict[str, Any] = {p.unit: p.value for p in self.parts}
        out.update({u: None for u in self.na})
        return out

    def to_dict(self, ind: Indicator) -> dict[str, Any]:
        return {
            "id": self.id,
            "value": self.value,
            "display": format_value(ind, self.value) if self.value is not None else "",
            "rule": self.spec.text(),
            "rule_label": self.rule_label,
            "formula": self.formula,
            "units": self.unit_values(),
            "not_applicable": list(self.na),
            "missing": list(self.missing),
            "complete": self.complete,
            "reason": self.reason,
        }


def unit_value(
    checklist: Checklist, answers: Answers, ind: Indicator, _seen: frozenset[int] = frozenset()
) -> tuple[bool, Any, bool]:
    """(reported, value, not applicable) of one unit's answer: the one place that decides
    what a unit still owes (status, remind and compare --units and the roll-ups all read it).

    A derived indicator (one with a formula) that the unit did not answer itself follows its
    sources: it is computed when it can be, and owed while any source is. When every source
    is reported and it still cannot be computed (each source 不适用, or a division by zero)
    there is nothing left to report: it is not applicable for that unit, not missing.
    """
    st = answers.state(ind.id)
    if st is not None and ind.id not in answers.misfits:
        if st.na is not None:
            return True, None, True
        if st.value is not None:
            return True, st.value, False
    if not ind.formula or ind.id in _seen:
        return False, None, False
    try:
        return True, _plain(float(expr.evaluate(ind.formula, answers.numeric_values()))), False
    except expr.NotComputable:
        seen = _seen | {ind.id}
        sources = [checklist.get(i) for i in expr.references(ind.formula)]
        if all(unit_value(checklist, answers, s, seen)[0] for s in sources):
            return True, None, True
        return False, None, False


def follows_sources(plan: UnitsPlan, ind: Indicator) -> bool:
    """A derived indicator whose sources are all collected: a unit reports the sources and
    this value follows from them, so it is never asked of a person."""
    return bool(ind.formula) and all(
        plan.is_collected(i) for i in expr.references(ind.formula or "")
    )


def _plain(x: float) -> int | float:
    x = round(x, 6)
    return int(x) if float(x).is_integer() else x


def _shown(ind: Indicator, v: Any) -> str:
    return format_value(ind, v) if v is not None else "（未报送）"


def _formula_text(ind: Indicator, spec: Spec, parts: Sequence[Part], value: Any) -> str:
    items = [f"{p.unit} {_shown(ind, p.value)}" for p in parts]
    if not parts:
        return "（无单位报送）"
    rule = spec.rule
    if rule == "sum":
        return "= " + " + ".join(items)
    if rule == "mean":
        return f"= ({' + '.join(items)}) / {len(parts)}"
    if rule == "weighted":
        top = " + ".join(f"{p.unit} {_shown(ind, p.value)}×{p.weight:g}" for p in parts)
        return f"= ({top}) / ({' + '.join(f'{p.weight:g}' for p in parts)})"
    if rule in ("min", "max"):
        return f"= {rule}({'，'.join(items)})"
    if rule in ("any", "all"):
        joiner = " 或 " if rule == "any" else " 且 "
        return "= " + joiner.join(items)
    if rule == "union":
        return "= " + " ∪ ".join(f"{p.unit}（{_shown(ind, p.value)}）" for p in parts)
    return "；".join(items)  # choose, pool, none: each unit's answer


def _parts(
    checklist: Checklist, plan: UnitsPlan, units: Mapping[str, Answers], ind: Indicator
) -> tuple[list[Part], list[str], list[str], list[str]]:
    """Each reporting unit's value (with its weight), the units that said 不适用, those that
    have not reported, and (weighted) those whose weight is 不适用: reported, weighed 0."""
    spec = plan.spec(ind.id)
    weight_ind = checklist.get(spec.ref) if spec is not None and spec.ref is not None else None
    parts: list[Part] = []
    na: list[str] = []
    missing: list[str] = []
    unweighted: list[str] = []
    for name in plan.names:
        answers = units.get(name)
        reported, value, is_na = (
            unit_value(checklist, answers, ind) if answers is not None else (False, None, False)
        )
        if not reported:
            missing.append(name)
        elif is_na:
            na.append(name)
        else:
            weight = None
            if weight_ind is not None and answers is not None:
                w_ok, w, w_na = unit_value(checklist, answers, weight_ind)
                if not w_ok or (not w_na and not number_ok(w)):
                    missing.append(name)  # its weight is missing: the unit is not complete
                    continue
                weight = 0.0 if w_na else float(w)
                if w_na:  # reported all it has: its value weighs nothing, said in the 算式
                    unweighted.append(name)
            parts.append(Part(name, value, weight))
    return parts, na, missing, unweighted


def _recompute(
    ind: Indicator,
    done: Mapping[int, Rollup],
    parts: list[Part],
    na: list[str],
    owed: list[str],
    order: Sequence[str],
) -> Rollup | None:
    """A formula over the rolled-up inputs (which are collected, validation made sure)."""
    assert ind.formula is not None
    inputs = [done[i] for i in expr.references(ind.formula) if i in done]
    missing = [u for u in order if u in owed or any(u in r.missing for r in inputs)]
    partial = [u for u in na if any(p.unit == u for r in inputs for p in r.parts)]
    values = {r.id: float(r.value) for r in inputs if number_ok(r.value)}
    spec = Spec("recompute")
    shown = "，".join(
        f"第{r.id}项汇总 {r.value if r.value is not None else '（无）'}" for r in inputs
    )
    if partial:  # their sources count in the city's own sums, which this must match
        shown += (
            f"（注意：{'、'.join(partial)}的第{ind.id}项不适用，但其已填的来源计入了汇总，请核实）"
        )
    formula = f"按公式 {ind.formula}：{shown}"
    try:
        value: Any = _plain(float(expr.evaluate(ind.formula, values)))
    except expr.NotComputable as exc:
        reason = _sources_reason(inputs)
        if reason is None:
            reason = exc.reason
        else:
            formula = f"（{reason}）"
        return Rollup(ind.id, spec, None, tuple(parts), tuple(na), tuple(missing), formula, reason)
    return Rollup(
        ind.id, spec, value, tuple(parts), tuple(na), tuple(missing), f"{formula} → {value}"
    )


def _sources_reason(inputs: Sequence[Rollup]) -> str | None:
    """Why a formula has no total when every source was reported and none adds up (each
    unit 不适用): their reason, not "缺少第132项、第131项"; None otherwise."""
    empty = [r for r in inputs if r.value is None and r.reason and not r.missing]
    if not empty or len(empty) != len(inputs):
        return None
    reasons = {str(r.reason) for r in empty}
    if len(reasons) == 1:
        return reasons.pop()
    return "；".join(f"第{r.id}项{r.reason}" for r in empty)


def same_value(ind: Indicator, a: Any, b: Any) -> bool:
    """Is a value the rolled-up one: lists in any order, numbers within rounding."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return not isinstance(b, bool) and math.isclose(float(a), float(b), abs_tol=1e-9)
    return bool(a == b)


def _no_value(spec: Spec, parts: Sequence[Part], na: Sequence[str], missing: Sequence[str]) -> str:
    """Why a roll-up has no value: nobody reported, all said 不适用, or (weighted) the
    weights of those who reported add up to 0."""
    if parts and spec.ref is not None:
        return f"各单位第{spec.ref}项（权重）之和为 0，无法加权平均"
    if na and missing:  # 不适用 counts as reported (docs/units.md): not "nobody reported"
        return f"已报送的单位均为不适用（{'、'.join(na)}），另有 {len(missing)} 个单位未报送"
    return "各单位均为不适用" if na else "没有单位报送"


def compute(checklist: Checklist, units: Mapping[str, Answers]) -> list[Rollup]:
    """Every collected indicator's roll-up, in checklist order (derived ones after their inputs)."""
    plan = checklist.units
    if plan is None:
        return []
    done: dict[int, Rollup] = {}
    later: list[Indicator] = []
    for ident in plan.ids:
        ind = checklist.get(ident)
        spec = plan.spec(ident)
        assert spec is not None
        if spec.rule == "recompute":
            later.append(ind)
            continue
        parts, na, missing, unweighted = _parts(checklist, plan, units, ind)
        rule = REGISTRY[spec.rule]
        value = rule.combine(parts) if rule.combine is not None else None
        reason = None
        if rule.combine is None:
            reason = "由市级填报（可参考各单位的答案）"
        elif value is None:
            reason = _no_value(spec, parts, na, missing)
        formula = _formula_text(ind, spec, parts, value)
        if unweighted:
            formula += f"（{'、'.join(unweighted)}的第{spec.ref}项不适用，权重按 0 计）"
        if not parts and reason is not None:  # the one wording of why there is no sum
            formula = f"（{reason}）"
        done[ident] = Rollup(
            ident, spec, value, tuple(parts), tuple(na), tuple(missing), formula, reason
        )
    for ind in later:
        parts, na, owed, _ = _parts(checklist, plan, units, ind)
        r = _recompute(ind, done, parts, na, owed, plan.names)
        if r is not None:
            done[ind.id] = r
    return [done[i] for i in plan.ids if i in done]
