"""The bureau's table as Excel: the attachment (label, title, header, rows, 备注), printed
on A4 landscape pages with the categories merged per page, plus the progress and 同比
sheets and the hidden metadata. Section forms (xlsx_forms.py) share the main sheet's writer.

Workbooks are written in memory (io/xlsx_book.py) and then atomically to disk.
"""

import math
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.errors import InputError
from evalcheck.infra import notices
from evalcheck.infra.cache import remember_written
from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.io.xlsx_book import (
    FORMULA_START,
    LINE_HEIGHT,
    XLSX_SIZES,
    Book,
    Cell,
    display_width,
    font,
    wrapped_lines,
)
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
    state_stamp,
    write_meta,
)
from evalcheck.io.xlsx_sheets import write_compare, write_rollup, write_summary
from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import CONTROL, MAX_TEXT
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

if TYPE_CHECKING:  # attachment, fonts and pages: imported by the exports that use them
    from evalcheck.infra.fonts import Fonts
    from evalcheck.state.rollup import Rollup

MARGINS_IN = {"left": 0.4, "right": 0.4, "top": 0.55, "bottom": 0.75, "header": 0.3, "footer": 0.3}


class Framing(NamedTuple):
    """What surrounds the table: the attachment's label, title and 备注, and its fonts."""

    label: str  # "附件 1" in the table, a fill-in hint in a section form
    title: str
    footnote: str | None
    fonts: "Fonts"


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


STREAM_ROWS = 2000  # a larger table is written in constant memory (Book: streaming)
WRAPPED = ("text", "display", "value", "note", "evidence", "na")
LABEL_HEIGHT, TITLE_HEIGHT, HEADER_HEIGHT = 26.0, 40.0, 22.0  # points: rows 1–3


def write_main(
    book: Book,
    ws: Any,
    checklist: Checklist,
    rows: Sequence[Row],
    *,
    frame: Framing,
    form: bool,
    columns: Sequence[Column[Row]] = EXPORT,
    unit: str | None = None,
    computed: Collection[int] = (),
) -> None:
    """The attachment's table; `unit`: a unit's form, whose hidden keys carry the unit;
    `computed`: in a form, the indicators nobody fills in (a unit's value that follows its
    sources), whose cells stay locked and unshaded.

    In two passes, so that the sheet is written top to bottom (a streamed Book holds one
    row at a time): the rows are measured first (each column's widest text, then the
    widths, each row's height, the page breaks and the categories merged per page), then
    written in order, each with its height, its category cell a value or, below the first
    row of its page's piece, a blank.
    """
    headers = (*(c.header for c in columns), *HIDDEN)
    n_visible = len(columns)
    longest = [display_width(h) for h in headers]
    table = _Table(
        book,
        ws,
        form,
        # what does not change from row to row, worked out once per column
        [
            (n, col, col.key in FORM_INPUT_KEYS, col.key in KEPT_KEYS, col.number_format)
            for n, col in enumerate(columns, start=1)
        ],
        longest,
        frozenset(computed),
    )
    values: list[list[Any]] = []  # per row: each column's value
    printed: list[list[tuple[int, str]]] = []  # per row: (column, text as printed)
    for row in rows:
        shown, texts = table.measure(row)
        values.append(shown)
        printed.append(texts)
    widths = print_widths(columns, longest)
    heights = [row_height(texts, widths) for texts in printed]
    del printed
    foot = _footnote_height(frame, widths)
    starts = _paginate(ws, heights if foot is None else [*heights, foot], widths)

    _write_heading(book, ws, frame, form, headers, n_visible)
    book.widths(ws, widths)
    # the key and 原值: widths of their own, for whoever shows them again
    book.hide_columns(ws, {n_visible + 1: 16, n_visible + 2: 40})
    pieces = iter(_category_pieces(rows, starts))
    a = b = -1  # the piece (first, last row index) the row is in
    head: tuple[Any, Any] = (None, None)  # its first row's category: value, format
    for n, (row, shown) in enumerate(zip(rows, values, strict=True)):
        r = FIRST_ROW + n
        if n > b:
            a, b = next(pieces)
        book.height(ws, r, heights[n])
        inputs, first = table.write_row(r, row, shown, below=head[1] if n > a else None)
        if n == a:
            head = (shown[0], first)
        book.text(ws, r, n_visible + 1, row_key(checklist, row.ind, unit))
        book.text(ws, r, n_visible + 2, json_texts(inputs))
        if n == b > a:
            book.merge_written(ws, (FIRST_ROW + a, 1), (r, 1), *head)
    last_row = FIRST_ROW + len(rows) - 1
    if foot is not None:
        _footnote(book, ws, last_row + 1, frame, widths, foot)
    text_col = next(n for n, c in enumerate(columns, start=1) if c.key == "text")
    book.freeze(ws, FIRST_ROW, text_col)
    _print_setup(ws, n_visible, last_row=last_row)


