"""Unit forms (issue 26): `export --units DIR` writes one form per unit, `import` files a
filled unit form under that unit, all or nothing, with stale-form conflicts; round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalcheck.answers.units import unit_answers_path
from tests.test_units import FULL, UNITS, fill, units_checklist

from .readback import CalamineWorkbook

COLLECTED = [1, 2, 3, 4, 5, 6, 7, 8, 9]
FORMS = Path("单位表格")


def form(unit: str) -> Path:
    return FORMS / f"2021测评填报_单位_{unit}.xlsx"


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(units_checklist(), allow_unicode=True), encoding="utf-8")
    return tmp_path


def rows_of(path: Path) -> tuple[list[str], list[list[Any]]]:
    """The form's header and rows, read with an independent reader (calamine)."""
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("测评指标").to_python()
    header_at = next(i for i, r in enumerate(sheet) if "题号" in r)
    header = [str(h) for h in sheet[header_at]]
    rows = [r for r in sheet[header_at + 1 :] if r[header.index("题号")] not in ("", None)]
    return header, rows


def type_into(path: Path, cells: dict[int, dict[str, Any]]) -> None:
    """What a county does in Excel: type into the form's cells."""
    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    for r in range(header + 1, ws.max_row + 1):
        for name, value in cells.get(ws.cell(r, col["题号"]).value, {}).items():
            ws.cell(r, col[name]).value = value
    wb.save(path)


def unit_answers(folder: Path, unit: str) -> dict[int, Any]:
    path = unit_answers_path(folder / "answers.yaml", unit)
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        int(i): ("NA:" + a["na"]) if a.get("na") else a.get("value")
        for i, a in (data.get("answers") or {}).items()
    }


def test_export_units_writes_one_form_per_unit_with_only_the_collected_indicators(
    work: Path, run: Any
) -> None:
    fill(work, "沙坡头区", {1: 120, 5: True, 7: ["网站", "APP"]})
    result = run("export", "--units", str(FORMS))
    assert result.exit_code == 0, result.output
    for unit in UNITS:
        assert f"已生成 {form(unit)}（9 项，报送时限 2021-09-10）" in result.stdout
    assert "共 3 份单位填报表" in result.stdout
    header, rows = rows_of(work / form("沙坡头区"))
    col = {h: n for n, h in enumerate(header)}
    assert [int(r[col["题号"]]) for r in rows] == COLLECTED  # 10 is the city's own
    assert {str(r[col["完成时限"]])[:10] for r in rows} == {"2021-09-10"}  # units_due
    values = {int(r[col["题号"]]): r[col["填报值"]] for r in rows}
    assert values[1] == 120 and values[5] == "是" and values[7] == "网站、APP"
    assert values[2] == ""  # not reported yet
    keys = [r[col["校验键"]] for r in rows]
    assert all(k.endswith("@沙坡头区") for k in keys)
    _, other = rows_of(work / form("中宁县"))
    assert {r[col["填报值"]] for r in other} == {""}
    assert all(r[col["校验键"]].endswith("@中宁县") for r in other)
    assert not (work / "answers.yaml").exists()  # exporting writes no answers


def test_export_units_without_units_in_the_checklist_is_refused(run: Any) -> None:
    result = run("export", "--units", "单位表格")
    assert result.exit_code == 3
    assert "清单没有列出 units" in result.stderr
    assert not Path("单位表格").exists()


