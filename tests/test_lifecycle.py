"""One lifecycle of an answer, obeyed by every output (issue 24, items 1, 2, 5, 7).

The scenario drives the installed program (`evalcheck`, as a process) through a work
folder with review on: approved, pending and returned answers; a derived value over
approved inputs (133 = 132 / 131) and one over pending inputs (136 = 135 / 134); an
approved 不适用; a self-approval attempt. Then status (text and JSON), list, overdue,
remind, the progress sheet, the xlsx, the docx and the evidence bundle's 目录 must agree
item by item, and `export --final` must hold exactly the approved values.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.nextyear import LAST_YEAR, answers_doc, dump, new_id, write_years

from .readback import CalamineWorkbook

BIN = Path(sys.executable).parent / ("evalcheck.exe" if os.name == "nt" else "evalcheck")
pytestmark = pytest.mark.skipif(
    not BIN.exists(), reason=f"the console script {BIN} is installed by `pip install -e .`"
)
OWNER = "万富春"  # the responsible leader of every indicator used here

FINAL = {47, 109, 131, 132, 133}  # approved, approved 不适用, derived over approved inputs
PENDING = {30, 134, 135, 136}  # 136: derived over pending inputs
RETURNED = {38}
TOUCHED = FINAL | PENDING | RETURNED


def ec(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(BIN), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "200", "EVALCHECK_USER": "测试员"},
    )
    if ok:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def table_by_id(path: Path) -> dict[int, dict[str, object]]:
    rows = sheet(path, "测评指标")
    at = next(n for n, r in enumerate(rows) if "题号" in r)
    header = [str(h) for h in rows[at]]
    return {
        int(r[1]): dict(zip(header, r, strict=True))  # type: ignore[arg-type]
        for r in rows[at + 1 :]
        if isinstance(r[1], float)
    }


def docx_by_id(path: Path) -> dict[int, dict[str, str]]:
    import docx

    out: dict[int, dict[str, str]] = {}
    for table in docx.Document(str(path)).tables:  # one table per page
        header = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            cells = dict(zip(header, (c.text for c in row.cells), strict=True))
            if cells["题号"].isdigit():
                out[int(cells["题号"])] = cells
    return out


def scenario() -> None:
    ec("init")
    ec("answer", "47", "--value", "320", "--by", "张三")
    ec("answer", "109", "--na", "本年度无其他创新举措", "--by", "张三")
    ec("answer", "131", "--value", "1000", "--by", "王芳")
    ec("answer", "132", "--value", "1200", "--by", "王芳")  # breaks R132 (132 ≤ 131)
    ec("answer", "134", "--value", "10", "--by", "王芳")
    ec("answer", "135", "--value", "5", "--by", "王芳")
    ec("answer", "30", "--value", "12", "--by", "李四")
    ec("answer", "38", "--value", "95", "--by", "李四")
    ec("approve", "47", "109", "--by", OWNER)
    # an error-level rule broken (R132 ties 131 and 132): approved only with a written 说明
    unexplained = ec("approve", "131", "132", "--by", OWNER, ok=False)
    assert unexplained.returncode == 3 and "R132" in unexplained.stderr
    ec("approve", "131", "132", "--by", OWNER, "--explain", "国家系统口径含个体工商户")
    ec("return", "38", "--reason", "与台账不符", "--by", OWNER)
    # 李四 filled 30: approving it themselves is refused, nothing written
    before = Path("answers.yaml").read_bytes()
    self_signed = ec("approve", "30", "--by", "李四", ok=False)
    assert self_signed.returncode == 3 and "错误" in self_signed.stderr
    assert Path("answers.yaml").read_bytes() == before


@pytest.mark.slow  # about forty runs of the program, one process each (~6 s)
def test_every_output_counts_by_one_lifecycle(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip(
        "docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）"
    )  # the scenario reads the docx
    monkeypatch.chdir(tmp_path)
    scenario()

    # status: JSON and text, the totals and the per-section rows reconcile
    status = json.loads(ec("status", "--format", "json").stdout)
    total = status["total"]
    assert (total["approved"], total["pending"], total["returned"]) == (5, 4, 1)
    assert total["final"] == len(FINAL) and total["remaining"] == 144 - len(FINAL)
    assert total["percent"] == round(100 * len(FINAL) / 144, 1)
    assert status["rule"].startswith("完成按已审核计")
    for group in status["section"]:
        assert group["final"] == group["approved"]  # 完成率 counts the 已审核 column
        assert group["percent"] == round(100 * group["approved"] / group["total"], 1)
    text = ec("status").stdout
    assert f"已完成（已审核） {len(FINAL)} 项" in text
    assert "已说明：国家系统口径含个体工商户" in ec("show", "132").stdout
    assert "已说明" in ec("check", ok=False).stdout
    assert "待审核 4 项、已退回 1 项" in text and "完成按已审核计" in text

    # list --status: the same items, stage by stage
    def listed(*status_names: str) -> set[int]:
        args = [a for s in status_names for a in ("--status", s)]
        return {r["id"] for r in json.loads(ec("list", *args, "--format", "json").stdout)}

    assert listed("final") == listed("approved") == listed("定稿") == FINAL
    assert listed("pending") == PENDING and listed("returned") == RETURNED
    rows = {r["id"]: r for r in json.loads(ec("list", "--format", "json").stdout)}
    assert {i for i, r in rows.items() if r["answer"]["final"]} == FINAL
    assert rows[136]["answer"]["stage"] == "pending" and rows[136]["answer"]["held_by"] == [
        134,
        135,
    ]
    assert rows[133]["answer"]["stage"] == "final" and "held_by" not in rows[133]["answer"]
    shown = ec("list", "--status", "pending").stdout
    assert "第134项待审核、第135项待审核" in shown and "完成按已审核计" in shown
    assert "按各项来源计" in ec("show", "136").stdout

    # overdue: exactly the open items; none of ours
    late = json.loads(ec("overdue", "--format", "json").stdout)
    late_ids = {i["id"] for g in late["overdue"] for i in g["items"]}
    assert late_ids == set(range(1, 145)) - TOUCHED - {133, 136}  # derived: not open
    assert late["overdue_count"] == 144 - len(TOUCHED)

    # remind: the returned answer is chased, nothing final is
    letters = ec("remind").stdout
    assert "第38项" in letters
    for i in FINAL:
        assert f"第{i}项" not in letters, i

    # the xlsx: final values typed, the others marked in the cell; its progress sheet
    ec("export", "report.xlsx")
    table = table_by_id(tmp_path / "report.xlsx")
    assert table[47]["填报值"] == 320 and table[131]["填报值"] == 1000
    assert table[133]["填报值"] == 120  # derived over approved inputs: final, a number
    assert any("已说明：国家系统口径含个体工商户" in str(v) for v in table[132].values())
    assert table[109]["不适用原因"] == "本年度无其他创新举措"
    assert table[30]["填报值"] == "12 个（待审核）" and table[38]["填报值"] == "95 条（已退回）"
    # a derived value not yet final: as Word shows it, with its % and （自动计算）
    assert table[136]["填报值"] == "50%（自动计算）（待审核）"
    progress = sheet(tmp_path / "report.xlsx", "填报进度")
    assert str(progress[1][0]).startswith("完成按已审核计")
    header = next(r for r in progress if r and r[0] == "名称")
    whole = next(r for r in progress if r and r[0] == "合计" and isinstance(r[1], float))
    got = dict(zip(header, whole, strict=True))
    assert (got["已审核"], got["待审核"], got["已退回"]) == (5, 4, 1)
    assert got["完成率"] == pytest.approx(len(FINAL) / 144)

    # the docx (附件 1): the same marks
    out = ec("export", "report.docx").stdout
    assert "已审核 5 / 待审核 4 / 已退回 1 / 未填报 134" in out
    word = docx_by_id(tmp_path / "report.docx")
    assert word[47]["填报值"] == "320 个" and word[133]["填报值"] == "120%（自动计算）"
    assert word[109]["填报值"] == "不适用（本年度无其他创新举措）"
    assert word[30]["填报值"] == "12 个（待审核）" and word[38]["填报值"] == "95 条（已退回）"
    assert word[136]["填报值"] == table[136]["填报值"]

    # the evidence bundle's 目录
    out = ec("evidence", "pack", "bundle.zip").stdout
    assert "已审核 5 / 待审核 4 / 已退回 1 / 未填报 134" in out
    with zipfile.ZipFile(tmp_path / "bundle.zip") as zf:
        (tmp_path / "目录.xlsx").write_bytes(zf.read("目录.xlsx"))
    index = {int(r[0]): str(r[3]) for r in sheet(tmp_path / "目录.xlsx", "佐证材料目录")[2:]}
    assert index[47] == "320 个" and index[30] == "12 个（待审核）"
    assert index[38] == "95 条（已退回）" and index[136].endswith("（待审核）")
    assert index[1] == "未填报"

    # agreement item by item: a value is shown unmarked exactly where it is final
    for i in TOUCHED:
        marked_xlsx = str(table[i]["填报值"]).endswith(("（待审核）", "（已退回）"))
        marked_word = word[i]["填报值"].endswith(("（待审核）", "（已退回）"))
        marked_index = index[i].endswith(("（待审核）", "（已退回）"))
        assert marked_xlsx == marked_word == marked_index == (i not in FINAL), i

    # --final: refused with the list, then with --allow-incomplete only approved values
    refused = ec("export", "final.xlsx", "--final", ok=False)
    assert refused.returncode == 3 and not (tmp_path / "final.xlsx").exists()
    assert "尚未定稿" in refused.stderr and "第38项 已退回" in refused.stderr
    assert "第136项 待审核（第134项待审核、第135项待审核）：50%（自动计算）" in refused.stderr
    ec("export", "final.xlsx", "--final", "--allow-incomplete")
    final = table_by_id(tmp_path / "final.xlsx")
    filled = {i for i, r in final.items() if r["填报值"] != "" or r["不适用原因"] != ""}
    assert filled == FINAL
    assert final[38]["状态"] == "已退回" and final[30]["状态"] == "待审核"
    ec("export", "final.docx", "--final", "--allow-incomplete")
    final_word = docx_by_id(tmp_path / "final.docx")
    assert {i for i, r in final_word.items() if r["填报值"]} == FINAL


def test_an_export_someone_typed_into_is_not_replaced(tmp_path: Path, monkeypatch) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    ec("init")
    ec("export", "report.xlsx")
    ec("answer", "47", "--value", "312", "--by", "张三")
    ec("export", "report.xlsx")  # an untouched earlier export: replaced silently
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    ws = wb["测评指标"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == 30)
    ws.cell(row, 7).value = 14  # someone types an answer into the total table
    wb.save(tmp_path / "report.xlsx")
    before = (tmp_path / "report.xlsx").read_bytes()
    refused = ec("export", "report.xlsx", ok=False)
    assert refused.returncode == 3 and "--force" in refused.stderr
    assert "第30项" in refused.stderr and "填报值已改动" in refused.stderr
    assert (tmp_path / "report.xlsx").read_bytes() == before
    (tmp_path / "other.xlsx").write_bytes(before[:100])  # not a workbook at all
    assert ec("export", "other.xlsx", ok=False).returncode == 3
    ec("export", "report.xlsx", "--force")
    assert table_by_id(tmp_path / "report.xlsx")[30]["填报值"] == ""


def _type_value(path: Path, ident: int, value: object) -> None:
    """Type a 填报值 into a total table, as a person does in Excel."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = wb["测评指标"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 2).value == ident)
    ws.cell(row, 7).value = value
    wb.save(path)


