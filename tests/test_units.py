"""Sub-units: counties fill collected indicators, the city rolls them up (issue: units)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.answers.store import transaction
from evalcheck.answers.units import load_unit_answers, unit_answers_path
from evalcheck.model.loading import load_checklist
from evalcheck.model.validation import build_checklist
from evalcheck.services.rollup import apply_rollups
from evalcheck.state.rollup import compute

UNITS = ["沙坡头区", "中宁县", "海原县"]


def indicator(ident: int, kind: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "category": "网上政务服务能力",
        "text": text,
        "owner": "万富春",
        "section": "审批监管科",
        "due": "2021-09-15",
        "role": "lead",
        "kind": kind,
        **extra,
    }


def units_checklist(**top: Any) -> dict[str, Any]:
    return {
        "title": "测试清单",
        "year": 2021,
        "categories": ["网上政务服务能力"],
        "units": list(UNITS),
        "units_due": "2021-09-10",
        "indicators": [
            indicator(1, "count", "本地区便民服务中心数量？", unit="个", collect="units"),
            indicator(2, "count", "监管对象总数？", unit="个", collect="units"),
            indicator(3, "count", "已汇聚的监管对象数？", unit="个", collect="units"),
            indicator(
                4, "percent", "已汇聚占比？", unit="%", formula="q3 / q2 * 100", collect="units"
            ),
            indicator(5, "yesno", "是否设立窗口？", collect="units", rollup="any"),
            indicator(6, "yesno", "是否全部公开？", collect="units", rollup="all"),
            indicator(
                7,
                "multi",
                "提供了哪些渠道？",
                options=["网站", "APP", "窗口"],
                collect="units",
            ),
            indicator(8, "text", "请列举特色做法", collect="units"),
            indicator(9, "number", "平均办理用时？", unit="天", collect="units", rollup="mean"),
            indicator(10, "count", "市级自己答的数量？", unit="个"),
        ],
        **top,
    }


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(units_checklist(), allow_unicode=True), encoding="utf-8")
    return tmp_path


def fill(folder: Path, unit: str, values: dict[int, Any]) -> None:
    cl = load_checklist(folder / "indicators.yaml")
    path = unit_answers_path(folder / "answers.yaml", unit)
    path.parent.mkdir(parents=True, exist_ok=True)
    with transaction(path, cl) as answers:
        for ident, v in values.items():
            if v == "NA":
                answers.apply(cl.get(ident), na="本县无此项", by=unit, action="na")
            else:
                answers.apply(cl.get(ident), value=v, by=unit, action="set")


def rollups_of(folder: Path) -> dict[int, Any]:
    cl = load_checklist(folder / "indicators.yaml")
    return {r.id: r for r in compute(cl, load_unit_answers(folder / "answers.yaml", cl))}


FULL = {
    "沙坡头区": {1: 120, 2: 1000, 3: 900, 5: True, 6: True, 7: ["网站"], 8: "一窗通办", 9: 3},
    "中宁县": {1: 80, 2: 500, 3: 250, 5: False, 6: True, 7: ["APP", "网站"], 8: "帮办代办", 9: 5},
    "海原县": {1: 60, 2: 300, 3: 300, 5: False, 6: False, 7: ["窗口"], 8: "延时服务", 9: 4},
}


def test_a_count_is_the_sum_with_each_unit_in_the_formula(work: Path) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    r = rollups_of(work)[1]
    assert r.value == 260 and r.complete and r.missing == ()
    assert r.formula == "= 沙坡头区 120 个 + 中宁县 80 个 + 海原县 60 个"


def test_a_percent_is_recomputed_from_the_summed_inputs_not_averaged(work: Path) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    r = rollups_of(work)[4]
    # (900 + 250 + 300) / (1000 + 500 + 300) = 80.56 %, while the mean of 90, 50, 100 is 80
    assert math.isclose(r.value, 1450 / 1800 * 100, rel_tol=1e-6)
    mean_of_percents = (90 + 50 + 100) / 3
    assert not math.isclose(r.value, mean_of_percents, rel_tol=1e-3)
    assert [p.value for p in r.parts] == [90, 50, 100]  # each unit's own percent, shown


def test_a_unit_whose_own_percent_is_not_applicable_is_pointed_out(
    work: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """海原县 says 2 (the total) is 不适用 but reports 3: its own 4 is 不适用. The city's 4
    is worked out from the city's 2 and 3, the sums of every unit's answer (what rollup
    --apply writes), so the roll-up says the same, and says which unit makes it read high;
    and the unit's form says 不适用 for 4, not 逾期, as status --units counts it."""
    values = {u: dict(v) for u, v in FULL.items()}
    values["海原县"][2] = "NA"
    values["海原县"][3] = 600
    for unit, v in values.items():
        fill(work, unit, v)
    r = rollups_of(work)[4]
    assert r.value == pytest.approx((900 + 250 + 600) / (1000 + 500) * 100, abs=1e-6)
    assert r.na == ("海原县",) and r.complete
    assert "（注意：海原县的第4项不适用，但其已填的来源计入了汇总，请核实）" in r.formula
    monkeypatch.chdir(work)
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-09-20")
    assert run("export", "--units", "表").exit_code == 0
    import openpyxl

    ws = openpyxl.load_workbook(Path("表") / "2021测评填报_单位_海原县.xlsx")["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 4)
    assert ws.cell(row, col["状态"]).value == "不适用"


def test_yes_no_any_and_all(work: Path) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    rs = rollups_of(work)
    assert rs[5].value is True  # any: 沙坡头区 said yes
    assert rs[6].value is False  # all: 海原县 said no
    assert rs[6].formula == "= 沙坡头区 是 且 中宁县 是 且 海原县 否"


def test_multi_is_the_union_and_text_is_pooled(work: Path) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    rs = rollups_of(work)
    assert sorted(rs[7].value) == ["APP", "窗口", "网站"]
    assert rs[8].value == "沙坡头区：一窗通办；中宁县：帮办代办；海原县：延时服务"
    assert rs[9].value == 4  # mean, as declared


def test_a_missing_unit_marks_the_rollup_incomplete_and_it_is_not_applied(
    work: Path, run: Any
) -> None:
    fill(work, "沙坡头区", FULL["沙坡头区"])
    fill(work, "中宁县", FULL["中宁县"])
    r = rollups_of(work)[1]
    assert r.value == 200 and not r.complete and r.missing == ("海原县",)
    result = run("--checklist", str(work / "indicators.yaml"), "rollup", "--apply")
    assert result.exit_code == 0
    assert "不完整：第1项，未报送单位：海原县" in result.stdout
    assert not (work / "answers.yaml").exists() or "1:" not in (work / "answers.yaml").read_text()
    result = run("--checklist", str(work / "indicators.yaml"), "status", "--units")
    assert "海原县" in result.stdout and "第1项：海原县" in result.stdout


def test_a_unit_not_applicable_has_reported_and_takes_no_part(work: Path) -> None:
    fill(work, "沙坡头区", {1: 120})
    fill(work, "中宁县", {1: 80})
    fill(work, "海原县", {1: "NA"})
    r = rollups_of(work)[1]
    assert r.complete and r.value == 200 and r.na == ("海原县",)


def test_a_hand_typed_city_answer_that_differs_is_a_conflict_never_overwritten(
    work: Path, run: Any
) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    checklist = str(work / "indicators.yaml")
    assert run("--checklist", checklist, "answer", "1", "--value", "250").exit_code == 0
    before = (work / "answers.yaml").read_bytes()
    result = run("--checklist", checklist, "rollup", "--apply", "1")
    assert result.exit_code == 1  # findings: a conflict
    assert "冲突：第1项 市级答案 250 个" in result.stdout and "汇总 260 个" in result.stdout
    assert (work / "answers.yaml").read_bytes() == before
    result = run("--checklist", checklist, "rollup", "--apply", "1", "--overwrite-conflicts")
    assert result.exit_code == 0
    show = run("--checklist", checklist, "show", "1").stdout
    assert "260 个" in show and "由各单位汇总（求和）：= 沙坡头区 120 个" in show
    history = run("--checklist", checklist, "history", "1").stdout
    assert "单位汇总" in history and "250 个" in history  # the typed value is kept in history


def test_apply_writes_complete_rollups_and_a_second_apply_changes_nothing(
    work: Path, run: Any
) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    checklist = str(work / "indicators.yaml")
    first = run("--checklist", checklist, "rollup", "--apply")
    assert first.exit_code == 0 and "已写入 8 项汇总值" in first.stdout
    data = yaml.safe_load((work / "answers.yaml").read_text(encoding="utf-8"))
    assert data["answers"][1]["value"] == 260
    before = (work / "answers.yaml").read_bytes()
    again = run("--checklist", checklist, "rollup", "--apply")
    assert "已写入 0 项汇总值，8 项与市级答案一致" in again.stdout
    assert (work / "answers.yaml").read_bytes() == before


def test_a_total_that_stays_while_the_units_values_move_gets_its_new_breakdown(
    work: Path, run: Any
) -> None:
    """260 = 120 + 80 + 60 becomes 260 = 130 + 70 + 60: the city's 备注 said the old
    breakdown (in show, the total table and the Word attachment) while the 汇总 sheet said
    the new one. The note is rewritten, and the answer waits for review again."""
    for unit, values in FULL.items():
        fill(work, unit, values)
    checklist = str(work / "indicators.yaml")
    assert run("--checklist", checklist, "rollup", "--apply", "1").exit_code == 0
    fill(work, "沙坡头区", {1: 130})
    fill(work, "中宁县", {1: 70})
    again = run("--checklist", checklist, "rollup", "--apply", "1")
    assert again.exit_code == 0 and "已写入 1 项汇总值" in again.stdout, again.stdout
    show = run("--checklist", checklist, "show", "1").stdout
    assert "= 沙坡头区 130 个 + 中宁县 70 个 + 海原县 60 个" in show
    third = run("--checklist", checklist, "rollup", "--apply", "1")
    assert "已写入 0 项汇总值，1 项与市级答案一致" in third.stdout


def test_a_returned_rollup_is_sent_again_by_rollup_apply(tmp_path: Path, run: Any) -> None:
    """The leader returns 260; the counties confirm their figures. Sending it again by
    typing 260 made it a hand-typed answer (the next county change then was a conflict):
    `rollup --apply` sends the same total again, still a roll-up, waiting for review."""
    data = units_checklist(review=True)
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for unit, values in FULL.items():
        fill(tmp_path, unit, values)
    checklist = str(tmp_path / "indicators.yaml")
    assert run("--checklist", checklist, "rollup", "--apply", "1", "--by", "王芳").exit_code == 0
    back = run("--checklist", checklist, "return", "1", "--reason", "请核实", "--by", "万富春")
    assert back.exit_code == 0, back.output
    again = run("--checklist", checklist, "rollup", "--apply", "1", "--by", "王芳")
    assert again.exit_code == 0 and "已写入 1 项汇总值" in again.stdout, again.stdout
    shown = json.loads(run("--checklist", checklist, "show", "1", "-f", "json").stdout)
    assert shown["answer"]["review"]["state"] == "pending", shown["answer"]
    fill(tmp_path, "沙坡头区", {1: 125})
    later = run("--checklist", checklist, "rollup", "--apply", "1", "--by", "王芳")
    assert later.exit_code == 0 and "已写入 1 项汇总值" in later.stdout  # no conflict


def test_json_gives_id_value_rule_units_and_missing(work: Path, run: Any) -> None:
    fill(work, "沙坡头区", FULL["沙坡头区"])
    result = run("--checklist", str(work / "indicators.yaml"), "rollup", "--format", "json")
    data = json.loads(result.stdout)
    first = data["rollups"][0]
    assert first["id"] == 1 and first["value"] == 120 and first["rule"] == "sum"
    assert first["units"] == {"沙坡头区": 120}
    assert first["missing"] == ["中宁县", "海原县"]


def test_compare_units_ranks_the_counties(work: Path, run: Any) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    result = run("--checklist", str(work / "indicators.yaml"), "compare", "--units", "-f", "json")
    row = next(r for r in json.loads(result.stdout)["rows"] if r["id"] == 1)
    assert row["ranks"] == {"沙坡头区": 1, "中宁县": 2, "海原县": 3}
    assert row["values"] == {"沙坡头区": 120, "中宁县": 80, "海原县": 60}


def test_remind_units_writes_each_unit_its_missing_items(work: Path, run: Any) -> None:
    fill(work, "沙坡头区", FULL["沙坡头区"])
    checklist = str(work / "indicators.yaml")
    result = run("--checklist", checklist, "remind", "--units", "--today", "2021-09-10")
    assert result.exit_code == 0
    assert "【提醒】中宁县" in result.stdout and "请于 2021-09-10 前报送" in result.stdout
    assert "【提醒】沙坡头区" not in result.stdout


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {9: {"rollup": None}},
            "第9项 字段 rollup：题型 number 的指标由各单位填报，但没有默认的汇总规则",
        ),
        ({5: {"rollup": None}}, "第5项 字段 rollup：题型 yesno"),
        ({1: {"rollup": "mean"}}, "汇总规则 mean 不适用于题型 count"),
        ({9: {"rollup": {"weighted": "q99"}}}, "权重指标 q99 不在清单中"),
        ({9: {"rollup": "weighted"}}, "需要权重指标"),
        ({1: {"rollup": "average"}}, "未知的汇总规则“average”"),
        ({2: {"collect": None}}, "按公式重算需要公式中的指标也由各单位填报：第2项"),
        ({10: {"collect": "county"}}, "第10项 字段 collect：应为 units"),
    ],
)
def test_validation_names_every_collected_indicator_without_a_usable_rule(
    change: dict[int, dict[str, Any]], message: str
) -> None:
    data = units_checklist()
    for ind in data["indicators"]:
        for key, value in change.get(ind["id"], {}).items():
            if value is None:
                ind.pop(key, None)
            else:
                ind[key] = value
    checklist, problems = build_checklist(data)
    assert checklist is None
    assert any(message in p.text for p in problems), [p.text for p in problems]


