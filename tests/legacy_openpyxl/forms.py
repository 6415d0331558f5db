"""Section forms: one protected workbook per section, with dropdowns and prompts on the
填报值 cells, written all or nothing."""

import io
from collections.abc import Sequence
from typing import Any

from evalcheck.io.xlsx_format import FIRST_ROW, MAIN_SHEET, UNIT_FORM
from evalcheck.io.xlsx_forms import DROPDOWN_ERROR, Form, form_choices
from evalcheck.io.xlsx_write import framing
from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import example, label
from evalcheck.state.snapshot import Row
from evalcheck.views.columns import EXPORT, FORM, export_columns, with_due
from tests.legacy_openpyxl.styles import write_meta
from tests.legacy_openpyxl.write import write_main


def form_bytes(form: Form, due_as_written: bool) -> bytes:
    """One section's (or unit's) form: the table, its dropdowns, protection, hidden keys."""
    from openpyxl import Workbook

    from evalcheck.views.attachment import title_of

    checklist, rows = form.checklist, form.rows
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    frame = framing(checklist, title=title_of(checklist, f"— {form.name} 填报表"), form=True)
    columns = with_due(export_columns(rows, checklist, FORM), due_as_written=due_as_written)
    write_main(ws, checklist, rows, frame=frame, form=True, columns=columns, unit=form.unit)
    _add_validations(ws, checklist, rows)
    ws.protection.sheet = True  # no password: it guards against slips, not people
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if form.unit is None:
        write_meta(wb, checklist, "form", form.name)
    else:
        write_meta(wb, checklist, UNIT_FORM, None, unit=form.unit)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _add_validations(ws: Any, checklist: Checklist, rows: Sequence[Row]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    keys = [c.key for c in EXPORT]
    col = get_column_letter(keys.index("value") + 1)
    for r, row in enumerate(rows, start=FIRST_ROW):
        ind = row.ind
        kind = label(ind.kind)
        unit = f"，单位：{ind.unit}" if ind.unit else ""
        prompt = f"{kind}{unit}。例如：{example(ind)}。不适用请在“不适用原因”列写明原因"
        choices = form_choices(ind)
        dv: Any
        if choices and _fits_list(choices):
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"')
            dv.showErrorMessage = True
        else:
            dv = DataValidation(type=None)
            dv.showErrorMessage = False
            if ind.options:
                listing = "；".join(f"{n}.{t}" for n, t in enumerate(ind.option_texts, start=1))
                prompt = f"{kind}：可填编号或选项文字，多项用、分隔。{listing}"
        dv.allow_blank = True
        dv.errorStyle = "warning"  # import re-validates every cell anyway
        dv.error = DROPDOWN_ERROR
        dv.promptTitle = f"第{ind.id}项"[:32]
        dv.prompt = prompt[:250]
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{col}{r}")


def _fits_list(options: Sequence[str]) -> bool:
    text = ",".join(options)
    return len(text) <= 250 and not any("," in o or '"' in o for o in options)
