"""Next year's checklist keeps this year's work (`checklist-import TABLE --from-checklist LAST`).

A checklist built from the bureau's table knows only what the table says: ids, texts,
names, deadlines and the kinds its wording suggests. What people added to last year's
checklist — rules, formulas, options and their `exclusive` flags, kinds they reviewed by
hand (111 as yesno), units, `collect`/`rollup`, `evidence` — is carried across to the new
ids, the indicators matched the way `carry` matches them (year/carry.py). Whatever
cannot be carried (a rule whose indicator is gone) is listed with the reason.

Pure: plain checklist documents (dicts) in, a document and a report out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evalcheck.year.carry import EXACT, FUZZY, Item, Matching, match, shown_score

# per indicator, what a person may have added or reviewed (the table cannot say)
PER_INDICATOR = ("kind", "unit", "options", "range", "formula", "evidence", "collect", "rollup",
                 "plausibility")  # fmt: skip
# top level: kept when last year's list has them and the table gives none
TOP = ("units", "collect", "plausibility", "deputies")
_REF = re.compile(r"\bq(\d+)\b")


@dataclass
class CarriedOver:
    """What was carried, and what was not (with the reason)."""

    matching: Matching
    carried: list[str] = field(default_factory=list)
    not_carried: list[str] = field(default_factory=list)
    rules: int = 0
    formulas: int = 0
    kinds: int = 0
    options: int = 0


def _renumber(text: str, ids: Mapping[int, int]) -> tuple[str, list[int]]:
    """`text` with every qN of last year as this year's id; the ids that have none."""
    gone = sorted({int(n) for n in _REF.findall(text) if int(n) not in ids})
    return _REF.sub(lambda m: f"q{ids.get(int(m.group(1)), int(m.group(1)))}", text), gone


def _renumber_any(value: Any, ids: Mapping[int, int]) -> tuple[Any, list[int]]:
    if isinstance(value, str):
        return _renumber(value, ids)
    if isinstance(value, dict):
        out, gone = {}, []
        for k, v in value.items():
            out[k], g = _renumber_any(v, ids)
            gone += g
        return out, gone
    if isinstance(value, list):
        items = [_renumber_any(v, ids) for v in value]
        return [v for v, _ in items], [g for _, gs in items for g in gs]
    return value, []


def _gone_text(gone: list[int]) -> str:
    return "、".join(f"第{n}项" for n in gone) + "今年没有对应的指标"


def carry_over(
    new_doc: dict[str, Any], old_doc: Mapping[str, Any]
) -> tuple[dict[str, Any], CarriedOver]:
    """`new_doc` (from the table) with last year's additions carried to the new ids."""
    doc = copy.deepcopy(new_doc)
    old_inds = {int(i["id"]): i for i in old_doc.get("indicators") or []}
    new_inds = {int(i["id"]): i for i in doc.get("indicators") or []}
    matching = match(
        [Item(i, str(d.get("text", "")), str(d.get("kind", "text"))) for i, d in old_inds.items()],
        [Item(i, str(d.get("text", "")), str(d.get("kind", "text"))) for i, d in new_inds.items()],
    )
    ids = {m.old: m.new for m in matching.matches if m.new is not None}
    out = CarriedOver(matching)
    for m in matching.matches:
        if m.new is not None:
            _carry_indicator(old_inds[m.old], new_inds[m.new], _where(m), ids, out)
    _carry_rules(doc, old_doc, ids, out)
    _carry_top(doc, old_doc, out)
    _order(doc)
    return doc, out


def _where(m: Any) -> str:
    """'第47项（上年第45项，文字相似 92.4 分）' for messages."""
    how = (
        "" if m.how == EXACT else f"，文字相似 {shown_score(m.score)} 分" if m.how == FUZZY else ""
    )
    return f"第{m.new}项（上年第{m.old}项{how}）"


