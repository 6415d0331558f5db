"""Excel: the official table, per-section forms, and reading filled forms back.

openpyxl is imported inside the functions, so commands that never touch Excel do not
pay for it. Workbooks are written to memory and then atomically to disk. Reading uses
openpyxl, which parses XML through defusedxml when it is installed (it is a
dependency), after a size check on the file and on its unpacked parts.
"""

import contextlib
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.answers.store import State
from evalcheck.errors import DataError, InputError, ValueRefused, WriteError, os_reason
from evalcheck.infra import clock, notices
from evalcheck.infra.digest import sha256_hex
from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.model.checklist import KIND_NAMES, UNASSIGNED, Checklist, Indicator
from evalcheck.model.derived import TOLERANCE
from evalcheck.model.kinds import MAX_TEXT, Value, cell_text, dropdown, example, parse
from evalcheck.state.snapshot import (
    STATUS_LABELS,
    Row,
    Snapshot,
    Status,
    group_rows,
    progress,
    shared_note,
)
from evalcheck.views.columns import (
    EXPORT,
    FORM_INPUT_KEYS,
    Column,
    export_columns,
    plain,
    progress_sheet,
    with_due,
)

if TYPE_CHECKING:  # attachment, fonts and pages: imported by the exports that use them
    from evalcheck.answers.evidence import Evidence
    from evalcheck.infra.fonts import Font as FontChoice
    from evalcheck.infra.fonts import Fonts

MAIN_SHEET = "测评指标"
SUMMARY_SHEET = "填报进度"
META_SHEET = "_evalcheck"
KEY = "校验键"  # hidden: which indicator a row is (id + digest of checklist and text)
ORIGINAL = "原值"  # hidden: what the row's input cells said when exported (JSON)
HIDDEN = (KEY, ORIGINAL)
LABEL_ROW = 1  # "附件 1" (the attachment's label; a fill-in hint in section forms)
TITLE_ROW = 2
HEADER_ROW = 3
FIRST_ROW = 4
MARGINS_IN = {"left": 0.4, "right": 0.4, "top": 0.55, "bottom": 0.75, "header": 0.3, "footer": 0.3}
NA_PREFIX = STATUS_LABELS[Status.NA]  # typed into 填报值 out of habit: 不适用：原因
FORMULA_START = ("=", "+", "-", "@")


# the table's and the forms' columns: the visible ones declared in columns.py, then hidden ones
COLUMNS = (*(c.header for c in EXPORT), *HIDDEN)


def row_key(checklist: Checklist, ind: Indicator) -> str:
    """'47:3f2a9c0b1d': the id and a digest of the checklist and the indicator's text."""
    raw = f"{checklist.title}|{checklist.year}|{ind.id}|{ind.text}".encode()
    return f"{ind.id}:{sha256_hex(raw)[:10]}"


def display_width(text: str) -> int:
    """Columns a text takes: 2 for a CJK character, 1 for ASCII.

    (UTF-8 length + length) / 2 gives exactly that for ASCII (1 byte) and CJK (3 bytes),
    at C speed; a 2-byte character (é) counts 1.5, which is close enough for widths.
    """
    return (len(text.encode("utf-8")) + len(text) + 1) // 2


# ---------------------------------------------------------------- export


def _set_text(cell: Any, text: str) -> None:
    """Write text that Excel must not take for a formula (= + - @), and that a cell can
    hold whole (answers are capped at that length; only a hand-edited file exceeds it)."""
    if len(text) > MAX_TEXT:
        raise DataError(
            f"有一段文字长达 {len(text)} 字（“{text[:20]}……”），"
            f"超过 Excel 单元格的上限 {MAX_TEXT} 字，导出会截断它，未导出：请先在答案文件中缩短"
        )
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_START):
        cell.quotePrefix = True


def comparable(v: Any) -> str | None:
    """A cell's content as comparable text: '' and None are both None, 312.0 is '312',
    line ends and surrounding space do not count (spreadsheet programs change them)."""
    if v is None:
        return None
    if isinstance(v, bool):
        v = "是" if v else "否"
    elif isinstance(v, float) and v.is_integer():
        v = int(v)
    elif isinstance(v, dt.datetime | dt.date):
        v = v.isoformat()
    t = str(v).replace("\r\n", "\n").strip()
    return t or None


def _compact(text: str | None) -> str | None:
    """A long cell text as its SHA-256 in the hidden 原值: four cells of up to 32767
    characters each must still fit the one hidden cell (Excel's limit)."""
    if text is None or len(text) <= 1000:
        return text
    return "sha256:" + sha256_hex(text.encode("utf-8"))