def _write_heading(
    book: Book, ws: Any, frame: Framing, form: bool, headers: Sequence[str], n_visible: int
) -> None:
    """附件 label, the title merged over the table's width, the header row."""
    fonts = frame.fonts
    if frame.label:
        book.text(ws, LABEL_ROW, 1, frame.label, font(fonts.body if form else fonts.label))
    book.height(ws, LABEL_ROW, LABEL_HEIGHT)
    title = book.format(**font(fonts.title), align="center", valign="vcenter")
    book.merge(ws, (TITLE_ROW, 1), (TITLE_ROW, n_visible), frame.title, title)
    book.height(ws, TITLE_ROW, TITLE_HEIGHT)
    header = book.cell(Cell(header=True))
    for n, name in enumerate(headers, start=1):
        book.put(ws, HEADER_ROW, n, name, header)
    book.height(ws, HEADER_ROW, HEADER_HEIGHT)


class _Table:
    """Measures and writes the indicator rows, keeping each column's widest text
    (`longest`).

    The hot loop of a large export (10,000 rows × 14 columns): each cell's format is
    looked up by (column, late, number format, quoted) once made, text goes straight to
    the worksheet."""

    __slots__ = ("book", "computed", "fixed", "form", "formats", "longest", "plan", "ws")

    def __init__(
        self,
        book: Book,
        ws: Any,
        form: bool,
        plan: list[Any],
        longest: list[int],
        computed: frozenset[int] = frozenset(),
    ) -> None:
        self.book, self.ws, self.form, self.plan, self.longest = book, ws, form, plan, longest
        self.computed = computed
        self.formats: dict[tuple[int, bool, str, bool, bool], Any] = {}
        # per column, the format of its cells when it is the same for every row (a fixed
        # number format, not the 状态 column that marks overdue rows) and the value does
        # not begin like a formula: made on first use
        self.fixed: list[Any] = [
            None if callable(fmt) or col.key == "status" else False for _, col, _, _, fmt in plan
        ]

    def format_of(
        self, n: int, col: Column[Row], is_input: bool, late: bool, fmt: str, v: Any
    ) -> Any:
        quoted = type(v) is str and v.startswith(FORMULA_START)
        key = (n, late, fmt, quoted, is_input)
        found = self.formats.get(key)
        if found is None:
            style = Cell(center=col.center, late=late, answer=self.form and is_input, fmt=fmt)
            found = self.formats[key] = self.book.cell(style, quoted)
        return found

    def measure(self, row: Row) -> tuple[list[Any], list[tuple[int, str]]]:
        """One row's values, column by column, and its texts as printed (those that set
        its height: the category is merged over its rows and sets none)."""
        shown: list[Any] = []
        texts: list[tuple[int, str]] = []
        longest = self.longest
        for n, col, _, _, _ in self.plan:
            v = col.get(row)
            shown.append(v)
            if isinstance(v, str):
                if v:
                    if col.key != "category":
                        texts.append((n, v))
                    if len(v) * 2 > longest[n - 1]:
                        longest[n - 1] = max(longest[n - 1], display_width(v))
            elif v is not None:
                text = plain(v)
                texts.append((n, text))
                # digits of 仿宋 or of a substitute font run wider than Calibri's: room for
                # them, or a date or a time shows as ###
                longest[n - 1] = max(longest[n - 1], math.ceil(len(text) * DIGIT_WIDTH))
        return shown, texts

    def write_row(
        self, r: int, row: Row, shown: Sequence[Any], *, below: Any
    ) -> tuple[dict[str, str | None], Any]:
        """One row's cells; `below`: the row is under its category's first row on this
        page, whose format its blank first cell takes (the merge's). Returns the hidden
        原值 of its input and verdict cells (as original_of() writes it) and the format of
        its first cell."""
        overdue = row.overdue  # marked in the 状态 cell only: inputs keep their own fill
        inputs: dict[str, str | None] = {}
        ws, fixed, put = self.ws, self.fixed, self.put
        locked = row.ind.id in self.computed  # nobody fills it in: no input cell
        first = below
        for (n, col, is_input, kept, fmt), v in zip(self.plan, shown, strict=True):
            if kept:
                inputs[col.key] = None if v is None or v == "" else original_cell(v)
            if n == 1 and below is not None:
                ws.write_blank(r - 1, 0, None, below)
                continue
            if locked and is_input:
                late = overdue and col.key == "status"
                f = fmt(row) if callable(fmt) else fmt
                put(r, n, v, self.format_of(n, col, False, late, f, v))
                continue
            cell = fixed[n - 1]
            if cell is None or cell is False or (type(v) is str and v.startswith(FORMULA_START)):
                late = overdue and col.key == "status"
                cell = self.cell_format(
                    n, col, is_input, late, fmt(row) if callable(fmt) else fmt, v
                )
            if n == 1:
                first = cell
            put(r, n, v, cell)
        return inputs, first

    def cell_format(
        self, n: int, col: Column[Row], is_input: bool, late: bool, fmt: str, v: Any
    ) -> Any:
        """format_of, remembered as the column's fixed format where it is one."""
        known = self.fixed[n - 1] is False
        cell = self.format_of(n, col, is_input, late, fmt, v)
        if known and not (type(v) is str and v.startswith(FORMULA_START)):
            self.fixed[n - 1] = cell
        return cell

    def put(self, r: int, n: int, v: Any, cell: Any) -> None:
        """Book.put, shortened for the common cells."""
        kind = type(v)
        if kind is str and v and len(v) <= MAX_TEXT and not CONTROL.search(v):
            self.ws.write_string(r - 1, n - 1, v, cell)
        elif v is None or v == "":
            self.ws.write_blank(r - 1, n - 1, None, cell)
        elif kind is int or kind is float:
            self.ws.write_number(r - 1, n - 1, v, cell)
        else:
            self.book.put(self.ws, r, n, v, cell)


