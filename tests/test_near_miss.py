"""carry: a reworded indicator just under the matching threshold is shown with its closest
candidate and score, and the one mapping-file line that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evalcheck.year.carry import MIN_SCORE, Item, match
from tests.nextyear import LAST_YEAR, answers_doc, dump, new_id, next_year_doc

REWORD_131 = "本辖区监管对象共有多少（只算企业）？"  # 58.5 against the 2021 text


@pytest.fixture()
def years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    from evalcheck.model.loading import bundled_checklist_path

    folder = tmp_path / "years"
    folder.mkdir()
    old_cl = folder / "2021清单.yaml"
    old_cl.write_bytes(bundled_checklist_path().read_bytes())
    title = yaml.safe_load(old_cl.read_text(encoding="utf-8"))["title"]
    old_ans = folder / "2021答案.yaml"
    old_ans.write_text(dump(answers_doc(title, 2021, {**LAST_YEAR, 131: 5200})), "utf-8")
    doc = next_year_doc()
    for ind in doc["indicators"]:
        if ind["id"] == new_id(131):
            ind["text"] = REWORD_131
    new_cl = folder / "2022清单.yaml"
    new_cl.write_text(dump(doc), encoding="utf-8")
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(new_cl))
    return old_cl, old_ans


def carry(run, years, *extra: str):
    old_cl, old_ans = years
    return run("carry", "--from-checklist", str(old_cl), "--from-answers", str(old_ans), *extra)


def test_the_near_miss_is_shown_with_its_score_and_the_fixing_line(run, years) -> None:
    r = carry(run, years)
    assert r.exit_code == 0, r.output
    new = new_id(131)
    assert "上年未对应（今年没有这些指标）：第2、109、131项" in r.stdout
    assert f"今年新增（上年没有对应项）：第{new}、143–144项" in r.stdout
    assert f"  上年第131项 ↔ 今年第{new}项：相似度 58.5 分" in r.stdout
    assert f"      今年：{REWORD_131}" in r.stdout
    fix = (
        f"在 answers.previous.yaml 中 old: 131 的条目里把 new: null 改为 new: {new}，"
        "再运行 evalcheck carry"
    )
    assert fix in r.stdout
    data = yaml.safe_load(Path("answers.previous.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in data["mapping"] if e["old"] == 131)
    assert (entry["new"], entry["how"]) == (None, "none")
    assert (entry["nearest"], entry["nearest_score"]) == (new, 58.5)


def test_the_one_line_fix_maps_it_by_hand_and_a_rerun_keeps_it(run, years) -> None:
    carry(run, years)
    path = Path("answers.previous.yaml")
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("- old: 131")
    assert lines[at + 1] == "  new: null"
    lines[at + 1] = f"  new: {new_id(131)}"  # the one line the report names
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("carry")
    assert r.exit_code == 0, r.output
    assert "人工指定 1 项" in r.stdout and "上年未对应（今年没有这些指标）：第2、109项" in r.stdout
    assert "上年第131项 ↔" not in r.stdout
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(e for e in data["mapping"] if e["old"] == 131)
    assert (entry["new"], entry["how"]) == (new_id(131), "manual")
    shown = run("show", str(new_id(131))).stdout
    assert "上年值：5200 个（2021年第131项，人工指定" in shown


def test_near_misses_pair_best_first_and_never_offer_a_new_item_twice() -> None:
    old = [Item(1, "本辖区监管对象总数（ ）。（监管对象仅核算企业）", "count"),
           Item(2, "本辖区监管对象总数（不含个体户）", "count"),
           Item(3, "是否建立好差评制度？", "yesno")]  # fmt: skip
    new = [Item(9, REWORD_131, "count"), Item(8, "政务服务一网通办率？", "percent")]
    m = match(old, new)
    assert all(x.new is None for x in m.matches[:2]) or m.near  # below threshold or matched
    offered = [n.new for n in m.near]
    assert len(offered) == len(set(offered))
    assert all(30 <= n.score < MIN_SCORE for n in m.near)
    scores = [n.score for n in m.near]
    assert scores == sorted(scores, reverse=True)


def test_nothing_close_means_no_near_miss() -> None:
    m = match([Item(1, "是否建立好差评制度？", "yesno")], [Item(2, "本地区窗口总数？", "count")])
    assert m.near == ()