def original_of(columns: Sequence[Column[Row]], row: Row) -> str:
    """What the row's input cells say as exported, as JSON. Import compares each cell
    with it: an untouched cell changes nothing, whatever it says (a derived value out
    of range, a text that reads like 不适用：…)."""
    data = {c.key: original_cell(c.get(row)) for c in columns if c.key in FORM_INPUT_KEYS}
    return json_texts(data)


def original_cell(value: Any) -> str | None:
    """One input cell's value as 原值 keeps it."""
    return _compact(comparable(value))


def json_texts(data: dict[str, str | None]) -> str:
    """`json.dumps(data, ensure_ascii=False, sort_keys=True)` for a flat mapping of texts,
    with json's own C string encoder but without importing json (1.5 ms an export)."""
    try:
        from _json import encode_basestring as quote
    except ImportError:  # pragma: no cover - a Python without the C accelerator
        import json

        return json.dumps(data, ensure_ascii=False, sort_keys=True)
    items = (f"{quote(k)}: {'null' if v is None else quote(v)}" for k, v in sorted(data.items()))
    return "{" + ", ".join(items) + "}"


class _Styles:
    """Named styles, one per combination used, registered once per workbook.

    Setting a named style is about 3x faster in openpyxl than setting border,
    alignment, fill and protection one by one on every cell.
    """

    def __init__(self, wb: Any, fonts: "Fonts") -> None:
        self.wb = wb
        self.fonts = fonts
        self.names: dict[tuple[Any, ...], str] = {}
        self.arrays: dict[tuple[Any, ...], Any] = {}

    def apply(
        self,
        cell: Any,
        *,
        center: bool = False,
        late: bool = False,
        answer: bool = False,
        fmt: str = "General",
    ) -> None:
        """Give `cell` a named style; after the first cell of a kind, by copying its
        style array (as openpyxl's own copy_worksheet does), which skips the lookup
        of the style by name that makes `cell.style = name` slow on 10,000 rows."""
        key = (center, late, answer, fmt)
        proto = self.arrays.get(key)
        if proto is None:
            cell.style = self.get(center=center, late=late, answer=answer, fmt=fmt)
            self.arrays[key] = proto = cell._style
        cell._style = proto.__copy__()  # a StyleArray: copy.copy() only adds a lookup

    def get(
        self,
        *,
        header: bool = False,
        center: bool = False,
        late: bool = False,
        answer: bool = False,
        fmt: str = "General",
    ) -> str:
        key = (header, center, late, answer, fmt)
        name = self.names.get(key)
        if name is None:
            from openpyxl.styles import (
                Alignment,
                Border,
                NamedStyle,
                PatternFill,
                Protection,
                Side,
            )

            thin = Side(style="thin", color="999999")
            color = "DDEBF7" if header else "FCE4E4" if late else "FFF9E5" if answer else None
            name = f"evalcheck{len(self.names)}"
            style = NamedStyle(
                name,
                font=_font(self.fonts.header if header else self.fonts.body),
                border=Border(left=thin, right=thin, top=thin, bottom=thin),
                alignment=Alignment(
                    horizontal="center" if header or center else None,
                    vertical="center",
                    wrap_text=True,
                ),
                protection=Protection(locked=not answer),
                number_format=fmt,
            )
            if color:
                style.fill = PatternFill("solid", fgColor=color)
            self.wb.add_named_style(style)
            self.names[key] = name
        return name


class Framing(NamedTuple):
    """What surrounds the table: the attachment's label, title and 备注, and its fonts."""

    label: str  # "附件 1" in the table, a fill-in hint in a section form
    title: str
    footnote: str | None
    fonts: "Fonts"


XLSX_SIZES = {"label": 16.0, "title": 20.0, "header": 11.0, "body": 11.0}
FORM_HINT = (
    "填写说明：只填写有底色的 填报值、不适用原因、备注、佐证材料 四列；"
    "填好后交回，用 evalcheck import 导入。"
)


def framing(checklist: Checklist, *, title: str, form: bool) -> Framing:
    from evalcheck.views.attachment import fonts_of, footnote_of

    return Framing(
        FORM_HINT if form else checklist.label or "",
        title,
        footnote_of(checklist),
        fonts_of(checklist, XLSX_SIZES),
    )


def _font(f: "FontChoice", **kw: Any) -> Any:
    from openpyxl.styles import Font

    return Font(name=f.name, size=f.size, charset=134, **kw)  # 134: GB2312


