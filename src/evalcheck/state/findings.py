"""What `check` finds: a finding names its rule, its severity and the indicators involved."""

from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.model.checklist import UNASSIGNED, Checklist
from evalcheck.state.snapshot import STATUS_LABELS, Status


class Involved(NamedTuple):
    id: int
    value: str
    section: str | None
    owner: str | None


FORMULA_RULE = "formula:"  # a derived value's check: formula:133
FORMULA_LABEL = STATUS_LABELS[Status.COMPUTED]  # 自动计算, as a derived value's status


class Finding(NamedTuple):
    kind: str  # "rule" | "rule-uncomputable" | "derived-mismatch" | "derived-missing"
    severity: str  # "error" | "warning"
    rule: str  # rule id, or "formula:121"
    message: str
    involved: tuple[Involved, ...] = ()

    @property
    def level(self) -> str:
        """错误 or 提醒, as every output names a finding's severity."""
        return "错误" if self.severity == "error" else "提醒"

    @property
    def label(self) -> str:
        """The rule as people read it: a rule's own id (R132, 上年对比:数量), 自动计算 for
        a formula's check (its id, formula:133, is for JSON and the program)."""
        return FORMULA_LABEL if self.rule.startswith(FORMULA_RULE) else self.rule

    def lines(self) -> list[str]:
        """The finding as `check` prints it: the message, then each indicator involved."""
        out = [f"{self.level}（{self.label}）：{self.message}"]
        for i in self.involved:
            who = f"{i.section or UNASSIGNED}，{i.owner or '未指定领导'}"
            out.append(f"    第{i.id}项 = {i.value}（{who}）")
        return out

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


def for_unit(
    found: "list[Finding]", answers_path: Path, checklist: Checklist, unit: str | None = None
) -> "list[Finding]":
    """Findings on a unit's answers (`unit`: its form imported; else its file given with
    --answers): a value far from the unit's own last year is checked with the unit, not
    the city's section that the finding names."""
    import re

    if unit is None and checklist.units is not None:
        from evalcheck.answers.units import unit_of

        unit = unit_of(answers_path, checklist)
    if unit is None:
        return found
    return [
        f._replace(message=re.sub(r"请向[^，。；]*核实$", f"请向{unit}核实", f.message))
        if f.kind == "previous"
        else f
        for f in found
    ]
