"""Year over year: matching, the mapping file, 上年值 in show/list, check, prefill, compare."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.model.loading import load_checklist
from evalcheck.year.carry import EXACT, FUZZY, MANUAL, NONE, Item, fold, match
from tests.nextyear import DROPPED, KIND_CHANGED, REWORDED, dump, new_id, write_years

# ---------------------------------------------------------------- matching (pure)


def test_exact_first_then_similar_then_unmatched() -> None:
    old = [
        Item(1, "窗口总数？", "count"),
        Item(2, "是否公布收费标准？", "yesno"),
        Item(3, "无关", "text"),
    ]
    new = [
        Item(10, "是否公布了收费标准？", "yesno"),
        Item(11, "窗口总数？", "count"),
        Item(12, "新增的指标内容", "count"),
    ]
    m = {x.old: x for x in match(old, new).matches}
    assert (m[1].new, m[1].how, m[1].score) == (11, EXACT, None)
    assert (m[2].new, m[2].how) == (10, FUZZY)
    assert 85 <= m[2].score < 100
    assert (m[3].new, m[3].how) == (None, NONE)
    assert match(old, new).new_unmatched == (12,)


def test_full_width_and_spaces_still_count_as_identical() -> None:
    m = match([Item(1, "本地区５项 指标?", "count")], [Item(7, "本地区5项指标?", "count")])
    assert m.matches[0][:3] == (1, 7, EXACT)


def test_low_score_ambiguous_and_kind_change_are_flagged() -> None:
    old = [
        Item(1, "是否建立政府门户网站与政务服务平台的对接?", "yesno"),
        Item(2, "窗口总数", "count"),
    ]
    new = [
        Item(1, "政府门户网站是否已与政务服务平台完成对接？", "yesno"),
        Item(2, "窗口总数", "percent"),
    ]
    m = {x.old: x for x in match(old, new).matches}
    assert m[1].how == FUZZY and m[1].score is not None and m[1].score < 85
    assert any("低于 85 分" in r for r in m[1].review)
    assert m[2].how == EXACT and m[2].kind_change == ("count", "percent")
    assert m[2].review == ("题型由数量改为百分比",)
    twins = match(
        [Item(1, "甲乙丙丁戊己庚辛", "count")],
        [Item(5, "甲乙丙丁戊己庚壬", "count"), Item(6, "甲乙丙丁戊己庚癸", "count")],
    )
    assert twins.matches[0].how == FUZZY
    assert any("也相近" in r for r in twins.matches[0].review)


def test_manual_pairs_win_and_free_their_targets() -> None:
    old = [Item(1, "甲", "count"), Item(2, "乙", "count")]
    new = [Item(1, "甲", "count"), Item(2, "乙", "count")]
    m = {x.old: x for x in match(old, new, {1: 2, 2: None}).matches}
    assert (m[1].new, m[1].how) == (2, MANUAL)
    assert (m[2].new, m[2].how) == (None, MANUAL)


@given(st.lists(st.text(alphabet="甲乙丙丁戊己庚辛壬癸", min_size=1, max_size=12), max_size=25))
def test_every_new_indicator_is_used_at_most_once(texts: list[str]) -> None:
    old = [Item(n, t, "count") for n, t in enumerate(texts, start=1)]
    new = [Item(n, t[::-1], "count") for n, t in enumerate(texts, start=1)]
    result = match(old, new)
    used = [m.new for m in result.matches if m.new is not None]
    assert len(used) == len(set(used))
    assert set(used) | set(result.new_unmatched) == {i.id for i in new}
    for m in result.matches:
        if m.how == EXACT:
            assert fold(texts[m.old - 1]) == fold(texts[m.new - 1][::-1])


# ---------------------------------------------------------------- the bundled list, next year


@pytest.fixture()
def years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    old_cl, old_ans, new_cl = write_years(tmp_path / "years")
    monkeypatch.setenv("EVALCHECK_CHECKLIST", str(new_cl))
    return old_cl, old_ans, new_cl


def carry(run, years, *extra: str):
    old_cl, old_ans, _ = years
    return run("carry", "--from-checklist", str(old_cl), "--from-answers", str(old_ans), *extra)


def mapping_entries(path: Path = Path("answers.previous.yaml")) -> dict[int, dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {e["old"]: e for e in data["mapping"]}


def test_next_year_mapping(run, years) -> None:
    r = carry(run, years)
    assert r.exit_code == 0, r.output
    assert (
        "文字相同 138 项，文字相似 4 项，人工指定 0 项，上年未对应 2 项，今年新增 2 项；另有 1 项题型改变"
        in r.stdout
    )
    entries = mapping_entries()
    for old, e in entries.items():
        if old in DROPPED:
            assert (e["new"], e["how"]) == (None, "none")
        elif old in REWORDED:
            assert (e["new"], e["how"]) == (new_id(old), "fuzzy")
            assert 60 <= e["score"] < 100
            assert e["new_text"] == REWORDED[old]
        else:
            assert (e["new"], e["how"]) == (new_id(old), "exact"), old
    assert entries[47]["value"] == 312 and entries[57]["na"] == "本地无此业务"
    assert entries[16]["score"] < 85 and "低于 85 分" in entries[16]["review"][0]
    assert entries[KIND_CHANGED]["review"] == ["题型由百分比改为数量"]
    assert (
        "上年第16项 → 今年第15项" in r.stdout
        and "上年第55项 → 今年第54项：题型由百分比改为数量" in r.stdout
    )
    assert "上年未对应（今年没有这些指标）：第2、109项" in r.stdout
    assert "今年新增（上年没有对应项）：第143–144项" in r.stdout
    assert yaml.safe_load(Path("answers.previous.yaml").read_text(encoding="utf-8"))[
        "new_unmatched"
    ] == [143, 144]
    assert not Path("answers.yaml").exists()  # last year's values are not this year's answers


def test_similarity_is_shown_with_one_decimal_everywhere(run, years) -> None:
    """As the mapping file keeps it: the review list showed 相似度 76 分 beside a near
    miss's 相似度 44.4 分 (and a whole number can round 84.6 up to the 85 it is below)."""
    r = carry(run, years)
    shown = re.findall(r"相似度 ([0-9.]+) 分", r.stdout)
    assert len(shown) == 2 and all(re.fullmatch(r"\d+\.\d", s) for s in shown), shown
    data = yaml.safe_load(Path("answers.previous.yaml").read_text(encoding="utf-8"))
    by_old = {e["old"]: e for e in data["mapping"]}
    scores = {old: e.get("score") for old, e in by_old.items()}
    assert f"上年第16项 → 今年第15项：相似度 {scores[16]:.1f} 分，低于 85 分" in r.stdout
    assert f"上年第2项 ↔ 今年第143项：相似度 {by_old[2]['nearest_score']:.1f} 分" in r.stdout
    assert f"（2021年第16项，文字相似 {scores[16]:.1f} 分；" in run("show", "15").stdout