def _category_pieces(rows: Sequence[Row], starts: list[int]) -> list[tuple[int, int]]:
    """(first, last) row index of each category's run of rows, cut at the page breaks:
    the cells merged, so that every printed page shows the category of its rows."""
    from evalcheck.views.attachment import runs
    from evalcheck.views.pages import split_runs

    return split_runs(runs([r.ind.category for r in rows]), starts)


def _print_setup(ws: Any, n_visible: int, *, last_row: int) -> None:
    """Filter, print titles, landscape A4, margins, the page number footer."""
    Book.autofilter(ws, (HEADER_ROW, 1), (max(last_row, HEADER_ROW), n_visible))
    # the header repeats; label, title not
    Book.landscape_a4(ws, repeat=(HEADER_ROW, HEADER_ROW), fit_width=False)
    ws.center_horizontally()
    m = MARGINS_IN
    ws.set_margins(left=m["left"], right=m["right"], top=m["top"], bottom=m["bottom"])
    ws.set_header("", {"margin": m["header"]})
    # official documents number their pages "— 1 —"
    ws.set_footer('&C&"宋体,Regular"&14— &P —', {"margin": m["footer"]})


DIGIT_WIDTH = 1.15  # a digit of 仿宋 (or its substitute) against a character of Calibri
CJK_WIDTH = 1.1  # a CJK character of an 11-point 仿宋 against two characters of Calibri
NO_WRAP_MAX = 24  # a column that should not wrap grows to fit its longest cell up to this


def print_widths(columns: Sequence[Column[Row]], longest: Sequence[int]) -> list[float]:
    """Every printed column's width (characters of the default font), header included:
    三级指标 its declared width; the other wrapping ones (填报值, 备注 …) their longest
    cell up to their declared width; the rest their longest cell (状态 "逾期1904天",
    填报人 "审批监管科王五", 审核时间) up to NO_WRAP_MAX, so that they print on one line
    (a longer one wraps, and its row grows: row_height counts every column)."""
    widths: list[float] = []
    for n, col in enumerate(columns):
        head = display_width(col.header) + 2
        fitted = math.ceil(longest[n] * CJK_WIDTH) + 3  # cell padding, bold 状态 text
        if col.key == "text":
            fitted = int(col.width)
        elif col.key in WRAPPED or col.key == "category":
            fitted = min(fitted, int(col.width))
        else:
            fitted = min(fitted, max(NO_WRAP_MAX, int(col.width)))
        widths.append(float(max(head, fitted)))
    return widths


