"""Review workbooks: one per leader, read back by import (all or nothing, located, stale)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from evalcheck.answers.review import Review, review_of
from evalcheck.answers.store import load_answers
from evalcheck.io import reviewbook

from .readback import CalamineWorkbook

COLS = list(reviewbook.COLUMNS)
GAO = "审核表/2021测评审核_高秀英.xlsx"
WAN = "审核表/2021测评审核_万富春.xlsx"


def rows_of(path: str) -> dict[int, dict[str, object]]:
    rows = CalamineWorkbook.from_path(path).get_sheet_by_name("审核").to_python()
    assert rows[1] == COLS
    return {int(r[0]): dict(zip(COLS, r, strict=True)) for r in rows[2:]}


def fill(path: str, **decisions: tuple[str | None, str | None]) -> None:
    """fill(GAO, q21=("退回", "数字不对")): what a leader does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    for key, (decision, comment) in decisions.items():
        row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == int(key[1:]))
        ws.cell(row, col["审核结论"]).value = decision
        ws.cell(row, col["审核意见"]).value = comment
    wb.save(path)


def reviews(checklist, *ids: int) -> list[Review | None]:
    answers = load_answers(Path("answers.yaml"), checklist)
    return [review_of(checklist, answers.state(i)) for i in ids]


@pytest.fixture()
def exported(run):
    Path("台账.xlsx").write_bytes(b"PK")  # evidence files are copied into the store
    run("answer", "21", "--value", "3", "--by", "李四", "-e", "台账.xlsx", "--note", "=含乡镇")
    run("answer", "43", "--value", "是")
    run("answer", "69", "--na", "无此类站点")
    run("answer", "47", "--value", "312")
    run("approve", "43", "--by", "高秀英", "--note", "好")
    result = run("export", "--review", "审核表")
    assert result.exit_code == 0, result.output
    return result


def test_one_workbook_per_leader_with_their_answered_items(exported, tmp_path: Path) -> None:
    assert exported.stdout.splitlines()[:2] == [
        f"已生成 {WAN}（1 项，其中待审核 1 项）",
        f"已生成 {GAO}（3 项，其中待审核 2 项）",
    ]
    got = rows_of(GAO)
    assert sorted(got) == [21, 43, 69]
    r21 = got[21]
    assert (r21["填报值"], r21["单位"], r21["备注"], r21["佐证材料"], r21["填报人"]) == (
        3, "个", "=含乡镇", "台账.xlsx", "李四"
    )  # fmt: skip
    assert (r21["审核状态"], r21["审核结论"], r21["审核意见"]) == ("待审核", "", "")
    assert (got[43]["审核状态"], got[43]["审核人"], got[43]["审核意见"]) == (
        "已审核",
        "高秀英",
        "好",
    )
    assert got[69]["填报值"] == "不适用：无此类站点"
    ws = openpyxl.load_workbook(GAO)["审核"]
    assert ws.protection.sheet
    col = {c.value: c.column for c in ws[2]}
    assert not ws.cell(3, col["审核结论"]).protection.locked
    assert not ws.cell(3, col["审核意见"]).protection.locked
    assert ws.cell(3, col["填报值"]).protection.locked
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"通过,退回"' and "L3:L5" in str(dv.sqref)
    assert ws.column_dimensions["N"].hidden and ws.column_dimensions["O"].hidden


def test_an_untouched_workbook_changes_nothing(run, exported) -> None:
    before = Path("answers.yaml").read_bytes()
    for path in (GAO, WAN):
        result = run("import", path)
        assert result.exit_code == 0, result.output
        assert "没有需要修改的内容" in result.stdout
    assert Path("answers.yaml").read_bytes() == before


