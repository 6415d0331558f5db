"""The bureau's table as Excel: the attachment (label, title, header, rows, 备注), printed
on A4 landscape pages with the categories merged per page, plus the progress and 同比
sheets and the hidden metadata. Section forms (xlsx_forms.py) share the main sheet's writer.

Workbooks are written to memory and then atomically to disk.
"""

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalcheck.infra import notices
from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.io.xlsx_format import (
    FIRST_ROW,
    HEADER_ROW,
    HIDDEN,
    LABEL_ROW,
    MAIN_SHEET,
    TITLE_ROW,
    json_texts,
    original_cell,
    row_key,
)
from evalcheck.io.xlsx_write import (
    DIGIT_WIDTH,
    MARGINS_IN,
    Framing,
    check_target,
    framing,
    print_widths,
    row_height,
)
from evalcheck.model.checklist import Checklist
from evalcheck.state.snapshot import Row, Snapshot
from evalcheck.views.columns import (
    EXPORT,
    FORM_INPUT_KEYS,
    KEPT_KEYS,
    Column,
    export_columns,
    plain,
    with_due,
)
from tests.legacy_openpyxl.sheets import write_compare, write_rollup, write_summary
from tests.legacy_openpyxl.styles import (
    LINE_HEIGHT,
    Styles,
    display_width,
    set_text,
    wrapped_lines,
    write_meta,
    xlsx_font,
)

if TYPE_CHECKING:  # attachment, fonts and pages: imported by the exports that use them
    from evalcheck.state.rollup import Rollup


def write_main(
    ws: Any,
    checklist: Checklist,
    rows: Sequence[Row],
    *,
    frame: Framing,
    form: bool,
    columns: Sequence[Column[Row]] = EXPORT,
    unit: str | None = None,
) -> None:
    """The attachment's table; `unit`: a unit's form, whose hidden keys carry the unit."""
    headers = (*(c.header for c in columns), *HIDDEN)
    n_visible = len(columns)
    styles = Styles(ws.parent, frame.fonts)
    _write_heading(ws, frame, form, headers, n_visible, styles)
    longest = [display_width(h) for h in headers]
    printed: list[list[tuple[int, str]]] = []  # per row: (column, text as printed)
    table = _Table(
        ws,
        styles,
        form,
        # what does not change from row to row, worked out once per column
        [
            (n, col, col.key in FORM_INPUT_KEYS, col.key in KEPT_KEYS, col.number_format)
            for n, col in enumerate(columns, start=1)
        ],
        longest,
    )
    r = FIRST_ROW
    for row in rows:
        inputs, texts = table.write_row(r, row)
        set_text(ws.cell(r, n_visible + 1), row_key(checklist, row.ind, unit))
        set_text(ws.cell(r, n_visible + 2), json_texts(inputs))
        printed.append(texts)
        r += 1
    _lay_out(ws, rows, columns, frame, longest, printed, last_row=r - 1)
    _print_setup(ws, n_visible, last_row=r - 1)


def _write_heading(
    ws: Any, frame: Framing, form: bool, headers: Sequence[str], n_visible: int, styles: Any
) -> None:
    """附件 label, the title merged over the table's width, the header row."""
    from openpyxl.styles import Alignment

    fonts = frame.fonts
    if frame.label:
        label_font = fonts.body if form else fonts.label
        ws.cell(LABEL_ROW, 1, frame.label).font = xlsx_font(label_font)
    ws.row_dimensions[LABEL_ROW].height = 26
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=n_visible)
    ws.cell(TITLE_ROW, 1, frame.title).font = xlsx_font(fonts.title)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 40
    for n, name in enumerate(headers, start=1):
        ws.cell(HEADER_ROW, n, name).style = styles.get(header=True)
    ws.row_dimensions[HEADER_ROW].height = 22