WRAPPED = ("text", "display", "value", "note", "evidence", "na")


def _write_main(
    ws: Any,
    checklist: Checklist,
    rows: Sequence[Row],
    *,
    frame: Framing,
    form: bool,
    columns: Sequence[Column[Row]] = EXPORT,
) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    headers = (*(c.header for c in columns), *HIDDEN)
    n_visible = len(columns)
    key_col, original_col = n_visible + 1, n_visible + 2
    fonts = frame.fonts
    styles = _Styles(ws.parent, fonts)
    if frame.label:
        label_font = fonts.body if form else fonts.label
        ws.cell(LABEL_ROW, 1, frame.label).font = _font(label_font)
    ws.row_dimensions[LABEL_ROW].height = 26
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=n_visible)
    ws.cell(TITLE_ROW, 1, frame.title).font = _font(fonts.title)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[TITLE_ROW].height = 40
    for n, name in enumerate(headers, start=1):
        ws.cell(HEADER_ROW, n, name).style = styles.get(header=True)
    ws.row_dimensions[HEADER_ROW].height = 22

    longest = [display_width(h) for h in headers]
    heights: list[float] = []
    # what does not change from row to row, worked out once per column
    plan = [
        (n, col, col.key in WRAPPED, col.key in FORM_INPUT_KEYS, col.number_format)
        for n, col in enumerate(columns, start=1)
    ]
    arrays = styles.arrays  # (center, late, answer, format) -> the style array to copy
    r = FIRST_ROW
    for row in rows:
        lines = 1
        late = row.overdue
        inputs: dict[str, str | None] = {}  # the hidden 原值, as original_of() writes it
        for n, col, wrapped, is_input, fmt in plan:
            v = col.get(row)
            c = ws.cell(r, n)
            if isinstance(v, str):
                if v:
                    _set_text(c, v)
                    width = display_width(v) if len(v) * 2 > longest[n - 1] else 0
                    longest[n - 1] = max(longest[n - 1], width)
                    if wrapped:
                        lines = max(lines, _lines(v, col.width))
            elif v is not None:
                c.value = v
                # digits of 仿宋 or of a substitute font run wider than Calibri's: room for
                # them, or a date shows as ####
                longest[n - 1] = max(longest[n - 1], len(plain(v)) + 2)
            if is_input:
                inputs[col.key] = original_cell(v)
            key = (col.center, late, form and is_input, fmt if isinstance(fmt, str) else fmt(row))
            proto = arrays.get(key)
            if proto is None:  # the first cell of its kind registers the named style
                styles.apply(c, center=key[0], late=key[1], answer=key[2], fmt=key[3])
            else:  # the rest copy its style array (styles.apply, inlined: 2,600 cells)
                c._style = proto.__copy__()
        _set_text(ws.cell(r, key_col), row_key(checklist, row.ind))
        _set_text(ws.cell(r, original_col), json_texts(inputs))
        heights.append(LINE_HEIGHT * lines + 4)
        ws.row_dimensions[r].height = heights[-1]
        r += 1
    last_row = r - 1

    widths: list[float] = []
    for n, col in enumerate(columns, start=1):
        fitted = col.width if col.key == "text" else min(col.width, longest[n - 1] + 2)
        widths.append(max(display_width(col.header) + 2, fitted))
        ws.column_dimensions[get_column_letter(n)].width = widths[-1]
    for n in (key_col, original_col):
        ws.column_dimensions[get_column_letter(n)].hidden = True
    if frame.footnote:
        heights.append(_footnote(ws, last_row + 1, frame, widths))
    starts = _paginate(ws, heights, widths)
    _merge_categories(ws, rows, starts)

    text_col = next(n for n, c in enumerate(columns, start=1) if c.key == "text")
    ws.freeze_panes = ws.cell(FIRST_ROW, text_col)
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