def test_a_final_table_typed_into_has_no_false_conflict(tmp_path: Path, monkeypatch) -> None:
    """A --final table leaves a value that is not final blank: a value typed there is not
    in conflict with the answer it hid (which did not change after the export); an answer
    that was final at export and changed after it still is."""
    monkeypatch.chdir(tmp_path)
    ec("init")
    ec("answer", "47", "--value", "312", "--by", "张三")
    ec("export", "f.xlsx", "--final", "--allow-incomplete")
    _type_value(tmp_path / "f.xlsx", 47, 320)
    done = ec("import", "f.xlsx")
    assert "冲突" not in done.stderr and "已导入 1 项" in done.stdout, done.stdout
    assert "填报值：320" in ec("show", "47").stdout

    ec("approve", "47", "--by", OWNER)
    ec("export", "g.xlsx", "--final", "--allow-incomplete")
    ec("answer", "47", "--value", "315", "--by", "张三")  # after the export
    _type_value(tmp_path / "g.xlsx", 47, 330)
    before = Path("answers.yaml").read_bytes()
    conflict = ec("import", "g.xlsx", ok=False)
    assert conflict.returncode == 3, conflict.stderr
    assert "导出后已改为“315”（导出时为“320”），表格中填的是“330”" in conflict.stderr
    assert Path("answers.yaml").read_bytes() == before