class _Table:
    """Writes the indicator rows, keeping each column's widest text (`longest`)."""

    __slots__ = ("arrays", "form", "longest", "plan", "styles", "ws")

    def __init__(
        self, ws: Any, styles: Any, form: bool, plan: list[Any], longest: list[int]
    ) -> None:
        self.ws, self.styles, self.form, self.plan, self.longest = ws, styles, form, plan, longest
        self.arrays = styles.arrays  # (center, late, answer, format) -> the style array to copy

    def write_row(self, r: int, row: Row) -> tuple[dict[str, str | None], list[tuple[int, str]]]:
        """One row's cells: (its hidden 原值 of input and verdict cells, the texts as printed)."""
        texts: list[tuple[int, str]] = []
        overdue = row.overdue  # marked in the 状态 cell only: inputs keep their own fill
        inputs: dict[str, str | None] = {}  # the hidden 原值, as original_of() writes it
        longest, ws = self.longest, self.ws
        for n, col, is_input, kept, fmt in self.plan:
            v = col.get(row)
            c = ws.cell(r, n)
            if isinstance(v, str):
                if v:
                    set_text(c, v)
                    if col.key != "category":  # merged over its rows: it sets no row's height
                        texts.append((n, v))
                    if len(v) * 2 > longest[n - 1]:
                        longest[n - 1] = max(longest[n - 1], display_width(v))
            elif v is not None:
                c.value = v
                shown = plain(v)
                texts.append((n, shown))
                # digits of 仿宋 or of a substitute font run wider than Calibri's: room for
                # them, or a date or a time shows as ###
                longest[n - 1] = max(longest[n - 1], math.ceil(len(shown) * DIGIT_WIDTH))
            if kept:
                inputs[col.key] = original_cell(v)
            self.style(
                c,
                overdue and col.key == "status",
                is_input,
                fmt(row) if callable(fmt) else fmt,
                col,
            )
        return inputs, texts

    def style(self, c: Any, late: bool, is_input: bool, fmt: Any, col: Any) -> None:
        key = (col.center, late, self.form and is_input, fmt)
        proto = self.arrays.get(key)
        if proto is None:  # the first cell of its kind registers the named style
            self.styles.apply(c, center=key[0], late=key[1], answer=key[2], fmt=key[3])
        else:  # the rest copy its style array (styles.apply, inlined: 2,600 cells)
            c._style = proto.__copy__()


def _lay_out(
    ws: Any,
    rows: Sequence[Row],
    columns: Sequence[Column[Row]],
    frame: Framing,
    longest: list[int],
    printed: list[list[tuple[int, str]]],
    *,
    last_row: int,
) -> None:
    """Column widths and row heights as printed, the hidden key columns, the footnote,
    page breaks, the merged 二级指标 cells per page, frozen panes."""
    from openpyxl.utils import get_column_letter

    n_visible = len(columns)
    widths = print_widths(columns, longest)
    for n, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = w
    heights = [row_height(texts, widths) for texts in printed]
    for r, h in enumerate(heights, start=FIRST_ROW):
        ws.row_dimensions[r].height = h
    for n in (n_visible + 1, n_visible + 2):
        ws.column_dimensions[get_column_letter(n)].hidden = True
    if frame.footnote:
        heights.append(_footnote(ws, last_row + 1, frame, widths))
    starts = _paginate(ws, heights, widths)
    _merge_categories(ws, rows, starts)
    text_col = next(n for n, c in enumerate(columns, start=1) if c.key == "text")
    ws.freeze_panes = ws.cell(FIRST_ROW, text_col)


def _print_setup(ws: Any, n_visible: int, *, last_row: int) -> None:
    """Filter, print titles, landscape A4, margins, the page number footer."""
    from openpyxl.utils import get_column_letter

    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(n_visible)}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # the header repeats; label, title not
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.print_options.horizontalCentered = True
    for side, inches in MARGINS_IN.items():
        setattr(ws.page_margins, side, inches)
    footer = ws.oddFooter.center
    footer.text = "— &P —"  # official documents number their pages "— 1 —"
    footer.font = "宋体,Regular"
    footer.size = 14


