"""Printed pages, through a real print: the exports converted to PDF with LibreOffice.

Every printed cell's full text is in the PDF, nothing prints as "###", and no page is less
than half full except the last. A cell's text is looked for in `pdftotext -raw` (content
order: a wrapped cell's lines stay together), whitespace removed.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import TEST_TODAY

from .pdf import needs_soffice, needs_soffice_calc, pdf_pages, to_pdf

pytestmark = pytest.mark.slow

LONG_NOTE = "已按承诺时限逐项核对，含分项统计表和说明材料"


def answered(run) -> None:
    """Answers as an evaluation year has them: long 填报人 names, a signed-off answer (审核时间),
    overdue rows (逾期1904天 on the suite's day), a long note."""
    assert run("answer", "47", "--value", "312", "--by", "审批监管科王五").exit_code == 0
    assert (
        run("answer", "16", "--value", "是", "--by", "办公室李四", "--note", LONG_NOTE).exit_code
        == 0
    )
    assert run("approve", "16", "--by", "万富春").exit_code == 0
    assert run("answer", "3", "--value", "95", "--by", "政务服务中心张三").exit_code == 0


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def raw_text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True)
    return out.stdout


def fullness(pdf: Path) -> list[float]:
    """How far down each page its text reaches (0–1), the page number left out."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True)
    pages = []
    for page in re.findall(r"<page [^>]*>.*?</page>", out.stdout, flags=re.S):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = re.findall(r'yMax="([\d.]+)">([^<]*)<', page)
        lows = [float(y) for y, w in words if "—" not in w and not re.fullmatch(r"\d+", w)]
        pages.append(max(lows, default=0.0) / height)
    return pages


def shown(cell) -> str:
    """A cell's value as the sheet displays it."""
    v = cell.value
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M" if "h" in cell.number_format else "%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@needs_soffice_calc
def test_the_excel_attachment_prints_every_cell_whole(run, tmp_path: Path) -> None:
    answered(run)
    assert run("export", "report.xlsx").exit_code == 0
    pdf = to_pdf(tmp_path / "report.xlsx", tmp_path / "lo-profile")
    pages = pdf_pages(pdf)
    text = flat(raw_text(pdf))
    assert "###" not in "".join(pages)
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    headers = [c.value for c in ws[3]]
    printed = [n for n, h in enumerate(headers, start=1) if h and not ws.column_dimensions[
        openpyxl.utils.get_column_letter(n)].hidden]  # fmt: skip
    missing = []
    checked = 0
    for r in range(4, ws.max_row + 1):
        if not isinstance(ws.cell(r, 2).value, int):
            continue
        for n in printed:
            cell = ws.cell(r, n)
            if cell.value is None or cell.value == "":
                continue
            checked += 1
            if flat(shown(cell)) not in text:
                missing.append(f"{cell.coordinate} {headers[n - 1]}: {shown(cell)}")
    assert checked > 144 * 5
    assert missing == []
    late = (dt.date.fromisoformat(TEST_TODAY) - dt.date(2021, 9, 15)).days  # 1904 on 2026-12-02
    for want in ("审批监管科王五", "政务服务中心张三", f"逾期{late}天", LONG_NOTE):
        assert want in text
    assert re.search(rf"{TEST_TODAY}\d\d:\d\d", text)  # 审核时间, not ###
    table_pages = fullness(pdf)[: len(pages) - 1]  # the last page: the 填报进度 sheet
    assert all(f >= 0.5 for f in table_pages[:-1]), table_pages


@needs_soffice
def test_the_word_attachment_prints_every_cell_and_fills_its_pages(run, tmp_path: Path) -> None:
    Document = pytest.importorskip(
        "docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）"
    ).Document

    answered(run)
    assert run("export", "report.docx").exit_code == 0
    pdf = to_pdf(tmp_path / "report.docx", tmp_path / "lo-profile")
    text = flat(raw_text(pdf))
    missing = []
    for table in Document(str(tmp_path / "report.docx")).tables:
        for row in table.rows[1:]:
            for cell in row.cells:
                if cell.text and flat(cell.text) not in text:
                    missing.append(cell.text)
    assert missing == []
    assert "###" not in text
    assert "未指定科室" not in text  # item 82 keeps the source's blank
    pages = fullness(pdf)
    assert all(f >= 0.5 for f in pages[:-1]), pages  # no page less than half full


@needs_soffice
def test_item_82_prints_its_blank_section(run, tmp_path: Path) -> None:
    Document = pytest.importorskip(
        "docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）"
    ).Document

    assert run("export", "report.docx").exit_code == 0
    rows = [
        [c.text for c in row.cells]
        for table in Document(str(tmp_path / "report.docx")).tables
        for row in table.rows
    ]
    row = next(r for r in rows if r[1] == "82")
    assert row[4] == ""  # 责任科室: blank, as in the bureau's table
    assert row[3] == "万富春"
