"""Review workbooks: one per leader, with a 审核结论 dropdown (通过 / 退回), read back by import.

A review workbook lists a leader's answered indicators with their values, notes and
evidence, protected like the section forms: only 审核结论 and 审核意见 can be edited.
Hidden columns keep each row's key (校验键, as in every export) and the version of the
answer it shows (答案版本, a digest of value, note and evidence), so that reading it back
can refuse a decision about an answer that changed after the workbook was written
(a stale form), and an untouched workbook changes nothing.

openpyxl is imported inside the functions (through the xlsx_* modules' helpers).
"""

from __future__ import annotations

from typing import Any

from evalcheck.answers.store import State
from evalcheck.io.reviewbook import (
    APPROVE,
    COL,
    COLUMNS,
    EDITABLE,
    FIRST_ROW,
    HEADER_ROW,
    HIDDEN,
    KIND,
    PROMPT,
    RETURN,
    REVIEW_SHEET,
    WIDTHS,
    row_values,
)
from evalcheck.io.xlsx_format import META_SHEET
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import number_format
from evalcheck.views.attachment import fonts_of
from tests.legacy_openpyxl.styles import XLSX_SIZES, Styles, display_width, set_text, xlsx_font


def review_bytes(checklist: Checklist, leader: str, items: list[tuple[Indicator, State]]) -> bytes:
    """One leader's review workbook, as 0.2.0 wrote it."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = REVIEW_SHEET
    _write_sheet(ws, checklist, leader, items)
    _write_review_meta(wb, checklist, leader)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _write_review_meta(wb: Any, checklist: Checklist, leader: str) -> None:
    from tests.legacy_openpyxl.styles import write_meta

    write_meta(wb, checklist, KIND, None)
    meta = wb[META_SHEET]
    row = meta.max_row + 1
    meta.cell(row, 1, "owner")
    meta.cell(row, 2, leader)


def _write_sheet(
    ws: Any, checklist: Checklist, leader: str, items: list[tuple[Indicator, State]]
) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    fonts = fonts_of(checklist, XLSX_SIZES)  # the same fonts as the bureau's table
    styles = Styles(ws.parent, fonts)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS) - 2)
    title = f"{checklist.title}（{checklist.year}年）— {leader} 审核表"
    ws.cell(1, 1, title).font = xlsx_font(fonts.title)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    for name, n in COL.items():
        ws.cell(HEADER_ROW, n, name).style = styles.get(header=True)
    centered = ("题号", "单位", "填报人", "审核状态", "审核人", "审核结论", "答案版本")
    r = FIRST_ROW
    for ind, st in items:
        values = row_values(checklist, ind, st)
        number = number_format(ind)
        for name, n in COL.items():
            v = values.get(name)
            c = ws.cell(r, n)
            if isinstance(v, str):
                set_text(c, v)
            elif v is not None:
                c.value = v
            fmt = {"填报值": number, "填报时间": "yyyy-mm-dd hh:mm"}.get(name, "General")
            styles.apply(c, center=name in centered, answer=name in EDITABLE, fmt=fmt)
        lines = max(
            1,
            *(
                -(-display_width(str(values[k])) // (WIDTHS[k] - 2))
                for k in ("三级指标", "填报值", "备注", "审核意见")
                if values.get(k)
            ),
        )
        ws.row_dimensions[r].height = 16.5 * lines + 4
        r += 1
    last = max(r - 1, FIRST_ROW)
    _decision_dropdown(ws, last)
    for name, n in COL.items():
        ws.column_dimensions[get_column_letter(n)].width = WIDTHS[name]
    for name in HIDDEN:
        ws.column_dimensions[get_column_letter(COL[name])].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["三级指标"])
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(COL['审核意见'])}{last}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no password: it guards against slips, not people
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _decision_dropdown(ws: Any, last: int) -> None:
    """The 审核结论 column offers 通过/退回, with a prompt, down to the last row."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=f'"{APPROVE},{RETURN}"', allow_blank=True)
    dv.error = f"请选择“{APPROVE}”或“{RETURN}”"
    dv.showErrorMessage = True
    dv.promptTitle = "审核结论"
    dv.prompt = PROMPT  # changed on purpose since (the 说明 of a rule break)
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    col = get_column_letter(COL["审核结论"])
    dv.add(f"{col}{FIRST_ROW}:{col}{last}")
