"""Roll-up rules: how the city's value of a collected indicator follows from its units' values.

One registry keyed by rule name, as the answer kinds are: a rule declares the kinds it fits,
whether it is the unambiguous default for a kind, and how it combines the units' values.
A new rule is one entry here. Pure: no file IO.

The rules (GUIDE §2 单位 · 汇总):
- sum       count (default): the units' counts added up;
- recompute a percent with a formula over collected indicators (default): the formula over the
            summed inputs, never the mean of the units' percentages (computed in state/rollup.py);
- mean / weighted: qN / min / max: a percent without a formula, or a number: must be declared;
- any / all: yes/no: must be declared;
- union     multi (default): every option any unit chose;
- choose    choice (default): no automatic value, the city chooses and sees each unit's choice;
- pool      text (default): the units' texts, "沙坡头区：…；中宁县：…", a draft to edit;
- none      any kind: the city answers it itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

Value = Any  # an answer value (bool | int | float | str | list[str])


class Spec(NamedTuple):
    """An indicator's declared (or default) rule; `ref` is the weight's indicator (weighted)."""

    rule: str
    ref: int | None = None

    def text(self) -> str:
        """As written in the checklist: 'sum', 'weighted: q131'."""
        return f"{self.rule}: q{self.ref}" if self.ref is not None else self.rule


class Part(NamedTuple):
    """One unit's value in a roll-up."""

    unit: str
    value: Value
    weight: float | None = None  # the unit's value of the weight indicator (weighted)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    label: str  # Chinese, as users read it
    kinds: frozenset[str]
    combine: Callable[[Sequence[Part]], Value | None] | None  # None: no automatic value
    default: Callable[[str, bool], bool] = lambda kind, has_formula: False
    needs_ref: bool = False


def _num(v: Value) -> float:
    return float(v)


def _plain(x: float) -> int | float:
    """Whole numbers as int, so 120 + 80 prints as 200, not 200.0."""
    return int(x) if float(x).is_integer() else x


def _sum(parts: Sequence[Part]) -> Value | None:
    return _plain(sum(_num(p.value) for p in parts)) if parts else None


def _mean(parts: Sequence[Part]) -> Value | None:
    if not parts:
        return None
    return _plain(round(sum(_num(p.value) for p in parts) / len(parts), 6))


def _weighted(parts: Sequence[Part]) -> Value | None:
    total = sum(p.weight or 0.0 for p in parts)
    if not parts or total == 0:
        return None
    return _plain(round(sum(_num(p.value) * (p.weight or 0.0) for p in parts) / total, 6))


def _min(parts: Sequence[Part]) -> Value | None:
    return _plain(min(_num(p.value) for p in parts)) if parts else None


def _max(parts: Sequence[Part]) -> Value | None:
    return _plain(max(_num(p.value) for p in parts)) if parts else None


def _any(parts: Sequence[Part]) -> Value | None:
    return any(bool(p.value) for p in parts) if parts else None


def _all(parts: Sequence[Part]) -> Value | None:
    return all(bool(p.value) for p in parts) if parts else None


def _union(parts: Sequence[Part]) -> Value | None:
    seen: dict[str, None] = {}
    for p in parts:
        for item in p.value if isinstance(p.value, list) else [p.value]:
            seen.setdefault(str(item), None)
    return list(seen) if parts else None


def _pool(parts: Sequence[Part]) -> Value | None:
    return "；".join(f"{p.unit}：{p.value}" for p in parts) if parts else None


_ALL_KINDS = frozenset({"yesno", "count", "number", "percent", "choice", "multi", "text"})

REGISTRY: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule(
            "recompute",
            "按公式重算",
            frozenset({"percent", "number", "count"}),
            None,  # the formula over the rolled-up inputs: state/rollup.py
            lambda k, f: f,
        ),
        Rule("sum", "求和", frozenset({"count", "number"}), _sum, lambda k, f: k == "count"),
        Rule("mean", "平均", frozenset({"percent", "number"}), _mean),
        Rule("weighted", "加权平均", frozenset({"percent", "number"}), _weighted, needs_ref=True),
        Rule("min", "最小值", frozenset({"count", "number", "percent"}), _min),
        Rule("max", "最大值", frozenset({"count", "number", "percent"}), _max),
        Rule("any", "任一单位为是", frozenset({"yesno"}), _any),
        Rule("all", "所有单位为是", frozenset({"yesno"}), _all),
        Rule("union", "合并所选", frozenset({"multi"}), _union, lambda k, f: k == "multi"),
        Rule("choose", "由市级选择", frozenset({"choice"}), None, lambda k, f: k == "choice"),
        Rule("pool", "汇集各单位文字", frozenset({"text"}), _pool, lambda k, f: k == "text"),
        Rule("none", "市级自行填报", _ALL_KINDS, None),
    )
}


def default_rule(kind: str, has_formula: bool) -> str | None:
    """The unambiguous default for a kind, or None when the checklist must say."""
    for rule in REGISTRY.values():
        if rule.default(kind, has_formula):
            return rule.name
    return None


def choices_for(kind: str) -> list[str]:
    """The rule names that fit a kind, for messages ('mean、weighted: qN、min、max')."""
    return [r.name + (": qN" if r.needs_ref else "") for r in REGISTRY.values() if kind in r.kinds]


def parse_spec(raw: Any) -> Spec | str:
    """'sum', {'weighted': 'q131'} or 'weighted: q131' -> Spec; a message when malformed."""
    ref_raw: Any = None
    if isinstance(raw, Mapping):
        if len(raw) != 1:
            return "应为一个规则名，例如 sum，或 {weighted: q131}"
        name, ref_raw = next(iter(raw.items()))
    elif isinstance(raw, str):
        name, _, rest = raw.partition(":")
        ref_raw = rest.strip() or None
    else:
        return f"应为规则名（可选：{'、'.join(REGISTRY)}），实际为 {raw!r}"
    name = str(name).strip()
    if name not in REGISTRY:
        return f"未知的汇总规则“{name}”（可选：{'、'.join(REGISTRY)}）"
    rule = REGISTRY[name]
    if not rule.needs_ref:
        if ref_raw is not None:
            return f"汇总规则 {name} 不带参数"
        return Spec(name)
    text = str(ref_raw or "").strip()
    if not (text.startswith("q") and text[1:].isascii() and text[1:].isdigit() and len(text) < 8):
        return f"汇总规则 {name} 需要权重指标，例如 {name}: q131"
    return Spec(name, int(text[1:]))