def row_height(texts: Sequence[tuple[int, str]], widths: Sequence[float]) -> float:
    """A row's height: the most lines any of its printed cells wraps to at its column's
    width (Chinese line breaking, views/linebreak.py), every column counted."""
    lines = max((wrapped_lines(t, widths[n - 1]) for n, t in texts), default=1)
    return LINE_HEIGHT * lines + 4


def _footnote_height(frame: Framing, widths: Sequence[float]) -> float | None:
    """The height of the 备注 paragraph under the table, across the printed columns."""
    if not frame.footnote:
        return None
    return LINE_HEIGHT * wrapped_lines(frame.footnote, sum(widths) - 2) + 12


def _footnote(
    book: Book, ws: Any, r: int, frame: Framing, widths: Sequence[float], height: float
) -> None:
    """The 备注 paragraph under the table, merged across the printed columns."""
    assert frame.footnote is not None
    fmt = book.format(**font(frame.fonts.body), text_wrap=True, valign="top", align="left")
    book.height(ws, r, height)
    book.merge(ws, (r, 1), (r, len(widths)), frame.footnote, fmt)


def _paginate(ws: Any, heights: list[float], widths: Sequence[float]) -> list[int]:
    """Set an explicit print scale (Excel honours manual breaks only then, not with
    "fit to") and a manual page break wherever the rows fill an A4 landscape page;
    returns the indices (into `heights`) of the rows that begin a page."""
    from evalcheck.views.pages import A4_LANDSCAPE_IN, page_starts, print_scale, usable_height

    page_w, page_h = A4_LANDSCAPE_IN
    scale = print_scale(widths, page_w - MARGINS_IN["left"] - MARGINS_IN["right"])
    room = usable_height(page_h - MARGINS_IN["top"] - MARGINS_IN["bottom"], scale)
    above = LABEL_HEIGHT + TITLE_HEIGHT + HEADER_HEIGHT
    starts = page_starts(heights, room - above, room - HEADER_HEIGHT)
    ws.set_print_scale(scale)
    ws.set_h_pagebreaks([FIRST_ROW + n - 1 for n in starts])  # a break after the row above
    return starts


def check_target(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InputError(
            f"导出文件名应以 .xlsx（Excel）或 .docx（Word）结尾，例如 report.xlsx，"
            f"而不是“{path.name}”"
        )
    from evalcheck.infra.outputguard import check_export_target

    check_export_target(path, "report.xlsx")


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
    units; a 汇总 sheet shows them (those of the exported rows). The same state (answers,
    checklist, day) gives the same bytes.
    """
    from evalcheck.infra.winnames import long_path_warnings
    from evalcheck.views.attachment import title_of

    check_target(path)
    for w in long_path_warnings(path):
        notices.warn(w)
    checklist = snap.checklist
    frame = framing(checklist, title=title_of(checklist), form=False)
    stamp = state_stamp(snap.today, [r.state for r in snap.rows])
    with Book(stamp, frame.fonts, streaming=len(rows) > STREAM_ROWS) as book:
        ws = book.sheet(MAIN_SHEET)
        columns = with_due(export_columns(rows, checklist, mode), due_as_written=due_as_written)
        write_main(book, ws, checklist, rows, frame=frame, form=False, columns=columns)
        write_summary(book, snap, rows)
        if any(r.previous is not None for r in rows):
            write_compare(book, snap, rows, final=mode == "final")
        if rollups is not None:
            shown = {r.id for r in rows}
            write_rollup(book, snap, [r for r in rollups if r.id in shown])
        final = (("mode", "final"),) if mode == "final" else ()  # import reads it
        write_meta(book, checklist, "export", None, snap.today, final)
        data = book.close()
    atomic_write_bytes(path, data)
    remember_written(path, data)  # the next export may replace it without reading it back
    return len(rows)
