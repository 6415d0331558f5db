"""Columns of the units' views: the roll-up table, progress per unit, indicator × unit.

Declared once here, as views/columns.py does for the other views; the terminal table, CSV,
JSON and the 汇总 sheet of the export read the same rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.derived import round_value
from evalcheck.model.kinds import cell_value, format_value, is_numeric, number_format
from evalcheck.state.rollup import Rollup, follows_sources, same_value
from evalcheck.state.snapshot import Row, Status
from evalcheck.views.columns import KEEP_ALWAYS, Column

DIFFERS = "（与汇总值不同）"


def city_answer(row: Row | None, rollup: Rollup) -> str:
    """The city's own answer beside a roll-up (or the value its formula gives), as every
    working output shows a value: marked while not final ('272 个（已退回）'), and said
    when it is not the rolled-up total as `rollup --apply` judges it (a unit changed its
    value after the apply, the city typed its own, or answered 不适用)."""
    now = row.current if row is not None else None
    if row is None or now is None:
        return ""
    total = rollup.value
    if row.state is None and isinstance(total, float):  # a formula's value, rounded as the
        total = round_value(total)  # city's own is (two places): 33.33 is 33.333333
    differs = total is not None and (
        now.na is not None or not same_value(row.ind, now.value, total)
    )
    return row.marked_display + (DIFFERS if differs else "")


@dataclass(frozen=True, slots=True)
class RollupRow:
    ind: Indicator
    rollup: Rollup
    city: str = ""  # city_answer(): the city's own answer

    @property
    def display(self) -> str:
        r = self.rollup
        if r.value is None:
            return f"（{r.reason}）" if r.reason else ""
        shown = format_value(self.ind, r.value)
        return shown if r.complete else f"{shown}（不完整）"


ROLLUP: list[Column[RollupRow]] = [
    Column("id", "题号", lambda r: r.ind.id, keep=KEEP_ALWAYS, width=6, center=True, numeric=True),
    Column("text", "三级指标", lambda r: r.ind.text, keep=KEEP_ALWAYS, wide=True, width=40),
    Column("rule", "汇总规则", lambda r: r.rollup.rule_label, keep=60, width=12),
    Column("value", "汇总值", lambda r: r.display, keep=KEEP_ALWAYS, width=14),
    Column("city", "市级答案", lambda r: r.city, keep=55, width=14),
    Column("formula", "算式", lambda r: r.rollup.formula, keep=40, wide=True, width=40),
    Column("missing", "未报送单位", lambda r: "、".join(r.rollup.missing), keep=90, width=16),
]


@dataclass(frozen=True, slots=True)
class UnitProgress:
    unit: str
    total: int
    reported: int
    missing: tuple[int, ...]  # ids not yet reported (a derived one while a source is missing)
    asked: tuple[int, ...]  # of those, what the unit itself has to report (never a derived one)

    @property
    def rate(self) -> float:
        return self.reported / self.total if self.total else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "total": self.total,
            "reported": self.reported,
            "missing": list(self.missing),
            "rate": round(self.rate, 4),
        }


def unit_progress(checklist: Checklist, rollups: Sequence[Rollup]) -> list[UnitProgress]:
    """Each unit's progress, read from the roll-ups' 未报送单位 (state/rollup.py decides what
    a unit still owes), so the per-unit counts and the per-indicator lists always agree."""
    plan = checklist.units
    if plan is None:
        return []
    out = []
    for name in plan.names:
        missing = tuple(r.id for r in rollups if name in r.missing)
        asked = tuple(i for i in missing if not follows_sources(plan, checklist.get(i)))
        total = len(plan.ids)
        out.append(UnitProgress(name, total, total - len(missing), missing, asked))
    return out


UNIT_PROGRESS: list[Column[UnitProgress]] = [
    Column("unit", "单位", lambda p: p.unit, keep=KEEP_ALWAYS, width=12),
    Column("total", "应报", lambda p: p.total, numeric=True, width=8),
    Column("reported", "已报送", lambda p: p.reported, numeric=True, width=8),
    Column("missing", "未报送", lambda p: len(p.missing), numeric=True, width=8),
    Column("rate", "完成率", lambda p: f"{p.rate:.0%}", numeric=True, width=8),
]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """One indicator across the units (the table a city uses to evaluate its counties)."""

    ind: Indicator
    rollup: Rollup
    ranks: Mapping[str, int]  # unit -> rank (1 = highest) for numeric indicators
    city: str = ""  # city_answer(): the city's own answer

    def cell(self, unit: str) -> str:
        values = self.rollup.unit_values()
        if unit in self.rollup.missing:
            return "未报送"
        if unit not in values:
            return ""
        v = values[unit]
        if v is None:
            return Status.NA.label
        shown = format_value(self.ind, v)
        rank = self.ranks.get(unit)
        return f"{shown}（第{rank}）" if rank is not None else shown


def ranks_of(ind: Indicator, rollup: Rollup) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4) of the units' values, highest first, numeric only."""
    if not is_numeric(ind.kind):
        return {}
    values = [(p.unit, float(p.value)) for p in rollup.parts if isinstance(p.value, int | float)]
    ordered = sorted(values, key=lambda uv: -uv[1])
    out: dict[str, int] = {}
    for unit, v in ordered:
        out[unit] = 1 + sum(1 for _, w in ordered if w > v)
    return out


