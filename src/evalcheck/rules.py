"""Derived values and cross-indicator consistency checks (pure).

Rules and formulas are data in the checklist YAML; expressions are evaluated by
`expr` (an AST whitelist), never by `eval`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from . import expr
from .checklist import Checklist, Rule
from .derived import TOLERANCE, as_number, compute_derived
from .store import Answers
from .values import format_value


class Involved(NamedTuple):
    id: int
    value: str
    section: str | None
    owner: str | None


class Finding(NamedTuple):
    kind: str  # "rule" | "derived-mismatch" | "derived-missing"
    severity: str  # "error" | "warning"
    rule: str  # rule id, or "formula:121"
    message: str
    involved: tuple[Involved, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "rule": self.rule,
            "message": self.message,
            "involved": [
                {"id": i.id, "value": i.value, "section": i.section, "owner": i.owner}
                for i in self.involved
            ],
        }


class Report:
    """What `check` found, and the rules it could not check for missing inputs."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.unchecked: list[str] = []  # rules whose inputs are missing

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def effective_values(checklist: Checklist, answers: Answers) -> dict[int, float]:
    """Recorded numeric values, plus derived ones where nothing was recorded."""
    recorded = answers.numeric_values()
    values = dict(recorded)
    for ident, d in compute_derived(checklist, recorded).items():
        if ident not in values and d.value is not None:
            values[ident] = d.value
    return values


def _involved(
    checklist: Checklist, values: Mapping[int, float], ids: list[int]
) -> tuple[Involved, ...]:
    out = []
    for ident in ids:
        ind = checklist.get(ident)
        v = values.get(ident)
        shown = (
            format_value(ind, int(v) if v is not None and v.is_integer() else v)
            if v is not None
            else "（未填）"
        )
        out.append(Involved(ident, shown, ind.section, ind.owner))
    return tuple(out)


def check_rule(rule: Rule, values: Mapping[int, float]) -> bool | None:
    """True if it holds, False if violated, None if an input is missing."""
    try:
        return bool(expr.evaluate(rule.check, values))
    except expr.NotComputable:
        return None


def run_checks(checklist: Checklist, answers: Answers) -> Report:
    report = Report()
    recorded = answers.numeric_values()
    values = effective_values(checklist, answers)
    for rule in checklist.rules:
        ok = check_rule(rule, values)
        if ok is None:
            report.unchecked.append(rule.id)
        elif not ok:
            report.findings.append(
                Finding(
                    "rule",
                    rule.severity,
                    rule.id,
                    f"{rule.message}（{expr.describe(rule.check)}）",
                    _involved(checklist, values, rule.refs),
                )
            )
    for ident, d in compute_derived(checklist, recorded).items():
        ind = checklist.get(ident)
        assert ind.formula is not None
        refs = expr.references(ind.formula)
        if d.value is None:
            continue
        if ident not in recorded:
            report.findings.append(
                Finding(
                    "derived-missing",
                    "warning",
                    f"formula:{ident}",
                    f"第{ident}项未填报，按公式 {expr.describe(ind.formula)} 自动计算为 "
                    f"{format_value(ind, d.value)}",
                    _involved(checklist, values, [ident, *refs]),
                )
            )
        elif abs(recorded[ident] - d.value) > TOLERANCE:
            report.findings.append(
                Finding(
                    "derived-mismatch",
                    "error",
                    f"formula:{ident}",
                    f"第{ident}项填报为 {format_value(ind, as_number(recorded[ident]))}，但按公式 "
                    f"{expr.describe(ind.formula)} 应为 {format_value(ind, d.value)}",
                    _involved(checklist, {**values, ident: recorded[ident]}, [ident, *refs]),
                )
            )
    return report


def violations_for(checklist: Checklist, values: Mapping[int, float], ident: int) -> list[Finding]:
    """Rules involving `ident` that the given values break (for warnings at answer time)."""
    out: list[Finding] = []
    for rule in checklist.rules:
        if ident in rule.refs and check_rule(rule, values) is False:
            others = [r for r in rule.refs if r != ident]
            out.append(
                Finding(
                    "rule",
                    rule.severity,
                    rule.id,
                    f"{rule.message}（{expr.describe(rule.check)}）",
                    _involved(checklist, values, [ident, *others]),
                )
            )
    return out
