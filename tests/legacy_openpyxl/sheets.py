"""The exported table's extra sheets: 填报进度 (progress by section, leader and in all,
with a chart), 同比 (both years' values of the matched indicators) and 汇总 (indicator ×
unit with the rolled-up total and its rule, when the checklist has units)."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from evalcheck.io.xlsx_format import COMPARE_SHEET, ROLLUP_SHEET, SUMMARY_SHEET
from evalcheck.state.snapshot import Row, Snapshot, counting_rule, progress, shared_note
from evalcheck.views.columns import progress_sheet
from tests.legacy_openpyxl.styles import set_text

if TYPE_CHECKING:
    from evalcheck.state.rollup import Rollup
    from evalcheck.views.columns import Column


def write_summary(wb: Any, snap: Snapshot, rows: Sequence[Row]) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    checklist, today = snap.checklist, snap.today
    ws = wb.create_sheet(SUMMARY_SHEET)
    groups = progress(snap, rows)
    ws.cell(
        1, 1, f"{checklist.title}（{checklist.year}年）填报进度，截至 {today.isoformat()}"
    ).font = Font(bold=True, size=13)
    ws.cell(2, 1, counting_rule(checklist))  # what 完成率 counts (the lifecycle's final)
    r = 3
    chart_rows: tuple[int, int] | None = None
    sheet_columns = progress_sheet(checklist)
    bold, shaded = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")  # shared by the cells
    for key, label in (("section", "按责任科室"), ("owner", "按责任领导"), ("all", "合计")):
        ws.cell(r, 1, label).font = bold
        r += 1
        for n, col in enumerate(sheet_columns, start=1):
            c = ws.cell(r, n, col.header)
            c.font = bold
            c.fill = shaded
        r += 1
        first = r
        for p in groups[key]:
            for n, col in enumerate(sheet_columns, start=1):
                ws.cell(r, n, col.get(p)).number_format = col.format_for(p)
            r += 1
        if key == "section":
            chart_rows = (first, r - 1)
        r += 1
    note = shared_note(rows)
    if note:
        ws.cell(r, 1, note)
    for n, col in enumerate(sheet_columns, start=1):
        ws.column_dimensions[get_column_letter(n)].width = col.width
    if chart_rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = "各科室完成率"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        rate = 1 + next(n for n, c in enumerate(sheet_columns) if c.key == "fraction")
        data = Reference(ws, min_col=rate, min_row=chart_rows[0] - 1, max_row=chart_rows[1])
        cats = Reference(ws, min_col=1, min_row=chart_rows[0], max_row=chart_rows[1])
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend = None
        chart.height = 7
        chart.width = 14
        ws.add_chart(chart, "M3" if checklist.review else "J3")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_compare(wb: Any, snap: Snapshot, rows: Sequence[Row]) -> None:
    """The 同比 sheet: matched indicators with both years' values and the change."""
    from evalcheck.state.compare import compare_rows
    from evalcheck.views.columns import COMPARE

    year = next(r.previous.year for r in rows if r.previous is not None)
    title = f"{snap.checklist.year}年与{year}年对比（上年值仅供参考）"
    ws = _table_sheet(wb, COMPARE_SHEET, title, COMPARE, compare_rows(snap, rows), formats=False)
    ws.freeze_panes = "A3"


def _table_sheet(
    wb: Any,
    name: str,
    title: str,
    columns: "Sequence[Column[Any]]",
    lines: "Iterable[Any]",
    *,
    formats: bool,
) -> Any:
    """A sheet of one table: the title in row 1, shaded headers in row 2, one row per line
    (wrapped; with each column's number format when `formats`), the columns' widths, and
    landscape A4 fitted to the page width with rows 1–2 repeated."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    bold, shaded = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for n, col in enumerate(columns, start=1):
        c = ws.cell(2, n, col.header)
        c.font = bold
        c.fill = shaded
    wrap = Alignment(wrap_text=True, vertical="center")
    for r, line in enumerate(lines, start=3):
        for n, col in enumerate(columns, start=1):
            v = col.get(line)
            c = ws.cell(r, n)
            if isinstance(v, str):
                set_text(c, v)
            else:
                c.value = v
                if formats:
                    c.number_format = col.format_for(line)
            c.alignment = wrap
    for n, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(n)].width = col.width
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def write_rollup(wb: Any, snap: Snapshot, rollups: "Sequence[Rollup]") -> None:
    """The 汇总 sheet: one row per collected indicator, one column per unit (its value,
    未报送 or 不适用), then the rolled-up total, its rule, complete or not, and the formula."""
    from openpyxl.utils import get_column_letter

    from evalcheck.views.units import MatrixRow, ranks_of, rollup_sheet_columns

    checklist = snap.checklist
    assert checklist.units is not None
    columns = rollup_sheet_columns(checklist.units.names)
    title = (
        f"{checklist.title}（{checklist.year}年）各单位填报与汇总，截至 {snap.today.isoformat()}"
    )
    lines = [MatrixRow(ind, r, ranks_of(ind, r)) for r in rollups for ind in (checklist.get(r.id),)]
    ws = _table_sheet(wb, ROLLUP_SHEET, title, columns, lines, formats=True)
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(2, len(rollups) + 2)}"