def test_carry_keeps_last_years_verdict(tmp_path: Path, monkeypatch) -> None:
    import yaml

    monkeypatch.chdir(tmp_path)
    old_cl, old_ans, new_cl = write_years(tmp_path / "years")
    title = yaml.safe_load(old_cl.read_text(encoding="utf-8"))["title"]
    verdicts: dict[int, str | None] = {43: "returned", 60: "returned", 1: None}
    old_ans.write_text(dump(answers_doc(title, 2021, LAST_YEAR, verdicts)), encoding="utf-8")
    base = ["--checklist", str(new_cl)]
    ec(*base, "carry", "--from-checklist", str(old_cl), "--from-answers", str(old_ans))
    done = ec(*base, "carry", "--prefill", "--by", "张三").stdout
    returned, unreviewed = sorted(new_id(i) for i in (43, 60)), new_id(1)
    assert f"未沿用 2 项（上年已退回）：第{returned[0]}、{returned[1]}项" in done
    assert f"未沿用 1 项（上年未审核）：第{unreviewed}项" in done
    listed = {r["id"]: r for r in json.loads(ec(*base, "list", "--format", "json").stdout)}
    for i in (*returned, unreviewed):
        assert listed[i]["answer"]["value"] is None, i  # not final last year: not prefilled
    assert listed[new_id(3)]["answer"]["value"] == 90  # approved last year: prefilled
    assert listed[new_id(43)]["previous"]["display"] == "是（上年已退回）"
    assert listed[unreviewed]["previous"]["display"] == "100 项（上年未审核）"
    assert "是（上年已退回）" in ec(*base, "show", str(new_id(43))).stdout
    assert "是（上年已退回）" in ec(*base, "compare").stdout
    assert "是（上年已退回）" in ec(*base, "list", "--previous").stdout


def test_the_progress_chart_plots_the_completion_rate(tmp_path: Path, monkeypatch) -> None:
    import openpyxl

    monkeypatch.chdir(tmp_path)
    ec("init")
    ec("export", "report.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["填报进度"]
    (chart,) = ws._charts
    ref = chart.series[0].val.numRef.f  # e.g. '填报进度'!$I$5:$I$9
    header = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "名称")
    column = openpyxl.utils.column_index_from_string(ref.split("!$")[1].split("$")[0])
    assert header[column - 1] == "完成率"
