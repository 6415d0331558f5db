"""Validation of a checklist file: every problem, named by indicator and field, at once.

Used when a checklist is parsed (a cache miss in load_checklist), by `validate`,
and by `checklist-import` for what it generates.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError
from evalcheck.infra.yamlio import load_yaml_text
from evalcheck.model import expr, kinds
from evalcheck.model.checklist import (
    DEFAULT_THRESHOLDS,
    EVIDENCE_REQUIREMENTS,
    INDICATOR_FIELDS,
    PLAUSIBILITY_FIELDS,
    ROLES,
    SEVERITIES,
    UNASSIGNED,
    Checklist,
    Indicator,
    Option,
    Rule,
    Thresholds,
)
from evalcheck.model.kinds import MAX_NUMBER_TEXT, MAX_TEXT, REGISTRY, number_ok
from evalcheck.model.units import build_units


@dataclass(frozen=True, slots=True)
class Problem:
    level: str  # "error" | "warning"
    text: str


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, where: str, msg: str) -> None:
        self.problems.append(Problem("error", f"{where}：{msg}"))

    def warn(self, where: str, msg: str) -> None:
        self.problems.append(Problem("warning", f"{where}：{msg}"))


def validate_text(text: str, path: Path) -> tuple[Checklist | None, list[Problem]]:
    try:
        data = load_yaml_text(text, str(path))
    except DataError as exc:
        return None, [Problem("error", exc.message)]
    return build_checklist(data, str(path))


def build_checklist(data: Any, path: str = "") -> tuple[Checklist | None, list[Problem]]:
    c = _Collector()
    if not isinstance(data, Mapping):
        c.error("文件", "顶层应为映射（title、year、categories、indicators 等字段）")
        return None, c.problems
    if _answers_file(data, c):  # `validate answers.yaml`
        return None, c.problems

    title, year = _title_and_year(data, c)
    categories = _name_list(data, "categories", c, required=True)
    sections = _name_list(data, "sections", c, required=False)
    owners = _name_list(data, "owners", c, required=False)
    default_due = _default_due(data, c)
    default_due_text = _opt_str(data, "due_text", "清单", c)
    label = _opt_str(data, "label", "清单", c)
    footnote = _opt_str(data, "footnote", "清单", c)
    _framing_lengths(title, label, footnote, categories, c)
    fonts = _fonts(data.get("fonts"), c)
    review = data.get("review", False)
    if not isinstance(review, bool):
        c.error("字段 review", f"应为 true 或 false（是否需要责任领导审核），实际为 {review!r}")
        review = False
    default_evidence = data.get("evidence", "optional")
    if default_evidence not in EVIDENCE_REQUIREMENTS:
        c.error(
            "字段 evidence",
            f"应为 required（必须提供佐证材料）或 optional，实际为 {default_evidence!r}",
        )
        default_evidence = "optional"

    defaults = (default_due, default_due_text)
    people = (sections, owners)
    indicators, unit_fields = _indicators(data, categories, defaults, people, default_evidence, c)

    by_id = {i.id: i for i in indicators}
    for ind in indicators:
        if ind.formula is not None:
            _check_expression(f"第{ind.id}项 字段 formula", ind.formula, by_id, c, self_id=ind.id)
    rules = _build_rules(data.get("rules"), by_id, c)
    units = build_units(data, unit_fields, c.error)
    plausibility = DEFAULT_THRESHOLDS
    if data.get("plausibility") is not None:
        given = _thresholds(data["plausibility"], "字段 plausibility", c)
        plausibility = given.over(DEFAULT_THRESHOLDS) if given else DEFAULT_THRESHOLDS

    sections_t = tuple(sections) or tuple(sorted({s for i in indicators for s in i.sections}))
    owners_t = tuple(owners) or tuple(sorted({o for i in indicators for o in i.owners}))
    deputies = _deputies(data.get("deputies"), owners_t, c)
    if any(p.level == "error" for p in c.problems):
        return None, c.problems
    checklist = Checklist(
        title=str(title),
        year=int(year),
        categories=tuple(categories),
        sections=sections_t,
        owners=owners_t,
        indicators=tuple(sorted(indicators, key=lambda i: i.id)),
        rules=tuple(rules),
        review=review,
        path=path,
        warnings=tuple(p.text for p in c.problems if p.level == "warning"),
        plausibility=plausibility,
        label=label,
        footnote=footnote,
        fonts=fonts,
        units=units,
        deputies=deputies,
    )
    return checklist, c.problems


def _answers_file(data: Mapping[str, Any], c: _Collector) -> bool:
    """An answers file given as the checklist: said in one error (not 清单标题, year … one
    by one)."""
    if "answers" not in data or "indicators" in data:
        return False
    c.error(
        "文件",
        "这是答案文件（有 answers 字段），不是清单：validate 检查的是清单"
        "（如 indicators.yaml，有 title、year、categories、indicators 等字段）；"
        "答案文件由 answer、import 等命令写入，读取时自动检查",
    )
    return True


def _title_and_year(data: Mapping[str, Any], c: _Collector) -> tuple[str, int]:
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        c.error("字段 title", "缺少清单标题")
        title = ""
    year = data.get("year")
    if year is None:
        c.error("字段 year", "缺少年份（1900–9999 的整数），例如 year: 2021")
        year = 0
    elif not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9999:
        c.error("字段 year", f"应为年份整数（1900–9999），例如 2021，实际为 {_short(year)}")
        year = 0
    return title, year


MAX_TITLE = 500  # a title is one heading line (Word's 标题 property keeps 255 of it)
MAX_NAME = 200  # a category: one cell of a table, merged down its rows
MAX_FOOTNOTE = MAX_TEXT - 16  # one cell, after the "备注：" the tables put before it


def _framing_lengths(
    title: str, label: str | None, footnote: str | None, categories: list[str], c: _Collector
) -> None:
    """What frames every table fits its cell: else each export would refuse it, naming
    the answers file (a checked text's message), though the checklist holds it."""
    limits = [("title", title, MAX_TITLE), ("label", label, MAX_TITLE)]
    limits.append(("footnote", footnote, MAX_FOOTNOTE))
    for key, text, limit in limits:
        if text is not None and len(text) > limit:
            c.error(f"字段 {key}", f"有 {len(text)} 个字符，超过 {limit} 字的上限")
    for name in categories:
        if len(name) > MAX_NAME:
            c.error(
                "字段 categories",
                f"二级指标“{name[:20]}……”有 {len(name)} 个字符，超过 {MAX_NAME} 字",
            )


def _default_due(data: Mapping[str, Any], c: _Collector) -> dt.date | None:
    if data.get("due") is None:
        return None
    default_due = _as_date(data["due"])
    if default_due is None:
        c.error("字段 due", f"默认完成时限应为日期 YYYY-MM-DD，实际为 {data.get('due')!r}")
    return default_due


_UnitField = tuple[Mapping[str, Any], int, str, str | None]


def _indicators(
    data: Mapping[str, Any],
    categories: list[str],
    defaults: tuple[dt.date | None, str | None],
    people: tuple[list[str], list[str]],
    default_evidence: Any,
    c: _Collector,
) -> tuple[list[Indicator], list[_UnitField]]:
    """The usable indicators, in file order, each id once; and what units need of each."""
    raw_inds = data.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        c.error("字段 indicators", "应为非空的指标列表")
        raw_inds = []
    indicators: list[Indicator] = []
    seen: set[int] = set()
    unit_fields: list[_UnitField] = []
    for pos, raw in enumerate(raw_inds, start=1):
        ind = _build_indicator(raw, pos, categories, defaults, str(default_evidence), c)
        if ind is None:
            continue
        if ind.id in seen:
            c.error(f"第{ind.id}项", "题号重复")
            continue
        seen.add(ind.id)
        indicators.append(ind)
        unit_fields.append((raw, ind.id, ind.kind, ind.formula))
        _check_people(ind, *people, c)
    if seen and len(seen) == len(indicators):
        gaps = _gaps(sorted(seen))  # from the ids present: no allocation by an id's size
        if gaps:
            c.warn("字段 indicators", f"题号不连续，缺少：{gaps}")
    return indicators, unit_fields


def _check_people(ind: Indicator, sections: list[str], owners: list[str], c: _Collector) -> None:
    """An indicator's section and owner: given, and in the checklist's lists if it has them."""
    if ind.section is None:
        c.warn(f"第{ind.id}项 字段 section", f"未指定责任科室（列为“{UNASSIGNED}”）")
    for name in ind.sections if sections else ():
        if name not in sections:
            c.error(f"第{ind.id}项 字段 section", f"“{name}”不在 sections 列表中")
    if ind.owner is None:
        c.warn(f"第{ind.id}项 字段 owner", "未指定责任领导")
    for name in ind.owners if owners else ():
        if name not in owners:
            c.error(f"第{ind.id}项 字段 owner", f"“{name}”不在 owners 列表中")


def _name_list(data: Mapping[str, Any], key: str, c: _Collector, *, required: bool) -> list[str]:
    raw = data.get(key)
    if raw is None:
        if required:
            c.error(f"字段 {key}", "缺少该列表")
        return []
    if not isinstance(raw, list) or not all(isinstance(x, str) and x.strip() for x in raw):
        c.error(f"字段 {key}", "应为非空文字的列表")
        return []
    names = [x.strip() for x in raw]
    dups = sorted({x for x in names if names.count(x) > 1})
    if dups:
        c.error(f"字段 {key}", f"名称重复：{'、'.join(dups)}")
    return names


def _deputies(
    raw: Any, owners: tuple[str, ...], c: _Collector
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`deputies: {万富春: [张三, 李四]}`: who may sign (审核) on a leader's behalf."""
    if raw is None:
        return ()
    example = "例如 deputies: {万富春: [张三]}"
    if not isinstance(raw, Mapping):
        c.error("字段 deputies", f"应为映射：责任领导 → 代签人姓名列表，{example}")
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    for key, names in raw.items():
        owner = key.strip() if isinstance(key, str) else ""
        where = f"字段 deputies.{key}"
        if owner not in owners:
            valid = "、".join(owners) or "（清单中没有责任领导）"
            c.error(where, f"“{key}”不是清单中的责任领导（可选：{valid}）")
            continue
        chain = _name_chain(names)
        if chain is None:
            c.error(where, f"应为代签人姓名，或姓名的列表，{example}")
            continue
        people = list(chain)
        if owner in people:
            c.error(where, f"代签人不能是{owner}本人")
            continue
        dups = sorted({n for n in people if people.count(n) > 1})
        if dups:
            c.error(where, f"代签人重复：{'、'.join(dups)}")
            continue
        out.append((owner, tuple(people)))
    return tuple(out)


def _fonts(raw: Any, c: _Collector) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`fonts: {title: [方正小标宋简体, 宋体], body: 仿宋}`: a name or a chain per role."""
    from evalcheck.infra.fonts import ROLES

    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        c.error(
            "字段 fonts",
            f"应为映射，例如 {{title: [方正小标宋简体, 宋体]}}（可用：{'、'.join(ROLES)}）",
        )
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    for role, names in raw.items():
        if role not in ROLES:
            c.error(f"字段 fonts.{role}", f"未知的用途（可用：{'、'.join(ROLES)}）")
            continue
        chain = _name_chain(names)
        if chain is None:
            c.error(f"字段 fonts.{role}", "应为字体名，或按优先顺序排列的字体名列表")
            continue
        out.append((str(role), chain))
    return tuple(out)


def _name_chain(raw: Any) -> tuple[str, ...] | None:
    """One name, or a non-empty list of names (stripped); None for anything else."""
    chain = [raw] if isinstance(raw, str) else raw
    if not isinstance(chain, list) or not chain:
        return None
    if not all(isinstance(n, str) and n.strip() for n in chain):
        return None
    return tuple(n.strip() for n in chain)


def _as_date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            from evalcheck.infra.clock import parse_iso_date

            return parse_iso_date(v)
        except ValueError:
            return None
    return None


def _opt_str(raw: Mapping[str, Any], key: str, where: str, c: _Collector) -> str | None:
    v = raw.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if not isinstance(v, str):
        c.error(f"{where} 字段 {key}", f"应为文字，实际为 {v!r}")
        return None
    return v.strip()


def _build_indicator(
    raw: Any,
    pos: int,
    categories: list[str],
    defaults: tuple[dt.date | None, str | None],
    default_evidence: str,
    c: _Collector,
) -> Indicator | None:
    """One indicator, or None when it has an error that makes it unusable.

    Each field check records its problems and says whether the field is usable; a
    problem that only `_opt_str`/`_names` record leaves the indicator usable, so the
    checks that follow (duplicate ids, sections, formulas) still run on it.
    """
    default_due, default_due_text = defaults
    ident = _indicator_id(raw, pos, c)
    if ident is None:
        return None
    where = f"第{ident}项"
    ok = _known_fields(raw, where, c)
    text, text_ok = _indicator_text(raw, where, c)
    category, category_ok = _indicator_category(raw, where, categories, c)
    owners = _names(raw, "owner", where, c)
    sections = _names(raw, "section", where, c)
    due, due_ok = _indicator_due(raw, where, default_due, c)
    # the bureau's wording of the deadline; the checklist's default wording belongs to its
    # default date only, so an indicator given another date never shows a stale "9月15日前"
    due_text = _opt_str(raw, "due_text", where, c)
    if due_text is None and due == default_due:
        due_text = default_due_text
    role = raw.get("role", "lead")
    role_ok = role in ROLES
    if not role_ok:
        c.error(f"{where} 字段 role", f"应为 lead（牵头）或 support（配合），实际为 {role!r}")
    kind = raw.get("kind")
    if kind is None:
        c.error(f"{where} 字段 kind", f"缺少题型，请写明 kind（可选：{kinds.listing()}）")
        return None
    if not isinstance(kind, str) or kind not in REGISTRY:
        c.error(f"{where} 字段 kind", f"未知的题型 {_short(kind)}（可选：{kinds.listing()}）")
        return None
    unit = _opt_str(raw, "unit", where, c)
    options, options_ok = _indicator_options(raw, where, kind, c)
    (low, high), range_ok = _indicator_range(raw, where, kind, c)
    formula = raw.get("formula")
    formula_ok = _formula_allowed(formula, where, kind, c)
    plausibility = None
    if raw.get("plausibility") is not None:
        plausibility = _thresholds(raw["plausibility"], f"{where} 字段 plausibility", c)
        ok = ok and plausibility is not None
    evidence = raw.get("evidence", default_evidence)
    evidence_ok = evidence in EVIDENCE_REQUIREMENTS
    if not evidence_ok:
        c.error(f"{where} 字段 evidence", f"应为 required 或 optional，实际为 {evidence!r}")
    checks = (text_ok, category_ok, due_ok, role_ok, options_ok, range_ok, formula_ok)
    if not (ok and evidence_ok and all(checks)) or category is None or due is None:
        return None
    return Indicator(
        id=ident,
        category=category,
        text=text.strip(),
        due=due,
        role=str(role),
        kind=str(kind),
        unit=unit,
        options=tuple(options),
        low=low,
        high=high,
        formula=formula,
        plausibility=plausibility,
        due_text=due_text,
        sections=sections,
        owners=owners,
        evidence=str(evidence),
    )


def _indicator_id(raw: Any, pos: int, c: _Collector) -> int | None:
    if not isinstance(raw, Mapping):
        c.error(f"indicators 第{pos}条", "应为映射（id、text、kind 等字段）")
        return None
    ident = raw.get("id")
    if not isinstance(ident, int) or isinstance(ident, bool) or ident < 1:
        c.error(f"indicators 第{pos}条 字段 id", f"缺少题号或题号不是正整数（{_short(ident)}）")
        return None
    if ident > MAX_ID:
        c.error(
            f"indicators 第{pos}条 字段 id",
            f"题号 {_short(ident)} 过大（最大 {MAX_ID}），是否多打了几个 0？",
        )
        return None
    return ident


def _known_fields(raw: Mapping[str, Any], where: str, c: _Collector) -> bool:
    unknown = sorted(set(map(str, raw)) - set(INDICATOR_FIELDS))
    if unknown:
        c.error(where, f"未知字段 {', '.join(unknown)}（可用：{', '.join(INDICATOR_FIELDS)}）")
    return not unknown


def _indicator_text(raw: Mapping[str, Any], where: str, c: _Collector) -> tuple[str, bool]:
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        c.error(f"{where} 字段 text", "指标内容为空")
        return "", False
    if len(text) > MAX_TEXT:
        c.error(
            f"{where} 字段 text", f"指标内容有 {len(text)} 个字符，超过 Excel 单元格的 {MAX_TEXT}"
        )
        return text, False
    return text, True


def _indicator_category(
    raw: Mapping[str, Any], where: str, categories: list[str], c: _Collector
) -> tuple[str | None, bool]:
    category = _opt_str(raw, "category", where, c)
    if category is None:
        c.error(f"{where} 字段 category", "缺少二级指标")
        return None, False
    if categories and category not in categories:
        c.error(
            f"{where} 字段 category",
            f"未知的二级指标“{category}”（可选：{'、'.join(categories)}）",
        )
        return category, False
    return category, True


def _indicator_due(
    raw: Mapping[str, Any], where: str, default_due: dt.date | None, c: _Collector
) -> tuple[dt.date | None, bool]:
    if "due" in raw:
        due = _as_date(raw["due"])
        if due is None:
            c.error(f"{where} 字段 due", f"日期无效：{raw['due']!r}（应为 YYYY-MM-DD）")
            return None, False
        return due, True
    if default_due is None:
        c.error(f"{where} 字段 due", "缺少完成时限，且清单没有默认的 due")
        return None, False
    return default_due, True


def _indicator_options(
    raw: Mapping[str, Any], where: str, kind: str, c: _Collector
) -> tuple[list[Option], bool]:
    raw_opts = raw.get("options")
    if not raw_opts:
        return [], True
    if not kinds.has_options(kind):
        c.error(
            f"{where} 字段 options",
            f"题型 {kind} 不带选项（只有 {kinds.listing(kinds.option_names())} 可以有）",
        )
        return [], False
    if not isinstance(raw_opts, list):
        c.error(f"{where} 字段 options", "应为选项列表")
        return [], False
    ok = True
    options: list[Option] = []
    for n, o in enumerate(raw_opts, start=1):
        if isinstance(o, str) and o.strip():
            options.append(Option(o.strip()))
        elif isinstance(o, Mapping) and isinstance(o.get("text"), str) and o["text"]:
            options.append(Option(o["text"].strip(), bool(o.get("exclusive", False))))
        else:
            c.error(f"{where} 字段 options", f"第{n}个选项应为文字或 {{text, exclusive}}")
            ok = False
    texts = [o.text for o in options]
    if len(set(texts)) != len(texts):
        c.error(f"{where} 字段 options", "选项重复")
        ok = False
    reserved = [t for t in texts if t.rstrip("。") == kinds.NOT_APPLICABLE]
    if reserved:  # the forms' dropdowns offer 不适用 itself (the answer with a reason)
        c.error(
            f"{where} 字段 options",
            "选项不能叫“不适用”：不适用是每一项都可以填的答案（须写明原因），"
            "填报表的下拉框里已有；请删去这个选项，或换一个说法（如“未开展”）",
        )
        ok = False
    return options, ok


_Range = tuple[float | None, float | None]


def _indicator_range(
    raw: Mapping[str, Any], where: str, kind: str, c: _Collector
) -> tuple[_Range, bool]:
    default: _Range = REGISTRY[kind].default_range
    if "range" not in raw:
        return default, True
    rng = raw["range"]
    if not kinds.is_numeric(kind):
        c.error(f"{where} 字段 range", f"题型 {kind} 没有数值范围")
        return default, False
    if (
        not isinstance(rng, list)
        or len(rng) != 2
        or not all(x is None or (isinstance(x, int | float) and x is not True) for x in rng)
    ):
        c.error(f"{where} 字段 range", "应为 [下限, 上限]，不限用 null，例如 [-100, null]")
        return default, False
    if not all(x is None or number_ok(x) for x in rng):
        c.error(f"{where} 字段 range", f"范围超出可用的数值（绝对值最大 {MAX_NUMBER_TEXT}）")
        return default, False
    low, high = rng[0], rng[1]
    if low is not None and high is not None and low > high:
        c.error(f"{where} 字段 range", f"下限 {low} 大于上限 {high}")
        return (low, high), False
    return (low, high), True


def _formula_allowed(formula: Any, where: str, kind: str, c: _Collector) -> bool:
    if formula is None:
        return True
    if not kinds.is_numeric(kind):
        c.error(f"{where} 字段 formula", f"只有数值题型可以自动计算，此项题型为 {kind}")
        return False
    if not isinstance(formula, str):
        c.error(f"{where} 字段 formula", "应为表达式文字，例如 q120 / q119 * 100")
        return False
    return True


def _thresholds(raw: Any, where: str, c: _Collector) -> Thresholds | None:
    """`plausibility`: false (no year-over-year warnings) or a mapping of thresholds."""
    if raw is False:
        return Thresholds(enabled=False)
    example = "例如 {count_factor: 0.5, percent_points: 20}，或 false 表示不与上年比较"
    if not isinstance(raw, Mapping):
        c.error(where, f"应为阈值映射，{example}")
        return None
    unknown = sorted(set(map(str, raw)) - set(PLAUSIBILITY_FIELDS))
    if unknown:
        c.error(where, f"未知字段 {', '.join(unknown)}（可用：{', '.join(PLAUSIBILITY_FIELDS)}）")
        return None
    values: dict[str, float] = {}
    for key in PLAUSIBILITY_FIELDS:
        v = raw.get(key)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
            c.error(f"{where}.{key}", f"应为大于 0 的数字，实际为 {v!r}（{example}）")
            return None
        values[key] = float(v)
    return Thresholds(values.get("count_factor"), values.get("percent_points"))


def _names(raw: Mapping[str, Any], key: str, where: str, c: _Collector) -> tuple[str, ...]:
    """section/owner: one name, or a list of names with the lead first."""
    v = raw.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        return ()
    items = v if isinstance(v, list) else [v]
    if not items or not all(isinstance(x, str) and x.strip() for x in items):
        c.error(f"{where} 字段 {key}", f"应为名称，或名称的列表（牵头的在前），实际为 {v!r}")
        return ()
    names = tuple(x.strip() for x in items)
    if len(set(names)) != len(names):
        c.error(f"{where} 字段 {key}", f"名称重复：{'、'.join(names)}")
    return names


def _check_expression(
    where: str,
    source: str,
    by_id: Mapping[int, Indicator],
    c: _Collector,
    *,
    self_id: int | None = None,
) -> None:
    try:
        refs = expr.references(source)
    except expr.ExprError as exc:
        shown = source if len(source) <= 60 else f"{source[:40]}……"
        c.error(where, f"表达式“{shown}”无效：{exc}")
        return
    for ref in refs:
        ind = by_id.get(ref)
        if ind is None:
            c.error(where, f"表达式“{source}”引用了不存在的第{ref}项")
        elif not kinds.is_numeric(ind.kind):
            labels = [kinds.label(k) for k in kinds.numeric_names()]
            numeric = "、".join(labels[:-1]) + "或" + labels[-1] if len(labels) > 1 else labels[0]
            c.error(
                where,
                f"表达式“{source}”引用的第{ref}项题型为 {ind.kind}，只能引用{numeric}题",
            )
        elif ref == self_id:
            c.error(where, f"表达式“{source}”引用了本项自身")


def _build_rules(raw: Any, by_id: Mapping[int, Indicator], c: _Collector) -> list[Rule]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.error("字段 rules", "应为规则列表")
        return []
    rules: list[Rule] = []
    seen: set[str] = set()
    for pos, r in enumerate(raw, start=1):
        if not isinstance(r, Mapping):
            c.error(f"rules 第{pos}条", "应为映射（id、check、severity、message）")
            continue
        rid = str(r.get("id") or f"#{pos}")
        where = f"规则 {rid}"
        if rid in seen:
            c.error(where, "规则编号重复")
        seen.add(rid)
        check = r.get("check")
        if not isinstance(check, str) or not check.strip():
            c.error(f"{where} 字段 check", "缺少检查表达式，例如 q15 <= q14")
            continue
        severity = r.get("severity", "error")
        if severity not in SEVERITIES:
            c.error(f"{where} 字段 severity", f"应为 error 或 warning，实际为 {severity!r}")
            continue
        n = len(c.problems)
        _check_expression(where, check, by_id, c)
        if len(c.problems) > n:
            continue
        if not expr.is_condition(check):
            c.error(f"{where} 字段 check", f"“{check}”应为比较，例如 q15 <= q14")
            continue
        message = r.get("message")
        rules.append(Rule(rid, check.strip(), str(severity), str(message or check)))
    return rules


MAX_ID = 999_999
MAX_GAPS = 20  # listed in the warning; more are counted


def _gaps(ids: list[int]) -> str:
    """The missing ids between the first and the last, as ranges ('5–9、12'), at most
    MAX_GAPS ranges listed. Walks the sorted ids: cost follows what is present."""
    out: list[str] = []
    total = 0
    for a, b in itertools.pairwise(ids):
        if b - a > 1:
            total += 1
            if len(out) < MAX_GAPS:
                out.append(str(a + 1) if b - a == 2 else f"{a + 1}–{b - 1}")
    if total > len(out):
        out.append(f"……共 {total} 段")
    return "、".join(out)


def _short(v: Any) -> str:
    """A value for a message, at most ~40 characters (and never an over-long int's repr)."""
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 10**40:
        return "（过长的数字）"
    text = repr(v)
    return text if len(text) <= 40 else text[:40] + "……"