def test_approvals_and_returns_are_applied_as_one_change(run, exported, checklist) -> None:
    fill(GAO, q21=("退回", "与台账不符"), q69=("通过", None), q43=("通过", "好"))
    preview = run("import", GAO, "--dry-run")
    assert preview.stdout.splitlines()[1:] == [
        "  第21项：3 个（待审核） → 已退回（原因：与台账不符）",
        "  第69项：不适用（无此类站点）（待审核） → 已审核",
        "共 2 项将被审核（--dry-run：未写入）",
    ]
    assert reviews(checklist, 21, 69) == [Review.PENDING, Review.PENDING]
    result = run("import", GAO)
    assert result.exit_code == 0, result.output
    assert "已导入 2 项审核结论（审核人：高秀英）" in result.stdout
    assert reviews(checklist, 21, 43, 69) == [Review.RETURNED, Review.APPROVED, Review.APPROVED]
    assert "已撤销第21项的退回" in run("undo").stdout
    assert reviews(checklist, 21, 43, 69) == [Review.PENDING, Review.APPROVED, Review.PENDING]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [(dt.datetime(2021, 9, 30), "2021-09-30"), (dt.date(2021, 9, 30), "2021-09-30"),
     (dt.datetime(2021, 9, 30, 10, 30), "2021-09-30 10:30")],
)  # fmt: skip
def test_a_date_typed_as_the_comment_reads_as_the_date(run, exported, typed, shown) -> None:
    """Excel and LibreOffice keep '2021-9-30' typed into 审核意见 as a date: read as a form's
    备注 is ('2021-09-30'), not Python's '2021-09-30 00:00:00'."""
    fill(GAO, q21=("退回", typed))
    preview = run("import", GAO, "--dry-run")
    assert f"  第21项：3 个（待审核） → 已退回（原因：{shown}）" in preview.stdout.splitlines()
    assert run("import", GAO).exit_code == 0
    assert run("show", "21").stdout.endswith(f"退回原因：{shown}\n")


def test_a_deputy_signs_a_review_workbook(run, exported, with_deputies) -> None:
    with_deputies({"高秀英": ["万富春"]})
    fill(GAO, q21=("通过", None))
    result = run("import", GAO, "--by", "万富春")
    assert "注意：第21项的责任领导是高秀英，由万富春代为审核" in result.stdout
    assert "审核通过（代高秀英）" in run("history", "21").stdout


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ({"q21": ("退回", None)}, "工作表“审核”第3行（第21项）：审核结论为“退回”时必须在“审核意见”中写明退回原因"),
        ({"q21": ("退回", "   ")}, "第3行（第21项）：审核结论为“退回”时必须"),
        ({"q69": ("同意", None)}, "工作表“审核”第5行（第69项）：审核结论“同意”无效，应为“通过”或“退回”"),
    ],
)  # fmt: skip
def test_bad_decisions_are_refused_located_and_nothing_is_written(
    run, exported, decisions, message
) -> None:
    fill(GAO, q43=("退回", "重新核对"), **decisions)  # a good row does not go in either
    before = Path("answers.yaml").read_bytes()
    result = run("import", GAO)
    assert result.exit_code == 3
    assert result.stderr.splitlines()[0] == (
        "错误：有 1 行不能导入，未导入任何审核结论（请修改后重新导入）："
    )
    assert message in result.stderr
    assert Path("answers.yaml").read_bytes() == before
    # the summary counts the refused row among those with a 审核结论 (it said 1, then 0)
    assert "，2 项有审核结论" in result.stdout


def test_a_decision_on_an_answer_changed_after_export_is_refused(run, exported) -> None:
    fill(GAO, q21=("通过", None))
    run("answer", "21", "--value", "4")
    before = Path("answers.yaml").read_bytes()
    result = run("import", GAO)
    assert result.exit_code == 3
    assert "第3行（第21项）：导出审核表后答案已修改（现为 4 个），请重新导出审核表" in result.stderr
    assert Path("answers.yaml").read_bytes() == before


def _type_value(path: str, ident: int, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == ident)
    ws.cell(row, col["填报值"]).value = value
    wb.save(path)


