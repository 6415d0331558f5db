"""Excel export, per-section forms and import, checked with an independent reader."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.infra import fileio
from evalcheck.io import workbook_guard, xlsx_format
from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.views.columns import export_columns

from .readback import CalamineWorkbook
from .test_checklist import seed_rows

# the bundled checklist has review on: the sign-off columns follow the bureau's ones
COLS = [
    *(c.header for c in export_columns([], load_checklist(bundled_checklist_path()))),
    *xlsx_format.HIDDEN,
]


def col(header: str) -> int:
    """The 1-based column of a header in the exported table and forms."""
    return COLS.index(header) + 1


def sheet_rows(path: Path, sheet: str = "测评指标") -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def data_rows(path: Path) -> dict[int, dict[str, object]]:
    rows = sheet_rows(path)
    assert rows[xlsx_format.HEADER_ROW - 1] == COLS
    out: dict[int, dict[str, object]] = {}
    for r in rows[xlsx_format.HEADER_ROW :]:
        if r[1] == "":
            continue  # the 备注 paragraph under the table
        ident = int(r[1])
        assert ident not in out, f"indicator {ident} twice"
        out[ident] = dict(zip(COLS, r, strict=True))
    return out


def test_the_export_counts_not_applicable_apart_as_status_does(run) -> None:
    run("answer", "47", "--value", "312", "--by", "王芳")
    run("answer", "56", "--na", "本地无此业务", "--by", "王芳")
    result = run("export", "report.xlsx")
    assert "144 项指标，其中已填报 1 项、不适用 1 项（另含" in result.stdout


def test_export_in_an_empty_folder_with_no_answers(run, tmp_path: Path) -> None:
    result = run("export", "report.xlsx")
    assert result.exit_code == 0, result.output
    assert "已导出 report.xlsx：144 项指标，其中已填报 0 项" in result.stdout
    rows = sheet_rows(tmp_path / "report.xlsx")
    assert rows[0][0] == "附件 1"
    assert rows[1][0] == "中卫市审批服务管理局营商环境测评指标责任清单（2021年）"
    got = data_rows(tmp_path / "report.xlsx")
    seed = seed_rows()
    assert sorted(got) == list(range(1, 145))
    for ident, row in seed.items():
        assert got[ident]["三级指标"] == row["text"]
        assert got[ident]["责任领导"] == row["owner"]
        assert got[ident]["责任科室"] == (row["section"] or "未指定科室")
        assert got[ident]["完成时限"] == dt.date(2021, 9, 15)
        assert got[ident]["填报值"] == ""


def test_values_are_typed_cell_by_cell(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312", "--by", "张三", "--note", "含分项")
    run("answer", "3", "--value", "87.5")
    run("answer", "16", "--value", "否")
    run("answer", "48", "--value", "是")
    run("answer", "142", "--value", "1、2")
    run("answer", "109", "--value", "=1+1")
    run("answer", "110", "--na", "本地无此业务")
    run("answer", "17", "--value", "-按主题, @按部门")
    run("answer", "119", "--value", "200")
    run("answer", "120", "--value", "50")
    for owner in ("万富春", "高秀英"):  # final values are typed; others are marked (lifecycle)
        assert run("approve", "--owner", owner, "--all", "--by", owner).exit_code == 0
    run("export", "report.xlsx", "--today", "2021-09-20")
    got = data_rows(tmp_path / "report.xlsx")
    assert got[47]["填报值"] == 312 and isinstance(got[47]["填报值"], float)
    assert (got[47]["单位"], got[47]["备注"], got[47]["填报人"], got[47]["状态"]) == (
        "个",
        "含分项",
        "张三",
        "已填报",
    )
    assert isinstance(got[47]["填报时间"], dt.datetime)
    assert got[3]["填报值"] == 87.5 and got[3]["单位"] == "%"
    assert got[16]["填报值"] == "否" and got[48]["填报值"] == "是"
    assert (
        got[142]["填报值"]
        == "重点监管事件跟踪预警响应处置的全链条、记录和分析各监管部门监管质量和效能评估"
    )
    assert got[109]["填报值"] == "=1+1"
    assert got[17]["填报值"] == "-按主题、@按部门"
    assert got[110]["填报值"] == "" and got[110]["不适用原因"] == "本地无此业务"
    assert got[110]["状态"] == "不适用"
    assert got[121]["填报值"] == 25 and got[121]["状态"] == "自动计算"
    assert got[1]["状态"] == "逾期5天"
    # the text really is text, not a formula, in the file itself
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    cell = next(c for c in ws["G"] if c.value == "=1+1")
    assert cell.data_type == "s"


def test_layout_of_the_official_table(run, tmp_path: Path) -> None:
    run("export", "report.xlsx", "--today", "2021-09-20")
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    ws = wb["测评指标"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    # the bureau's 14 columns, then 审核状态 审核人 审核时间 审核意见 (the checklist has review on)
    assert {"A2:R2", "A148:R148"} <= merged  # the title and the 备注 paragraph
    assert [ws.cell(3, n).value for n in range(15, 19)] == [
        "审核状态",
        "审核人",
        "审核时间",
        "审核意见",
    ]
    assert ws.freeze_panes == "C4"
    assert ws.auto_filter.ref == "A3:R147"
    assert ws.print_title_rows == "$3:$3"  # the header row repeats; label and title do not
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert 50 <= int(ws.page_setup.scale) <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["S"].hidden and ws.column_dimensions["T"].hidden  # key, original
    assert ws.column_dimensions["C"].width >= 40  # the indicator text wraps in a wide column
    assert ws["C4"].alignment.wrap_text
    status = next(c.column_letter for c in ws[3] if c.value == "状态")
    assert ws[f"{status}4"].fill.fgColor.rgb.endswith("FCE4E4")  # overdue: in the 状态 cell
    assert ws["A4"].fill.fill_type is None  # the rest of the row keeps its colour
    assert wb["_evalcheck"].sheet_state == "veryHidden"


def test_summary_sheet_per_section_and_leader(run, tmp_path: Path) -> None:
    run("answer", "43", "--value", "是")
    run("approve", "43", "--by", "高秀英")  # done = approved (review is on)
    run("export", "report.xlsx", "--today", "2021-09-16")
    rows = sheet_rows(tmp_path / "report.xlsx", "填报进度")
    by_name = {r[0]: r for r in rows if r and isinstance(r[1], float)}
    assert by_name["审批监管科"][1:8] == [38, 1, 0, 0, 37, 37, 37]  # …, 未填报, 未完成
    assert by_name["审批监管科"][9:12] == [0, 1, 0]  # 待审核 已审核 已退回
    assert by_name["高秀英"][1] == 15 and by_name["万富春"][1] == 129
    assert by_name["合计"][1] == 144
    assert abs(by_name["审批监管科"][8] - 1 / 38) < 1e-9
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["填报进度"]
    assert len(ws._charts) == 1


def test_section_restricts_the_export(run, tmp_path: Path) -> None:
    run("export", "jg.xlsx", "-s", "审批监管科", "-s", "办公室")
    got = data_rows(tmp_path / "jg.xlsx")
    assert len(got) == 48 and {r["责任科室"] for r in got.values()} == {"审批监管科", "办公室"}


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["export", "report.csv"], 3, "导出文件名应以 .xlsx（Excel）或 .docx（Word）结尾"),
        (["export"], 2, "四选一"),
        (["export", "a.xlsx", "--split", "d"], 2, "四选一"),
        (["export", "no/such/dir/a.xlsx"], 3, "不存在"),
        (["export", "a.xlsx", "-s", "审批监管"], 3, "审批监管科"),
    ],
)
def test_export_refusals(run, tmp_path: Path, args, code, fragment) -> None:
    result = run(*args)
    assert result.exit_code == code
    assert fragment in result.stderr
    assert list(tmp_path.glob("*.xlsx")) == []


def test_a_failed_export_leaves_no_half_file(run, tmp_path: Path, monkeypatch) -> None:
    run("export", "report.xlsx")
    before = (tmp_path / "report.xlsx").read_bytes()
    run("answer", "47", "--value", "312")

    def locked(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")  # e.g. open in Excel on Windows

    monkeypatch.setattr(fileio.os, "replace", locked)
    result = run("export", "report.xlsx")
    assert result.exit_code == 5
    assert "无法写入 report.xlsx" in result.stderr and "Excel" in result.stderr
    assert (tmp_path / "report.xlsx").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


# ---------------------------------------------------------------- forms


def split(run, folder: str = "forms", *extra: str):
    result = run("export", "--split", folder, *extra)
    assert result.exit_code == 0, result.output
    return result


def form_path(tmp_path: Path, section: str) -> Path:
    return tmp_path / "forms" / f"2021测评填报_{section}.xlsx"


def test_split_writes_one_form_per_section(run, tmp_path: Path) -> None:
    result = split(run)
    names = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert names == sorted(
        f"2021测评填报_{s}.xlsx"
        for s in ["政务服务中心", "办公室", "审批服务科", "审批监管科", "未指定科室"]
    )
    assert "共 5 份科室填报表" in result.stdout
    jg = data_rows(form_path(tmp_path, "审批监管科"))
    assert sorted(jg) == sorted(i for i, r in seed_rows().items() if r["section"] == "审批监管科")
    assert sorted(data_rows(form_path(tmp_path, "未指定科室"))) == [82]


def test_form_protection_dropdowns_and_prompts(run, tmp_path: Path) -> None:
    split(run)
    ws = openpyxl.load_workbook(form_path(tmp_path, "审批监管科"))["测评指标"]
    assert ws.protection.sheet and not ws.protection.password
    row = {ws.cell(r, 2).value: r for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1)}
    r43 = row[43]
    assert ws.cell(r43, 7).protection.locked is False  # 填报值
    assert ws.cell(r43, col("不适用原因")).protection.locked is False
    assert ws.cell(r43, col("备注")).protection.locked is False
    assert ws.cell(r43, col("佐证材料")).protection.locked is False
    assert ws.cell(r43, 3).protection.locked is True  # the indicator text
    assert ws.cell(r43, col("校验键")).protection.locked is True
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert dvs[f"G{r43}"].type == "list" and dvs[f"G{r43}"].formula1 == '"是,否,不适用"'
    assert (
        dvs[f"G{r43}"].error == "请从下拉列表中选择；不适用时选“不适用”，并在“不适用原因”列写明原因"
    )
    assert "是否" in dvs[f"G{r43}"].prompt
    r134 = row[134]
    assert "数量，单位：人。例如：312 或 312人" in dvs[f"G{r134}"].prompt
    r142 = row[142]
    assert "4.以上均未实现" in dvs[f"G{r142}"].prompt


def test_not_applicable_is_in_the_dropdowns_and_imports(run, tmp_path: Path) -> None:
    """不适用 may be written in 填报值 (its reason in 不适用原因): the dropdowns of yes/no and
    single-choice cells offer it, so Excel and LibreOffice do not warn against it."""
    text = bundled_checklist_path().read_text(encoding="utf-8")
    old = "是以下哪种？\n  owner: 万富春\n  section: 审批监管科\n  due: 2021-09-15\n  role: support\n  kind: choice\n"
    assert text.count(old) == 2  # 138 and 141: the first gets options
    Path("清单.yaml").write_text(
        text.replace(old, old + "  options: [甲方式, 乙方式]\n", 1), "utf-8"
    )
    checklist = ("--checklist", "清单.yaml")
    assert run(*checklist, "export", "--split", "forms").exit_code == 0
    path = form_path(tmp_path, "审批监管科")
    ws = openpyxl.load_workbook(path)["测评指标"]
    row = {ws.cell(r, 2).value: r for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1)}
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert dvs[f"G{row[43]}"].formula1 == '"是,否,不适用"'
    assert dvs[f"G{row[138]}"].formula1 == '"甲方式,乙方式,不适用"'
    fill(path, {43: "不适用", 138: "不适用"})
    refused = run(*checklist, "import", str(path))
    assert refused.exit_code == 3
    assert "（第43项）：填报值写了“不适用”，但“不适用原因”列是空的" in refused.stderr
    fill(path, {43: "本年度无此业务", 138: "未建目录系统"}, column=col("不适用原因"))
    result = run(*checklist, "import", str(path))
    assert result.exit_code == 0, result.output
    assert "第43项：（无） → 不适用（本年度无此业务）" in result.stdout
    assert "第138项：（无） → 不适用（未建目录系统）" in result.stdout


def test_not_applicable_picked_on_a_row_already_not_applicable_keeps_its_reason(
    run, tmp_path: Path
) -> None:
    """The form shows the reason in 不适用原因; picking 不适用 in 填报值 beside it is the
    same answer, not "the reason column is empty"; with the reason changed too, the new
    reason is taken."""
    assert run("answer", "43", "--na", "本市未建").exit_code == 0
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {43: "不适用"})
    same = run("import", str(path))
    assert same.exit_code == 0, same.output
    assert "没有需要修改的内容" in same.stdout
    fill(path, {43: "本年度无此业务"}, column=col("不适用原因"))
    changed = run("import", str(path))
    assert changed.exit_code == 0, changed.output
    assert "第43项：不适用（本市未建） → 不适用（本年度无此业务）" in changed.stdout
    split(run, "forms", "--force")  # the reason emptied, 填报值 left empty: said, not dropped
    fill(path, {43: None}, column=col("不适用原因"))
    before = Path("answers.yaml").read_bytes()
    cleared = run("import", str(path))
    assert cleared.exit_code == 3
    assert "（第43项）：“不适用原因”被清空了，填报值也是空的" in cleared.stderr
    assert Path("answers.yaml").read_bytes() == before


def test_existing_forms_are_not_overwritten_without_force(run, tmp_path: Path) -> None:
    split(run)
    target = form_path(tmp_path, "办公室")
    target.write_bytes(b"work in progress")
    result = run("export", "--split", "forms")
    assert result.exit_code == 3
    assert "已存在" in result.stderr and "--force" in result.stderr
    assert target.read_bytes() == b"work in progress"
    split(run, "forms", "--force")
    assert target.read_bytes() != b"work in progress"


def fill(path: Path, values: dict[int, object], column: int = 7) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1):
        ident = ws.cell(r, 2).value
        if ident in values:
            ws.cell(r, column).value = values[ident]
    wb.save(path)


def answers_json(run) -> dict[int, object]:
    import json

    data = json.loads(run("list", "--format", "json").stdout)
    return {
        i["id"]: (i["answer"]["value"], i["answer"]["na"])
        for i in data
        if i["answer"]["status"] not in ("open", "computed")
    }


def test_round_trip_split_fill_import(run, tmp_path: Path) -> None:
    split(run)
    filled = {43: "是", 84: "否", 88: 97.5, 127: 12, 128: "80%", 131: 1000, 132: 990, 138: "接口对接",
              139: "1、2", 142: "1,3", 144: "不适用：尚未开展"}  # fmt: skip
    filled[139] = "部门上报、系统抓取"
    path = form_path(tmp_path, "审批监管科")
    fill(path, filled)
    dry = run("import", str(path), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "  第127项：（无） → 12 个" in dry.stdout
    assert "共 11 项将被修改（--dry-run：未写入）" in dry.stdout
    assert not (tmp_path / "answers.yaml").exists()
    result = run("import", str(path), "--by", "审批监管科小王")
    assert result.exit_code == 0, result.output
    assert "已导入 11 项修改（填报人：审批监管科小王）。" in result.stdout
    assert answers_json(run) == {
        43: (True, None), 84: (False, None), 88: (97.5, None), 127: (12, None), 128: (80, None),
        131: (1000, None), 132: (990, None), 138: ("接口对接", None),
        139: (["部门上报", "系统抓取"], None),
        142: (["重点监管事件跟踪预警响应处置的全链条", "其他（请备注内容）"], None),
        144: (None, "尚未开展"),
    }  # fmt: skip
    assert "审批监管科小王" in run("history", "127").stdout
    again = run("import", str(path))
    assert "没有需要修改的内容" in again.stdout
    undone = run("undo").stdout
    assert undone.count("已撤销") == 11
    assert answers_json(run) == {}


def test_one_bad_cell_imports_nothing(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {43: "是", 127: "十二", 128: 150})
    result = run("import", str(path))
    assert result.exit_code == 3
    assert "有 2 个单元格不合格，未导入任何内容" in result.stderr
    assert re.search(
        r"工作表“测评指标”第\d+行（第127项）：第127项（数量）不接受“十二”", result.stderr
    )
    assert re.search(r"工作表“测评指标”第\d+行（第128项）：.*应在 0 到 100 之间", result.stderr)
    assert not (tmp_path / "answers.yaml").exists()


def test_empty_cells_keep_existing_answers(run, tmp_path: Path) -> None:
    run("answer", "43", "--value", "否")
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {43: None, 84: "是"})
    assert run("import", str(path)).exit_code == 0
    assert answers_json(run) == {43: (False, None), 84: (True, None)}


def test_note_and_evidence_columns_are_imported(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {43: "是"})
    fill(path, {43: "见考核办法"}, column=col("备注"))
    fill(path, {43: "a.pdf\nhttps://x.cn/b"}, column=col("佐证材料"))
    (path.parent / "a.pdf").write_bytes(b"%PDF-1.4")
    assert run("import", str(path)).exit_code == 0
    import json

    a = json.loads(run("show", "43", "--format", "json").stdout)["answer"]
    assert a["note"] == "见考核办法"
    assert [(e["kind"], e["name"]) for e in a["evidence"]] == [
        ("file", "a.pdf"),
        ("link", "https://x.cn/b"),
    ]


def test_a_note_without_an_answer_is_refused_not_hidden(run, tmp_path: Path) -> None:
    """As `answer --note` alone is refused: a form row with only 备注, for an indicator not
    answered yet, would be stored where nothing shows it. A note added to an answer, or
    evidence before the answer, still imports."""
    run("answer", "43", "--value", "否")
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {84: "待核实"}, column=col("备注"))
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("import", str(path))
    assert result.exit_code == 3
    assert re.search(r"第\d+行（第84项）：第84项只填了备注，没有填报值或不适用原因", result.stderr)
    assert (tmp_path / "answers.yaml").read_bytes() == before
    fill(path, {84: None}, column=col("备注"))
    fill(path, {43: "见考核办法"}, column=col("备注"))
    assert run("import", str(path)).exit_code == 0
    assert "见考核办法" in run("show", "43").stdout


def test_tampered_and_unknown_keys_are_refused(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    ws.cell(4, col("校验键")).value = "84:0000000000"  # claims another indicator
    ws.cell(5, col("校验键")).value = None  # deleted key
    ws.cell(6, 2).value = 999  # edited id
    wb.save(path)
    result = run("import", str(path))
    assert result.exit_code == 3
    assert "工作表“测评指标”第4行：校验键与第84项不符" in result.stderr
    assert "工作表“测评指标”第5行：隐藏的校验键缺失或无效" in result.stderr
    assert "工作表“测评指标”第6行：题号“999”与校验键" in result.stderr


def saved_as_computed(path: Path, cell: str, computed: str, *, plain: bool = False) -> Path:
    """A copy of the form as Excel saves it: the formula cell matching `cell` (a pattern
    over the sheet's XML) written as `computed`, with its result, in place of the empty
    value openpyxl leaves (<v /> with ElementTree, <v></v> with lxml)."""
    patched, found = path.with_name("patched.xlsx"), False
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                empty = "" if plain else r"(?:<v ?/>|<v></v>)"  # plain: any cell's XML
                text = re.sub(cell + empty, computed, data.decode("utf-8"))
                found = found or text != data.decode("utf-8")
                data = text.encode("utf-8")
            dst.writestr(item, data)
    assert found, cell
    return patched


def test_formula_cells_use_cached_value_or_are_refused(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {127: "=6*2"})
    result = run("import", str(path))
    assert result.exit_code == 3 and "填报值是公式且没有计算结果" in result.stderr
    # as Excel saves it: the formula with its cached result
    patched = saved_as_computed(path, r"<c ([^>]*)><f>(6\*2)</f>", r"<c \1><f>\2</f><v>12</v>")
    result = run("import", str(patched))
    assert result.exit_code == 0, result.output
    assert answers_json(run)[127] == (12, None)


def test_a_formula_in_a_note_is_its_result_not_its_text(run, tmp_path: Path) -> None:
    """备注 (or 不适用原因, 佐证材料) holding a formula: its saved result is the note; one
    saved without a result is refused by name, as 填报值 is."""
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {127: 12})
    fill(path, {127: '=CONCATENATE("含","乡镇")'}, column=col("备注"))
    result = run("import", str(path))
    assert result.exit_code == 3 and "（第127项）：备注是公式且没有计算结果" in result.stderr
    patched = saved_as_computed(  # a text result: t="str"
        path, r"<c ([^>]*)><f>(CONCATENATE\(.*?\))</f>", r'<c \1 t="str"><f>\2</f><v>含乡镇</v>'
    )
    result = run("import", str(patched))
    assert result.exit_code == 0, result.output
    assert "含乡镇" in run("show", "127").stdout and "CONCATENATE" not in run("show", "127").stdout


@pytest.mark.parametrize(
    ("computed", "outcome"),
    [
        # an empty text result, as LibreOffice and Excel save it: an empty 备注
        (r'<c \1 t="str"><f>\2</f><v></v>', None),
        (r'<c \1 t="e"><f>\2</f><v>#DIV/0!</v>', "（第127项）：备注“#DIV/0!”是公式算出的错误值"),
    ],
)
def test_a_formula_s_empty_or_failed_result(run, tmp_path: Path, computed, outcome) -> None:
    split(run)
    path = form_path(tmp_path, "审批监管科")
    fill(path, {127: 12})
    fill(path, {127: '=IF(1>0,"","x")'}, column=col("备注"))
    patched = saved_as_computed(path, r"<c ([^>]*)><f>(IF\(.*?\))</f>", computed)
    result = run("import", str(patched))
    if outcome is None:
        assert result.exit_code == 0, result.output
        assert answers_json(run)[127] == (12, None)
    else:
        assert result.exit_code == 3 and outcome in result.stderr, result.output


def test_full_export_can_be_filled_and_imported(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    run("export", "report.xlsx")
    fill(tmp_path / "report.xlsx", {47: 320, 1: "1,234"})
    result = run("import", "report.xlsx")
    assert result.exit_code == 0, result.output
    assert "第47项：312 个 → 320 个" in result.stdout
    assert answers_json(run)[1] == (1234, None)


def test_the_import_preview_says_which_old_values_had_a_verdict(run, tmp_path: Path) -> None:
    """An approved or returned value replaced by a form's cell says so: the import takes
    the verdict away (the new value waits for review)."""
    run("answer", "47", "--value", "312", "--by", "王芳")
    run("answer", "30", "--value", "12", "--by", "王芳")
    run("answer", "16", "--value", "是", "--by", "王芳")
    assert run("approve", "47", "--by", "万富春").exit_code == 0
    assert run("return", "30", "--by", "万富春", "--reason", "请核实").exit_code == 0
    run("export", "--split", "forms")
    fill(tmp_path / "forms" / "2021测评填报_政务服务中心.xlsx", {47: 320})
    fill(tmp_path / "forms" / "2021测评填报_办公室.xlsx", {30: 14, 16: "否"})
    lines = run("import", "forms/2021测评填报_政务服务中心.xlsx", "--by", "王芳").stdout
    assert "  第47项：312 个（已审核） → 320 个" in lines.splitlines()
    lines = run("import", "forms/2021测评填报_办公室.xlsx", "--by", "王芳").stdout.splitlines()
    assert "  第30项：12 个（已退回） → 14 个" in lines
    assert "  第16项：是 → 否" in lines  # pending: it waits for review as before


def office_form_at_16(run, tmp_path: Path) -> tuple[Path, Any, Any]:
    """The 办公室 form of a fresh `export --split`, its workbook, and cell(header) of 第16项."""
    run("export", "--split", "forms")
    form = tmp_path / "forms" / "2021测评填报_办公室.xlsx"
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 16)
    return form, wb, lambda name: ws.cell(row, col[name])


def test_a_date_typed_into_a_text_cell_reads_as_the_date(run, tmp_path: Path) -> None:
    """Excel keeps '9月18日' typed into 备注 as a date: it is imported as '2021-09-18', not
    Python's '2021-09-18 00:00:00'; a date in 填报值 is named the same way."""
    import datetime as dt

    form, wb, cell = office_form_at_16(run, tmp_path)
    cell("填报值").value = "是"
    cell("备注").value = dt.datetime(2021, 9, 18)
    wb.save(form)
    done = run("import", str(form), "--by", "王芳")
    assert done.exit_code == 0, done.output
    assert "备注：2021-09-18\n" in run("show", "16").stdout
    cell("填报值").value = dt.datetime(2021, 9, 1)
    wb.save(form)
    refused = run("import", str(form), "--by", "王芳")
    assert refused.exit_code == 3 and "填报值是日期（2021-09-01）" in refused.stderr


def test_an_imported_formula_does_not_block_the_next_export(run, tmp_path: Path) -> None:
    """备注 typed as a formula, saved with its result, imported: the total table holds
    nothing new, so exporting over it needs no --force (the formula's text was compared)."""
    run("answer", "47", "--value", "312")
    run("export", "report.xlsx")
    fill(tmp_path / "report.xlsx", {47: '="ledger"&"-2021"'}, column=col("备注"))
    patched = saved_as_computed(
        tmp_path / "report.xlsx",
        r"<c ([^>]*)><f>(&quot;ledger.*?|\"ledger.*?)</f>",
        r'<c \1 t="str"><f>\2</f><v>ledger-2021</v>',
    )
    patched.replace(tmp_path / "report.xlsx")
    assert run("import", "report.xlsx").exit_code == 0
    assert "备注：ledger-2021" in run("show", "47").stdout
    again = run("export", "report.xlsx")
    assert again.exit_code == 0, again.output


def test_an_impossible_题号_in_an_old_table_is_no_crash(run, tmp_path: Path) -> None:
    """Exporting over a total table whose 题号 cell says 1e999 (a float too large for an
    integer): no traceback (it was an OverflowError)."""
    run("export", "report.xlsx")
    path = tmp_path / "report.xlsx"
    patched = saved_as_computed(path, r'(<c r="B5"[^>]*>)<v>2</v>', r"\1<v>1e999</v>", plain=True)
    patched.replace(path)
    result = run("export", "report.xlsx")  # nothing typed in it: replaced
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output


@pytest.mark.parametrize(
    ("fmt", "said"),
    [(9, "由更新版本的 evalcheck 导出（format: 9）"), ("x", "format 应为整数")],
)
def test_a_form_of_a_later_metadata_format_is_refused(run, tmp_path: Path, fmt, said) -> None:
    """As a newer answers file is: a later evalcheck's workbook may mean other things."""
    split(run)
    path = form_path(tmp_path, "办公室")
    wb = openpyxl.load_workbook(path)
    assert wb["_evalcheck"]["A1"].value == "format"
    wb["_evalcheck"]["B1"].value = fmt
    wb.save(path)
    before = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else None
    )
    result = run("import", str(path))
    assert result.exit_code == 4 and said in result.stderr, result.stderr
    after = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else None
    )
    assert after == before