def test_hand_corrections_survive_a_rerun(run, years) -> None:
    carry(run, years)
    path = Path("answers.previous.yaml")
    text = path.read_text(encoding="utf-8")
    # a person decides: old 16 is really new 144 (confirmed), old 2 is new 143, old 47 has no match
    text = text.replace(
        "- old: 16\n  new: 15\n  how: fuzzy", "- old: 16\n  new: 144\n  how: manual"
    )
    text = text.replace("- old: 2\n  new: null\n  how: none", "- old: 2\n  new: 143\n  how: manual")
    text = text.replace(
        "- old: 47\n  new: 46\n  how: fuzzy", "- old: 47\n  new: null\n  how: manual"
    )
    path.write_text(text, encoding="utf-8")
    r = run("carry")  # re-run with the files recorded in the mapping
    assert r.exit_code == 0, r.output
    assert "人工指定 3 项" in r.stdout
    e = mapping_entries()
    assert (e[16]["new"], e[16]["how"]) == (144, "manual")
    assert (e[2]["new"], e[2]["how"]) == (143, "manual")
    assert (e[47]["new"], e[47]["how"]) == (None, "manual")
    assert 46 in yaml.safe_load(path.read_text(encoding="utf-8"))["new_unmatched"]
    assert "上年值：是（2021年第16项，人工指定；仅供参考）" in run("show", "144").stdout
    assert "题型已改变" not in run("show", "143").stdout


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("- old: 16\n  new: 15\n", "- old: 16\n  new: 999\n"), "今年的清单中没有第999项"),
        (
            ("- old: 16\n  new: 15\n", "- old: 16\n  new: 1\n"),
            "今年第1项已对应上年第1项，不能重复对应",
        ),
        (("- old: 16\n  new: 15\n  how: fuzzy", "- old: 16\n  new: 15\n  how: maybe"), "how 应为"),
        (("  value: 312\n", "  value: [1, 2]\n"), "value [1, 2] 不符合题型 count"),
        (("  value: 312\n", "  value: .nan\n"), "value nan 不符合题型 count"),
        (("  value: 312\n", "  value: .inf\n"), "value inf 不符合题型 count"),
        (("  value: 312\n", "  value: 1.0e+300\n"), "不符合题型 count"),
        (("  score: ", "  score: .nan #"), "score 应为 0 到 100 的数字"),
        (("format: 1\n", "format: 1\nformat: 2\n"), "重复"),
    ],
)
def test_a_broken_correction_is_located_and_nothing_written(run, years, edit, message) -> None:
    carry(run, years)
    path = Path("answers.previous.yaml")
    text = path.read_text(encoding="utf-8").replace(*edit)
    path.write_text(text, encoding="utf-8")
    r = run("carry")
    assert r.exit_code == 4
    assert message in r.stderr and "answers.previous.yaml 第" in r.stderr
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "args", [("1", "--value", "999"), ("1", "--na", "本年无此业务"), ("1", "--clear")]
)
def test_an_answer_after_a_broken_correction_writes_nothing(run, years, args) -> None:
    """An answer is compared with last year's: a mapping file with an error refuses it
    before the answers file is touched (it was written, then the comparison failed)."""
    carry(run, years)
    assert run("answer", "1", "--value", "300").exit_code == 0
    path = Path("answers.previous.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace("- old: 16\n  new: 15\n", "- old: 16\n  new: 1\n"),
        encoding="utf-8",
    )
    before = Path("answers.yaml").read_bytes()
    r = run("answer", *args)
    assert r.exit_code == 4
    assert "不能重复对应" in r.stderr and "--from-checklist" in r.stderr
    assert "已记录" not in r.stdout
    assert Path("answers.yaml").read_bytes() == before
    assert "删除这个文件" in r.stderr  # the advice works: delete it, make it again
    path.unlink()
    assert carry(run, years).exit_code == 0
    assert run("answer", *args).exit_code == 0


def test_carry_needs_both_files(run, years) -> None:
    r = run("carry", "--from-checklist", str(years[0]))
    assert r.exit_code == 2  # a usage error (issue 25)
    assert "请同时给出上年的清单和答案" in r.stderr
    r = run("carry", "--prefill")
    assert r.exit_code == 3 and "还没有上年对照" in r.stderr


