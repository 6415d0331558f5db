"""Files as WPS saves them (issue 27): each quirk reproduced in a fixture, and read right.

- WPS 表格 often writes a stale `<dimension ref="A1:A1"/>` into a sheet it saved: a reader
  that trusts it (openpyxl's read-only mode does) sees one cell. `import` (a section's
  form) and `checklist-import` (the bureau's table) must still read every row.
- WPS sizes Word tables by `w:gridCol` and warns about missing theme fonts: see
  tests/test_docx_export.py (test_wps_sizes_the_table_by_its_grid,
  test_no_font_the_attachment_does_not_use_is_named).
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl

from evalcheck.io import xlsx_format
from evalcheck.model.loading import load_checklist

from .test_tableimport_variants import EXPECTED, assert_checklist, table, write_xlsx


def stale_dimension(path: Path) -> Path:
    """Rewrite every sheet's <dimension> to A1:A1, as WPS leaves it."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", info.filename):
                text = data.decode("utf-8")
                if "<dimension " in text:
                    text = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:A1"/>', text)
                else:
                    text = text.replace("<sheetViews>", '<dimension ref="A1:A1"/><sheetViews>', 1)
                data = text.encode("utf-8")
            zf.writestr(info, data)
    return path


def _declared(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [
            m.group(1)
            for n in zf.namelist()
            if n.startswith("xl/worksheets/sheet")
            for m in [re.search(r'<dimension ref="([^"]*)"', zf.read(n).decode("utf-8"))]
            if m
        ]


def test_a_form_with_a_stale_dimension_is_read_in_full(run, tmp_path: Path) -> None:
    assert run("export", "--split", "forms").exit_code == 0
    form = tmp_path / "forms" / "2021测评填报_审批监管科.xlsx"
    wb = openpyxl.load_workbook(form)
    ws = wb["测评指标"]
    col = {c.value: c.column for c in ws[xlsx_format.HEADER_ROW]}
    rows = [
        r for r in range(xlsx_format.FIRST_ROW, ws.max_row + 1) if ws.cell(r, col["题号"]).value
    ]
    first, last = rows[0], rows[-1]
    ids = (ws.cell(first, col["题号"]).value, ws.cell(last, col["题号"]).value)
    for r in (first, last):  # the first and the last indicator of the form: both must arrive
        ws.cell(r, col["填报值"]).value = "是" if r == first else "否"
    wb.save(form)
    stale_dimension(form)
    assert set(_declared(form)) == {"A1:A1"}
    # what a reader that trusts the dimension sees: nothing below the first row
    ro = openpyxl.load_workbook(form, read_only=True)["测评指标"]
    assert ro.max_row == 1
    result = run("import", str(form))
    assert result.exit_code == 0, result.output
    answers = {
        i["id"]: i["answer"]["value"] for i in json.loads(run("list", "--format", "json").stdout)
    }
    assert (answers[ids[0]], answers[ids[1]]) == (True, False)


def test_checklist_import_reads_every_row_despite_a_stale_dimension(run, tmp_path: Path) -> None:
    path = stale_dimension(write_xlsx(tmp_path / "t.xlsx", {"表": table()}))
    assert _declared(path) == ["A1:A1"]
    result = run("checklist-import", "t.xlsx", "-o", "out.yaml")
    assert result.exit_code == 0, result.output
    assert_checklist(load_checklist(tmp_path / "out.yaml"), EXPECTED)