def test_a_form_whose_year_is_text_is_the_same_year(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "办公室")
    wb = openpyxl.load_workbook(path)
    assert wb["_evalcheck"]["A4"].value == "year"
    wb["_evalcheck"]["B4"].value = "2021"
    wb.save(path)
    result = run("import", str(path))
    assert "与当前清单" not in result.stderr, result.stderr


def test_workbook_from_another_checklist_or_not_ours(run, tmp_path: Path) -> None:
    split(run)
    path = form_path(tmp_path, "办公室")
    wb = openpyxl.load_workbook(path)
    wb["_evalcheck"]["B4"].value = 2022
    wb.save(path)
    result = run("import", str(path))
    assert result.exit_code == 4 and "与当前清单" in result.stderr
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    result = run("import", str(plain))
    assert result.exit_code == 4 and "不是 evalcheck 导出的表格" in result.stderr


def test_damaged_or_oversized_files(run, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "fake.xlsx").write_text("not a zip", encoding="utf-8")
    result = run("import", "fake.xlsx")
    assert result.exit_code == 4 and "不是 .xlsx 工作簿" in result.stderr
    assert run("import", "missing.xlsx").exit_code == 3
    split(run)
    shutil.copy(form_path(tmp_path, "办公室"), tmp_path / "big.xlsx")
    monkeypatch.setattr(workbook_guard, "MAX_UNPACKED_BYTES", 1000)
    result = run("import", "big.xlsx")
    assert result.exit_code == 4 and "解压后过大" in result.stderr