# ---------------------------------------------------------------- 上年值 in show / list


def test_previous_value_in_show_and_list(run, years) -> None:
    carry(run, years)
    show = run("show", "46")
    assert "上年值：312 个（2021年第47项，文字相似 97.0 分；仅供参考）" in show.stdout
    assert "填报状态：未填报" in show.stdout  # a reference, never an answer
    data = json.loads(run("show", "46", "--format", "json").stdout)
    assert data["previous"]["value"] == 312 and data["previous"]["id"] == 47
    assert data["answer"]["status"] == "open"
    listing = run("list", "--previous", "-q", "承诺时限").stdout.splitlines()
    assert listing[0].endswith("填报值\t上年值")
    assert listing[1].startswith("46\t") and listing[1].endswith("\t312 个")
    rows = json.loads(run("list", "--previous", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id[56]["previous"]["na"] == "本地无此业务"
    assert by_id[143]["previous"] is None
    csv = run("list", "--previous", "--format", "csv", "-q", "承诺时限").stdout
    assert csv.splitlines()[0].endswith(",上年值") and csv.splitlines()[1].endswith(",312 个")
    assert "上年值" not in run("list").stdout
    status = run("status", "--format", "json")
    assert json.loads(status.stdout)["total"]["answered"] == 0


# ---------------------------------------------------------------- plausibility in check


def test_plausibility_warnings(run, years) -> None:
    carry(run, years)
    for args in (("46", "--value", "3"), ("2", "--value", "50"), ("42", "--value", "否"),
                 ("1", "--na", "今年不统计"), ("38", "--value", "22"), ("59", "--value", "是")):  # fmt: skip
        assert run("answer", *args).exit_code == 0
    r = run("check")
    assert r.exit_code == 0  # warnings, not errors
    out = r.stdout
    # this year's values are not reviewed yet: check says so, in the message and below it
    assert (
        "第46项数量比上年变化超过 50%：上年 312 个（2021年第47项） → 今年 3 个（待审核），"
        "请向政务服务中心核实" in out
    )
    assert "    第46项 = 3 个（待审核）（政务服务中心，万富春）" in out.splitlines()
    assert "第2项比上年变化超过 20 个百分点：上年 90%（2021年第3项） → 今年 50%（待审核）" in out
    assert (
        "第42项上年为“是”，今年为“否”：上年 是（2021年第43项） → 今年 否（待审核），"
        "请向审批监管科核实" in out
    )
    assert (
        "第1项上年已填报，今年标为不适用：上年 100 项（2021年第1项） → 今年 不适用（今年不统计）"
        "（待审核）" in out
    )
    assert "第38项" not in out and "第59项" not in out  # +10% and 是→是 are plausible
    assert "4 个提醒" in out
    data = json.loads(run("check", "--format", "json").stdout)
    assert {f["rule"] for f in data["findings"]} == {
        "上年对比:数量", "上年对比:百分比", "上年对比:是否", "上年对比:不适用",
    }  # fmt: skip


def test_kind_change_is_not_compared(run, years) -> None:
    carry(run, years)
    run("answer", "54", "--value", "1")  # last year 30% (a percent), now a count
    assert "第54项" not in run("check").stdout


def test_thresholds_from_the_checklist_and_per_indicator(run, years) -> None:
    _, _, new_cl = years
    doc = yaml.safe_load(new_cl.read_text(encoding="utf-8"))
    doc["plausibility"] = {"count_factor": 0.05, "percent_points": 50}
    for ind in doc["indicators"]:
        if ind["id"] == 46:
            ind["plausibility"] = {"count_factor": 1}
        if ind["id"] == 42:
            ind["plausibility"] = False
    new_cl.write_text(dump(doc), encoding="utf-8")
    carry(run, years)
    for args in (
        ("46", "--value", "3"),
        ("2", "--value", "50"),
        ("42", "--value", "否"),
        ("38", "--value", "22"),
    ):
        run("answer", *args)
    out = run("check").stdout
    assert "第38项数量比上年变化超过 5%：上年 20 个" in out  # checklist-wide factor
    assert "第46项" not in out  # its own factor: 100%
    assert "第2项" not in out  # 40 points < 50
    assert "第42项" not in out  # switched off for this indicator


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{count_factor: -1}", "应为大于 0 的数字"),
        ("{speed: 3}", "未知字段 speed"),
        ("yes please", "应为阈值映射"),
    ],
)
def test_bad_thresholds_are_named(run, years, value, message) -> None:
    _, _, new_cl = years
    text = new_cl.read_text(encoding="utf-8").replace(
        "categories:", f"plausibility: {value}\ncategories:", 1
    )
    new_cl.write_text(text, encoding="utf-8")
    r = run("validate", str(new_cl))
    assert r.exit_code == 4
    assert "字段 plausibility" in r.stdout and message in r.stdout


# ---------------------------------------------------------------- prefill