LINE_HEIGHT = 16.5  # points per line of 11-point CJK text


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column: spreadsheet programs do not re-fit the
    height of rows in a file they did not lay out themselves."""
    per_line = max(int(width) - 2, 4)
    return sum(-(-display_width(part) // per_line) or 1 for part in text.split("\n"))


def _footnote(ws: Any, r: int, frame: Framing, widths: Sequence[float]) -> float:
    """The 备注 paragraph under the table, across the printed columns; returns its height."""
    from openpyxl.styles import Alignment

    assert frame.footnote is not None
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(widths))
    cell = ws.cell(r, 1)
    _set_text(cell, frame.footnote)
    cell.font = _font(frame.fonts.body)
    cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    height = LINE_HEIGHT * _lines(frame.footnote, sum(widths) - 2) + 12
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


def _write_meta(wb: Any, checklist: Checklist, kind: str, section: str | None) -> None:
    ws = wb.create_sheet(META_SHEET)
    for r, (k, v) in enumerate(
        [
            ("format", 2),
            ("kind", kind),
            ("title", checklist.title),
            ("year", checklist.year),
            ("section", section or ""),
            ("exported", clock.now().replace(microsecond=0, tzinfo=None)),
        ],
        start=1,
    ):
        ws.cell(r, 1, k)
        ws.cell(r, 2, v)
    ws.sheet_state = "veryHidden"


def _write_summary(wb: Any, snap: Snapshot, rows: Sequence[Row]) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    checklist, today = snap.checklist, snap.today
    ws = wb.create_sheet(SUMMARY_SHEET)
    groups = progress(snap, rows)
    ws.cell(
        1, 1, f"{checklist.title}（{checklist.year}年）填报进度，截至 {today.isoformat()}"
    ).font = Font(bold=True, size=13)
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
        data = Reference(ws, min_col=8, min_row=chart_rows[0] - 1, max_row=chart_rows[1])
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


COMPARE_SHEET = "同比"


def _write_compare(wb: Any, snap: Snapshot, rows: Sequence[Row]) -> None:
    """The 同比 sheet: matched indicators with both years' values and the change."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from evalcheck.state.compare import compare_rows
    from evalcheck.views.columns import COMPARE

    ws = wb.create_sheet(COMPARE_SHEET)
    year = next(r.previous.year for r in rows if r.previous is not None)
    title = f"{snap.checklist.year}年与{year}年对比（上年值仅供参考）"
    ws.cell(1, 1, title).font = Font(bold=True, size=13)
    for n, col in enumerate(COMPARE, start=1):
        c = ws.cell(2, n, col.header)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    for r, line in enumerate(compare_rows(snap, rows), start=3):
        for n, col in enumerate(COMPARE, start=1):
            v = col.get(line)
            c = ws.cell(r, n)
            if isinstance(v, str):
                _set_text(c, v)
            else:
                c.value = v
            c.alignment = wrap
    for n, col in enumerate(COMPARE, start=1):
        ws.column_dimensions[get_column_letter(n)].width = col.width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _save(wb: Any, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())