def test_xml_is_read_through_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_computed_rows_are_skipped_unless_overwritten(run, tmp_path: Path) -> None:
    run("answer", "119", "--value", "200")
    run("answer", "120", "--value", "50")
    run("export", "report.xlsx")
    assert data_rows(tmp_path / "report.xlsx")[121]["状态"] == "自动计算"
    result = run("import", "report.xlsx")
    assert "没有需要修改的内容" in result.stdout  # 25% is the formula's value, not an answer
    fill(tmp_path / "report.xlsx", {121: 30})  # a person overwrote it
    result = run("import", "report.xlsx")
    assert "第121项：（无） → 30%" in result.stdout
    assert answers_json(run)[121] == (30, None)


@given(st.dictionaries(st.text(max_size=8), st.none() | st.text(max_size=30), max_size=6))
@settings(max_examples=300, deadline=None)
def test_the_hidden_original_is_plain_json(data: dict[str, str | None]) -> None:
    """原值 is written without importing json; it is exactly what json.dumps writes
    (control characters, quotes, backslashes, surrogates and all)."""
    import json

    text = xlsx_format.json_texts(data)
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True)
    assert json.loads(text) == data


def test_not_applicable_in_a_form_without_its_reason_says_where_the_reason_goes(
    run, tmp_path: Path
) -> None:
    form, wb, cell = office_form_at_16(run, tmp_path)
    cell("填报值").value = "不适用"
    wb.save(form)
    refused = run("import", str(form), "--by", "王芳")
    assert refused.exit_code == 3
    assert "“不适用原因”列是空的：请在“不适用原因”列写明原因" in refused.stderr
    assert "应为 是 或 否" not in refused.stderr
    # as show and Word write a 不适用 answer: read back as that answer
    cell("填报值").value = "不适用（本单位无此业务）"
    wb.save(form)
    done = run("import", str(form), "--by", "王芳")
    assert done.exit_code == 0, done.output
    assert "填报值：不适用（本单位无此业务）" in run("show", "16").stdout


def test_an_ods_to_import_is_named_with_what_to_do(run, tmp_path: Path) -> None:
    """An OpenDocument spreadsheet is a zip too: said as what it is, not as a damaged .xlsx."""
    import zipfile

    run("answer", "47", "--value", "312")
    before = Path("answers.yaml").read_bytes()
    with zipfile.ZipFile(tmp_path / "表.ods", "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    done = run("import", "表.ods")
    assert done.exit_code == 4
    assert "是 OpenDocument 表格（.ods）" in done.stderr and "另存为" in done.stderr
    assert Path("answers.yaml").read_bytes() == before
