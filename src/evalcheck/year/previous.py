"""Last year's value of an indicator (from the mapping file, mapping.py), and how this
year's answer differs from it.

Last year's values are a reference, never an answer: they live only in this file, and
nothing here counts towards progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from evalcheck.model.checklist import Indicator
from evalcheck.model.kinds import change_text as kind_change
from evalcheck.model.kinds import format_value
from evalcheck.year.carry import HOW_NAMES, shown_score


@dataclass(frozen=True, slots=True)
class Previous:
    """Last year's answer of the indicator an indicator of this year was matched to."""

    year: int
    old_id: int
    text: str
    kind: str
    unit: str | None
    value: Any  # None when last year's answer was 不适用 or missing
    na: str | None
    how: str
    score: float | None
    kind_changed: bool
    verdict: str | None = None  # last year's sign-off: approved, pending, returned; None: off

    @property
    def answered(self) -> bool:
        return self.value is not None or self.na is not None

    @property
    def final(self) -> bool:
        """Last year's answer was final: approved, or last year had review off."""
        return self.verdict is None or self.verdict == "approved"

    @property
    def verdict_mark(self) -> str:
        """'（上年已退回）', '（上年未审核）', '' (final last year)."""
        if not self.answered or self.final:
            return ""
        return "（上年已退回）" if self.verdict == "returned" else "（上年未审核）"

    @property
    def display(self) -> str:
        """'312 个', '不适用（…）', '' (not answered last year); with last year's verdict
        when it was not final: '95 条（上年已退回）'."""
        if self.na is not None:
            return f"不适用（{self.na}）{self.verdict_mark}"
        if self.value is None:
            return ""
        return f"{format_value(self.indicator(), self.value)}{self.verdict_mark}"

    @property
    def source(self) -> str:
        """'2021年第47项，文字相似 91.3 分'."""
        how = HOW_NAMES.get(self.how, self.how)
        score = f" {shown_score(self.score)} 分" if self.score is not None else ""
        changed = "，题型已改变" if self.kind_changed else ""
        return f"{self.year}年第{self.old_id}项，{how}{score}{changed}"

    def indicator(self) -> Indicator:
        """Last year's indicator, as far as formatting its value needs."""
        return Indicator(
            id=self.old_id,
            category="",
            text=self.text,
            due=dt.date.min,
            role="lead",
            kind=self.kind,
            unit=self.unit,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "id": self.old_id,
            "value": self.value,
            "na": self.na,
            "display": self.display,
            "how": self.how,
            "score": self.score,
            "kind_changed": self.kind_changed,
            "verdict": self.verdict,
            "final": self.final,
        }


def change_text(ind: Indicator, prev: Previous, state: Any) -> str:
    """How this year's answer differs from last year's: '+12（+4%）', '−5 个百分点', '是→否'.

    `state` is this year's answer (a store.State) or None.
    """
    if prev.kind_changed:
        return "题型已改变"
    now_na = state is not None and state.na is not None
    now = state.value if state is not None and not now_na else None
    if not prev.answered:
        return "上年未填报"
    if state is None:
        return "今年未填报"
    if prev.na is not None or now_na:
        return "不变" if prev.na is not None and now_na else "适用情况改变"
    return kind_change(ind, prev.value, now)
