"""Sub-units (单位): the counties, districts and 市本级 that fill the collected indicators.

In the checklist:

    units: [沙坡头区, 中宁县, 海原县, 市本级]   # who fills the collected indicators
    units_due: 2021-09-10                      # optional: the units' deadline (before `due`)
    collect: units                             # optional default: every indicator is collected
    indicators:
    - id: 3
      collect: units                           # this one is collected (or `collect: city`)
      rollup: sum                              # how the city's value follows (model/rollups.py)

Validation names every collected indicator whose kind has no unambiguous rule and that does
not declare one. Pure: no file IO.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evalcheck.model.expr import references as refs
from evalcheck.model.rollups import REGISTRY, Spec, choices_for, default_rule, parse_spec

COLLECT_VALUES = ("units", "city")  # collected from the units | answered by the city alone
MAX_UNITS = 200  # a city has a handful of counties; more is a mistake in the file
MAX_UNIT_NAME = 40
NO_UNITS = (
    "清单没有列出 units（填报单位）：在清单中写明 units: [沙坡头区, 中宁县, 海原县, 市本级]，"
    "并给由各单位填报的指标写 collect: units（见 docs/units.md）"
)


@dataclass(frozen=True, slots=True)
class UnitsPlan:
    """Who fills what: the units, their deadline, and each collected indicator's rule."""

    names: tuple[str, ...]
    due: dt.date | None
    specs: tuple[tuple[int, Spec], ...]  # collected indicator id -> its rule

    def spec(self, ident: int) -> Spec | None:
        for i, s in self.specs:
            if i == ident:
                return s
        return None

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(i for i, _ in self.specs)

    def is_collected(self, ident: int) -> bool:
        return any(i == ident for i, _ in self.specs)


Report = Callable[[str, str], None]  # (where, message)


def _names(raw: Any, error: Report) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        error("字段 units", "应为单位名称的列表，例如 [沙坡头区, 中宁县, 海原县, 市本级]")
        return ()
    if len(raw) > MAX_UNITS:
        error("字段 units", f"单位不能超过 {MAX_UNITS} 个，实际为 {len(raw)} 个")
        return ()
    from evalcheck.infra.winnames import INVISIBLE, folder_name_problem, name_key, visible

    names: list[str] = []
    for pos, name in enumerate(raw, start=1):
        text = name.strip() if isinstance(name, str) else ""
        bad = not text or len(text) > MAX_UNIT_NAME or any(ch in text for ch in '\\/:*?"<>|')
        if bad or text in (".", ".."):
            error(
                f"字段 units 第{pos}个",
                f'单位名称应为不超过 {MAX_UNIT_NAME} 字的文字，且不含 \\ / : * ? " < > |'
                f"（用作文件夹名），实际为 {name!r}",
            )
            continue
        hidden = [ch for ch in text if ch in INVISIBLE]
        if hidden:
            error(
                f"字段 units 第{pos}个",
                f"单位名称“{visible(text)}”中有看不见的字符（U+{ord(hidden[0]):04X}，"
                "多为从网页或文档复制时带入）：请删去后重新输入这个名称",
            )
            continue
        problem = folder_name_problem(text)  # 单位/<名称>/ must be one folder on Windows too
        if problem:
            error(f"字段 units 第{pos}个", f"单位名称 {text!r} {problem}，不能用作文件夹名")
            continue
        twin = next((n for n in names if name_key(n) == name_key(text)), None)
        if twin is not None:
            same = (
                ""
                if twin == text
                else f"（与“{twin}”只差大小写、全角半角或看不见的字符，用作文件夹名时是同一个）"
            )
            error(f"字段 units 第{pos}个", f"单位名称重复：{text}{same}")
            continue
        names.append(text)
    return tuple(names)


def _due(raw: Any, error: Report) -> dt.date | None:
    if raw is None:
        return None
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if isinstance(raw, str):
        try:
            from evalcheck.infra.clock import parse_iso_date

            return parse_iso_date(raw)
        except ValueError:
            pass
    error("字段 units_due", f"应为日期 YYYY-MM-DD，例如 2021-09-10，实际为 {raw!r}")
    return None


def _spec_of(
    raw: Mapping[str, Any],
    ident: int,
    kind: str,
    has_formula: bool,
    ids: set[int],
    error: Report,
) -> Spec | None:
    where = f"第{ident}项 字段 rollup"
    if raw.get("rollup") is None:
        name = default_rule(kind, has_formula)
        if name is None:
            error(
                where,
                f"题型 {kind} 的指标由各单位填报，但没有默认的汇总规则："
                f"请写明 rollup（可选：{'、'.join(choices_for(kind))}）",
            )
            return None
        return Spec(name)
    spec = parse_spec(raw["rollup"])
    if isinstance(spec, str):
        error(where, spec)
        return None
    rule = REGISTRY[spec.rule]
    if kind not in rule.kinds:
        error(
            where,
            f"汇总规则 {spec.rule} 不适用于题型 {kind}（可选：{'、'.join(choices_for(kind))}）",
        )
        return None
    if spec.rule == "recompute" and not has_formula:
        error(where, "按公式重算（recompute）需要该指标有 formula")
        return None
    if spec.ref is not None and spec.ref not in ids:
        error(where, f"权重指标 q{spec.ref} 不在清单中")
        return None
    return spec


def _collected(raw: Mapping[str, Any], default: str, ident: int, error: Report) -> bool:
    value = raw.get("collect", default)
    if value not in COLLECT_VALUES:
        error(
            f"第{ident}项 字段 collect",
            f"应为 units（由各单位填报、市级汇总）或 city（市级自行填报），实际为 {value!r}",
        )
        return False
    return bool(value == "units")


def build_units(
    data: Mapping[str, Any],
    raw_indicators: Sequence[tuple[Mapping[str, Any], int, str, str | None]],
    error: Report,
) -> UnitsPlan | None:
    """The units plan of a checklist, or None when it declares no units.

    `raw_indicators`: (the indicator's YAML mapping, id, kind, its formula) per indicator.
    """
    default = data.get("collect", "city")
    if default not in COLLECT_VALUES:
        error("字段 collect", f"应为 units 或 city（默认），实际为 {default!r}")
        default = "city"
    uses = any("collect" in r or "rollup" in r for r, *_ in raw_indicators)
    if data.get("units") is None:
        if default == "units" or uses or data.get("units_due") is not None:
            error("字段 units", "有指标由各单位填报（collect / rollup），但清单没有列出 units")
        return None
    names = _names(data["units"], error)
    due = _due(data.get("units_due"), error)
    ids = {ident for _, ident, _, _ in raw_indicators}
    specs: list[tuple[int, Spec]] = []
    formulas = {ident: f for _, ident, _, f in raw_indicators if f}
    for raw, ident, kind, formula in raw_indicators:
        if not _collected(raw, str(default), ident, error):
            if raw.get("rollup") is not None:
                error(
                    f"第{ident}项 字段 rollup",
                    "该指标不由各单位填报（collect: city），不需要 rollup",
                )
            continue
        spec = _spec_of(raw, ident, kind, formula is not None, ids, error)
        if spec is not None:
            specs.append((ident, spec))
    collected = {i for i, _ in specs}
    for ident, spec in specs:
        if spec.rule != "recompute":
            continue
        missing = sorted(set(refs(formulas[ident])) - collected)
        if missing:
            error(
                f"第{ident}项 字段 rollup",
                "按公式重算需要公式中的指标也由各单位填报："
                + "、".join(f"第{m}项" for m in missing),
            )
    return UnitsPlan(names, due, tuple(specs))
