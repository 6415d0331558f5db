"""The pure-Python scorer (infra/similarity.py) gives rapidfuzz's scores and matches.

Without rapidfuzz (a 龙芯 PC) `carry` and the "did you mean" hints must choose exactly what
they choose with it: compared here on the checklist's real texts, next year's rewordings,
and typed variants of the real section, owner and category names.
"""

from __future__ import annotations

import random

import pytest

from evalcheck.infra import similarity
from evalcheck.model.checklist import Checklist
from evalcheck.year.carry import Item, fold, match
from tests.nextyear import next_year_doc


@pytest.fixture()
def fuzz():
    return pytest.importorskip("rapidfuzz.fuzz", reason="rapidfuzz 未安装：无法与之对照")


@pytest.fixture()
def pure(monkeypatch: pytest.MonkeyPatch) -> None:
    """similarity.py as on a PC without rapidfuzz."""
    monkeypatch.setattr(similarity, "_rapidfuzz", lambda: None)


def test_ratio_is_rapidfuzz_ratio_on_every_pair_of_real_texts(checklist: Checklist, fuzz) -> None:
    texts = [fold(i.text) for i in checklist.indicators]
    for a in texts[::3]:
        for b in texts:
            assert similarity.pure_ratio(a, b) == pytest.approx(fuzz.ratio(a, b), abs=1e-9)


def test_wratio_is_rapidfuzz_wratio_on_typed_names(checklist: Checklist, fuzz) -> None:
    names = [*checklist.sections, *checklist.owners, *checklist.categories]
    rng = random.Random(7)
    typed: list[str] = []
    for name in names:
        typed += [name, name[:2], name[:-1], name[1:], name + "科", f"{name} 一", name[::-1]]
        for _ in range(5):
            s = list(name)
            s[rng.randrange(len(s))] = rng.choice("审批监管科室办公政务服务局")
            typed.append("".join(s))
    typed += ["审批监管", "shenpi", "办 公 室", "x", "政务服务科 数据", "万富", "高秀"]
    for t in typed:
        for name in names:
            got, want = similarity.pure_wratio(t, name), fuzz.WRatio(t, name)
            assert got == pytest.approx(want, abs=1e-9), (t, name)


def test_hints_are_the_same_without_rapidfuzz(checklist: Checklist, monkeypatch, fuzz) -> None:
    names = list(checklist.sections)
    queries = [n[:k] for n in names for k in range(1, len(n) + 1)] + ["审批", "政务", "监管"]
    with_rf = [similarity.best(q, names, cutoff=50) for q in queries]
    monkeypatch.setattr(similarity, "_rapidfuzz", lambda: None)
    assert [similarity.best(q, names, cutoff=50) for q in queries] == with_rf
    assert similarity.best("审批监管", names, cutoff=50) == "审批监管科"


def _years(checklist: Checklist) -> tuple[list[Item], list[Item]]:
    old = [Item(i.id, i.text, i.kind) for i in checklist.indicators]
    new = [Item(d["id"], d["text"], d["kind"]) for d in next_year_doc()["indicators"]]
    return old, new


def test_carry_matches_the_same_without_rapidfuzz(checklist: Checklist, monkeypatch, fuzz) -> None:
    old, new = _years(checklist)
    # harder than next year's list: every text reworded a little, so all go through scoring
    rng = random.Random(3)
    reworded = []
    for item in new:
        s = list(item.text)
        for _ in range(rng.randint(1, 4)):
            s[rng.randrange(len(s))] = rng.choice("本地区是否政务服务事项")
        reworded.append(item._replace(text="".join(s)))
    with_rf = [match(old, new), match(old, reworded), match(old, list(reversed(reworded)))]
    monkeypatch.setattr(similarity, "_rapidfuzz", lambda: None)
    assert not similarity.accelerated()
    assert [match(old, new), match(old, reworded), match(old, list(reversed(reworded)))] == with_rf


def test_the_shortlist_path_matches_the_same(monkeypatch, fuzz) -> None:
    """Over FULL_SCAN_LIMIT pairs carry scores a shortlist (a dict of choices)."""
    from evalcheck.year import carry

    monkeypatch.setattr(carry, "FULL_SCAN_LIMIT", 100)
    rng = random.Random(5)
    chars = "本地区是否政务服务事项网上办理率数量平台窗口审批监管年度"
    old = [Item(i, "".join(rng.choice(chars) for _ in range(20)), "count") for i in range(60)]
    new = [o._replace(id=o.id + 100, text=o.text[:-2] + "率？") for o in old[::2]]
    want = match(old, new)
    monkeypatch.setattr(similarity, "_rapidfuzz", lambda: None)
    assert match(old, new) == want


def test_extract_orders_ties_by_position(pure) -> None:
    found = similarity.extract("甲乙", ["甲丙", "乙丁", "甲乙", "甲丙"], limit=3, cutoff=10)
    assert [(t, k) for t, _, k in found] == [("甲乙", 2), ("甲丙", 0), ("乙丁", 1)]
    keyed = similarity.extract("甲乙", {7: "甲丙", 3: "甲乙"}, limit=5, cutoff=0)
    assert [(k, round(s)) for _, s, k in keyed] == [(3, 100), (7, 50)]