def _check_target(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InputError(
            f"导出文件名应以 .xlsx（Excel）或 .docx（Word）结尾，例如 report.xlsx，"
            f"而不是“{path.name}”"
        )
    if path.is_dir():
        raise InputError(f"“{path}”是一个文件夹，请给出文件名，例如 {path / 'report.xlsx'}")
    if not path.parent.exists():
        raise InputError(f"文件夹“{path.parent}”不存在")


def export_workbook(
    path: Path, snap: Snapshot, rows: Sequence[Row], *, due_as_written: bool = False
) -> int:
    """The full table (the bureau's attachment) plus a progress sheet. Returns rows written.

    The progress sheet counts the same `rows` as the table.
    """
    from evalcheck.infra.deferred import import_openpyxl
    from evalcheck.views.attachment import title_of

    Workbook = import_openpyxl().Workbook

    _check_target(path)
    from evalcheck.infra.winnames import long_path_warnings

    for w in long_path_warnings(path):
        notices.warn(w)
    checklist = snap.checklist
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    frame = framing(checklist, title=title_of(checklist), form=False)
    columns = with_due(export_columns(rows, checklist), due_as_written=due_as_written)
    _write_main(ws, checklist, rows, frame=frame, form=False, columns=columns)
    _write_summary(wb, snap, rows)
    if any(r.previous is not None for r in rows):
        _write_compare(wb, snap, rows)
    _write_meta(wb, checklist, "export", None)
    _save(wb, path)
    return len(rows)


def form_filename(checklist: Checklist, section: str) -> str:
    """The form's file name; distinct for every section even on Windows (see form_filenames)."""
    return form_filenames(checklist)[section]


def form_filenames(checklist: Checklist) -> dict[str, str]:
    """Every section's form file name, unique after Windows' folding of case, width and
    refused characters (A/B科 and A:B科 would otherwise write one file over the other)."""
    from evalcheck.infra.winnames import unique_names

    sections = [*checklist.sections, UNASSIGNED]
    names = unique_names(f"{checklist.year}测评填报_{s}" for s in sections)
    return {s: f"{n}.xlsx" for s, n in zip(sections, names, strict=True)}


def export_forms(
    folder: Path,
    snap: Snapshot,
    *,
    sections: Iterable[str] | None = None,
    force: bool = False,
    due_as_written: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per section (and one for unassigned indicators).

    All or nothing: every target is checked (exists without --force, read-only, open in
    Excel/WPS) and every workbook built before the first file is written.
    """
    from evalcheck.infra.deferred import import_openpyxl
    from evalcheck.views.attachment import title_of

    Workbook = import_openpyxl().Workbook

    from evalcheck.infra.winnames import long_path_warnings, name_key

    if folder.exists() and not folder.is_dir():
        raise InputError(f"“{folder}”不是文件夹")
    checklist = snap.checklist
    wanted = set(sections) if sections else None
    groups = [
        (name, rows)
        for name, rows in group_rows(snap, snap.rows, "section")
        if wanted is None or name in wanted
    ]
    names = form_filenames(checklist)
    # an existing file counts when Windows would take it for the target (case, width)
    present: dict[str, str] = {}
    if folder.is_dir():
        with contextlib.suppress(OSError):
            present = {name_key(p.name): p.name for p in folder.iterdir()}
    targets = [
        (name, rows, folder / present.get(name_key(names[name]), names[name]))
        for name, rows in groups
    ]
    existing = [p for _, _, p in targets if name_key(p.name) in present]
    if existing and not force:
        raise InputError(
            "以下表格已存在，可能含有科室尚未导入的填报内容，未做任何修改；"
            "确认要覆盖请加 --force：" + "、".join(map(str, existing))
        )
    refused = [problem for p in existing if (problem := _cannot_replace(p))]
    if refused:
        raise WriteError(
            f"有 {len(refused)} 份表格无法覆盖，未写入任何表格（请处理后重试）：", details=refused
        )
    for _, _, target in targets:
        for w in long_path_warnings(target):
            notices.warn(w)
    built: list[tuple[Path, bytes, int]] = []
    for name, rows, target in targets:
        wb = Workbook()
        ws = wb.active
        ws.title = MAIN_SHEET
        frame = framing(checklist, title=title_of(checklist, f"— {name} 填报表"), form=True)
        columns = with_due(export_columns(rows, checklist), due_as_written=due_as_written)
        _write_main(ws, checklist, rows, frame=frame, form=True, columns=columns)
        _add_validations(ws, checklist, rows)
        ws.protection.sheet = True  # no password: it guards against slips, not people
        ws.protection.autoFilter = False
        ws.protection.sort = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        _write_meta(wb, checklist, "form", name)
        buf = io.BytesIO()
        wb.save(buf)
        built.append((target, buf.getvalue(), len(rows)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"无法创建文件夹 {folder}：{os_reason(exc)}") from None
    written: list[tuple[Path, int]] = []
    for target, data, n in built:
        try:
            atomic_write_bytes(target, data)
        except WriteError as exc:
            done = "、".join(str(p) for p, _ in written) or "无"
            raise WriteError(f"{exc.message}（此前已写入：{done}）") from None
        written.append((target, n))
    return written


def _cannot_replace(path: Path) -> str | None:
    """Why an existing form cannot be overwritten now, or None."""
    from evalcheck.infra.fileio import is_read_only
    from evalcheck.infra.sharing import owner_of_open_file

    if is_read_only(path):
        return f"{path}：文件是只读的（请在文件“属性”中取消“只读”）"
    who = owner_of_open_file(path)
    if who is not None:
        return f"{path}：正在 Excel 或 WPS 中打开" + (f"（{who}）" if who else "") + "，请先关闭"
    try:
        with open(path, "r+b"):
            pass  # Windows refuses this while another program has the file open
    except PermissionError:
        return f"{path}：被其他程序占用（Excel/WPS 或同步程序？），请先关闭"
    except OSError as exc:
        return f"{path}：{os_reason(exc)}"
    return None


def _add_validations(ws: Any, checklist: Checklist, rows: Sequence[Row]) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    keys = [c.key for c in EXPORT]
    col = get_column_letter(keys.index("value") + 1)
    for r, row in enumerate(rows, start=FIRST_ROW):
        ind = row.ind
        kind = KIND_NAMES[ind.kind]
        unit = f"，单位：{ind.unit}" if ind.unit else ""
        prompt = f"{kind}{unit}。例如：{example(ind)}。不适用请在“不适用原因”列写明原因"
        choices = dropdown(ind)
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
        dv.error = "请从下拉列表中选择"
        dv.promptTitle = f"第{ind.id}项"[:32]
        dv.prompt = prompt[:250]
        dv.showInputMessage = True
        ws.add_data_validation(dv)
        dv.add(f"{col}{r}")


def _fits_list(options: Sequence[str]) -> bool:
    text = ",".join(options)
    return len(text) <= 250 and not any("," in o or '"' in o for o in options)


# ---------------------------------------------------------------- import


class Change(NamedTuple):
    """What one row asks for. A field of None leaves that part of the answer as it is."""

    ind: Indicator
    value: Value | None
    na: str | None
    note: str | None
    evidence: tuple[str, ...] | None  # the names in the 佐证材料 cell
    where: str
    computed_cell: bool = False  # no hidden original, and the row was exported as 自动计算
    # with a hidden 原值: the exported text of the input cells, and the cells changed since
    # (as comparable text), so that stale.py can tell a conflict from a plain change
    originals: dict[str, str | None] | None = None
    form: dict[str, str | None] | None = None
    items: "tuple[Evidence, ...] | None" = None  # the evidence those names resolved to


class ImportResult:
    """What an import found: the changes asked for, the rows refused, what was read."""

    __slots__ = ("changes", "refused", "rows", "sheets")

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.refused: list[str] = []
        self.rows = 0
        self.sheets: list[str] = []


Grid = dict[str, list[list[tuple[Any, bool]]]]  # sheet -> rows -> (value, is a formula)


def _read_grid(path: Path, *, data_only: bool) -> Grid:
    """Every sheet's cells, read in openpyxl's streaming (read-only) mode, within the
    size guards of workbook_guard (checked before openpyxl opens the file).

    A number shown as a percentage (a person typed "95%" and the spreadsheet stored 0.95
    with a % format) is read as the text the person saw, "95%".
    """
    from evalcheck.io.workbook_guard import open_workbook, sheet_rows

    wb = open_workbook(path, data_only=data_only)
    try:
        return {
            ws.title: [
                [(_shown(c), getattr(c, "data_type", None) == "f") for c in row]
                for row in sheet_rows(ws, path, values_only=False)
            ]
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def _shown(cell: Any) -> Any:
    """0.95 in a cell formatted as a percentage is "95%" to the person who typed it."""
    value = cell.value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value  # most cells: no need to look up the format
    number_format = getattr(cell, "number_format", None)
    if number_format and "%" in re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format):
        digits = f"{value * 100:.9f}".rstrip("0").rstrip(".")
        return f"{digits}%"
    return value


def read_grid(path: Path) -> Grid:
    """A workbook's cells as written (a formula as a formula): what an import reads, once."""
    return _read_grid(path, data_only=False)


def workbook_kind(grid: Grid) -> str | None:
    """What the hidden sheet says the workbook is ("export", "form", "review"), if it has one."""
    rows = grid.get(META_SHEET, [])
    kind = next((r[1][0] for r in rows if len(r) >= 2 and r[0][0] == "kind"), None)
    return None if kind is None else str(kind)


def read_workbook(path: Path, checklist: Checklist, grid: Grid | None = None) -> ImportResult:
    """Parse every row of an exported table or a section form; nothing is written here.
    `grid`: the workbook's cells, when the caller has read them already (read_grid)."""
    grid = read_grid(path) if grid is None else grid
    _check_meta(grid, checklist, path)
    cached: Grid | None = None  # values Excel computed for formulas, read only if needed
    result = ImportResult()
    for title, rows in grid.items():
        if title in (META_SHEET, SUMMARY_SHEET):
            continue
        header = _find_header(rows)
        if header is None:
            continue
        result.sheets.append(title)
        col = header["value"] - 1
        if cached is None and any(len(row) > col and row[col][1] for row in rows):
            cached = _read_grid(path, data_only=True)
        _read_sheet(title, rows, cached[title] if cached else None, header, checklist, result)
    if not result.sheets:
        raise DataError(f"{path} 中没有带“题号”“填报值”“校验键”表头的工作表")
    return result


def _check_meta(grid: Grid, checklist: Checklist, path: Path) -> None:
    if META_SHEET not in grid:
        raise DataError(
            f"{path} 不是 evalcheck 导出的表格（缺少隐藏的 {META_SHEET} 工作表）："
            "请用 evalcheck export 导出的表格填写"
        )
    meta = {str(r[0][0]): r[1][0] for r in grid[META_SHEET] if len(r) >= 2 and r[0][0]}
    if (meta.get("title"), meta.get("year")) != (checklist.title, checklist.year):
        raise DataError(
            f"{path} 是为清单“{meta.get('title')}”（{meta.get('year')}年）导出的，"
            f"与当前清单“{checklist.title}”（{checklist.year}年）不符"
        )


def _find_header(rows: list[list[tuple[Any, bool]]]) -> dict[str, int] | None:
    """Column numbers by key (value, na, note, …, plus 'key', 'original', 'status', '_row')."""
    by_header = {c.header: c.key for c in EXPORT}
    by_header.update({KEY: "key", ORIGINAL: "original"})
    for r, row in enumerate(rows[:5], start=1):
        names = {str(v).strip(): n for n, (v, _) in enumerate(row, start=1) if v is not None}
        if {"题号", "填报值", KEY} <= set(names):
            found = {by_header[h]: n for h, n in names.items() if h in by_header}
            return {"_row": r, **found}
    return None


class _Row:
    """One sheet row, its cells by column key."""

    def __init__(self, cells: list[tuple[Any, bool]], header: dict[str, int]) -> None:
        self.cells = cells
        self.header = header

    def get(self, key: str) -> Any:
        n = self.header.get(key)
        if n is None or n > len(self.cells):
            return None
        return self.cells[n - 1][0]

    def is_formula(self, key: str) -> bool:
        n = self.header.get(key)
        return n is not None and n <= len(self.cells) and self.cells[n - 1][1]


def _read_sheet(
    title: str,
    rows: list[list[tuple[Any, bool]]],
    cached: list[list[tuple[Any, bool]]] | None,
    header: dict[str, int],
    checklist: Checklist,
    result: ImportResult,
) -> None:
    seen: dict[int, int] = {}
    for r in range(header["_row"] + 1, len(rows) + 1):
        row = _Row(rows[r - 1], header)
        key, ident_cell = row.get("key"), row.get("id")
        if key is None and ident_cell is None:
            continue
        result.rows += 1
        located = locate_row(checklist, title, r, key, ident_cell, seen, result.refused)
        if located is None:
            continue
        ind, where = located
        computed = _Row(cached[r - 1], header) if cached and r <= len(cached) else None
        try:
            change = _row_change(row, computed, ind, where)
        except ValueRefused as exc:
            result.refused.append(f"{where}：{exc.message}")
            continue
        if change is not None:
            result.changes.append(change)


def locate_row(
    checklist: Checklist,
    title: str,
    r: int,
    key: Any,
    ident_cell: Any,
    seen: dict[int, int],
    refused: list[str],
) -> tuple[Indicator, str] | None:
    """The indicator of sheet row `r` and where it is ('工作表“…”第5行（第47项）'), or None
    with the reason appended to `refused` (bad key, edited id, the same indicator twice)."""
    where = f"工作表“{title}”第{r}行"
    ind = _resolve_key(checklist, key, ident_cell)
    if isinstance(ind, str):
        refused.append(f"{where}：{ind}")
        return None
    where = f"{where}（第{ind.id}项）"
    if ind.id in seen:
        refused.append(f"{where}：与第{seen[ind.id]}行重复")
        return None
    seen[ind.id] = r
    return ind, where


def _resolve_key(checklist: Checklist, key: Any, ident_cell: Any) -> Indicator | str:
    m = re.fullmatch(r"(\d+):([0-9a-f]{10})", str(key or "").strip())
    if not m:
        return "隐藏的校验键缺失或无效（请勿修改或删除校验键列，也不要插入新行）"
    ident = int(m.group(1))
    if not checklist.has(ident):
        return f"校验键指向第{ident}项，当前清单中没有这一项"
    ind = checklist.get(ident)
    if row_key(checklist, ind) != m.group(0):
        return f"校验键与第{ident}项不符（表格可能来自其他清单或被改动过）"
    if str(ident_cell).strip() not in (str(ident), f"{ident}.0"):
        return f"题号“{ident_cell}”与校验键（第{ident}项）不符：请勿修改题号"
    return ind


def _originals(row: _Row) -> dict[str, str | None] | None:
    """The row's input cells as exported (the hidden 原值 column), or None when absent."""
    import json

    raw = row.get("original")
    if not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if not all(v is None or isinstance(v, str) for v in data.values()):
        return None
    return data


def _row_change(row: _Row, computed: _Row | None, ind: Indicator, where: str) -> Change | None:
    """What the row asks for: only the input cells a person changed since the export
    (all non-empty ones when the workbook carries no originals)."""
    raw = row.get("value")
    if row.is_formula("value"):
        raw = computed.get("value") if computed else None
        if raw is None:
            raise ValueRefused(
                "填报值是公式且没有计算结果：请在 Excel 中打开并保存一次，或直接填写数值"
            )
    cells = {"value": raw, "na": row.get("na"), "note": row.get("note")}
    cells["evidence"] = row.get("evidence")
    originals = _originals(row)
    if originals is not None:
        cells = {k: v for k, v in cells.items() if _compact(comparable(v)) != originals.get(k)}
        if not cells:
            return None  # untouched since the export
    form = {k: _compact(comparable(v)) for k, v in cells.items()} if originals is not None else None
    value_cell, na_cell = cells.get("value"), _text(cells.get("na"))
    note = _text(cells.get("note")) if "note" in cells else None
    if originals is not None and "note" in cells and note is None:
        note = ""  # a note deleted in the sheet
    ev_raw = _text(cells.get("evidence"))
    evidence: tuple[str, ...] | None = None
    if ev_raw is not None:
        evidence = tuple(e.strip() for e in re.split(r"[\n；;]+", ev_raw) if e.strip())
    elif originals is not None and "evidence" in cells:
        evidence = ()
    computed_cell = originals is None and row.get("status") == Status.COMPUTED.label
    text = None if _text(value_cell) is None else cell_text(value_cell)
    if text is not None and na_cell is not None:
        raise ValueRefused("填报值和不适用原因只能填一个：标为不适用时请清空填报值")
    if na_cell is not None:
        return Change(ind, None, na_cell, note, evidence, where, False, originals, form)
    if text is None:
        if note is None and evidence is None:
            return None
        return Change(
            ind, None, None, note, evidence, where, False, originals, form
        )  # note/evidence only
    na_match = re.fullmatch(rf"{NA_PREFIX}\s*[：:]\s*(.*)", text, flags=re.S)
    if na_match:  # typed into 填报值 out of habit: still not-applicable, with its reason
        reason = na_match.group(1).strip()
        if not reason:
            raise ValueRefused("标为不适用时请在“不适用原因”列写明原因")
        return Change(ind, None, reason, note, evidence, where, False, originals, form)
    return Change(
        ind, parse(ind, text), None, note, evidence, where, computed_cell, originals, form
    )


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _resolved(ch: Change, old: State | None) -> State:
    """What a row would make the answer: an empty value cell keeps the old value or
    not-applicable (a row that only adds a note), an empty note keeps the old note."""
    value, na = ch.value, ch.na
    if value is None and na is None and old is not None:
        value, na = old.value, old.na
    note = old.note if old is not None and ch.note is None else (ch.note or None)
    if ch.items is not None:
        evidence = ch.items
    elif ch.evidence is None:
        evidence = old.evidence if old is not None else ()
    else:
        from evalcheck.answers.evidence import named_items

        evidence = named_items(ch.evidence, old.evidence if old is not None else ())
    return State(
        seq=0, action="import", by="", at="", value=value, na=na, note=note, evidence=evidence
    )


def pending(snap: Snapshot, changes: Sequence[Change]) -> list[tuple[Change, State | None, State]]:
    """(change, current state, resulting state) for the rows that would change something.

    A 自动计算 row of a workbook without originals that still shows the value its formula
    gives is not an answer and is skipped; one a person overwrote is imported.
    """
    out = []
    for ch in changes:
        d = snap.row(ch.ind.id).derived
        if (
            ch.computed_cell
            and isinstance(ch.value, int | float)
            and d is not None
            and d.value is not None
            and abs(ch.value - d.value) <= TOLERANCE
        ):
            continue
        rec = snap.answers.records.get(ch.ind.id)
        old = rec.current if rec else None
        new = _resolved(ch, old)
        if new.value is None and new.na is None and not new.note and not new.evidence:
            continue  # a note deleted from a row that has no answer: nothing to record
        if old is None or not old.same_content(new):
            out.append((ch, old, new))
    return out


def apply_changes(
    snap: Snapshot, answers: Any, changes: Sequence[Change], *, by: str
) -> list[tuple[Change, State | None, State]]:
    """Apply an import as one change (one sequence number, so `undo` reverts it whole).

    `snap` is taken from `answers` (the fresh copy loaded under the lock). Rows equal to
    the current answer are skipped. Returns (change, old, new) for each applied row.
    """
    seq = answers.next_seq()
    done: list[tuple[Change, State | None, State]] = []
    for ch, old, new in pending(snap, changes):
        applied = answers.apply(
            ch.ind, value=new.value, na=new.na, note=new.note or "", evidence=new.evidence,
            by=by, action="import", seq=seq,
        )  # fmt: skip
        if applied is not None:
            done.append((ch, old, applied))
    return done