def test_prefill_rules(run, years) -> None:
    carry(run, years)
    run("answer", "2", "--value", "70")  # already answered this year: kept
    r = run("carry", "--prefill", "--by", "李四")
    assert r.exit_code == 0, r.output
    data = json.loads(run("list", "--format", "json").stdout)
    answer = {row["id"]: row["answer"] for row in data}
    assert answer[1]["value"] == 100  # exact match
    assert answer[42]["value"] is True and answer[59]["value"] is True
    assert answer[56]["na"] == "本地无此业务"  # not applicable last year: carried as such
    assert answer[2]["value"] == 70  # this year's answer is never overwritten
    assert answer[46]["status"] == "open"  # fuzzy match: needs confirmation
    assert answer[15]["status"] == "open"  # fuzzy (low score)
    assert answer[54]["status"] == "open"  # kind changed
    assert "已沿用上年答案 4 项（第1、42、56、59项，填报人：李四）" in r.stdout
    assert "未沿用 4 项（文字相似，未经人工确认）：第15、38、46、87项" in r.stdout
    assert "未沿用 1 项（题型改变）：第54项" in r.stdout
    assert "未沿用 1 项（今年已填报）：第2项" in r.stdout
    hist = run("history", "1").stdout
    assert "沿用上年" in hist and "李四" in hist
    undo = run("undo")
    assert undo.exit_code == 0 and undo.stdout.count("已撤销") == 4
    assert json.loads(run("show", "1", "--format", "json").stdout)["answer"]["status"] == "open"


def test_prefill_takes_confirmed_fuzzy_matches(run, years) -> None:
    carry(run, years)
    path = Path("answers.previous.yaml")
    text = path.read_text(encoding="utf-8").replace(
        "- old: 47\n  new: 46\n  how: fuzzy", "- old: 47\n  new: 46\n  how: manual"
    )
    path.write_text(text, encoding="utf-8")
    run("carry", "--prefill")
    assert json.loads(run("show", "46", "--format", "json").stdout)["answer"]["value"] == 312


# ---------------------------------------------------------------- compare


def test_compare_per_section(run, years) -> None:
    carry(run, years)
    run("answer", "46", "--value", "3")
    run("answer", "42", "--value", "否")
    run("answer", "2", "--value", "95")
    out = run("compare").stdout
    # this year's values are not reviewed yet: marked, as in every working output
    assert "46\t本地区行政许可事项承诺时限的总数？\t47\t312 个\t3 个（待审核）\t-309（-99%）" in out
    assert "42\t是否建立对政务服务运行的考核评价机制？\t43\t是\t否（待审核）\t是→否" in out
    assert "2\t政务服务事项覆盖率？\t3\t90%\t95%（待审核）\t+5 个百分点" in out
    assert out.index("政务服务中心（") < out.index("审批监管科（")
    only = run("compare", "--section", "审批监管科").stdout
    assert "第" not in only.split("\n")[0] and "46\t" not in only and "42\t" in only
    rows = json.loads(run("compare", "--format", "json").stdout)["rows"]
    assert {"id": 46, "previous_id": 47, "change": "-309（-99%）"}.items() <= next(
        r for r in rows if r["id"] == 46
    ).items()


def test_compare_without_carry_says_what_to_do(run, years) -> None:
    r = run("compare")
    assert r.exit_code == 3 and "evalcheck carry --from-checklist" in r.stderr


# ---------------------------------------------------------------- Excel: 上年值 column, 同比 sheet


def test_export_has_previous_column_and_compare_sheet(run, years) -> None:
    from .readback import CalamineWorkbook

    carry(run, years)
    run("answer", "46", "--value", "3")
    r = run("export", "report.xlsx")
    assert r.exit_code == 0 and "“同比”工作表和上年值列" in r.stdout
    wb = CalamineWorkbook.from_path("report.xlsx")
    main = wb.get_sheet_by_name("测评指标").to_python()
    at = next(n for n, row in enumerate(main) if "题号" in row)
    header = main[at]
    assert header[6:10] == ["填报值", "单位", "上年值", "不适用原因"]
    rows = {int(row[1]): row for row in main[at + 1 :] if isinstance(row[1], float)}
    # last year's approved value as a number; this year's pending one marked (lifecycle)
    assert rows[46][6] == "3 个（待审核）" and rows[46][8] == 312
    assert rows[56][8] == "不适用（本地无此业务）"
    assert rows[54][8] == "30%"  # kind changed: shown as last year's text
    assert rows[143][8] == ""
    compare = wb.get_sheet_by_name("同比").to_python()
    assert compare[1] == ["责任科室", "题号", "三级指标", "上年题号", "上年值", "今年值", "变化"]
    line = next(row for row in compare[2:] if row[1] == 46)
    assert line == [
        "政务服务中心",
        46,
        "本地区行政许可事项承诺时限的总数？",
        47,
        "312 个",
        "3 个（待审核）",
        "-309（-99%）",
    ]


def test_the_compare_sheet_follows_the_lifecycle(run, years) -> None:
    """同比's 今年值 is marked while not final, and a --final export leaves it blank."""
    from .readback import CalamineWorkbook

    carry(run, years)
    assert run("answer", "46", "--value", "3", "--by", "王芳").exit_code == 0
    assert run("answer", "2", "--value", "95", "--by", "王芳").exit_code == 0
    assert run("approve", "2", "--by", "万富春").exit_code == 0
    assert run("answer", "42", "--value", "否", "--by", "王芳").exit_code == 0
    returned = run("return", "42", "--by", "高秀英", "--reason", "请核实")
    assert returned.exit_code == 0, returned.output
    data = json.loads(run("compare", "-f", "json").stdout)
    stages = {r["id"]: (r["current"], r["stage"]) for r in data["rows"]}
    assert stages[46] == ("3 个（待审核）", "待审核")
    assert stages[2] == ("95%", "已审核")
    assert stages[42] == ("否（已退回）", "已退回")

    def sheet(name: str) -> dict[int, list[object]]:
        rows = CalamineWorkbook.from_path(name).get_sheet_by_name("同比").to_python()
        return {int(r[1]): r[4:] for r in rows[2:] if isinstance(r[1], float)}

    assert run("export", "working.xlsx").exit_code == 0
    working = sheet("working.xlsx")
    assert working[46] == ["312 个", "3 个（待审核）", "-309（-99%）"]
    assert working[2] == ["90%", "95%", "+5 个百分点"]
    assert working[42] == ["是", "否（已退回）", "是→否"]
    done = run("export", "final.xlsx", "--final", "--allow-incomplete")
    assert done.exit_code == 0, done.output
    final = sheet("final.xlsx")
    assert final[46] == ["312 个", "", "今年未定稿"]
    assert final[2] == ["90%", "95%", "+5 个百分点"]
    assert final[42] == ["是", "", "今年未定稿"]


