"""A "next year" checklist built in code from the bundled 2021 one, plus last year's answers.

Next year (2022): indicator 2 and 109 are dropped (so the ids after them move up), four
texts are reworded, 55 keeps its text but becomes a count, and two new indicators are
added at the end. Formulas and rules follow the renumbering.
"""

from __future__ import annotations

import copy
import functools
import re
from pathlib import Path
from typing import Any

import yaml

from evalcheck.model.loading import bundled_checklist_path

DROPPED = (2, 109)
REWORDED = {
    47: "本地区行政许可事项承诺时限的总数？",
    39: "本地区实体综合政务服务大厅的窗口总数？",
    88: "本地区电子监察办件按时办结率？",
    16: "政府门户网站是否已与政务服务平台完成对接？",
}
KIND_CHANGED = 55  # percent -> count, same text
NEW_TEXTS = ("本地区政务服务“跨市通办”事项数量？", "本地区是否开通企业开办“一网通办”专区？")


def new_id(old: int) -> int:
    """2021 id -> 2022 id (for indicators that were kept)."""
    return old - sum(1 for d in DROPPED if d < old)


@functools.cache
def _bundled_doc() -> dict[str, Any]:
    # the C loader (as the tool uses): PyYAML's pure-Python one takes ~0.5 s per checklist
    doc: dict[str, Any] = yaml.load(
        bundled_checklist_path().read_text(encoding="utf-8"),
        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
    )
    return doc


def next_year_doc() -> dict[str, Any]:
    doc = copy.deepcopy(_bundled_doc())
    doc["year"] = 2022
    doc["due"] = doc["due"].replace(year=2022)

    def renumber(source: str) -> str:
        return re.sub(r"q(\d+)", lambda m: f"q{new_id(int(m.group(1)))}", source)

    kept = []
    for ind in doc["indicators"]:
        old = ind["id"]
        if old in DROPPED:
            continue
        ind = dict(ind, id=new_id(old))
        if "due" in ind:
            ind["due"] = ind["due"].replace(year=2022)
        if old in REWORDED:
            ind["text"] = REWORDED[old]
        if old == KIND_CHANGED:
            ind.update(kind="count", unit="项")
        if ind.get("formula"):
            ind["formula"] = renumber(ind["formula"])
        kept.append(ind)
    last = kept[-1]["id"]
    kept.append(dict(kept[0], id=last + 1, text=NEW_TEXTS[0], kind="count", unit="项"))
    kept.append(
        {k: v for k, v in kept[0].items() if k != "unit"}
        | {"id": last + 2, "text": NEW_TEXTS[1], "kind": "yesno"}
    )
    doc["indicators"] = kept
    doc["rules"] = [
        dict(r, check=renumber(r["check"]))
        for r in doc.get("rules") or []
        if not set(map(int, re.findall(r"q(\d+)", r["check"]))) & set(DROPPED)
    ]
    return doc


# last year's answers: 2021 id -> value (or ("na", reason))
LAST_YEAR: dict[int, Any] = {
    1: 100,
    3: 90,
    16: True,
    39: 20,
    43: True,
    47: 312,
    55: 30,
    57: ("na", "本地无此业务"),
    60: True,
    88: 95,
    109: "容缺受理",
}


def answers_doc(
    title: str, year: int, values: dict[int, Any], verdicts: dict[int, str | None] | None = None
) -> dict[str, Any]:
    """Last year's answers file; every answer approved (the 2021 list has review on) unless
    `verdicts` says otherwise ("returned", or None for one never reviewed)."""
    answers: dict[int, Any] = {}
    for seq, (ident, v) in enumerate(sorted(values.items()), start=1):
        state: dict[str, Any] = {"by": "张三", "at": f"{year}-09-01T10:00:00+08:00", "seq": seq}
        if isinstance(v, tuple):
            state["na"] = v[1]
            state["action"] = "na"
        else:
            state["value"] = v
            state["action"] = "set"
        verdict = (verdicts or {}).get(ident, "approved")
        if verdict is not None:
            state["review"] = verdict
            state["reviewer"] = "万富春"
            state["reviewed_at"] = f"{year}-09-02T10:00:00+08:00"
            if verdict == "returned":
                state["comment"] = "与台账不符"
        answers[ident] = state
    return {"format": 1, "checklist": {"title": title, "year": year}, "answers": answers}


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Write repeated objects out in full: the checklist loader refuses YAML aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)


def write_years(folder: Path) -> tuple[Path, Path, Path]:
    """2021 checklist + answers and the 2022 checklist, as files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    old_cl = folder / "2021清单.yaml"
    old_cl.write_bytes(bundled_checklist_path().read_bytes())
    title = _bundled_doc()["title"]
    old_ans = folder / "2021答案.yaml"
    old_ans.write_text(dump(answers_doc(title, 2021, LAST_YEAR)), encoding="utf-8")
    new_cl = folder / "2022清单.yaml"
    new_cl.write_text(dump(next_year_doc()), encoding="utf-8")
    return old_cl, old_ans, new_cl