def test_a_typed_over_value_without_a_decision_is_refused_not_dropped(run, exported) -> None:
    """A leader who corrects the 填报值 and picks no 审核结论 meant something the workbook
    does not record: refused, located, as when a decision goes with it."""
    _type_value(GAO, 21, 4)
    before = Path("answers.yaml").read_bytes()
    result = run("import", GAO)
    assert result.exit_code == 3, result.output
    assert "第3行（第21项）：审核表中的填报值被改成了“4”（答案是 3 个）" in result.stderr
    assert Path("answers.yaml").read_bytes() == before
    assert "没有需要修改的内容" not in result.stdout


def test_a_comment_without_a_decision_is_refused_not_dropped(run, exported) -> None:
    fill(GAO, q21=(None, "数字与台账不符"))
    result = run("import", GAO)
    assert result.exit_code == 3, result.output
    assert (
        "第3行（第21项）：写了审核意见“数字与台账不符”，但没有选择审核结论：请在“审核结论”中"
        "选择“通过”或“退回”" in result.stderr
    )
    # the 审核意见 shown for an answer already reviewed is no new comment
    fill(GAO, q21=(None, None), q43=(None, "好"))
    assert run("import", GAO).exit_code == 0
    # a new one there cannot be added (通过 again would be refused): said so
    fill(GAO, q43=(None, "补充：已核对台账"))
    result = run("import", GAO)
    assert result.exit_code == 3
    assert "但第43项已是“已审核”，审核表不能给已有的审核结论补充意见" in result.stderr


def test_a_repeated_verdict_with_a_new_comment_is_refused(run, exported, checklist) -> None:
    """通过 again on an approved answer: nothing to record, but a new 审核意见 with it
    would be lost; the same comment (a workbook imported twice) changes nothing."""
    fill(GAO, q43=("通过", "好"))
    assert run("import", GAO).exit_code == 0
    fill(GAO, q43=("通过", "再次核对无误"))
    before = Path("answers.yaml").read_bytes()
    result = run("import", GAO)
    assert result.exit_code == 3, result.output
    assert (
        "第4行（第43项）：第43项已是“已审核”，不能重复审核，本行新写的审核意见“再次核对无误”"
        "不会记录" in result.stderr
    )
    assert Path("answers.yaml").read_bytes() == before


def test_a_stale_row_left_undecided_is_no_edit(run, exported) -> None:
    """The 填报值 of a row written before the answer changed is the old value, not an
    edit: a workbook whose other rows are decided still goes in."""
    run("answer", "21", "--value", "4")
    fill(GAO, q69=("通过", None))
    result = run("import", GAO)
    assert result.exit_code == 0, result.output
    assert "已导入 1 项审核结论" in result.stdout


def test_approving_a_returned_answer_in_the_workbook_is_refused(run, exported) -> None:
    run("return", "21", "--reason", "不对", "--by", "高秀英")
    fill(GAO, q21=("通过", None))
    result = run("import", GAO)
    assert (
        result.exit_code == 3
        and "第21项已被高秀英退回（不对），需责任科室重新填报" in result.stderr
    )


def test_review_workbooks_are_not_overwritten_without_force(run, exported) -> None:
    fill(GAO, q21=("通过", None))
    result = run("export", "--review", "审核表")
    assert result.exit_code == 3 and "审核表已存在" in result.stderr
    assert rows_of(GAO)[21]["审核结论"] == "通过"
    assert run("export", "--review", "审核表", "--force").exit_code == 0
    assert rows_of(GAO)[21]["审核结论"] == ""


def test_export_review_for_one_leader(run) -> None:
    run("answer", "47", "--value", "312")
    run("answer", "21", "--value", "3")
    result = run("export", "--review", "审核表", "--owner", "万富春")
    assert result.exit_code == 0
    assert sorted(p.name for p in Path("审核表").iterdir()) == ["2021测评审核_万富春.xlsx"]


def test_export_review_with_no_answers(run) -> None:
    result = run("export", "--review", "审核表")
    assert result.exit_code == 0 and "没有生成审核表" in result.stdout
    assert not Path("审核表").exists()  # no empty folder left behind