def test_forms_show_previous_read_only_and_import_ignores_it(run, years, tmp_path: Path) -> None:
    import openpyxl

    carry(run, years)
    assert run("export", "--split", "forms").exit_code == 0
    path = Path("forms/2022测评填报_政务服务中心.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    at = next(r for r in range(1, 8) if any(c.value == "题号" for c in ws[r]))
    header = [c.value for c in ws[at]]
    col = header.index("上年值") + 1
    row = next(r for r in range(at + 1, ws.max_row + 1) if ws.cell(r, 2).value == 46)
    assert ws.cell(row, col).value == 312
    assert ws.cell(row, col).protection.locked is True
    assert ws.cell(row, header.index("填报值") + 1).protection.locked is False
    ws.cell(row, header.index("填报值") + 1).value = 300
    ws.cell(row, col).value = 999  # someone typed over the reference: not an answer
    wb.save(path)
    r = run("import", str(path))
    assert r.exit_code == 0, r.output
    assert "第46项：（无） → 300 个" in r.stdout and "999" not in r.stdout
    assert "上年值：312 个" in run("show", "46").stdout


def test_shortlist_finds_what_scoring_every_pair_finds(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Large lists score only a bigram shortlist per text (benchmarks/carry_match.py):
    on the real texts it must pick exactly what scoring every pair picks."""
    import evalcheck.year.carry as carry_mod

    old_cl, _, new_cl = write_years(tmp_path / "y")
    old = [Item(i.id, i.text, i.kind) for i in load_checklist(old_cl).indicators]
    new = [Item(i.id, i.text, i.kind) for i in load_checklist(new_cl).indicators]
    # make the fuzzy part bigger: every text of the new list reworded by one character
    new = [Item(i.id, i.text[:-2] + "的" + i.text[-1:], i.kind) for i in new]
    full = match(old, new)
    monkeypatch.setattr(carry_mod, "FULL_SCAN_LIMIT", 0)
    monkeypatch.setattr(carry_mod, "SHORTLIST", 5)
    assert match(old, new) == full
    assert full.count(FUZZY) > 100


def test_an_edited_new_id_is_kept_even_without_how_manual(run, years) -> None:
    carry(run, years)
    path = Path("answers.previous.yaml")
    text = path.read_text(encoding="utf-8").replace(
        "- old: 16\n  new: 15\n", "- old: 16\n  new: 144\n"
    )
    path.write_text(text, encoding="utf-8")
    r = run("carry")
    assert "上年第16项 → 今年第144项：new 已被手工修改，按人工指定（manual）保留" in r.stdout
    assert (mapping_entries()[16]["new"], mapping_entries()[16]["how"]) == (144, "manual")
    assert run("carry").stdout.count("已被手工修改") == 0  # now marked manual: nothing to say


def test_last_years_answers_must_belong_to_last_years_list(run, years) -> None:
    old_cl, old_ans, _ = years
    run("answer", "1", "--value", "5")  # this year's answers.yaml (2022)
    r = run("carry", "--from-checklist", str(old_cl), "--from-answers", "answers.yaml")
    assert r.exit_code == 3 and "就是今年的答案文件" in r.stderr
    Path("other.yaml").write_bytes(Path("answers.yaml").read_bytes())
    r = run("carry", "--from-checklist", str(old_cl), "--from-answers", "other.yaml")
    assert r.exit_code == 4
    assert "上年的答案文件 other.yaml 不属于上年的清单" in r.stderr and "2021年" in r.stderr
    r = run("carry", "--from-checklist", "nowhere.yaml", "--from-answers", str(old_ans))
    assert r.exit_code == 4 and "找不到清单文件：nowhere.yaml" in r.stderr
    assert not Path("answers.previous.yaml").exists()


def test_rerun_without_changes_rewrites_the_same_file(run, years) -> None:
    carry(run, years)
    first = Path("answers.previous.yaml").read_bytes()
    assert run("carry").exit_code == 0
    assert Path("answers.previous.yaml").read_bytes() == first


@pytest.mark.parametrize("command", [("compare",), ("list", "--previous", "-s", "审批监管科")])
def test_year_on_year_tables_fit_a_narrow_terminal(run, years, monkeypatch, command) -> None:
    import unicodedata

    def display_width(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    carry(run, years)
    run("answer", "42", "--value", "否")
    monkeypatch.setenv("EVALCHECK_WIDTH", "60")
    monkeypatch.setenv("EVALCHECK_TABLE", "rich")
    out = run(*command).stdout
    assert "上年值" in out and "是" in out
    assert max(display_width(line) for line in out.splitlines()) <= 60


def test_answer_warns_at_once_when_far_from_last_year(run, years) -> None:
    carry(run, years)
    r = run("answer", "46", "--value", "3")
    assert r.exit_code == 0
    assert (
        "注意（提醒，上年对比:数量）：第46项数量比上年变化超过 50%：上年 312 个（2021年第47项） → 今年 3 个"
        in r.stderr
    )
    assert "上年对比" not in run("answer", "46", "--value", "300").stderr


def test_a_form_import_warns_as_answer_does_when_far_from_last_year(run, years) -> None:
    """Sections fill forms, the main path: the comparison with last year is said on import
    (and on its --dry-run) as `answer` says it, not only later by `check`."""
    import openpyxl

    carry(run, years)
    assert run("export", "--split", "表").exit_code == 0
    for form in sorted(Path("表").glob("*.xlsx")):
        wb = openpyxl.load_workbook(form)
        ws = wb["测评指标"]
        header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
        col = {c.value: c.column for c in ws[header]}
        rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 46]
        if rows:
            row = rows[0]
            break
    ws.cell(row, col["填报值"]).value = 3
    wb.save(form)
    line = (
        "注意（提醒，上年对比:数量）：第46项数量比上年变化超过 50%：上年 312 个（2021年第47项）"
        " → 今年 3 个"
    )
    dry = run("import", str(form), "--dry-run", "--by", "张三")
    assert dry.exit_code == 0 and line in dry.stderr
    done = run("import", str(form), "--by", "张三")
    assert done.exit_code == 0 and line in done.stderr


# ---------------------------------------------------------------- the mapping file: a round trip

KIND_VALUES = {
    "count": st.integers(min_value=0, max_value=10**6),
    "percent": st.one_of(
        st.integers(0, 100), st.floats(0, 100, allow_nan=False).map(lambda f: round(f, 2))
    ),
    "yesno": st.booleans(),
    "choice": st.text("甲乙丙丁", min_size=1, max_size=4),
    "multi": st.lists(st.text("甲乙丙丁", min_size=1, max_size=3), min_size=1, max_size=3),
    "text": st.text("甲乙丙丁 =+-@#\n", min_size=1, max_size=20).filter(str.strip),
}


@st.composite
def entries(draw, new_ids: list[int]):
    from evalcheck.year.mapping import Entry

    olds = draw(st.lists(st.integers(1, 500), unique=True, max_size=12))
    targets = draw(st.permutations(new_ids))
    out = []
    for n, old in enumerate(olds):
        kind = draw(st.sampled_from(sorted(KIND_VALUES)))
        how = draw(st.sampled_from(["exact", "fuzzy", "manual", "none"]))
        new = None if how == "none" or n >= len(targets) else targets[n]
        if new is None and how in ("exact", "fuzzy"):
            how = "none"
        state = draw(st.sampled_from(["value", "na", "none"]))
        out.append(
            Entry(
                old=old,
                text=draw(st.text("本地区是否窗口数？", min_size=1, max_size=20)),
                kind=kind,
                unit=draw(st.sampled_from([None, "个", "项"])) if kind == "count" else None,
                value=draw(KIND_VALUES[kind]) if state == "value" else None,
                na=draw(st.text("本地无此业务", min_size=1, max_size=6)) if state == "na" else None,
                new=new,
                how=how,
                score=draw(st.floats(60, 100).map(lambda f: round(f, 1)))
                if how == "fuzzy"
                else None,
                review=tuple(
                    draw(st.lists(st.text("低分歧义", min_size=1, max_size=4), max_size=2))
                ),
                new_text=draw(st.one_of(st.none(), st.text("今年措辞", min_size=1, max_size=8)))
                if new
                else None,
            )
        )
    return out


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_the_mapping_file_reads_back_as_written(data, tmp_path_factory) -> None:
    from evalcheck.year.mapping import CarryFile, load

    folder = tmp_path_factory.mktemp("map")
    cl = load_checklist(Path(__file__).parents[1] / "data" / "indicators.yaml")
    written = CarryFile(
        path=folder / "answers.previous.yaml",
        year=2020,
        old_key={"title": "上年", "year": 2020},
        new_key=cl.key,
        entries=tuple(data.draw(entries([i.id for i in cl.indicators][:15]))),
        new_unmatched=(1, 2),
        from_checklist="上年清单.yaml",
        from_answers="上年答案.yaml",
    )
    written.path.write_text(written.to_text(), encoding="utf-8")
    back = load(written.path, cl)
    assert back is not None
    assert [e.to_data() for e in back.entries] == [e.to_data() for e in written.entries]
    assert (back.year, back.old_key, back.new_unmatched, back.from_answers) == (
        2020, {"title": "上年", "year": 2020}, (1, 2), "上年答案.yaml",
    )  # fmt: skip
    assert back.to_text() == written.to_text()


def test_recorded_files_are_relative_to_the_mapping_file(
    run, years, tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "sub").mkdir()
    carry(run, years)
    data = yaml.safe_load(Path("answers.previous.yaml").read_text(encoding="utf-8"))
    assert data["previous"]["answers_file"] == "years/2021答案.yaml"
    monkeypatch.chdir(tmp_path / "sub")  # re-run from another folder
    r = run("--answers", "../answers.yaml", "carry")
    assert r.exit_code == 0, r.output
    assert "文字相同 138 项" in r.stdout


# ---------------------------------------------------------------- prefill and the units


def _small(year: int, **extra: object) -> dict:
    def ind(ident: int, text: str, **more: object) -> dict:
        return {
            "id": ident,
            "category": "政务服务便利度",
            "text": text,
            "owner": "万富春",
            "section": "政务服务中心",
            "kind": "count",
            "unit": "个",
            **more,
        }

    return {
        "title": "示例清单",
        "year": year,
        "due": f"{year}-09-15",
        "categories": ["政务服务便利度"],
        "sections": ["政务服务中心"],
        "owners": ["万富春"],
        "indicators": [ind(1, "窗口总数？"), ind(2, "便民服务中心数量？", **extra)],
    }


def test_prefill_leaves_indicators_collected_from_the_units_to_the_rollup(run) -> None:
    """A collected indicator's city value is its units' roll-up: prefilling last year's
    rolled-up value made `rollup --apply` report a false conflict once the units reported."""
    Path("上年清单.yaml").write_text(yaml.safe_dump(_small(2021), allow_unicode=True), "utf-8")
    units = {"units": ["沙坡头区", "中宁县"]}
    this_year = _small(2022, collect="units") | units
    Path("今年清单.yaml").write_text(yaml.safe_dump(this_year, allow_unicode=True), "utf-8")
    old = ("--checklist", "上年清单.yaml", "--answers", "上年答案.yaml")
    assert run(*old, "answer", "1", "--value", "20").exit_code == 0
    assert run(*old, "answer", "2", "--value", "272").exit_code == 0
    now = ("--checklist", "今年清单.yaml", "--answers", "今年答案.yaml")
    r = run(*now, "carry", "--from-checklist", "上年清单.yaml", "--from-answers", "上年答案.yaml")
    assert r.exit_code == 0, r.output
    r = run(*now, "carry", "--prefill", "--by", "李四")
    assert r.exit_code == 0, r.output
    assert "已沿用上年答案 1 项（第1项，填报人：李四）" in r.stdout
    assert "未沿用 1 项（由各单位填报，市级值由 rollup 汇总）：第2项" in r.stdout
    assert "各单位报送后：evalcheck rollup --apply 把汇总写为市级答案" in r.stdout
    for unit, value in (("沙坡头区", "200"), ("中宁县", "80")):
        Path("单位", unit).mkdir(parents=True)
        where = ("--checklist", "今年清单.yaml", "--answers", f"单位/{unit}/answers.yaml")
        assert run(*where, "answer", "2", "--value", value).exit_code == 0
    r = run(*now, "rollup", "--apply")
    assert r.exit_code == 0, r.output
    assert "已写入 1 项汇总值，0 项与市级答案一致，0 项不完整未写入，0 项冲突未写入" in r.stdout


def test_last_years_computed_values_are_a_reference_never_an_answer(
    run, tmp_path: Path, monkeypatch
) -> None:
    """121/133/136 are worked out by formulas: nobody typed last year's value, yet it is
    last year's value (show, compare, 上年值), with its sources' verdict; prefill leaves it
    to this year's formula."""
    last, now = tmp_path / "2021", tmp_path / "2022"
    last.mkdir()
    now.mkdir()
    monkeypatch.chdir(last)
    assert run("init").exit_code == 0
    for ident, value in (("131", "1000"), ("132", "900"), ("134", "10"), ("135", "4")):
        assert run("answer", ident, "--value", value, "--by", "王芳").exit_code == 0
    assert run("approve", "131", "132", "--by", "万富春").exit_code == 0
    monkeypatch.chdir(now)
    assert run("init").exit_code == 0
    old = ["--from-checklist", str(last / "indicators.yaml")]
    done = run("carry", *old, "--from-answers", str(last / "answers.yaml"))
    assert done.exit_code == 0, done.output
    assert "上年值：90%（2021年第133项" in run("show", "133").stdout
    assert "上年值：40%（上年未审核）（2021年第136项" in run("show", "136").stdout
    entries = mapping_entries()
    assert (entries[133]["value"], entries[133]["verdict"], entries[133]["computed"]) == (
        90.0,
        "approved",
        True,
    )
    filled = run("carry", "--prefill", "--by", "张三")
    assert filled.exit_code == 0
    assert "未沿用 2 项（上年为按公式自动计算的值）：第133、136项" in filled.stdout
    answers = {r["id"]: r["answer"] for r in json.loads(run("list", "-f", "json").stdout)}
    assert answers[131]["value"] == 1000 and answers[133]["value"] is None
    rows = {r["id"]: r for r in json.loads(run("compare", "-f", "json").stdout)["rows"]}
    assert (rows[133]["previous"], rows[133]["current"], rows[133]["change"]) == (
        "90%",
        "90%（自动计算）（待审核）",
        "不变",
    )
    assert rows[136]["previous"] == "40%（上年未审核）" and rows[136]["current"] == ""
    # a computed value is compared with last year's as an answer is
    assert run("answer", "132", "--value", "450", "--by", "王芳").exit_code == 0
    checked = run("check").stdout
    assert (
        "第133项比上年变化超过 20 个百分点：上年 90%（2021年第133项） → 今年 45%（自动计算）"
        in checked
    )
    # the indicator below it reads as in the formula's finding: one spelling of one value
    assert checked.count("    第133项 = 45%（待审核）（审批监管科，万富春）") == 2


def test_a_units_answers_file_as_last_years_is_said(run, years) -> None:
    """单位/沙坡头区/answers.yaml is one county's answers: carried (the person may mean
    it), but said, since it is surely a slip for the city's."""
    import shutil

    old_cl, old_ans, new_cl = years
    unit = old_ans.parent / "单位" / "沙坡头区" / "answers.yaml"
    unit.parent.mkdir(parents=True)
    shutil.copy(old_ans, unit)
    r = carry(run, (old_cl, unit, new_cl))
    assert r.exit_code == 0, r.output
    assert "是单位“沙坡头区”的答案文件，不是市级的" in r.stderr
    assert "不是市级的" not in carry(run, years).stderr


def test_a_value_typed_over_last_years_formula_is_not_prefilled(
    run, tmp_path: Path, monkeypatch
) -> None:
    """121 typed by hand (80%, its formula gives 75%) and approved with a 说明: this year
    121 is still worked out by its formula, never last year's typed figure."""
    last, now = tmp_path / "2021", tmp_path / "2022"
    last.mkdir()
    now.mkdir()
    monkeypatch.chdir(last)
    assert run("init").exit_code == 0
    for ident, value in (("119", "200"), ("120", "150"), ("121", "80")):
        assert run("answer", ident, "--value", value, "--by", "赵六").exit_code == 0
    assert run("approve", "119", "--by", "万富春").exit_code == 0
    assert run("approve", "120", "--by", "高秀英").exit_code == 0
    signed = run("approve", "121", "--by", "高秀英", "--explain", "按台账口径")
    assert signed.exit_code == 0, signed.output
    monkeypatch.chdir(now)
    assert run("init").exit_code == 0
    old = ["--from-checklist", str(last / "indicators.yaml")]
    assert run("carry", *old, "--from-answers", str(last / "answers.yaml")).exit_code == 0
    filled = run("carry", "--prefill", "--by", "张三")
    assert filled.exit_code == 0, filled.output
    assert "已沿用上年答案 2 项（第119–120项" in filled.stdout
    assert "未沿用 1 项（今年按公式自动计算）：第121项" in filled.stdout
    shown = run("show", "121").stdout
    assert "填报值：75%（自动计算）" in shown and "上年值：80%" in shown


def test_reminders_carry_last_years_value_for_whoever_fills_it_in(run, years) -> None:
    """The section reminded of an item sees last year's value beside it, as list, show
    and the exports show it."""
    carry(run, years)
    text = run("remind", "--to", "政务服务中心", "--today", "2022-09-20").stdout
    line = next(x for x in text.splitlines() if "第46项" in x)
    assert line.endswith("；上年值：312 个）"), line


def test_last_years_checklist_by_mistake_names_the_answers_file_not_the_carry(run, years) -> None:
    """In this year's folder with last year's checklist chosen by mistake, the answers file
    is the first thing that does not fit: re-running carry (what the mapping file's own
    check would advise) is not the fix."""
    old_cl, _, _ = years
    assert run("answer", "46", "--value", "3").exit_code == 0
    assert carry(run, years).exit_code == 0
    for command in (["status"], ["list", "-s", "办公室"]):
        result = run("--checklist", str(old_cl), *command)
        assert result.exit_code == 4
        assert "错误：答案文件 answers.yaml 属于清单" in result.stderr
        assert "carry" not in result.stderr


def test_a_prefill_follows_last_year_until_someone_touches_it(
    run, tmp_path: Path, monkeypatch
) -> None:
    """16 prefilled from last year's approved 是; then last year's leader returns it (and
    approves 22 again with another value): a second prefill takes 16 back, refreshes 22,
    says so, and leaves an answer touched this year alone. One undo reverts it whole."""
    last, now = tmp_path / "2021", tmp_path / "2022"
    last.mkdir()
    now.mkdir()
    monkeypatch.chdir(last)
    assert run("init").exit_code == 0
    for ident in ("16", "22", "25"):
        assert run("answer", ident, "--value", "是", "--by", "王芳").exit_code == 0
    assert run("approve", "16", "22", "25", "--by", "万富春").exit_code == 0
    monkeypatch.chdir(now)
    assert run("init").exit_code == 0
    old = ("--from-checklist", str(last / "indicators.yaml"))
    assert run("carry", *old, "--from-answers", str(last / "answers.yaml")).exit_code == 0
    first = run("carry", "--prefill", "--by", "李四")
    assert "已沿用上年答案 3 项（第16、22、25项" in first.stdout, first.stdout
    assert run("approve", "25", "--by", "万富春").exit_code == 0  # touched this year
    monkeypatch.chdir(last)
    assert run("return", "16", "25", "--reason", "对接未完成", "--by", "万富春").exit_code == 0
    assert run("answer", "22", "--value", "否", "--by", "王芳").exit_code == 0
    assert run("approve", "22", "--by", "万富春").exit_code == 0
    monkeypatch.chdir(now)
    assert run("carry").exit_code == 0  # last year's verdicts read again
    again = run("carry", "--prefill", "--by", "李四")
    assert again.exit_code == 0, again.output
    assert "撤回此前沿用的上年答案 1 项（第16项）" in again.stdout
    assert "已沿用上年答案 1 项（第22项" in again.stdout
    assert "未沿用 1 项（上年已退回）：第25项" in again.stdout
    answers = {r["id"]: r["answer"] for r in json.loads(run("list", "-f", "json").stdout)}
    assert answers[16]["status"] == "open"
    assert answers[22]["value"] is False
    assert answers[25]["value"] is True  # approved this year: this year's own
    assert run("undo").exit_code == 0
    answers = {r["id"]: r["answer"] for r in json.loads(run("list", "-f", "json").stdout)}
    assert (answers[16]["value"], answers[22]["value"]) == (True, True)


def test_a_mapping_file_from_a_newer_evalcheck_is_refused_never_downgraded(run, years) -> None:
    """As for the answers file: `format: 99` is neither read nor rewritten as format 1."""
    assert carry(run, years).exit_code == 0
    path = Path("answers.previous.yaml")
    path.write_text(path.read_text(encoding="utf-8").replace("format: 1", "format: 99"), "utf-8")
    before = path.read_bytes()
    for args in (("show", "1"), ("carry",), ("carry", "--prefill")):
        done = run(*args)
        assert done.exit_code == 4, done.output
        assert "由更新版本的 evalcheck 写入（format: 99" in done.stderr
    assert path.read_bytes() == before