def _carry_indicator(
    old: Mapping[str, Any],
    new: dict[str, Any],
    where: str,
    ids: Mapping[int, int],
    out: CarriedOver,
) -> None:
    """Last year's kind and additions (formula, options, range, roll-up …) onto one
    indicator of the new table, renumbered; what cannot follow is listed."""
    done: list[str] = []
    if old.get("kind") and old["kind"] != new.get("kind"):
        done.append(_carry_kind(old, new))
        out.kinds += 1
    for key in PER_INDICATOR[1:]:
        if key not in old or old[key] == new.get(key):
            continue
        value, gone = _renumber_any(old[key], ids)
        if gone:
            out.not_carried.append(f"{where}的 {key}（{old[key]}）：{_gone_text(gone)}")
            continue
        new[key] = value
        said = _carried_text(key, value, out)
        if said:
            done.append(said)
    if "formula" in old and "formula" not in new and "collect" in new and "rollup" not in new:
        # its roll-up was the default for a formula (recompute): it cannot stand alone
        del new["collect"]
        done = [d for d in done if not d.startswith("collect")]
        out.not_carried.append(
            f"{where}的 collect（{old['collect']}）：按公式汇总，而公式未能沿用；"
            "请写明 rollup 后再设 collect"
        )
    if done:
        out.carried.append(f"{where}：{'；'.join(done)}")


def _carry_kind(old: Mapping[str, Any], new: dict[str, Any]) -> str:
    """Last year's kind wins over the table's inference; the inferred options go with it."""
    from evalcheck.model.kinds import label

    said = f"题型 {label(old['kind'])}（表格推断为 {label(new.get('kind', 'text'))}）"
    new["kind"] = old["kind"]
    new.pop("options", None)
    new.pop("range", None)
    if "unit" not in old:
        new.pop("unit", None)
    return said


def _carried_text(key: str, value: Any, out: CarriedOver) -> str:
    """What the note says of one carried field ('' for the unit), counting formulas and
    options."""
    if key == "formula":
        out.formulas += 1
        return f"公式 {value}"
    if key == "options":
        out.options += 1
        exclusive = sum(1 for o in value if isinstance(o, dict) and o.get("exclusive"))
        return f"选项 {len(value)} 个" + (f"（{exclusive} 个不可同选）" if exclusive else "")
    return "" if key == "unit" else f"{key}: {value}"


def _carry_top(doc: dict[str, Any], old_doc: Mapping[str, Any], out: CarriedOver) -> None:
    """The checklist-wide settings the table cannot hold; units_due is last year's date."""
    for key in TOP:
        if key in old_doc and key not in doc:
            doc[key] = copy.deepcopy(old_doc[key])
            out.carried.append(f"清单的 {key}：{old_doc[key]}")
    if "units_due" in old_doc:
        out.not_carried.append(
            f"清单的 units_due（{old_doc['units_due']}）：是上年的日期，请为今年重新填写"
        )


def _carry_rules(
    doc: dict[str, Any], old_doc: Mapping[str, Any], ids: Mapping[int, int], out: CarriedOver
) -> None:
    rules = []
    for rule in old_doc.get("rules") or []:
        check = str(rule.get("check", ""))
        new_check, gone = _renumber(check, ids)
        name = rule.get("id", "")
        if gone:
            out.not_carried.append(f"规则 {name}（{check}）：{_gone_text(gone)}")
            continue
        refs = {int(n) for n in _REF.findall(check)}
        moved = {o: ids[o] for o in refs if ids[o] != o}
        new_rule = dict(rule, check=new_check)
        if moved:  # the ids in its name and message follow: R132, "（132）"
            new_rule["id"] = _move_numbers(str(name), r"\d+", moved)
            if "message" in rule:
                new_rule["message"] = _move_numbers(
                    str(rule["message"]), r"(?<=（)\d+(?=）)", moved
                )
        rules.append(new_rule)
        out.rules += 1
        shown = f"{name} → {new_rule['id']}" if new_rule.get("id") != name else str(name)
        out.carried.append(f"规则 {shown}：{new_check}")
    if rules:
        doc["rules"] = rules


def _move_numbers(text: str, pattern: str, moved: Mapping[int, int]) -> str:
    return re.sub(pattern, lambda m: str(moved.get(int(m.group()), m.group())), text)


def _order(doc: dict[str, Any]) -> None:
    """Indicators last, as checklist files have them."""
    inds = doc.pop("indicators", None)
    if inds is not None:
        doc["indicators"] = inds