def test_collected_indicators_without_units_are_refused() -> None:
    data = units_checklist()
    del data["units"]
    checklist, problems = build_checklist(data)
    assert checklist is None and any("没有列出 units" in p.text for p in problems)


def test_the_bundled_checklist_declares_no_units(run: Any) -> None:
    result = run("rollup")
    assert result.exit_code == 3
    assert "清单没有列出 units" in result.stderr


def test_rollups_help_examples_run_with_units_enabled_as_the_manual_shows(run: Any) -> None:
    """With the bundled list's units lines enabled (docs/units.md), each 示例 of `rollup
    --help` runs: the id in one is an indicator the units fill (it was 3, refused)."""
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    enabled = re.sub(r"^(\s*)# ((?:units|units_due|collect|rollup): )", r"\1\2", text, flags=re.M)
    Path("indicators.yaml").write_text(enabled, encoding="utf-8")
    examples = re.findall(r"示例：evalcheck (rollup.*)", run("rollup", "--help").stdout)
    assert any(re.search(r"rollup \d", e) for e in examples)
    for example in examples:
        result = run(*example.split())
        assert result.exit_code == 0, (example, result.stderr)


# ---------------------------------------------------------------- rollup = independent sum

unit_values = st.dictionaries(
    st.sampled_from(UNITS),
    st.one_of(st.integers(0, 10**6), st.just("NA")),
)