def _cell_of(unit: str) -> Callable[[MatrixRow], str]:
    return lambda r: r.cell(unit)


def matrix_columns(units: Sequence[str]) -> list[Column[MatrixRow]]:
    cols: list[Column[MatrixRow]] = [
        Column("id", "题号", lambda r: r.ind.id, keep=KEEP_ALWAYS, numeric=True, width=6),
        # on a narrow terminal the indicator's text gives way to the units (the point of
        # the table) rather than the other way round, down to 16 columns
        Column(
            "text", "三级指标", lambda r: r.ind.text, keep=KEEP_ALWAYS, wide=True, width=36,
            narrow=16,
        ),
    ]  # fmt: skip
    for u in units:
        cols.append(Column(u, u, _cell_of(u), keep=70, width=14))
    total: Column[MatrixRow] = Column(
        "total", "汇总", lambda r: RollupRow(r.ind, r.rollup).display, keep=80, width=14,
        wide=True, narrow=10,
    )  # fmt: skip
    cols.append(total)
    cols.append(Column("city", "市级答案", lambda r: r.city, keep=50, width=14))
    cols.append(Column("rule", "规则", lambda r: r.rollup.rule_label, keep=30, width=12))
    return cols


# ---------------------------------------------------------------- the export's 汇总 sheet


def _unit_value_cell(unit: str) -> Callable[[MatrixRow], Any]:
    """A unit's value as a spreadsheet cell: a number as a number, 是/否, 未报送, 不适用."""

    def get(r: MatrixRow) -> Any:
        if unit in r.rollup.missing:
            return "未报送"
        values = r.rollup.unit_values()
        if unit not in values:
            return ""
        v = values[unit]
        return Status.NA.label if v is None else cell_value(r.ind, v)

    return get


def _total_cell(r: MatrixRow) -> Any:
    if r.rollup.value is None:
        return f"（{r.rollup.reason}）" if r.rollup.reason else ""
    return cell_value(r.ind, r.rollup.value)


def _formats(r: MatrixRow) -> str:
    return number_format(r.ind)


def rollup_sheet_columns(units: Sequence[str]) -> list[Column[MatrixRow]]:
    """The 汇总 sheet: indicator × unit, then the rolled-up total, its rule and formula."""
    cols: list[Column[MatrixRow]] = [
        Column("id", "题号", lambda r: r.ind.id, numeric=True, width=6, center=True),
        Column("text", "三级指标", lambda r: r.ind.text, wide=True, width=40),
        Column("unit", "单位", lambda r: r.ind.unit or "", width=6, center=True),
    ]
    for u in units:
        cols.append(Column(u, u, _unit_value_cell(u), width=12, number_format=_formats))
    cols += [
        Column("total", "汇总值", _total_cell, width=14, number_format=_formats),
        Column("city", "市级答案", lambda r: r.city, width=16),
        Column("rule", "汇总规则", lambda r: r.rollup.rule_label, width=14),
        Column(
            "complete", "是否完整", lambda r: "完整" if r.rollup.complete else "不完整", width=8
        ),
        Column("missing", "未报送单位", lambda r: "、".join(r.rollup.missing), width=16),
        Column("formula", "算式", lambda r: r.rollup.formula, wide=True, width=48),
    ]
    return cols