def test_existing_unit_forms_are_kept_without_force(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    type_into(work / form("中宁县"), {1: {"填报值": 80}})
    before = (work / form("中宁县")).read_bytes()
    result = run("export", "--units", str(FORMS))
    assert result.exit_code == 3 and "可能含有单位尚未导入的填报内容" in result.stderr
    assert (work / form("中宁县")).read_bytes() == before
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0


def test_a_filled_unit_form_is_filed_under_its_unit_with_history(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    type_into(
        work / form("中宁县"),
        {1: {"填报值": 80}, 5: {"填报值": "否"}, 9: {"不适用原因": "本县无此项"}},
    )
    city_before = (work / "answers.yaml").exists()
    dry = run("import", str(form("中宁县")), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "单位填报表：中宁县，答案记入 单位/中宁县/answers.yaml" in dry.stdout
    assert (
        "第1项：（无） → 80 个" in dry.stdout
        and "共 3 项将被修改（--dry-run：未写入）" in dry.stdout
    )
    assert unit_answers(work, "中宁县") == {}
    result = run("import", str(form("中宁县")), "--by", "中宁县李四")
    assert result.exit_code == 0, result.output
    assert "已导入 3 项修改（填报人：中宁县李四）" in result.stdout
    assert "evalcheck --answers 单位/中宁县/answers.yaml undo" in result.stdout
    assert unit_answers(work, "中宁县") == {1: 80, 5: False, 9: "NA:本县无此项"}
    assert unit_answers(work, "沙坡头区") == {}
    assert (work / "answers.yaml").exists() == city_before  # the city's answers untouched
    # history, as for city answers: a second form changes the value and keeps the old one
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    type_into(work / form("中宁县"), {1: {"填报值": 85}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    shown = run("--answers", "单位/中宁县/answers.yaml", "history", "1")
    assert "80 个" in shown.stdout and "85 个" in shown.stdout
    # the roll-up reads it
    data = json.loads(run("rollup", "1", "--format", "json").stdout)["rollups"][0]
    assert data["units"] == {"中宁县": 85} and data["missing"] == ["沙坡头区", "海原县"]


def test_a_unit_form_with_one_bad_cell_imports_nothing(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    type_into(work / form("海原县"), {1: {"填报值": 60}, 2: {"填报值": "很多"}})
    result = run("import", str(form("海原县")))
    assert result.exit_code == 3
    assert "未导入任何内容" in result.stderr
    assert "工作表“测评指标”第5行（第2项）" in result.stderr
    assert unit_answers(work, "海原县") == {}
    assert not unit_answers_path(work / "answers.yaml", "海原县").exists()


def test_a_stale_unit_form_is_a_conflict_unless_overwritten(work: Path, run: Any) -> None:
    fill(work, "沙坡头区", {1: 100})
    assert run("export", "--units", str(FORMS)).exit_code == 0
    fill(work, "沙坡头区", {1: 110})  # changed since the export (say, by phone)
    type_into(work / form("沙坡头区"), {1: {"填报值": 120}, 2: {"填报值": 1000}})
    path = unit_answers_path(work / "answers.yaml", "沙坡头区")
    before = path.read_bytes()
    result = run("import", str(form("沙坡头区")))
    assert result.exit_code == 3 and "1 处冲突" in result.stderr
    assert "（第1项） 填报值：导出后已改为“110”（导出时为“100”），表格中填的是“120”" in (
        result.stderr
    )
    assert path.read_bytes() == before
    result = run("import", str(form("沙坡头区")), "--overwrite-conflicts")
    assert result.exit_code == 0, result.output
    assert unit_answers(work, "沙坡头区") == {1: 120, 2: 1000}


def test_an_untouched_stale_unit_form_reverts_nothing(work: Path, run: Any) -> None:
    fill(work, "沙坡头区", {1: 100})
    assert run("export", "--units", str(FORMS)).exit_code == 0
    fill(work, "沙坡头区", {1: 110})
    type_into(work / form("沙坡头区"), {2: {"填报值": 1000}})
    assert run("import", str(form("沙坡头区"))).exit_code == 0
    assert unit_answers(work, "沙坡头区") == {1: 110, 2: 1000}


def test_a_row_copied_from_another_units_form_is_refused(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    wb = openpyxl.load_workbook(work / form("中宁县"))
    key_of_zhongning = wb["测评指标"].cell(4, 15).value
    assert wb["测评指标"].cell(3, 15).value == "校验键"
    wb = openpyxl.load_workbook(work / form("沙坡头区"))
    wb["测评指标"].cell(4, 15).value = key_of_zhongning
    wb["测评指标"].cell(4, 7).value = 5
    wb.save(work / form("沙坡头区"))
    result = run("import", str(form("沙坡头区")))
    assert result.exit_code == 3
    assert "这一行来自单位“中宁县”的填报表，不属于“沙坡头区”的填报表" in result.stderr
    assert unit_answers(work, "沙坡头区") == {}


def test_a_form_for_a_unit_the_checklist_does_not_list_is_refused(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    data = units_checklist(units=["沙坡头区", "中宁县"])
    (work / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    result = run("import", str(form("海原县")))
    assert result.exit_code == 4
    assert "是单位“海原县”的填报表，但当前清单的填报单位中没有它" in result.stderr


def test_untouched_unit_forms_import_as_no_change(work: Path, run: Any) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    assert run("export", "--units", str(FORMS)).exit_code == 0
    before = {u: unit_answers_path(work / "answers.yaml", u).read_bytes() for u in UNITS}
    for unit in UNITS:
        result = run("import", str(form(unit)))
        assert result.exit_code == 0, result.output
        assert "表格中的答案与现有答案相同，没有需要修改的内容" in result.stdout
    assert {u: unit_answers_path(work / "answers.yaml", u).read_bytes() for u in UNITS} == before


# ------------------------------------------------------------- generated round trips

OPTIONS = ["网站", "APP", "窗口"]
WORDS = st.text(alphabet="一窗通办帮代延时服务网上掌上", min_size=1, max_size=12)
NA = st.just("NA")


def answer_of(ident: int) -> st.SearchStrategy[Any]:
    value: st.SearchStrategy[Any] = {
        1: st.integers(0, 10**6),
        2: st.integers(1, 10**6),
        3: st.integers(0, 10**6),
        5: st.booleans(),
        6: st.booleans(),
        7: st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=3, unique=True),
        8: WORDS,
        9: st.integers(0, 1000).map(lambda n: n / 10),
    }[ident]
    return st.one_of(value, NA) if ident != 2 else value


unit_sheets = st.fixed_dictionaries(
    {},
    optional={i: answer_of(i) for i in (1, 2, 3, 5, 6, 7, 8, 9)},
)
all_units = st.fixed_dictionaries({}, optional={u: unit_sheets for u in UNITS})


def typed(ident: int, v: Any) -> dict[str, Any]:
    """The cells a county types for one answer."""
    if v == "NA":
        return {"不适用原因": "本县无此项"}
    if isinstance(v, bool):
        return {"填报值": "是" if v else "否"}
    if isinstance(v, list):
        return {"填报值": "、".join(v)}
    return {"填报值": v}


def expected_rollups(answers: dict[str, dict[int, Any]]) -> dict[int, Any]:
    """The roll-ups computed independently, straight from the units' answers."""

    def reported(ident: int) -> list[Any]:
        return [
            answers[u][ident]
            for u in UNITS
            if ident in answers.get(u, {}) and answers[u][ident] != "NA"
        ]

    out: dict[int, Any] = {}
    for ident in (1, 2, 3):
        vals = reported(ident)
        out[ident] = sum(vals) if vals else None
    two, three = out[2], out[3]
    out[4] = three / two * 100 if two and three is not None else None
    yes = reported(5)
    out[5] = any(yes) if yes else None
    allof = reported(6)
    out[6] = all(allof) if allof else None
    chosen = reported(7)
    out[7] = sorted({o for v in chosen for o in v}) if chosen else None
    texts = [(u, answers[u][8]) for u in UNITS if answers.get(u, {}).get(8) not in (None, "NA")]
    out[8] = "；".join(f"{u}：{t}" for u, t in texts) if texts else None
    means = reported(9)
    out[9] = sum(means) / len(means) if means else None
    return out


def missing_units(answers: dict[str, dict[int, Any]], ident: int) -> list[str]:
    return [u for u in UNITS if ident not in answers.get(u, {})]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=all_units)
def test_unit_form_export_then_import_is_the_identity_and_rollup_agrees(
    tmp_path_factory: pytest.TempPathFactory,
    run: Any,
    monkeypatch: pytest.MonkeyPatch,
    answers: dict[str, dict[int, Any]],
) -> None:
    folder = tmp_path_factory.mktemp("unitforms")
    monkeypatch.chdir(folder)
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump(units_checklist(), allow_unicode=True), encoding="utf-8"
    )
    assert run("export", "--units", str(FORMS)).exit_code == 0
    for unit, values in answers.items():  # each county fills its blank form
        type_into(folder / form(unit), {i: typed(i, v) for i, v in values.items()})
        result = run("import", str(form(unit)))
        assert result.exit_code == 0, result.output
    for unit in UNITS:  # the answers are what the counties typed
        got = unit_answers(folder, unit)
        want = {i: ("NA:本县无此项" if v == "NA" else v) for i, v in answers.get(unit, {}).items()}
        assert {i: sorted(v) if isinstance(v, list) else v for i, v in got.items()} == {
            i: sorted(v) if isinstance(v, list) else v for i, v in want.items()
        }
    # exported again and imported untouched: no change
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    for unit in UNITS:
        result = run("import", str(form(unit)))
        assert "没有需要修改的内容" in result.stdout, result.output
    # rollup equals the independent computation
    data = json.loads(run("rollup", "--format", "json").stdout)["rollups"]
    got_rollups = {r["id"]: r for r in data}
    want = expected_rollups(answers)
    for ident, value in want.items():
        r = got_rollups[ident]
        if isinstance(value, float):
            assert r["value"] == pytest.approx(value, rel=1e-6, abs=1e-6), (
                ident
            )  # rounded to 6 places
        elif isinstance(value, list):
            assert sorted(r["value"]) == value, ident
        else:
            assert r["value"] == value, ident
        if ident != 4:
            assert r["missing"] == missing_units(answers, ident), ident
            units = {u: v for u, vals in answers.items() for i, v in vals.items() if i == ident}
            assert set(r["units"]) == set(units)


# ------------------------------------------------------------- the export's 汇总 sheet


def sheet(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_the_export_has_a_rollup_sheet_indicator_by_unit_with_total_and_rule(
    work: Path, run: Any
) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    fill(work, "海原县", {1: "NA"})
    result = run("export", "report.xlsx")
    assert result.exit_code == 0, result.output
    assert "（另含“填报进度”“汇总”工作表）" in result.stdout
    assert CalamineWorkbook.from_path("report.xlsx").sheet_names == [
        "测评指标",
        "填报进度",
        "汇总",
        "_evalcheck",
    ]
    rows = sheet(work / "report.xlsx", "汇总")
    header = rows[1]
    assert header == [
        "题号", "三级指标", "单位", "沙坡头区", "中宁县", "海原县",
        "汇总值", "市级答案", "汇总规则", "是否完整", "未报送单位", "算式",
    ]  # fmt: skip
    by_id = {int(r[0]): dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert sorted(by_id) == COLLECTED
    one = by_id[1]
    assert (one["沙坡头区"], one["中宁县"], one["海原县"]) == (120, 80, "不适用")
    assert (one["汇总值"], one["汇总规则"], one["是否完整"]) == (200, "求和", "完整")
    assert one["算式"] == "= 沙坡头区 120 个 + 中宁县 80 个"
    four = by_id[4]
    assert four["汇总值"] == pytest.approx((900 + 250 + 300) / (1000 + 500 + 300) * 100, abs=1e-6)
    assert four["汇总规则"] == "按公式重算"
    assert (by_id[5]["汇总值"], by_id[5]["汇总规则"]) == ("是", "任一单位为是")
    assert by_id[6]["汇总值"] == "否"
    assert by_id[8]["汇总值"] == "沙坡头区：一窗通办；中宁县：帮办代办；海原县：延时服务"
    assert by_id[9]["汇总值"] == 4
    assert by_id[1]["市级答案"] == ""  # the city has not answered (rollup --apply does)


def test_the_rollup_sheet_shows_the_citys_answer_and_its_stage(work: Path, run: Any) -> None:
    """市级答案 beside 汇总值: marked while not final, and said when it is not the total
    (a unit changed its value after `rollup --apply`)."""
    data = {**units_checklist(), "review": True}
    (work / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    fill(work, "沙坡头区", {1: 120})
    fill(work, "中宁县", {1: 80})
    fill(work, "海原县", {1: 10})
    assert run("rollup", "--apply", "1", "--by", "王芳").exit_code == 0
    assert run("export", "a.xlsx").exit_code == 0
    one = dict(zip(*sheet(work / "a.xlsx", "汇总")[1:3], strict=True))
    assert (one["汇总值"], one["市级答案"]) == (210, "210 个（待审核）")
    fill(work, "海原县", {1: 30})
    assert run("export", "b.xlsx").exit_code == 0
    one = dict(zip(*sheet(work / "b.xlsx", "汇总")[1:3], strict=True))
    assert (one["汇总值"], one["市级答案"]) == (230, "210 个（待审核）（与汇总值不同）")
    compared = json.loads(run("compare", "--units", "-f", "json").stdout)["rows"]
    assert next(r for r in compared if r["id"] == 1)["city"] == "210 个（待审核）（与汇总值不同）"
    table = run("rollup", "1").stdout
    assert "210 个（待审核）（与汇总值不同）" in table and "230 个" in table
    # a formula's value (4 = 3 / 2) and a 不适用 against a total are compared too
    fill(work, "沙坡头区", {2: 1000, 3: 900})
    fill(work, "中宁县", {2: 1000, 3: 100})
    fill(work, "海原县", {2: 1000, 3: 500})
    run("answer", "2", "--value", "100")
    run("answer", "3", "--value", "10")
    assert run("answer", "1", "--na", "本级不统计").exit_code == 0
    city = {
        r["id"]: r["city"]
        for r in json.loads(run("compare", "--units", "-f", "json").stdout)["rows"]
    }
    assert city[4] == "10%（自动计算）（待审核）（与汇总值不同）"  # the units' total: 50%
    assert city[1] == "不适用（本级不统计）（待审核）（与汇总值不同）"
    # the city's inputs equal to the units' totals: its 33.33% is their 33.333333%
    fill(work, "海原县", {3: 0})  # units: (900 + 100 + 0) / 3000
    run("answer", "2", "--value", "3000")
    run("answer", "3", "--value", "1000")
    rows = json.loads(run("compare", "--units", "-f", "json").stdout)["rows"]
    four = next(r for r in rows if r["id"] == 4)
    assert (
        four["total"] == pytest.approx(33.333333) and four["city"] == "33.33%（自动计算）（待审核）"
    )


def test_the_rollup_sheet_marks_missing_units(work: Path, run: Any) -> None:
    fill(work, "沙坡头区", {1: 120})
    assert run("export", "report.xlsx").exit_code == 0
    rows = sheet(work / "report.xlsx", "汇总")
    one = dict(zip(rows[1], rows[2], strict=True))
    assert (one["沙坡头区"], one["中宁县"], one["海原县"]) == (120, "未报送", "未报送")
    assert (one["是否完整"], one["未报送单位"]) == ("不完整", "中宁县、海原县")


def test_an_export_without_units_has_no_rollup_sheet(run: Any) -> None:
    result = run("export", "report.xlsx")
    assert "（另含“填报进度”工作表）" in result.stdout
    assert "汇总" not in CalamineWorkbook.from_path("report.xlsx").sheet_names


def test_the_exported_table_with_a_rollup_sheet_imports_back(work: Path, run: Any) -> None:
    """The 汇总 sheet is for reading: import reads the table and leaves it alone."""
    fill(work, "沙坡头区", {1: 120})
    assert run("export", "report.xlsx").exit_code == 0
    result = run("import", "report.xlsx")
    assert result.exit_code == 0, result.output
    assert "工作表 “测评指标”" in result.stdout


def test_json_carries_id_value_rule_each_units_value_and_the_missing_units(
    work: Path, run: Any
) -> None:
    fill(work, "沙坡头区", {1: 120, 5: True})
    fill(work, "中宁县", {1: 80, 5: "NA"})
    data = json.loads(run("rollup", "--format", "json").stdout)
    assert data["units"] == UNITS
    one = next(r for r in data["rollups"] if r["id"] == 1)
    assert {k: one[k] for k in ("id", "value", "rule", "units", "missing")} == {
        "id": 1,
        "value": 200,
        "rule": "sum",
        "units": {"沙坡头区": 120, "中宁县": 80},
        "missing": ["海原县"],
    }
    five = next(r for r in data["rollups"] if r["id"] == 5)
    assert five["units"] == {"沙坡头区": True, "中宁县": None}
    assert five["not_applicable"] == ["中宁县"] and five["rule"] == "any"
    row = next(
        r
        for r in json.loads(run("compare", "--units", "-f", "json").stdout)["rows"]
        if r["id"] == 1
    )
    assert (row["total"], row["rule"], row["missing"]) == (200, "sum", ["海原县"])


def test_a_unit_form_carries_its_evidence_into_the_units_store(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    (work / FORMS / "材料").mkdir()
    (work / FORMS / "材料" / "台账.pdf").write_bytes(b"%PDF-1.4 ledger")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "台账.pdf"}})
    result = run("import", str(form("中宁县")))
    assert result.exit_code == 0, result.output
    assert "第1项 佐证材料 +台账.pdf" in result.stdout
    stored = work / "单位" / "中宁县" / "佐证材料" / "1" / "台账.pdf"
    assert stored.read_bytes() == b"%PDF-1.4 ledger"
    assert not (work / "佐证材料").exists()  # not the city's store


def test_a_corrected_file_sent_back_under_its_name_replaces_the_old_one(
    work: Path, run: Any
) -> None:
    """The county fixes 台账.pdf and sends the form back: the same form again, or a fresh
    one that lists 台账.pdf untouched, with the new file beside it. The new version
    replaces the old (as `evidence add` does; undo brings the old back); the same file
    again changes nothing."""
    assert run("export", "--units", str(FORMS)).exit_code == 0
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 v1")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "台账.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    stored = work / "单位" / "中宁县" / "佐证材料" / "1" / "台账.pdf"
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 v2, corrected")
    preview = run("import", str(form("中宁县")), "--dry-run")
    assert "  第1项 佐证材料 台账.pdf 换为新版本" in preview.stdout
    assert "共 1 项将被修改（--dry-run：未写入）" in preview.stdout
    assert stored.read_bytes() == b"%PDF-1.4 v1"
    again = run("import", str(form("中宁县")))
    assert again.exit_code == 0, again.output
    assert "第1项 佐证材料 台账.pdf 换为新版本（旧版本可用 undo 恢复）" in again.stdout
    assert stored.read_bytes() == b"%PDF-1.4 v2, corrected"
    # a fresh form lists 台账.pdf as exported: the row is untouched, the file is not
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 v3")
    fresh = run("import", str(form("中宁县")))
    assert fresh.exit_code == 0, fresh.output
    assert "第1项 佐证材料 台账.pdf 换为新版本" in fresh.stdout
    assert stored.read_bytes() == b"%PDF-1.4 v3"
    same = run("import", str(form("中宁县")))
    assert "表格中的答案与现有答案相同，没有需要修改的内容" in same.stdout
    undo = ("--answers", "单位/中宁县/answers.yaml", "undo")
    assert run(*undo).exit_code == 0
    assert stored.read_bytes() == b"%PDF-1.4 v2, corrected"


def test_a_refused_first_import_of_a_unit_leaves_no_folder_behind(
    work: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit's folder is made for its first answers: an import refused while it writes
    them (here a note over a cell's limit, which a spreadsheet program cannot save but an
    edited file can hold) takes it away again, lock file and all."""
    from evalcheck.answers import store
    from evalcheck.errors import InputError

    def too_long(what: str, text: str) -> None:
        raise InputError(f"{what}有 1000000 个字符，超过 Excel 单元格能容纳的 32767 个字符")

    assert run("export", "--units", str(FORMS)).exit_code == 0
    type_into(work / form("中宁县"), {1: {"填报值": 80, "备注": "很长的备注"}})
    monkeypatch.setattr(store, "check_text_length", too_long)
    result = run("import", str(form("中宁县")))
    assert result.exit_code == 3, result.output
    assert not (work / "单位" / "中宁县").exists()


def test_an_evidence_name_differing_in_case_is_named_and_a_decomposed_one_is_found(
    work: Path, run: Any
) -> None:
    """Names in 佐证材料 are exact: '台账.PDF' for 台账.pdf says which file is there; a name
    a Mac saved decomposed (NFD) is the same name as typed (NFC)."""
    import unicodedata

    assert run("export", "--units", str(FORMS)).exit_code == 0
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 ledger")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "台账.PDF"}})
    result = run("import", str(form("中宁县")))
    assert result.exit_code == 3
    assert "有一个“台账.pdf”：单元格里的文件名要与文件完全一致，包括大小写" in result.stderr
    (work / FORMS / unicodedata.normalize("NFD", "café.pdf")).write_bytes(b"%PDF-1.4 cafe")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "café.pdf"}})
    result = run("import", str(form("中宁县")))
    assert result.exit_code == 0, result.output
    assert "第1项 佐证材料 +café.pdf" in unicodedata.normalize("NFC", result.stdout)


def test_a_new_version_beside_the_form_goes_to_its_row_only(work: Path, run: Any) -> None:
    """Items 1 and 2 each have their own 说明.pdf. A new 说明.pdf beside the form is
    meant for one of them, but which one the form does not say: nothing is replaced, and
    the note says so. A corrected file sent with a changed value of its row (the usual
    case: the number and its proof corrected together) replaces the row's file."""
    assert run("export", "--units", str(FORMS)).exit_code == 0
    (work / FORMS / "说明.pdf").write_bytes(b"%PDF-1.4 one")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "说明.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    (work / FORMS / "说明.pdf").write_bytes(b"%PDF-1.4 two")
    type_into(work / form("中宁县"), {2: {"填报值": 500, "佐证材料": "说明.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    store = work / "单位" / "中宁县" / "佐证材料"
    (work / FORMS / "说明.pdf").write_bytes(b"%PDF-1.4 three")
    unclear = run("import", str(form("中宁县")))
    assert unclear.exit_code == 0, unclear.output
    assert "第1、2项都写着这个文件名，不能确定是哪一项的新版本，未替换" in unclear.stderr
    assert (store / "1" / "说明.pdf").read_bytes() == b"%PDF-1.4 one"
    assert (store / "2" / "说明.pdf").read_bytes() == b"%PDF-1.4 two"
    # a file one row names, on a fresh form: the value corrected and the file with it
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 ledger v1")
    type_into(work / form("中宁县"), {3: {"填报值": 250, "佐证材料": "台账.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 ledger v2")
    type_into(work / form("中宁县"), {3: {"填报值": 260}})  # 佐证材料 left as exported
    again = run("import", str(form("中宁县")))
    assert again.exit_code == 0, again.output
    assert "第3项 佐证材料 台账.pdf 换为新版本" in again.stdout
    assert (store / "3" / "台账.pdf").read_bytes() == b"%PDF-1.4 ledger v2"
    assert (store / "1" / "说明.pdf").read_bytes() == b"%PDF-1.4 one"


def test_a_file_beside_the_form_as_one_row_has_it_is_no_new_version_of_anothers(
    work: Path, run: Any
) -> None:
    """Items 1 and 2 record their own 说明.pdf; beside the form lies item 2's, unchanged:
    it is no new version of item 1's (item 1's was replaced by it, as only item 1's
    differed)."""
    assert run("export", "--units", str(FORMS)).exit_code == 0
    (work / FORMS / "说明.pdf").write_bytes(b"%PDF-1.4 one")
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "说明.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    (work / FORMS / "说明.pdf").write_bytes(b"%PDF-1.4 two")
    type_into(work / form("中宁县"), {2: {"填报值": 500, "佐证材料": "说明.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    assert run("export", "--units", str(FORMS), "--force").exit_code == 0
    type_into(work / form("中宁县"), {3: {"填报值": 250}})  # 说明.pdf beside: item 2's
    done = run("import", str(form("中宁县")))
    assert done.exit_code == 0, done.output
    assert "换为新版本" not in done.stdout
    store = work / "单位" / "中宁县" / "佐证材料"
    assert (store / "1" / "说明.pdf").read_bytes() == b"%PDF-1.4 one"


def test_unit_forms_are_protected_with_dropdowns_like_section_forms(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    ws = openpyxl.load_workbook(work / form("海原县"))["测评指标"]
    assert ws.protection.sheet
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert any(dv.formula1 == '"是,否,不适用"' for dv in lists)  # 5 and 6 are yes/no


def test_rows_never_cross_between_city_and_unit_forms(work: Path, run: Any) -> None:
    assert run("export", "--units", str(FORMS)).exit_code == 0
    assert run("export", "--split", "科室表格").exit_code == 0
    section_form = work / "科室表格" / "2021测评填报_审批监管科.xlsx"
    city_ws = openpyxl.load_workbook(section_form)["测评指标"]
    city_key = city_ws.cell(4, 15).value
    unit_wb = openpyxl.load_workbook(work / form("沙坡头区"))
    unit_key = unit_wb["测评指标"].cell(4, 15).value
    unit_wb["测评指标"].cell(4, 15).value = city_key
    unit_wb.save(work / form("沙坡头区"))
    result = run("import", str(form("沙坡头区")))
    assert result.exit_code == 3
    assert "这一行来自市级的表格，不属于“沙坡头区”的填报表" in result.stderr
    city_wb = openpyxl.load_workbook(section_form)
    city_wb["测评指标"].cell(4, 15).value = unit_key
    city_wb.save(section_form)
    result = run("import", str(section_form))
    assert result.exit_code == 3
    assert "这一行来自单位“沙坡头区”的填报表，不能混入市级的表格" in result.stderr
    assert not (work / "answers.yaml").exists()


def test_a_value_that_follows_its_sources_is_shown_locked_and_never_typed_in(
    work: Path, run: Any
) -> None:
    """第4项 = q3 / q2 * 100 over two collected indicators: a unit reports 2 and 3 and 4
    follows (docs/units.md). Its form row shows the value it comes to, locked, unshaded and
    without a dropdown; a value typed over it is refused, located, and nothing is filed."""
    fill(work, "沙坡头区", {2: 200, 3: 150})
    assert run("export", "--units", str(FORMS)).exit_code == 0
    path = work / form("沙坡头区")
    ws = openpyxl.load_workbook(path)["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    at = {ws.cell(r, col["题号"]).value: r for r in range(header + 1, ws.max_row + 1)}
    shown, typed = ws.cell(at[4], col["填报值"]), ws.cell(at[3], col["填报值"])
    assert shown.value in (75, "75%") or str(shown.value).startswith("75")
    assert shown.protection.locked and not typed.protection.locked
    assert shown.fill.fgColor.rgb != typed.fill.fgColor.rgb  # not shaded as an input
    for name in ("不适用原因", "备注"):
        if name in col:
            assert ws.cell(at[4], col[name]).protection.locked
    validated = {str(dv.sqref) for dv in ws.data_validations.dataValidation}
    cell4, cell3 = shown.coordinate, typed.coordinate
    assert any(cell3 in v.split() for v in validated)
    assert not any(cell4 in v.split() for v in validated)

    before = unit_answers(work, "沙坡头区")
    type_into(path, {4: {"填报值": 10}, 1: {"填报值": 12}})
    result = run("import", str(path))
    assert result.exit_code == 3, result.output
    assert "第4项由第3项、第2项自动计算（q3 / q2 * 100），单位不需要填报" in result.stderr
    assert unit_answers(work, "沙坡头区") == before
    for typed in (0.8, "不适用", "80%"):  # whatever it is: the same refusal, not its parse's
        type_into(path, {4: {"填报值": typed}})
        result = run("import", str(path))
        assert result.exit_code == 3, result.output
        assert "第4项由第3项、第2项自动计算" in result.stderr, (typed, result.stderr)
        assert "是否为" not in result.stderr and "不适用原因" not in result.stderr
    type_into(path, {4: {"填报值": None}})  # emptied: nothing asked of it
    result = run("import", str(path))
    assert result.exit_code == 0, result.output
    assert unit_answers(work, "沙坡头区")[1] == 12 and 4 not in unit_answers(work, "沙坡头区")


# ---------------------------------------------------------------- the next year


def two_years(tmp_path: Path, **top: Any) -> tuple[Path, Path]:
    """Work folders 2021 and 2022 with the units' checklist of their year."""
    last, now = tmp_path / "2021", tmp_path / "2022"
    for year, folder in ((2021, last), (2022, now)):
        folder.mkdir()
        cl = units_checklist(**top) | {"year": year}
        (folder / "indicators.yaml").write_text(yaml.safe_dump(cl, allow_unicode=True), "utf-8")
    return last, now


def carry_from_2021(run: Any) -> Any:
    return run(
        "carry", "--from-checklist", "../2021/indicators.yaml",
        "--from-answers", "../2021/answers.yaml",
    )  # fmt: skip


def test_carry_gives_each_unit_its_own_last_year_in_its_form_and_import(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A county's form next year shows the county's own 上年值 (not the city's total, and
    never 上年未审核: a unit's value has no sign-off), and importing a county's value far
    from its own last year's says so, as answer does."""
    last, now = two_years(tmp_path, review=True)
    for unit, values in FULL.items():
        fill(last, unit, values)
    monkeypatch.chdir(last)
    assert run("rollup", "--apply", "1", "2", "3").exit_code == 0
    monkeypatch.chdir(now)
    done = carry_from_2021(run)
    assert done.exit_code == 0, done.output
    assert "各单位的上年值（沙坡头区、中宁县、海原县）已按同样的对应写入" in done.stdout
    assert run("export", "--units", "单位表格").exit_code == 0
    header, rows = rows_of(now / "单位表格" / "2022测评填报_单位_中宁县.xlsx")
    previous = {r[header.index("题号")]: r[header.index("上年值")] for r in rows}
    assert (previous[1], previous[2], previous[3]) == (80, 500, 250)
    assert previous[4] == 50  # its formula over the county's own 2 and 3
    letter = run("remind", "--units", "--to", "中宁县", "--today", "2022-09-01").stdout
    assert "  1. 本地区便民服务中心数量？（上年值：80 个）" in letter
    shown = run("show", "1").stdout  # the city's: the roll-up it approved
    assert "上年值：260 个（上年未审核）（2021年第1项" in shown
    type_into(now / "单位表格" / "2022测评填报_单位_中宁县.xlsx", {1: {"填报值": 8}})
    r = run("import", "单位表格/2022测评填报_单位_中宁县.xlsx", "--by", "中宁县李娜")
    assert r.exit_code == 0, r.output
    assert (
        "第1项数量比上年变化超过 50%：上年 80 个（2021年第1项） → 今年 8 个，请向中宁县核实"
        in r.stderr
    )


def test_a_broken_unit_answers_file_last_year_stops_carry_before_anything_is_written(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    last, now = two_years(tmp_path)
    fill(last, "沙坡头区", FULL["沙坡头区"])
    (last / "answers.yaml").write_text("", encoding="utf-8")
    broken = unit_answers_path(last / "answers.yaml", "中宁县")
    broken.parent.mkdir(parents=True)
    broken.write_text("answers: [unclosed\n", encoding="utf-8")
    monkeypatch.chdir(now)
    r = carry_from_2021(run)
    assert r.exit_code == 4, r.output
    assert "单位“中宁县”上年的答案文件有误" in r.stderr
    assert sorted(p.name for p in now.iterdir()) == ["indicators.yaml"]


def test_a_units_own_answers_file_is_seen_as_the_unit_fills_it(work: Path, run: Any) -> None:
    """`--answers 单位/中宁县/answers.yaml` (the way docs/units.md says to fill a unit's
    values by hand): the unit's deadline, and no leaders' sign-off — a county's value is
    not 待审核 under a city leader, and a leader cannot approve it."""
    data = units_checklist(review=True)
    (work / "indicators.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    fill(work, "中宁县", {1: 80})
    unit = ("--answers", "单位/中宁县/answers.yaml")
    shown = json.loads(run(*unit, "show", "1", "-f", "json").stdout)
    assert shown["due"] == "2021-09-10" and "review" not in shown["answer"], shown
    assert shown["answer"]["stage_label"] == "已填报"
    refused = run(*unit, "approve", "1", "--by", "万富春")
    assert refused.exit_code == 3
    assert "是单位“中宁县”的答案文件：单位报送的值不经领导审核" in refused.stderr
    assert run(*unit, "review").exit_code == 3
    city = run("approve", "1", "--by", "万富春")  # the city's own file: review is on
    assert "第1项还没有填报" in city.stderr


def test_carry_with_both_years_in_one_folder_leaves_the_units_out_and_says_so(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """year-over-year.md's one-folder layout: 单位/ beside both years' answers holds this
    year's unit answers, never last year's: the city's carry runs, the units are said."""
    monkeypatch.chdir(tmp_path)
    for year, name in ((2021, "上年清单.yaml"), (2022, "今年清单.yaml")):
        cl = units_checklist() | {"year": year}
        Path(name).write_text(yaml.safe_dump(cl, allow_unicode=True), "utf-8")
    old = ("--checklist", "上年清单.yaml", "--answers", "上年答案.yaml")
    assert run(*old, "answer", "1", "--value", "260").exit_code == 0
    now = ("--checklist", "今年清单.yaml", "--answers", "今年答案.yaml")
    Path("单位/沙坡头区").mkdir(parents=True)
    unit = ("--checklist", "今年清单.yaml", "--answers", "单位/沙坡头区/answers.yaml")
    assert run(*unit, "answer", "1", "--value", "120").exit_code == 0
    done = run(
        *now, "carry", "--from-checklist", "上年清单.yaml", "--from-answers", "上年答案.yaml"
    )
    assert done.exit_code == 0, done.output
    assert "上年和今年的答案文件在同一个文件夹里" in done.stderr
    assert Path("今年答案.previous.yaml").is_file()
    assert not Path("单位/沙坡头区/answers.previous.yaml").exists()


def carried_two_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Any
) -> tuple[Path, Path]:
    """2021 with every unit's answers (the city's file empty), 2022 carried from it, and
    the current folder 2022."""
    last, now = two_years(tmp_path)
    for unit, values in FULL.items():
        fill(last, unit, values)
    (last / "answers.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(now)
    assert carry_from_2021(run).exit_code == 0
    return last, now


def test_carry_writes_every_mapping_or_none_and_drops_a_units_stale_one(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    last, now = carried_two_years(tmp_path, monkeypatch, run)
    city = now / "answers.previous.yaml"
    before = {p: p.read_bytes() for p in [city, *now.glob("单位/*/answers.previous.yaml")]}
    assert len(before) == 4
    # a unit's folder that cannot be made: nothing is rewritten
    (now / "单位" / "海原县" / "answers.previous.yaml").unlink()
    (now / "单位" / "海原县").rmdir()
    (now / "单位" / "海原县").write_text("not a folder", encoding="utf-8")
    city.write_text(city.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    edited = city.read_bytes()
    blocked = run("carry")
    assert blocked.exit_code == 5 and "未写入任何上年对照" in blocked.stderr
    assert city.read_bytes() == edited
    (now / "单位" / "海原县").unlink()
    # last year's 海原县 answers gone: this year's 海原县 上年值 would be stale
    (last / "单位" / "海原县" / "answers.yaml").unlink()
    assert run("carry").exit_code == 0
    assert not (now / "单位" / "海原县" / "answers.previous.yaml").exists()
    kept = now / "单位" / "中宁县" / "answers.previous.yaml"
    assert kept.read_text(encoding="utf-8").startswith("# 单位“中宁县”自己的上年值")


def test_a_units_own_file_takes_the_units_commands_only(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--answers 单位/中宁县/answers.yaml`: status counted all 144 items and wrote letters
    to city leaders, carry rewrote the unit's mapping as a city's, an import of another
    unit's form went to 单位/中宁县/单位/…, and the city's own items could be typed in.
    The city's commands are refused there, naming where to run them; the unit's work
    (answer, show, history, undo) goes on; the path may be written from inside the folder."""
    last, now = two_years(tmp_path, review=True)
    for unit, values in FULL.items():
        fill(last, unit, values)
    (last / "answers.yaml").write_text("", encoding="utf-8")
    monkeypatch.chdir(now)
    assert carry_from_2021(run).exit_code == 0
    mapping = now / "单位" / "中宁县" / "answers.previous.yaml"
    before = mapping.read_bytes()
    unit = ("--answers", "单位/中宁县/answers.yaml")
    for args in (("status",), ("overdue",), ("carry",), ("export", "u.xlsx"), ("rollup",)):
        done = run(*unit, *args)
        assert done.exit_code == 3, (args, done.output)
        assert f"是单位“中宁县”的答案文件，evalcheck {args[0]} 是市级的命令" in done.stderr
    assert mapping.read_bytes() == before and not (now / "u.xlsx").exists()
    assert run(*unit, "answer", "1", "--value", "70", "--by", "李娜").exit_code == 0
    city_item = run(*unit, "answer", "10", "--value", "3", "--by", "李娜")
    assert city_item.exit_code == 3 and "第10项由市级填报，不由各单位填报" in city_item.stderr
    monkeypatch.chdir(now / "单位" / "中宁县")
    inside = run("--checklist", "../../indicators.yaml", "status")
    assert inside.exit_code == 3, inside.output


def test_carry_refuses_a_read_only_unit_mapping_before_writing_and_keeps_another_years(
    tmp_path: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read-only 单位/市本级/answers.previous.yaml: refused before the city's and the
    other units' files are rewritten (they were, then). A last-year unit file that belongs
    to another year is said, and the unit's earlier mapping stays."""
    import os
    import shutil
    import stat

    last, now = carried_two_years(tmp_path, monkeypatch, run)
    city = now / "answers.previous.yaml"
    city.write_text(city.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    files = [city, *sorted(now.glob("单位/*/answers.previous.yaml"))]
    before = {p: p.read_bytes() for p in files}
    locked = now / "单位" / "海原县" / "answers.previous.yaml"
    os.chmod(locked, stat.S_IREAD)
    try:
        refused = run("carry")
        assert refused.exit_code == 5 and "未写入任何上年对照" in refused.stderr
        assert {p: p.read_bytes() for p in files} == before
    finally:
        os.chmod(locked, stat.S_IREAD | stat.S_IWRITE)
    fill(now, "中宁县", {1: 70})  # this year's file, copied over last year's by mistake
    shutil.copy(
        unit_answers_path(now / "answers.yaml", "中宁县"), last / "单位" / "中宁县" / "answers.yaml"
    )
    kept = now / "单位" / "中宁县" / "answers.previous.yaml"
    mapping = kept.read_bytes()
    again = run("carry")
    assert again.exit_code == 0, again.output
    assert "不属于上年的清单" in again.stderr and "原有的上年对照保持不变" in again.stderr
    assert kept.read_bytes() == mapping


def test_a_file_beside_a_form_older_than_its_recorded_update_is_not_taken(
    work: Path, run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form went out on 09-01 with 台账.pdf; on 09-05 the city recorded a newer
    台账.pdf; the county sends the form back with the file it had. Which one is right the
    form cannot say: nothing is replaced (it was, silently), and the note says how to take
    the county's file."""
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-09-01")
    (work / FORMS).mkdir()
    (work / FORMS / "台账.pdf").write_bytes(b"%PDF-1.4 v1")
    assert run("export", "--units", str(FORMS)).exit_code == 0
    type_into(work / form("中宁县"), {1: {"填报值": 80, "佐证材料": "台账.pdf"}})
    assert run("import", str(form("中宁县"))).exit_code == 0
    monkeypatch.setenv("EVALCHECK_TODAY", "2021-09-05")
    (work / "新台账.pdf").write_bytes(b"%PDF-1.4 v2 by the city")
    unit = ("--answers", "单位/中宁县/answers.yaml")
    stored = work / "单位" / "中宁县" / "佐证材料" / "1" / "台账.pdf"
    assert run(*unit, "evidence", "rm", "1", "台账.pdf").exit_code == 0
    (work / "台账.pdf").write_bytes(b"%PDF-1.4 v2 by the city")
    assert run(*unit, "evidence", "add", "1", "台账.pdf").exit_code == 0
    type_into(work / form("中宁县"), {2: {"填报值": 500}})
    done = run("import", str(form("中宁县")))
    assert done.exit_code == 0, done.output
    assert "在表格导出（2021-09-01）之后已更新（2021-09-05）" in done.stderr
    assert stored.read_bytes() == b"%PDF-1.4 v2 by the city"
