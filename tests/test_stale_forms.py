"""Stale forms (issue 12, class 5): a form exported before a later change never silently
reverts it; a cell changed on both sides is a conflict, listed with both values and only
applied with --overwrite-conflicts; one indicator filled differently twice is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

FORM = Path("forms") / "2021测评填报_办公室.xlsx"  # holds indicators 16, 30, 33, 34


def fill(path: Path, cells: dict[int, dict[str, object]], sheet: str = "测评指标") -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    for r in range(3, ws.max_row + 1):
        ident = ws.cell(r, col["题号"]).value
        for header, value in cells.get(ident, {}).items():  # type: ignore[call-overload]
            ws.cell(r, col[header]).value = value
    wb.save(path)


def answer(run, ident: int) -> dict[str, object]:
    return json.loads(run("show", str(ident), "--format", "json").stdout)["answer"]


def export(run) -> None:
    assert run("export", "--split", "forms").exit_code == 0


def test_an_untouched_stale_form_reverts_nothing(run, tmp_path) -> None:
    run("answer", "30", "--value", "5", "--note", "旧备注")
    export(run)
    run("answer", "30", "--value", "7", "--note", "新备注")
    fill(tmp_path / FORM, {33: {"填报值": 85}})  # another row filled, row 30 left alone
    result = run("import", str(FORM))
    assert result.exit_code == 0, result.output
    assert "第30项" not in result.stdout
    assert (answer(run, 30)["value"], answer(run, 30)["note"]) == (7, "新备注")
    assert answer(run, 33)["value"] == 85


@pytest.mark.parametrize(
    ("cells", "field", "now", "then", "form"),
    [
        ({"填报值": 12}, "填报值", "7", "5", "12"),
        ({"备注": "表格里的备注"}, "备注", "新备注", "旧备注", "表格里的备注"),
    ],
)
def test_a_cell_changed_on_both_sides_is_a_conflict(
    run, tmp_path, cells, field: str, now: str, then: str, form: str
) -> None:
    run("answer", "30", "--value", "5", "--note", "旧备注")
    export(run)
    run("answer", "30", "--value", "7", "--note", "新备注")
    fill(tmp_path / FORM, {30: cells, 33: {"填报值": 85}})
    before = (tmp_path / "answers.yaml").read_bytes()
    for extra in ([], ["--dry-run"]):
        result = run("import", str(FORM), *extra)
        assert result.exit_code == 3, result.output
        assert "1 处冲突" in result.stderr and "--overwrite-conflicts" in result.stderr
        expected = (
            f"（第30项） {field}：导出后已改为“{now}”（导出时为“{then}”），表格中填的是“{form}”"
        )
        assert expected in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before  # nothing, not even row 33
    result = run("import", str(FORM), "--overwrite-conflicts")
    assert result.exit_code == 0, result.output
    assert "1 处冲突按 --overwrite-conflicts 以表格为准" in result.stdout
    assert answer(run, 33)["value"] == 85
    assert (answer(run, 30)["value"], answer(run, 30)["note"]) == {
        "填报值": (12, "新备注"),
        "备注": (7, "表格里的备注"),
    }[field]
    assert run("undo").exit_code == 0  # one import, one undo
    assert answer(run, 30)["value"] == 7


@pytest.mark.parametrize("typed", [7, "7个", "７"])
def test_a_form_that_agrees_with_the_newer_answer_is_no_conflict(run, tmp_path, typed) -> None:
    run("answer", "30", "--value", "5")
    export(run)
    run("answer", "30", "--value", "7")
    fill(tmp_path / FORM, {30: {"填报值": typed}})
    result = run("import", str(FORM))
    assert result.exit_code == 0, result.output
    assert "没有需要修改的内容" in result.stdout


def _second_sheet(path: Path, cells: dict[int, dict[str, object]]) -> None:
    wb = openpyxl.load_workbook(path)
    copy = wb.copy_worksheet(wb["测评指标"])
    copy.title = "副本"
    wb.save(path)
    fill(path, cells, sheet="副本")


def test_one_indicator_filled_differently_on_two_sheets_is_refused(run, tmp_path) -> None:
    export(run)
    fill(tmp_path / FORM, {30: {"填报值": 12}})
    _second_sheet(tmp_path / FORM, {30: {"填报值": 13}})
    result = run("import", str(FORM))
    assert result.exit_code == 3, result.output
    assert re.search(
        r"第30项在工作表“测评指标”第\d+行和工作表“副本”第\d+行填写的内容不同", result.stderr
    )
    assert not (tmp_path / "answers.yaml").exists()


def test_the_same_content_on_two_sheets_is_imported_once(run, tmp_path) -> None:
    export(run)
    fill(tmp_path / FORM, {30: {"填报值": 12}})
    _second_sheet(tmp_path / FORM, {})
    result = run("import", str(FORM))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("第30项") == 1
    assert answer(run, 30)["value"] == 12


def test_a_form_older_than_an_edit_of_the_checklists_wording_says_so(run, tmp_path) -> None:
    """Indicator 16's text is reworded in the checklist after the forms went out: the
    form's row is refused naming that cause and the fix (a new form), not as a tampered key;
    a key edited by hand is still called one."""
    assert run("init").exit_code == 0
    export(run)
    checklist = tmp_path / "indicators.yaml"
    old = "是否建立政府门户网站与政务服务平台的对接?"
    checklist.write_text(
        checklist.read_text(encoding="utf-8").replace(
            old, "是否已建立政府门户网站与政务服务平台的对接？"
        ),
        encoding="utf-8",
    )
    fill(tmp_path / FORM, {16: {"填报值": "是"}})
    result = run("import", str(FORM))
    assert result.exit_code == 3, result.output
    assert (
        "第4行：表格导出后，清单中第16项的文字已修改（表格中是“是否建立政府门户网站与政务服务平台的对接?”，"
        in result.stderr
    )
    assert "请重新导出表格，把这一行填好的内容抄到新表格中再导入" in result.stderr
    fill(tmp_path / FORM, {30: {"校验键": "30:0123456789"}})
    result = run("import", str(FORM))
    assert "校验键与第30项不符（表格可能来自其他清单或被改动过）" in result.stderr
    assert not (tmp_path / "answers.yaml").exists()


def test_a_cell_over_excels_limit_is_refused_with_its_row(run, tmp_path) -> None:
    """An edited file can hold a note longer than Excel's 32767 characters (no spreadsheet
    program saves one): the row is refused where it is, with the other refused cells, not
    later without a place."""
    from evalcheck.io.xlsx_read import read_grid, read_workbook
    from evalcheck.model.loading import bundled_checklist_path, load_checklist

    export(run)
    fill(tmp_path / FORM, {16: {"填报值": "是", "备注": "短"}, 30: {"填报值": "#DIV/0!"}})
    grid = read_grid(tmp_path / FORM)
    sheet = grid["测评指标"]
    header = next(i for i, row in enumerate(sheet) if any(c[0] == "备注" for c in row))
    at = next(i for i, c in enumerate(sheet[header]) if c[0] == "备注")
    ident = next(i for i, c in enumerate(sheet[header]) if c[0] == "题号")
    row16 = next(r for r in sheet if len(r) > ident and r[ident][0] == 16)
    row16[at] = ("长" * 40000, False)
    found = read_workbook(tmp_path / FORM, load_checklist(bundled_checklist_path()), grid)
    said = "\n".join(found.refused)
    assert "（第16项）：备注有 40000 个字符，超过 Excel 单元格能容纳的 32767 个字符" in said
    assert "#DIV/0!" in said  # said together


def test_a_form_whose_hidden_metadata_lost_its_title_is_named_as_such(run, tmp_path) -> None:
    from evalcheck.io.xlsx_format import META_SHEET
    from evalcheck.io.xlsx_read import read_grid, read_workbook
    from evalcheck.model.loading import bundled_checklist_path, load_checklist

    export(run)
    grid = read_grid(tmp_path / FORM)
    grid[META_SHEET] = [r for r in grid[META_SHEET] if r and r[0][0] not in ("title", "year")]
    with pytest.raises(Exception) as caught:
        read_workbook(tmp_path / FORM, load_checklist(bundled_checklist_path()), grid)
    assert "隐藏元数据不完整（缺少清单的标题或年份）" in str(caught.value)
    assert "None" not in str(caught.value)
