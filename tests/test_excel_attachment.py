"""The Excel export as the bureau's attachment: label, title, 备注, fonts, 完成时限 as
written, and page breaks that keep every printed page's category readable."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import openpyxl
import pytest

from evalcheck.io import xlsx_format
from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.views.columns import export_columns

from .conftest import seed_text
from .pdf import needs_soffice_calc, pdf_pages, to_pdf
from .readback import CalamineWorkbook

TITLE = "中卫市审批服务管理局营商环境测评指标责任清单（2021年）"
FIRST, LAST = xlsx_format.FIRST_ROW, xlsx_format.FIRST_ROW + 143


def seed_footnote() -> str:
    return next(line for line in seed_text().splitlines() if line.startswith("备注")).strip()


def grid(path: Path, sheet: str = "测评指标") -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_label_title_table_footnote_and_fonts(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    assert run("export", "report.xlsx").exit_code == 0
    rows = grid(tmp_path / "report.xlsx")
    assert rows[0][0] == "附件 1"
    assert rows[1][0] == TITLE
    review_on = load_checklist(bundled_checklist_path())  # the sign-off columns follow
    assert rows[2] == [*(c.header for c in export_columns([], review_on)), *xlsx_format.HIDDEN]
    table = rows[3 : 3 + 144]
    assert [int(r[1]) for r in table] == list(range(1, 145))
    assert table[46][6] == "312 个（待审核）"  # not final: marked in the cell
    assert rows[3 + 144][0] == seed_footnote()  # the 备注 paragraph, verbatim
    assert all(c == "" for r in rows[3 + 145 :] for c in r)  # nothing after it

    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    fonts = {
        "label": ws["A1"].font,
        "title": ws["A2"].font,
        "header": ws["C3"].font,
        "body": ws[f"C{FIRST}"].font,
        "answer": ws[f"G{FIRST}"].font,
        "category": ws[f"A{FIRST}"].font,
        "footnote": ws[f"A{LAST + 1}"].font,
    }
    assert {k: f.name for k, f in fonts.items()} == {
        "label": "黑体",
        "title": "方正小标宋简体",
        "header": "黑体",
        "body": "仿宋_GB2312",
        "answer": "仿宋_GB2312",
        "category": "仿宋_GB2312",
        "footnote": "仿宋_GB2312",
    }
    assert (fonts["label"].sz, fonts["title"].sz) == (16, 20)
    assert ws.oddFooter.center.text == "— &P —"
    assert ws[f"A{LAST + 1}"].alignment.wrap_text


def test_due_as_written(run, tmp_path: Path) -> None:
    assert run("export", "dates.xlsx").exit_code == 0
    assert run("export", "words.xlsx", "--due-as-written").exit_code == 0
    dates = {r[5] for r in grid(tmp_path / "dates.xlsx")[3 : 3 + 144]}
    words = {r[5] for r in grid(tmp_path / "words.xlsx")[3 : 3 + 144]}
    assert dates == {dt.date(2021, 9, 15)}
    assert words == {"9月15日前"}


def test_section_forms_get_the_fonts_and_the_footnote(run, tmp_path: Path) -> None:
    assert run("export", "--split", "forms").exit_code == 0
    path = tmp_path / "forms" / "2021测评填报_办公室.xlsx"
    rows = grid(path)
    assert rows[0][0].startswith("填写说明")  # a form has no attachment label
    assert rows[1][0] == TITLE + "— 办公室 填报表"
    assert rows[3 + 10][0] == seed_footnote()
    ws = openpyxl.load_workbook(path)["测评指标"]
    assert (ws["A2"].font.name, ws[f"C{FIRST}"].font.name) == ("方正小标宋简体", "仿宋_GB2312")
    assert run("import", str(path)).exit_code == 0  # the 备注 row is not read as an answer


def printed_pages(ws) -> list[range]:
    """The sheet rows of each printed page, from the manual breaks in the file."""
    breaks = sorted(b.id for b in ws.row_breaks.brk)
    assert all(b.man for b in ws.row_breaks.brk)
    bounds = [xlsx_format.HEADER_ROW, *breaks, ws.max_row]
    return [range(a + 1, b + 1) for a, b in itertools.pairwise(bounds)]


LONG = "按照自治区统一部署，已完成线上线下融合改造并建立长效机制，相关材料见佐证。" * 3


@pytest.mark.parametrize("tall", [(), (41, 42, 43, 44, 45, 60, 98, 99, 100, 117)])
def test_every_printed_page_shows_the_category_of_its_rows(run, tmp_path: Path, tall) -> None:
    for ident in tall:  # long notes make some rows several lines tall
        assert run("answer", str(ident), "--na", LONG, "--note", LONG).exit_code == 0
    assert run("export", "report.xlsx").exit_code == 0
    cl = load_checklist(bundled_checklist_path())
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    pages = printed_pages(ws)
    assert len(pages) >= 5
    # each page holds no more than an A4 landscape page at the sheet's print scale
    scale = int(ws.page_setup.scale)
    room = (8.27 - ws.page_margins.top - ws.page_margins.bottom) * 72 * 100 / scale
    height = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    for n, page in enumerate(pages):
        above = height[1] + height[2] + height[3] if n == 0 else height[xlsx_format.HEADER_ROW]
        assert above + sum(height[r] for r in page) <= room, f"page {n + 1} overflows"
    merged = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col == 1 and rng.max_col == 1:
            for r in range(rng.min_row, rng.max_row + 1):
                merged[r] = rng
    for n, page in enumerate(pages, start=1):
        for r in page:
            if r in merged:  # a merged category cell never crosses a page break
                assert merged[r].min_row in page and merged[r].max_row in page
        data = [r for r in page if FIRST <= r <= LAST]
        if not data:
            continue
        for r in data:  # the cell that shows row r's category is on r's page
            shown_at = merged[r].min_row if r in merged else r
            want = cl.category_label(cl.get(int(ws.cell(r, 2).value)).category)
            assert shown_at in page, f"page {n}: row {r}'s category is on another page"
            assert ws.cell(shown_at, 1).value == want


@pytest.mark.slow  # LibreOffice
@needs_soffice_calc
def test_libreoffice_prints_the_pages_as_computed(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312", "--note", LONG)
    assert run("export", "report.xlsx", "--due-as-written").exit_code == 0
    cl = load_checklist(bundled_checklist_path())
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    pages = printed_pages(ws)
    text = pdf_pages(to_pdf(tmp_path / "report.xlsx", tmp_path / "lo-profile"))
    assert len(text) == len(pages) + 1  # the table's pages, then the progress sheet
    flat = [re.sub(r"\s+", "", t) for t in text]
    assert flat[0].startswith("附件1" + TITLE)
    assert re.sub(r"\s+", "", seed_footnote()) in flat[len(pages) - 1]
    for n, page in enumerate(pages, start=1):
        body = flat[n - 1]
        assert "二级指标题号三级指标责任领导" in body, f"no header row on page {n}"
        assert body.endswith(f"—{n}—"), f"page number of page {n}"
        ids = [int(ws.cell(r, 2).value) for r in page if FIRST <= r <= LAST]
        for label in {cl.category_label(cl.get(i).category) for i in ids}:
            assert label[:5] in body, f"page {n} does not show {label}"
        assert body.count("9月15日前") == len(ids)  # every row of the page, none moved
