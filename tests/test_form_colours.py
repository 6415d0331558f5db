"""Forms keep their own colour code after the deadline: only the 状态 cell of an overdue row
is marked; the cells to fill in keep their own fill, the rest none (read back cell fills)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from evalcheck.io.xlsx_book import INPUT_FILL, OVERDUE_FILL, OVERDUE_TEXT
from evalcheck.views.columns import FORM_INPUT_KEYS

INPUT_HEADERS = ("填报值", "不适用原因", "备注", "佐证材料")
HEADER_ROW, FIRST_ROW = 3, 4


def fill_of(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type is None:
        return None
    return str(cell.fill.fgColor.rgb)[-6:]


def grid(path: Path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    headers = [c.value for c in ws[HEADER_ROW]]
    rows = [list(r) for r in ws.iter_rows(min_row=FIRST_ROW, max_row=ws.max_row)]
    rows = [r for r in rows if isinstance(r[headers.index("题号")].value, int)]
    return headers, rows


@pytest.mark.parametrize("today", ["2021-09-16", "2026-12-02"])
def test_an_overdue_form_keeps_its_input_colour(run, tmp_path: Path, today: str) -> None:
    run("answer", "16", "--value", "是")
    result = run("export", "--split", "forms", "-s", "办公室", "--today", today)
    assert result.exit_code == 0, result.output
    headers, rows = grid(tmp_path / "forms" / "2021测评填报_办公室.xlsx")
    assert len(rows) == 10
    status = headers.index("状态")
    inputs = [headers.index(h) for h in INPUT_HEADERS]
    assert len(inputs) == len(FORM_INPUT_KEYS)
    overdue = 0
    for row in rows:
        late = str(row[status].value).startswith("逾期")
        overdue += late
        for n, cell in enumerate(row):
            if n in inputs:
                assert fill_of(cell) == INPUT_FILL, (headers[n], cell.coordinate)
            elif n == status and late:
                assert fill_of(cell) == OVERDUE_FILL, cell.coordinate
                assert str(cell.font.color.rgb).endswith(OVERDUE_TEXT) and cell.font.b
            elif headers[n] is not None:  # the hidden key columns have no header style
                assert fill_of(cell) is None, (headers[n], cell.coordinate, fill_of(cell))
    assert overdue == 9  # all but 16, which is answered


def test_the_hint_row_is_true(run, tmp_path: Path) -> None:
    """Row 1 says only the cells with a background are filled in: they are exactly those."""
    run("export", "--split", "forms", "-s", "办公室", "--today", "2021-09-16")
    path = tmp_path / "forms" / "2021测评填报_办公室.xlsx"
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert "只填写有底色的" in ws["A1"].value
    headers, rows = grid(path)
    coloured = {headers[n] for row in rows for n, c in enumerate(row) if fill_of(c) == INPUT_FILL}
    assert coloured == set(INPUT_HEADERS)
    unlocked = {headers[n] for row in rows for n, c in enumerate(row) if not c.protection.locked}
    assert unlocked <= set(INPUT_HEADERS)


def test_the_attachment_marks_overdue_in_the_status_cell_only(run, tmp_path: Path) -> None:
    run("export", "report.xlsx", "--today", "2021-09-16")
    headers, rows = grid(tmp_path / "report.xlsx")
    status = headers.index("状态")
    for row in rows:
        late = str(row[status].value).startswith("逾期")
        for n, cell in enumerate(row):
            want = OVERDUE_FILL if (n == status and late) else None
            if headers[n] is not None:
                assert fill_of(cell) == want, (headers[n], cell.coordinate)