@settings(max_examples=30, deadline=None)
@given(counts=unit_values, reported=st.dictionaries(st.sampled_from(UNITS), st.integers(1, 1000)))
def test_rollup_equals_an_independent_computation(
    tmp_path_factory: pytest.TempPathFactory, counts: dict[str, Any], reported: dict[str, int]
) -> None:
    folder = tmp_path_factory.mktemp("units")
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump(units_checklist(), allow_unicode=True), encoding="utf-8"
    )
    for unit in UNITS:
        values: dict[int, Any] = {}
        if unit in counts:
            values[1] = counts[unit]
        if unit in reported:
            values[2], values[3] = reported[unit], reported[unit] // 2
        if values:
            fill(folder, unit, values)
    rs = rollups_of(folder)
    numbers = [v for v in counts.values() if v != "NA"]
    assert rs[1].value == (sum(numbers) if numbers else None)
    assert rs[1].missing == tuple(u for u in UNITS if u not in counts)
    if reported:
        total, part = sum(reported.values()), sum(v // 2 for v in reported.values())
        assert math.isclose(rs[4].value, part / total * 100, rel_tol=1e-6)
    cl = load_checklist(folder / "indicators.yaml")
    if rs[1].complete and rs[1].value is not None:
        done = apply_rollups(cl, folder / "answers.yaml", by="测试", ids=[1])
        assert [r.id for r in done.written] == [1]


def test_the_bundled_units_block_uncommented_is_a_valid_plan(tmp_path: Path, run: Any) -> None:
    """The bundled checklist ships with units commented out; removing the '# ' enables them."""
    from evalcheck.model.loading import bundled_checklist_path

    text = bundled_checklist_path().read_text(encoding="utf-8")
    enabled = re.sub(r"^(\s*)# ((?:units|units_due|collect|rollup): )", r"\1\2", text, flags=re.M)
    assert enabled != text
    path = tmp_path / "indicators.yaml"
    path.write_text(enabled, encoding="utf-8")
    cl = load_checklist(path)
    assert cl.units is not None
    assert cl.units.names == ("沙坡头区", "中宁县", "海原县", "市本级")
    assert cl.units.ids == (69, 70, 96, 97, 131, 132, 133, 134, 135, 136)
    assert cl.units.spec(97).text() == "weighted: q96"
    assert cl.units.spec(133).rule == "recompute"
    result = run("--checklist", str(path), "rollup")
    assert result.exit_code == 0 and "共 10 项由各单位填报，10 项有单位未报送" in result.stdout


def test_an_approved_rollup_follows_a_county_that_changes_its_value(work: Path, run: Any) -> None:
    """Approving the city's rolled-up answer does not turn it into a hand-typed one."""
    data = units_checklist(review=True)
    (work / "indicators.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    for unit, values in FULL.items():
        fill(work, unit, values)
    checklist = str(work / "indicators.yaml")
    assert run("--checklist", checklist, "rollup", "--apply", "1").exit_code == 0
    assert run("--checklist", checklist, "approve", "1", "--by", "万富春").exit_code == 0
    fill(work, "中宁县", {1: 90})
    result = run("--checklist", checklist, "rollup", "--apply", "1")
    assert result.exit_code == 0 and "冲突：" not in result.stdout
    assert "已写入 1 项汇总值" in result.stdout
    show = run("--checklist", checklist, "show", "1").stdout
    assert "270 个" in show and "待审核" in show  # a new value waits for review again


# ---------------------------------------------------------------- derived indicators of a unit


def test_a_derived_indicator_whose_sources_are_all_not_applicable_is_not_missing(
    work: Path, run: Any
) -> None:
    """第4项 = q3 / q2 * 100: a county that marks both sources 不适用 owes nothing for it;
    every view of the units says so (it used to be 未报送 in one place, complete in another)."""
    for unit, values in FULL.items():
        fill(work, unit, values)
    fill(work, "海原县", {2: "NA", 3: "NA"})
    checklist = str(work / "indicators.yaml")
    status = run("--checklist", checklist, "status", "--units")
    assert status.exit_code == 0
    assert "海原县\t9\t9\t0\t100%" in status.stdout
    assert "各单位均已报送全部指标" in status.stdout and "未报送单位" not in status.stdout
    data = json.loads(run("--checklist", checklist, "status", "--units", "-f", "json").stdout)
    assert data["missing"] == []
    assert [u["missing"] for u in data["units"]] == [[], [], []]
    rollup = run("--checklist", checklist, "rollup")
    assert "共 9 项由各单位填报，0 项有单位未报送" in rollup.stdout
    compare = run("--checklist", checklist, "compare", "--units", "-f", "csv").stdout
    row = next(line for line in compare.splitlines() if line.startswith("4,"))
    assert row.split(",")[2:5] == ["90%（第1）", "50%（第2）", "不适用"]
    remind = run("--checklist", checklist, "remind", "--units", "--to", "海原县")
    assert remind.exit_code == 0 and "【提醒】" not in remind.stdout
    assert "第4项" not in remind.stdout and "已汇聚占比" not in remind.stdout


def test_a_derived_indicator_is_never_asked_of_a_unit(work: Path, run: Any) -> None:
    """A county missing the sources is reminded of the sources; the ratio follows from them
    and is counted 未报送 in the same way by status and rollup until then."""
    fill(work, "沙坡头区", FULL["沙坡头区"])
    fill(work, "中宁县", FULL["中宁县"])
    fill(work, "海原县", {k: v for k, v in FULL["海原县"].items() if k not in (2, 3)})
    checklist = str(work / "indicators.yaml")
    status = run("--checklist", checklist, "status", "--units").stdout
    assert "海原县\t9\t6\t3\t67%" in status
    assert "第2项：海原县\n  第3项：海原县\n  第4项：海原县" in status
    rollup = run("--checklist", checklist, "rollup", "4", "-f", "json").stdout
    assert json.loads(rollup)["rollups"][0]["missing"] == ["海原县"]
    remind = run("--checklist", checklist, "remind", "--units", "--to", "海原县").stdout
    assert "还有 2 项未报送" in remind
    assert "  2. 监管对象总数？" in remind and "  3. 已汇聚的监管对象数？" in remind
    assert "  4. 已汇聚占比？" not in remind
    assert "（第4项按公式由以上指标自动计算，不需要填报）" in remind


# ---------------------------------------------------------------- options --units cannot use


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("compare", "--units", "-s", "不存在"), "--section"),
        (("remind", "--units", "-s", "办公室"), "--section"),
        (("remind", "--units", "--owner", "万富春"), "--owner"),
        (("remind", "--units", "--tier", "催办", "--soon", "3"), "--tier、--soon"),
        (
            ("remind", "--units", "--escalate", "3", "--review-days", "2"),
            "--escalate、--review-days",
        ),
    ],
)
def test_an_option_units_cannot_use_is_a_usage_error(
    work: Path, run: Any, args: tuple[str, ...], named: str
) -> None:
    fill(work, "沙坡头区", FULL["沙坡头区"])
    result = run("--checklist", str(work / "indicators.yaml"), *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"错误：{named} 不能与 --units 同时使用" in result.stderr
    assert f"（查看帮助：evalcheck {args[0]} -h）" in result.stderr


def test_remind_units_to_accepts_only_unit_names(work: Path, run: Any) -> None:
    checklist = str(work / "indicators.yaml")
    result = run("--checklist", checklist, "remind", "--units", "--to", "未指定科室")
    assert result.exit_code == 3 and result.stdout == ""
    assert "错误：未知的填报单位“未指定科室”（可选：沙坡头区、中宁县、海原县）" in result.stderr
    result = run("--checklist", checklist, "remind", "--units", "--to", "审批监管科")
    assert result.exit_code == 3 and "未知的填报单位“审批监管科”" in result.stderr
    result = run(
        "--checklist", checklist, "remind", "--units", "--to", "中宁县", "--today", "2021-09-01"
    )
    assert result.exit_code == 0 and "【提醒】中宁县" in result.stdout
    assert "海原县" not in result.stdout


def test_remind_units_after_the_units_deadline_is_a_urge_saying_how_late(
    work: Path, run: Any
) -> None:
    """units_due 2021-09-10: from 9月11日 a unit's letter is a 催办 (已逾期 N 天), as the
    sections' letters are, not a 提醒 asking it to report by a date that has passed."""
    fill(work, "沙坡头区", FULL["沙坡头区"])
    checklist = str(work / "indicators.yaml")
    result = run("--checklist", checklist, "remind", "--units", "--today", "2021-09-27")
    assert result.exit_code == 0
    assert "【提醒】" not in result.stdout and "请于 2021-09-10 前报送" not in result.stdout
    assert (
        "【催办】中宁县：截至2021年9月27日，测试清单中由各单位填报的指标还有 8 项未报送，"
        "已逾期 17 天（报送时限 2021-09-10），请尽快报送：\n  1. 本地区便民服务中心数量？"
    ) in result.stdout
    assert "【催办】海原县：截至2021年9月27日" in result.stdout
    done = run(
        "--checklist", checklist, "remind", "--units", "--today", "2021-09-11", "--output", "提醒"
    )
    assert done.exit_code == 0
    assert "已生成 提醒/2021测评提醒_中宁县.txt（收件人：中宁县；催办）" in done.stdout
    letter = Path("提醒/2021测评提醒_中宁县.txt").read_text(encoding="utf-8-sig")
    assert "已逾期 1 天（报送时限 2021-09-10）" in letter


def test_a_total_past_the_largest_number_is_refused_and_nothing_written(work: Path, run) -> None:
    """Each unit's value is within the limit, their sum is not: the sum is not written (an
    answer out of range would drop out of every count)."""
    for unit in ("沙坡头区", "中宁县"):
        fill(work, unit, {1: 999_999_999_999_999})
    fill(work, "海原县", {1: 5})
    run("answer", "10", "--value", "3")
    before = (work / "answers.yaml").read_bytes()
    done = run("rollup", "--apply", "--by", "王芳")
    assert done.exit_code == 3, done.output
    assert "第1项的汇总值不能作为答案：数值超出范围" in done.stderr
    assert "未写入任何汇总值" in done.stderr
    assert (work / "answers.yaml").read_bytes() == before


def test_weights_that_add_up_to_zero_are_named(tmp_path: Path) -> None:
    """Every unit reported, each with weight 0: not "没有单位报送" but why there is no mean."""
    data = units_checklist()
    data["indicators"][8]["rollup"] = {"weighted": "q1"}  # 9: mean days, weighted by 1
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for unit in ("沙坡头区", "中宁县", "海原县"):
        fill(tmp_path, unit, {1: 0, 9: 3})
    r = rollups_of(tmp_path)[9]
    assert r.value is None and not r.missing
    assert r.reason == "各单位第1项（权重）之和为 0，无法加权平均"


def test_apply_says_why_weights_that_add_up_to_zero_are_not_written(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every unit sent a value: not "各单位均为不适用" but the roll-up's own reason."""
    data = units_checklist()
    data["indicators"][8]["rollup"] = {"weighted": "q1"}  # 9: mean days, weighted by 1
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    for unit in ("沙坡头区", "中宁县", "海原县"):
        fill(tmp_path, unit, {1: "NA", 9: 3})
    monkeypatch.chdir(tmp_path)
    done = run("rollup", "--apply", "9", "--by", "王芳")
    assert done.exit_code == 0, done.output
    assert "  不写入：第9项（各单位第1项（权重）之和为 0，无法加权平均）" in done.stdout
    assert "各单位均为不适用" not in done.stdout


def test_a_unit_whose_weight_is_not_applicable_has_reported(tmp_path: Path) -> None:
    """中宁县 reported 9 but its weight (1) is 不适用: it has sent all it has, so it is not
    未报送 (status, remind and rollup --apply read that); its value weighs nothing, said."""
    data = units_checklist()
    data["indicators"][8]["rollup"] = {"weighted": "q1"}  # 9: mean days, weighted by 1
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    fill(tmp_path, "沙坡头区", {1: 100, 9: 3})
    fill(tmp_path, "中宁县", {1: "NA", 9: 8})
    fill(tmp_path, "海原县", {1: 300, 9: 5})
    r = rollups_of(tmp_path)[9]
    assert r.complete and r.missing == ()
    assert r.value == pytest.approx((3 * 100 + 5 * 300) / 400)
    assert r.formula.endswith("（中宁县的第1项不适用，权重按 0 计）")


def test_a_units_answer_that_does_not_fit_is_said_not_silently_missing(work: Path, run) -> None:
    fill(work, "沙坡头区", {1: 120})
    fill(work, "中宁县", {1: 80})
    path = unit_answers_path(work / "answers.yaml", "中宁县")
    path.write_text(path.read_text(encoding="utf-8").replace("value: 80", "value: 八十"), "utf-8")
    done = run("rollup", "1")
    assert done.exit_code == 0
    assert (
        "注意：中宁县的答案文件中第1项的答案与清单不符，已保留未改动，汇总时按未报送计"
        in done.stderr
    )
    assert done.stderr.count("中宁县的答案文件") == 1
    assert "八十" in path.read_text(encoding="utf-8")


def test_not_applicable_counts_as_reported_when_nothing_adds_up(tmp_path: Path) -> None:
    """One unit 不适用, the others not yet: not "没有单位报送", and the 算式 says the same
    (one wording, not "（无单位报送）" beside it)."""
    (tmp_path / "indicators.yaml").write_text(
        yaml.safe_dump(units_checklist(), allow_unicode=True), "utf-8"
    )
    fill(tmp_path, "海原县", {1: "NA"})
    r = rollups_of(tmp_path)[1]
    assert r.value is None and r.na == ("海原县",) and r.missing == ("沙坡头区", "中宁县")
    assert r.reason == "已报送的单位均为不适用（海原县），另有 2 个单位未报送"
    assert r.formula == f"（{r.reason}）"
    for unit in ("沙坡头区", "中宁县"):
        fill(tmp_path, unit, {1: "NA"})
    r = rollups_of(tmp_path)[1]
    assert r.reason == "各单位均为不适用" and r.formula == "（各单位均为不适用）"


@pytest.mark.parametrize(
    ("names", "why"),
    [
        (["沙坡头区", "CON"], "是 Windows 保留的设备名"),
        (["沙坡头区", "aux.县"], "是 Windows 保留的设备名"),
        (["名称.", "名称"], "以点或空格结尾"),
        (["中宁\x07县", "海原县"], "控制字符"),
        (["Ｓ区", "s区"], "单位名称重复：s区（与“Ｓ区”只差大小写、全角半角或看不见的字符"),
        (["中宁县\u200b", "海原县"], "单位名称“中宁县”中有看不见的字符（U+200B"),
        (["沙坡头区", "COM¹"], "是 Windows 保留的设备名"),
    ],
)
def test_unit_names_must_be_folder_names_on_windows_too(
    tmp_path: Path, run, names: list[str], why: str
) -> None:
    """单位/<名称>/ holds a unit's answers: a name Windows drops a dot of, reserves, or
    folds onto another would share or lose that folder."""
    data = units_checklist()
    data["units"] = names
    (tmp_path / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = run("validate")
    assert result.exit_code == 4, result.output
    assert why in result.output


def test_a_formula_over_sources_every_unit_marked_not_applicable_says_so(tmp_path: Path) -> None:
    """4 = q3 / q2 * 100: every unit 不适用 for 2 and 3 — 4 says why as they do, not
    "缺少第3项、第2项" (nothing is missing)."""
    (tmp_path / "indicators.yaml").write_text(
        yaml.safe_dump(units_checklist(), allow_unicode=True), "utf-8"
    )
    for unit in ("沙坡头区", "中宁县", "海原县"):
        fill(tmp_path, unit, {2: "NA", 3: "NA"})
    got = rollups_of(tmp_path)
    assert got[2].reason == got[3].reason == "各单位均为不适用"
    assert got[4].value is None and not got[4].missing
    assert got[4].reason == "各单位均为不适用" and got[4].formula == "（各单位均为不适用）"