def _footnote(ws: Any, r: int, frame: Framing, widths: Sequence[float]) -> float:
    """The 备注 paragraph under the table, across the printed columns; returns its height."""
    from openpyxl.styles import Alignment

    assert frame.footnote is not None
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(widths))
    cell = ws.cell(r, 1)
    set_text(cell, frame.footnote)
    cell.font = xlsx_font(frame.fonts.body)
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    height = LINE_HEIGHT * wrapped_lines(frame.footnote, sum(widths) - 2) + 12
    ws.row_dimensions[r].height = height
    return height


def _paginate(ws: Any, heights: list[float], widths: Sequence[float]) -> list[int]:
    """Set an explicit print scale (Excel honours manual breaks only then, not with
    "fit to") and a manual page break wherever the rows fill an A4 landscape page;
    returns the indices (into `heights`) of the rows that begin a page."""
    from openpyxl.worksheet.pagebreak import Break

    from evalcheck.views.pages import A4_LANDSCAPE_IN, page_starts, print_scale, usable_height

    page_w, page_h = A4_LANDSCAPE_IN
    scale = print_scale(widths, page_w - MARGINS_IN["left"] - MARGINS_IN["right"])
    room = usable_height(page_h - MARGINS_IN["top"] - MARGINS_IN["bottom"], scale)
    header = ws.row_dimensions[HEADER_ROW].height
    above = sum(ws.row_dimensions[r].height for r in (LABEL_ROW, TITLE_ROW)) + header
    starts = page_starts(heights, room - above, room - header)
    ws.page_setup.scale = scale
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    for n in starts:
        ws.row_breaks.append(Break(id=FIRST_ROW + n - 1))  # a break after the row above
    return starts


def _merge_categories(ws: Any, rows: Sequence[Row], starts: list[int]) -> None:
    """Merge each category's cells, split at the page breaks: every printed page shows
    the category of its rows (each piece carries the category's text)."""
    from openpyxl.worksheet.merge import MergedCellRange

    from evalcheck.views.attachment import runs
    from evalcheck.views.pages import split_runs

    for a, b in split_runs(runs([r.ind.category for r in rows]), starts):
        if b > a:
            # registered directly: ws.merge_cells() would also re-border every cell,
            # which these already have (a third of the export's time)
            ws.merged_cells.add(MergedCellRange(ws, f"A{FIRST_ROW + a}:A{FIRST_ROW + b}"))


def save_workbook(wb: Any, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())


def export_workbook(
    path: Path,
    snap: Snapshot,
    rows: Sequence[Row],
    *,
    due_as_written: bool = False,
    rollups: "Sequence[Rollup] | None" = None,
    mode: str = "working",
) -> int:
    """The full table (the bureau's attachment) plus a progress sheet. Returns rows written.

    The progress sheet counts the same `rows` as the table. `rollups`: the checklist has
    units; a 汇总 sheet shows them (those of the exported rows).
    """
    from openpyxl import Workbook

    from evalcheck.views.attachment import title_of

    check_target(path)
    from evalcheck.infra.winnames import long_path_warnings

    for w in long_path_warnings(path):
        notices.warn(w)
    checklist = snap.checklist
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    frame = framing(checklist, title=title_of(checklist), form=False)
    columns = with_due(export_columns(rows, checklist, mode), due_as_written=due_as_written)
    write_main(ws, checklist, rows, frame=frame, form=False, columns=columns)
    write_summary(wb, snap, rows)
    if any(r.previous is not None for r in rows):
        write_compare(wb, snap, rows)
    if rollups is not None:
        shown = {r.id for r in rows}
        write_rollup(wb, snap, [r for r in rollups if r.id in shown])
    write_meta(wb, checklist, "export", None)
    save_workbook(wb, path)
    return len(rows)