def test_export_needs_exactly_one_target(run) -> None:
    result = run("export", "report.xlsx", "--review", "审核表")
    assert result.exit_code == 2 and "四选一" in result.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--units", "单位表格", "-s", "办公室"], "--section 不能与 --units 同时使用"),
        (["--review", "审核表", "-s", "办公室", "--final"], "--section、--final 不能与 --review"),
        (["--split", "科室表格", "--owner", "万富春"], "--owner 不能与 --split 同时使用"),
        (["report.xlsx", "--owner", "万富春"], "--owner 不能与 总表 report.xlsx 同时使用"),
    ],
)
def test_an_option_the_export_has_no_use_for_is_refused(run, args, named) -> None:
    """It was silently ignored (every unit still got all its indicators, a 'final' form)."""
    run("answer", "47", "--value", "312")
    result = run("export", *args)
    assert result.exit_code == 2 and named in result.stderr, result.output
    assert not [p for p in Path.cwd().iterdir() if p.suffix == ".xlsx" or "表格" in p.name]


def test_a_section_form_shows_the_return_reason_and_imports_untouched_as_nothing(run) -> None:
    run("answer", "21", "--value", "3")
    run("return", "21", "--reason", "与台账不符", "--by", "高秀英")
    assert run("export", "--split", "科室表格").exit_code == 0
    form = "科室表格/2021测评填报_审批服务科.xlsx"
    sheet = CalamineWorkbook.from_path(form).get_sheet_by_name("测评指标").to_python()
    at = next(n for n, r in enumerate(sheet) if "题号" in r)
    header = sheet[at]
    row21 = next(r for r in sheet[at + 1 :] if r[1] == 21)
    got = {h: row21[header.index(h)] for h in ("审核状态", "审核人", "审核意见")}
    assert got == {"审核状态": "已退回", "审核人": "高秀英", "审核意见": "与台账不符"}
    before = Path("answers.yaml").read_bytes()
    assert "没有需要修改的内容" in run("import", form).stdout
    assert Path("answers.yaml").read_bytes() == before


def refused(run, path: str) -> str:
    """Import the workbook, expect it refused (exit 3, answers untouched): its message."""
    before = Path("answers.yaml").read_bytes()
    result = run("import", path)
    assert result.exit_code == 3, result.output
    assert Path("answers.yaml").read_bytes() == before
    return str(result.stderr)


def test_an_approval_of_a_rule_break_needs_a_written_explanation(run, checklist) -> None:
    """As `approve --explain`: in a workbook the 说明 is the row's 审核意见; a 通过 without
    one is refused (located, nothing written), with one it is kept as the 说明."""
    run("answer", "131", "--value", "1000", "--by", "李四")
    run("answer", "132", "--value", "1200", "--by", "李四")
    assert run("export", "--review", "审核表").exit_code == 0
    fill(WAN, q132=("通过", None))
    said = refused(run, WAN)
    assert "第132项违反错误级规则" in said and "“审核意见”中写明说明" in said
    fill(WAN, q132=("通过", "国家系统按登记口径汇聚"))
    preview = run("import", WAN, "--dry-run")
    assert "→ 已审核（已说明：国家系统按登记口径汇聚）" in preview.stdout
    assert run("import", WAN).exit_code == 0
    st = load_answers(Path("answers.yaml"), checklist).state(132)
    assert (st.review, st.explanation, st.comment) == ("approved", "国家系统按登记口径汇聚", None)
    shown = run("show", "132").stdout
    assert shown.count("国家系统按登记口径汇聚") == 1 and "已说明：国家系统按登记口径汇聚" in shown


@pytest.mark.parametrize("comment", ["#DIV/0!", "#N/A", "\u200b", "\u3000 "])
def test_an_error_value_or_an_invisible_text_is_no_reason(run, exported, comment) -> None:
    """A formula that failed (#DIV/0! as the spreadsheet saved it) or zero-width spaces
    are no 退回 reason and no 说明: the row is refused, nothing written."""
    fill(GAO, q21=("退回", comment))
    said = refused(run, GAO)
    assert "错误值" in said or "退回原因" in said


