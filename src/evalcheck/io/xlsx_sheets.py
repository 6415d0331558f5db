"""The exported table's extra sheets: 填报进度 (progress by section, leader and in all,
with a chart), 同比 (both years' values of the matched indicators) and 汇总 (indicator ×
unit with the rolled-up total and its rule, when the checklist has units)."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from evalcheck.io.xlsx_book import DATE_FORMATS, HEADER_FILL, Book
from evalcheck.io.xlsx_format import COMPARE_SHEET, ROLLUP_SHEET, SUMMARY_SHEET
from evalcheck.state.snapshot import Row, Snapshot, counting_rule, progress, shared_note
from evalcheck.views.columns import progress_sheet

if TYPE_CHECKING:
    from evalcheck.state.rollup import Rollup
    from evalcheck.views.columns import Column

SHADED = {"bold": True, "pattern": 1, "bg_color": "#" + HEADER_FILL}  # a header cell
# a chart's size in pixels (14 × 7 cm at 96 dpi)
CHART_SIZE = {"width": round(14 / 2.54 * 96), "height": round(7 / 2.54 * 96)}


def write_summary(book: Book, snap: Snapshot, rows: Sequence[Row]) -> None:
    checklist, today = snap.checklist, snap.today
    ws = book.sheet(SUMMARY_SHEET)
    groups = progress(snap, rows)
    title = f"{checklist.title}（{checklist.year}年）填报进度，截至 {today.isoformat()}"
    book.text(ws, 1, 1, title, {"bold": True, "font_size": 13})
    book.text(ws, 2, 1, counting_rule(checklist))  # what 完成率 counts (the lifecycle's final)
    r = 3
    chart_rows: tuple[int, int] | None = None
    sheet_columns = progress_sheet(checklist)
    header = book.format(**SHADED)
    for key, label in (("section", "按责任科室"), ("owner", "按责任领导"), ("all", "合计")):
        book.text(ws, r, 1, label, {"bold": True})
        r += 1
        for n, col in enumerate(sheet_columns, start=1):
            book.put(ws, r, n, col.header, header)
        r += 1
        first = r
        for p in groups[key]:
            for n, col in enumerate(sheet_columns, start=1):
                book.put(ws, r, n, col.get(p), book.format(num_format=col.format_for(p)))
            r += 1
        if key == "section":
            chart_rows = (first, r - 1)
        r += 1
    note = shared_note(rows)
    if note:
        book.text(ws, r, 1, note)
    book.widths(ws, [col.width for col in sheet_columns])
    if chart_rows:
        rate = next(n for n, c in enumerate(sheet_columns) if c.key == "fraction")
        _chart(book, ws, rate, chart_rows, "M3" if checklist.review else "J3")
    Book.landscape_a4(ws, fit_width=False)
    ws.fit_to_pages(1, 1)


def _chart(book: Book, ws: Any, rate: int, rows: tuple[int, int], where: str) -> None:
    """各科室完成率: a bar per section, its completion rate (column `rate`, 0-based)."""
    chart = book.wb.add_chart({"type": "bar"})
    first, last = rows[0] - 1, rows[1] - 1  # 0-based; the header is the row above
    chart.add_series(
        {
            "name": [SUMMARY_SHEET, first - 1, rate],
            "categories": [SUMMARY_SHEET, first, 0, last, 0],
            "values": [SUMMARY_SHEET, first, rate, last, rate],
        }
    )
    chart.set_title({"name": "各科室完成率"})
    # a bar chart's value axis is its x axis
    chart.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
    chart.set_legend({"none": True})
    chart.set_size(CHART_SIZE)
    ws.insert_chart(where, chart)


def write_compare(book: Book, snap: Snapshot, rows: Sequence[Row], *, final: bool) -> None:
    """The 同比 sheet: matched indicators with both years' values and the change (this
    year's marked while not final, or left blank in a `final` export)."""
    from evalcheck.state.compare import compare_rows
    from evalcheck.views.columns import COMPARE

    year = next(r.previous.year for r in rows if r.previous is not None)
    title = f"{snap.checklist.year}年与{year}年对比（上年值仅供参考）"
    lines = compare_rows(snap, rows, final=final)
    ws = _table_sheet(book, COMPARE_SHEET, title, COMPARE, lines, formats=False)
    Book.freeze(ws, 3, 1)


def _table_sheet(
    book: Book,
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
    ws = book.sheet(name)
    book.text(ws, 1, 1, title, {"bold": True, "font_size": 13})
    header = book.format(**SHADED)
    for n, col in enumerate(columns, start=1):
        book.put(ws, 2, n, col.header, header)
    wrap = {"text_wrap": True, "valign": "vcenter"}
    r = 2
    for r, line in enumerate(lines, start=3):
        for n, col in enumerate(columns, start=1):
            v = col.get(line)
            if isinstance(v, str):
                book.text(ws, r, n, v, wrap)
            else:
                fmt = col.format_for(line) if formats else DATE_FORMATS.get(type(v), "General")
                book.put(ws, r, n, v, book.format(**wrap, num_format=fmt))
    book.widths(ws, [col.width for col in columns])
    Book.landscape_a4(ws, repeat=(1, 2), fit_width=True)
    return ws


def write_rollup(book: Book, snap: Snapshot, rollups: "Sequence[Rollup]") -> None:
    """The 汇总 sheet: one row per collected indicator, one column per unit (its value,
    未报送 or 不适用), then the rolled-up total, the city's own answer (marked while not
    final), the rule, complete or not, and the formula."""
    from evalcheck.views.units import MatrixRow, city_answer, ranks_of, rollup_sheet_columns

    checklist = snap.checklist
    assert checklist.units is not None
    columns = rollup_sheet_columns(checklist.units.names)
    title = (
        f"{checklist.title}（{checklist.year}年）各单位填报与汇总，截至 {snap.today.isoformat()}"
    )
    lines = [
        MatrixRow(ind, r, ranks_of(ind, r), city_answer(snap.row(r.id), r))
        for r in rollups
        for ind in (checklist.get(r.id),)
    ]
    ws = _table_sheet(book, ROLLUP_SHEET, title, columns, lines, formats=True)
    Book.freeze(ws, 3, 3)
    Book.autofilter(ws, (2, 1), (max(2, len(rollups) + 2), len(columns)))
