"""Rules with a written explanation (填写说明后强制上报): import reports a rule break as
`answer` does; approving an answer that breaks an error-level rule needs --explain; the
说明 is kept with the approval and shown by show, check, the export and the review workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from .readback import CalamineWorkbook

R132 = (
    "注意（错误，规则 R132）：已汇聚至国家系统的监管对象数（132）不能多于监管对象总数（131）"
    "（第132项 ≤ 第131项）：第132项 = 1200 个；第131项 = 1000 个"
)


def _broken(run) -> None:
    assert run("answer", "131", "--value", "1000", "--by", "王芳").exit_code == 0
    assert run("answer", "132", "--value", "1200", "--by", "王芳").exit_code == 0


def test_import_reports_a_rule_break_as_answer_does(run) -> None:
    run("answer", "39", "--value", "10")
    assert run("export", "--split", "表", "-s", "政务服务中心").exit_code == 0
    form = next(Path("表").glob("*.xlsx"))
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    row = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 40)
    ws.cell(row, col["填报值"]).value = 40
    wb.save(form)
    line = (
        "注意（错误，规则 R40）：摆放一次性告知单的窗口数（40）不能多于窗口总数（39）"
        "（第40项 ≤ 第39项）：第40项 = 40 个；第39项 = 10 个"
    )
    before = Path("answers.yaml").read_bytes()
    dry = run("import", str(form), "--dry-run", "--by", "张三")
    assert dry.exit_code == 0, dry.output
    assert dry.stderr.splitlines() == [line]
    assert Path("answers.yaml").read_bytes() == before
    done = run("import", str(form), "--by", "张三")
    assert done.exit_code == 0 and "已导入 1 项修改" in done.stdout
    assert done.stderr.splitlines() == [line]


def test_approving_a_rule_break_needs_an_explanation(run) -> None:
    _broken(run)
    before = Path("answers.yaml").read_bytes()
    result = run("approve", "132", "--by", "万富春")
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "错误：未审核通过任何指标：第132项违反错误级规则 R132（已汇聚至国家系统的监管对象数（132）"
        "不能多于监管对象总数（131）（第132项 ≤ 第131项））：审核通过需写明说明，例如 evalcheck "
        'approve 132 --explain "原因" --by 万富春'
    ]
    assert Path("answers.yaml").read_bytes() == before
    blank = run("approve", "132", "--by", "万富春", "--explain", "  ")
    assert blank.exit_code == 3 and Path("answers.yaml").read_bytes() == before


def test_an_explained_approval_is_kept_and_shown_everywhere(run) -> None:
    _broken(run)
    result = run("approve", "132", "--by", "万富春", "--explain", "国家系统口径含个体户")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "第132项 已审核通过（万富春）：1200 个",
        "  已说明：国家系统口径含个体户",
        "共审核通过 1 项。如需撤销：evalcheck undo",
    ]
    assert result.stderr.splitlines() == [R132]
    text = Path("answers.yaml").read_text(encoding="utf-8")
    assert "explanation: 国家系统口径含个体户" in text
    shown = run("show", "132").stdout
    assert "已说明：国家系统口径含个体户" in shown and "说明：已说明" not in shown
    check = run("check")
    assert check.exit_code == 1
    assert "  已说明（第132项，万富春）：国家系统口径含个体户" in check.stdout.splitlines()
    data = json.loads(run("check", "-f", "json").stdout)
    (finding,) = [f for f in data["findings"] if f["rule"] == "R132"]
    assert finding["explained"] == [{"id": 132, "by": "万富春", "text": "国家系统口径含个体户"}]
    # the exported table's 审核意见 column
    assert run("export", "总表.xlsx").exit_code == 0
    rows = CalamineWorkbook.from_path("总表.xlsx").get_sheet_by_name("测评指标").to_python()
    header = next(r for r in rows if "审核意见" in r)
    row = next(r for r in rows if r[header.index("题号")] in (132, 132.0))
    assert row[header.index("审核意见")] == "已说明：国家系统口径含个体户"
    # the leader's review workbook
    assert run("export", "--review", "审核表").exit_code == 0
    book = CalamineWorkbook.from_path("审核表/2021测评审核_万富春.xlsx").get_sheet_by_name("审核")
    cells = book.to_python()
    row = next(r for r in cells[2:] if r[0] in (132, 132.0))
    assert row[cells[1].index("审核状态")] == "已审核（已说明：国家系统口径含个体户）"
    # undo takes the explained approval back
    assert run("undo").exit_code == 0
    shown = run("show", "132").stdout
    assert "已说明" not in shown and "待审核" in shown


def test_approve_all_skips_rule_breaks_and_lists_them(run) -> None:
    _broken(run)
    run("answer", "47", "--value", "312", "--by", "王芳")
    result = run("approve", "--owner", "万富春", "--all")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "以下 2 项未审核通过（未写入）："
    assert lines[1].startswith("  - 第131项违反错误级规则 R132")
    assert lines[2].startswith("  - 第132项违反错误级规则 R132")
    assert lines[3:] == [
        "第47项 已审核通过（万富春）：312 个",
        "共审核通过 1 项。如需撤销：evalcheck undo",
    ]
    assert "explanation" not in Path("answers.yaml").read_text(encoding="utf-8")


def test_the_word_attachment_notes_the_explanation(run) -> None:
    docx = pytest.importorskip(
        "docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）"
    )

    _broken(run)
    run("approve", "132", "--by", "万富春", "--explain", "国家系统口径含个体户")
    assert run("export", "附件.docx").exit_code == 0
    tables = docx.Document("附件.docx").tables
    header = [c.text for c in tables[0].rows[0].cells]
    rows = [r for t in tables for r in t.rows]
    row = next(r for r in rows if r.cells[header.index("题号")].text == "132")
    assert row.cells[header.index("备注")].text == "已说明：国家系统口径含个体户"


FORMULA_121 = "第121项填报为 80%，但按公式 第120项 / 第119项 * 100 应为 75%"


def _typed_over_formula(run) -> None:
    """121 is worked out as 120 / 119 (150 / 200 = 75%); 80% typed over it."""
    for ident, value in (("119", "200"), ("120", "150")):
        assert run("answer", ident, "--value", value, "--by", "赵六").exit_code == 0
    assert run("approve", "119", "--by", "万富春").exit_code == 0
    assert run("approve", "120", "--by", "高秀英").exit_code == 0
    typed = run("answer", "121", "--value", "80", "--by", "赵六")
    assert typed.exit_code == 0
    assert typed.stderr.splitlines() == [f"注意（错误，自动计算）：{FORMULA_121}"]


def test_a_value_its_formula_disagrees_with_needs_an_explanation_to_be_approved(run) -> None:
    """What `check` calls an error (a typed value against its formula) is said at once,
    shown for review, and approved only with a 说明, as a broken rule is."""
    _typed_over_formula(run)
    listed = run("review", "--owner", "高秀英", "-f", "json")
    (item,) = json.loads(listed.stdout)[0]["items"]
    assert item["id"] == 121 and item["findings"] == [f"错误（自动计算）：{FORMULA_121}"]
    before = Path("answers.yaml").read_bytes()
    refused = run("approve", "121", "--by", "高秀英")
    assert refused.exit_code == 3
    assert refused.stderr.splitlines() == [
        f"错误：未审核通过任何指标：第121项与公式不符（{FORMULA_121}）：审核通过需写明说明，"
        '例如 evalcheck approve 121 --explain "原因" --by 高秀英'
    ]
    assert Path("answers.yaml").read_bytes() == before
    # a source of it is right, whatever 121 says: approved as it is (119/120 above)
    done = run("approve", "121", "--by", "高秀英", "--explain", "按台账口径")
    assert done.exit_code == 0, done.output
    assert "已说明：按台账口径" in run("show", "121").stdout


def test_the_review_workbook_asks_a_comment_for_a_value_against_its_formula(run) -> None:
    _typed_over_formula(run)
    assert run("export", "--review", "审核表").exit_code == 0
    (book,) = [p for p in Path("审核表").glob("*.xlsx") if "高秀英" in p.name]
    wb = openpyxl.load_workbook(book)
    ws = wb["审核"]
    col = {c.value: c.column for c in ws[2]}
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, col["题号"]).value == 121)
    # the row says why before the leader decides
    assert ws.cell(row, col["审核状态"]).value == "待审核（与公式不符：通过须在审核意见中写明说明）"
    assert ws.row_dimensions[row].height <= 409
    ws.cell(row, col["审核结论"]).value = "通过"
    wb.save(book)
    before = Path("answers.yaml").read_bytes()
    refused = run("import", str(book))
    assert refused.exit_code == 3
    assert f"第121项与公式不符（{FORMULA_121}）：审核通过需在“审核意见”中写明说明" in refused.stderr
    assert Path("answers.yaml").read_bytes() == before


def test_review_workbook_rows_with_several_rule_breaks_stay_readable(run) -> None:
    """An answer breaking several rules: its 审核状态 names them briefly, and no row is
    taller than Excel allows (409 points)."""
    assert run("answer", "4", "--value", "1", "--by", "王芳").exit_code == 0
    for ident in ("5", "6", "7", "8", "9"):
        assert run("answer", ident, "--value", "10", "--by", "王芳").exit_code == 0
    assert run("export", "--review", "审核表").exit_code == 0
    for book in Path("审核表").glob("*.xlsx"):
        ws = openpyxl.load_workbook(book)["审核"]
        heights = [d.height for d in ws.row_dimensions.values() if d.height is not None]
        assert heights and max(heights) <= 409, book.name
        col = {c.value: c.column for c in ws[2]}
        states = [ws.cell(r, col["审核状态"]).value or "" for r in range(3, ws.max_row + 1)]
        assert all(len(s) <= 60 for s in states), states