def test_an_invisible_explanation_or_reason_on_the_command_line_is_none(run) -> None:
    run("answer", "131", "--value", "1000", "--by", "李四")
    run("answer", "132", "--value", "1200", "--by", "李四")
    approved = run("approve", "132", "--by", "万富春", "--explain", "\u200b")
    assert approved.exit_code == 3 and "需写明说明" in approved.stderr
    returned = run("return", "131", "--by", "万富春", "--reason", "\u200b\u3000")
    assert returned.exit_code == 3 and "退回需要写明原因" in returned.stderr


@pytest.mark.parametrize(
    ("decision", "comment", "named"),
    [
        ("退回", '=CONCATENATE("数字","不对")', "审核意见"),
        ('=IF(1,"通过","")', None, "审核结论"),
    ],
)
def test_a_formula_saved_without_its_result_is_named_not_read_as_empty(
    run, exported, decision, comment, named
) -> None:
    """openpyxl or a script saves a formula without computing it: the row is refused with
    what to do (open and save it once), not as a missing reason or an unreviewed row."""
    fill(GAO, q21=(decision, comment))
    said = refused(run, GAO)
    assert f"（第21项）：{named}是公式且没有计算结果：请在 Excel 或 WPS 中打开并保存一次" in said
    assert "退回原因" not in said


def test_a_formula_whose_saved_result_is_empty_is_an_empty_cell(run, exported) -> None:
    """LibreOffice or Excel saves an empty text result as t="str" with <v></v>: an empty
    审核意见, not a formula without a result (no reason for 退回; nothing for a blank row)."""
    from tests.test_excel import saved_as_computed

    fill(GAO, q21=("退回", '=IF(1>0,"","x")'))
    empty = r'<c \1 t="str"><f>\2</f><v></v>'
    patched = saved_as_computed(Path(GAO), r"<c ([^>]*)><f>(IF\(.*?\))</f>", empty)
    said = refused(run, str(patched))
    assert "（第21项）：审核结论为“退回”时必须在“审核意见”中写明退回原因" in said
    assert "没有计算结果" not in said
    fill(GAO, q21=(None, '=IF(1>0,"","x")'))  # not reviewed: the row is left alone
    patched = saved_as_computed(Path(GAO), r"<c ([^>]*)><f>(IF\(.*?\))</f>", empty)
    assert run("import", str(patched)).exit_code == 0


def test_a_cleared_answer_version_does_not_blame_the_leader(run, exported) -> None:
    """The hidden 答案版本 cleared and the answer changed since: the shown value differs,
    but nobody can tell an edit from a change; the message says so, not "被改成了"."""
    wb = openpyxl.load_workbook(GAO)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == 21)
    ws.cell(row, col["答案版本"]).value = None
    ws.cell(row, col["审核结论"]).value = "通过"
    wb.save(GAO)
    run("answer", "21", "--value", "4")
    result = run("import", GAO)
    assert result.exit_code == 3, result.output
    assert "被改成了" not in result.stderr
    assert "第3行（第21项）：审核表中的填报值“3”与现在的答案（4 个）不同" in result.stderr
    assert "请重新导出审核表" in result.stderr


def test_the_same_value_typed_as_a_spreadsheet_keeps_it_is_no_edit(
    run, exported, checklist
) -> None:
    """ "3个" or "３" typed over 3: the same answer read as its kind, not "被改成了“3个”
    （答案是 3 个）"."""
    for typed in ("3个", "３"):
        _type_value(GAO, 21, typed)
        fill(GAO, q21=("通过", None))
        result = run("import", GAO, "--dry-run")
        assert result.exit_code == 0, result.output
        assert "第21项：3 个（待审核） → 已审核" in result.stdout
    _type_value(GAO, 21, "4个")  # a different value still is an edit
    result = run("import", GAO)
    assert result.exit_code == 3 and "填报值被改成了“4个”" in result.stderr
