"""The one writer of every workbook evalcheck makes: styles, cells and layout, over XlsxWriter.

XlsxWriter writes a workbook in one pass and never reads one back, which makes it several
times faster than openpyxl at writing (and lighter to import); openpyxl stays the reader
(import, checklist-import). Every sheet writer (the total table and its 填报进度, 同比 and
汇总 sheets, the section and unit forms, the review workbooks, the evidence bundle's
目录.xlsx) goes through `Book`: it keeps one format per combination of style properties,
turns a value into the right kind of cell, and sets the page up. Rows and columns are
counted from 1 here, as a person reads a sheet (XlsxWriter counts from 0).

The same state gives the same bytes: XlsxWriter dates every part of the zip 1980-01-01,
and the document's created/modified date is the one `Book` is given (never the clock).
"""

import contextlib
import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.errors import DataError
from evalcheck.model.kinds import MAX_TEXT, without_control

if TYPE_CHECKING:
    from evalcheck.infra.fonts import Font as FontChoice
    from evalcheck.infra.fonts import Fonts
    from evalcheck.infra.forked import Handover

FORMULA_START = ("=", "+", "-", "@")
XLSX_SIZES = {"label": 16.0, "title": 20.0, "header": 11.0, "body": 11.0}
LINE_HEIGHT = 16.5  # points per line of 11-point CJK text
HEADER_FILL = "DDEBF7"  # the header row
INPUT_FILL = "FFF9E5"  # the cells a section fills in ("只填写有底色的…")
OVERDUE_FILL = "FCE4E4"  # an overdue row's 状态 cell
OVERDUE_TEXT = "C00000"
LINK_COLOR = "0563C1"
BORDER_COLOR = "999999"
A4 = 9  # the paper size code of A4
GB2312 = 134  # the font charset Chinese fonts are declared with
# Excel's column width counts the 5 pixels of padding (7 pixels a character of Calibri 11);
# XlsxWriter adds them to the width it is given, openpyxl wrote the number as it was.
PADDING_CHARS = 5 / 7


def display_width(text: str) -> int:
    """Columns a text takes: 2 for a CJK character, 1 for ASCII.

    (UTF-8 length + length) / 2 gives exactly that for ASCII (1 byte) and CJK (3 bytes),
    at C speed; a 2-byte character (é) counts 1.5, which is close enough for widths.
    """
    return (len(text.encode("utf-8")) + len(text) + 1) // 2


def checked_text(text: str) -> str:
    """A text a cell can hold whole (answers are capped at that length; only a hand-edited
    file exceeds it), without control characters (only a hand-edited file has them; `show`
    leaves them out too)."""
    text = without_control(text)  # openpyxl refused them; XlsxWriter would write _x0007_
    if len(text) > MAX_TEXT:
        raise DataError(
            f"有一段文字长达 {len(text)} 字（“{text[:20]}……”），"
            f"超过 Excel 单元格的上限 {MAX_TEXT} 字，导出会截断它，未导出：请先在答案文件中缩短"
        )
    return text


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column: spreadsheet programs do not re-fit the
    height of rows in a file they did not lay out themselves.

    A text of one paragraph and at most columns/2 characters fits on one line whatever
    its characters are (linebreak.surely_one_line, inlined: most cells of a table are
    such, and the line breaker need not even be imported when the others are known)."""
    columns = max(int(width) - 2, 4)
    if len(text) * 2 <= columns and "\n" not in text and "\r" not in text:
        return 1
    return _LINES.count(text, columns)


class _LineMemo:
    """Chinese line breaking (views/linebreak.py) is the costly part of laying out a
    table: the line counts of the texts that wrap are kept between runs (infra/cache.py
    memo), so an export of the same checklist does not break its indicator texts again.
    Saved when a workbook is closed, if it learnt a count; a child process building
    workbooks (infra/forked.py) hands what it learnt to its parent instead (`handover`)."""

    NAME = "line-counts"

    def __init__(self) -> None:
        self.known: dict[Any, Any] | None = None
        self.learnt: dict[tuple[str, int], int] = {}
        self.held = False  # in a child process: kept for the parent, not saved

    def hold(self) -> None:
        self.held = True

    def take(self) -> dict[tuple[str, int], int]:
        return self.learnt

    def give(self, learnt: Any) -> None:
        """A child's learnt counts: known here too, and saved."""
        if isinstance(learnt, dict) and learnt:
            self.load().update(learnt)
            self.learnt.update(learnt)
            self.save()

    def load(self) -> dict[Any, Any]:
        """The counts kept by earlier runs, read once."""
        if self.known is None:
            from evalcheck.infra.cache import load_memo

            self.known = load_memo(self.NAME)
        return self.known

    def count(self, text: str, columns: int) -> int:
        known = self.load()
        key = (text, columns)
        n = known.get(key)
        if type(n) is int and 1 <= n <= len(text) + 1:  # a count a text can have
            return n
        from evalcheck.views.linebreak import line_count

        n = known[key] = self.learnt[key] = line_count(text, columns)
        return n

    def save(self) -> None:
        if self.learnt and self.known is not None and not self.held:
            from evalcheck.infra.cache import MEMO_MAX, save_memo

            keep = self.known if len(self.known) <= MEMO_MAX else self.learnt
            save_memo(self.NAME, keep)
            self.learnt = {}


_LINES = _LineMemo()


def for_children() -> "Handover":
    """Ready this process to fork children that build workbooks (infra/forked.py):
    XlsxWriter imported and the line counts loaded once, here, for every child to inherit
    (else each would import and load them again); and what a child hands back, the line
    counts it learnt."""
    import xlsxwriter  # noqa: F401 - imported for the children

    from evalcheck.infra.forked import Handover

    _LINES.load()
    return Handover(_LINES.hold, _LINES.take, _LINES.give)


def font(f: "FontChoice", **extra: Any) -> dict[str, Any]:
    """A font of the attachment (仿宋_GB2312 …) as format properties."""
    return {"font_name": f.name, "font_size": f.size, "font_charset": GB2312, **extra}


class Cell(NamedTuple):
    """How a table cell looks: the bordered, wrapped cells of the attachment and forms."""

    header: bool = False
    center: bool = False
    late: bool = False  # an overdue 状态 cell: pink, dark red bold text
    answer: bool = False  # a cell a section fills in: shaded and unlocked
    fmt: str = "General"


class Book:
    """One workbook being written, in memory; `close()` gives its bytes.

    `created`: the document's date (the state's, so that the same state gives the same
    bytes). `fonts`: the attachment's fonts, for `cell()` styles. `streaming`: XlsxWriter's
    constant-memory mode, each row written out (to a temporary file) as the next begins,
    so memory does not grow with the rows, and the parts put together through temporary
    files: rows must then be written top to bottom, a row's height set before the next
    row begins, and a merge over rows recorded after its rows (`merge_written`). A small
    workbook is faster in memory.
    """

    def __init__(
        self,
        created: dt.datetime,
        fonts: "Fonts | None" = None,
        *,
        streaming: bool = False,
    ) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        options: dict[str, Any] = {
            "constant_memory": streaming,
            "in_memory": not streaming,  # else no temporary files
            # text is text: never turned into a number, formula or link on the way
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        }
        self.tmpdir: str | None = None
        if streaming:  # XlsxWriter's temporary files in a folder of ours, removed at the end
            import tempfile

            self.tmpdir = options["tmpdir"] = tempfile.mkdtemp(prefix="evalcheck-xlsx-")
        self.wb = xlsxwriter.Workbook(self.buffer, options)
        self.wb.set_properties({"created": created, "author": "evalcheck"})
        self.fonts = fonts
        self.streaming = streaming
        self.formats: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.cells: dict[tuple[Cell, bool], Any] = {}

    def __enter__(self) -> "Book":
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        """Leaving on an error (or Ctrl-C, or a child process told to stop): XlsxWriter's
        temporary files (of streamed rows, of a large workbook) are removed with their
        folder. On Windows, where an open file cannot be removed, the half-built workbook
        is first put together in the buffer that is thrown away, which closes them."""
        try:
            if error is not None and self.tmpdir and os.name == "nt" and not self.wb.fileclosed:
                with contextlib.suppress(Exception):
                    self.wb.close()
        finally:
            self._remove_tmpdir()

    def _remove_tmpdir(self) -> None:
        if self.tmpdir is not None:
            import shutil

            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None

    # ------------------------------------------------------------------ formats

    def format(self, **props: Any) -> Any:
        """The workbook's format with these properties (one per combination)."""
        key = tuple(sorted(props.items()))
        found = self.formats.get(key)
        if found is None:
            found = self.formats[key] = self.wb.add_format(props)
        return found

    def cell(self, style: Cell, quoted: bool = False) -> Any:
        """The format of a table cell: thin grey borders, centred vertically, wrapped."""
        key = (style, quoted)
        found = self.cells.get(key)
        if found is None:
            assert self.fonts is not None
            props: dict[str, Any] = {
                **font(self.fonts.header if style.header else self.fonts.body),
                "border": 1,
                "border_color": "#" + BORDER_COLOR,
                "valign": "vcenter",
                "text_wrap": True,
                "num_format": style.fmt,
            }
            if style.header or style.center:
                props["align"] = "center"
            if style.late:
                props.update(font_color="#" + OVERDUE_TEXT, bold=True)
            fill = next(
                (c for on, c in ((style.header, HEADER_FILL), (style.late, OVERDUE_FILL),
                                 (style.answer, INPUT_FILL)) if on),
                None,
            )  # fmt: skip
            if fill:
                props.update(pattern=1, bg_color="#" + fill)
            if style.answer:
                props["locked"] = False
            if quoted:
                props["quote_prefix"] = True
            found = self.cells[key] = self.format(**props)
        return found

    # ------------------------------------------------------------------ sheets and cells

    def sheet(self, name: str) -> Any:
        return self.wb.add_worksheet(name)

    def put(self, ws: Any, r: int, c: int, value: Any, fmt: Any = None) -> None:
        """One cell (1-based): text as text (never a formula), numbers as numbers, dates as
        dates, an empty value as a blank that keeps the format."""
        if isinstance(value, str):
            if value:
                ws.write_string(r - 1, c - 1, checked_text(value), fmt)
            elif fmt is not None:
                ws.write_blank(r - 1, c - 1, None, fmt)
        elif value is None:
            if fmt is not None:
                ws.write_blank(r - 1, c - 1, None, fmt)
        elif isinstance(value, bool):
            ws.write_boolean(r - 1, c - 1, value, fmt)
        elif isinstance(value, int | float):
            ws.write_number(r - 1, c - 1, value, fmt)
        elif isinstance(value, dt.datetime | dt.date | dt.time):
            ws.write_datetime(
                r - 1, c - 1, value, fmt or self.format(num_format=DATE_FORMATS[type(value)])
            )
        else:
            ws.write_string(r - 1, c - 1, checked_text(str(value)), fmt)

    def text(self, ws: Any, r: int, c: int, text: str, props: Mapping[str, Any] = {}) -> None:
        """A text cell with these format properties; one that begins like a formula
        (= + - @) also gets Excel's quote prefix, so that editing it keeps it text."""
        extra = {"quote_prefix": True} if text.startswith(FORMULA_START) else {}
        fmt = self.format(**props, **extra) if (props or extra) else None
        self.put(ws, r, c, text, fmt)

    def merge(
        self, ws: Any, first: tuple[int, int], last: tuple[int, int], value: Any, fmt: Any
    ) -> None:
        """Merge the cells first..last (1-based (row, column)), the value in the first."""
        if isinstance(value, str):
            value = checked_text(value)
        ws.merge_range(first[0] - 1, first[1] - 1, last[0] - 1, last[1] - 1, value, fmt)

    def merge_written(
        self, ws: Any, first: tuple[int, int], last: tuple[int, int], value: Any, fmt: Any
    ) -> None:
        """Merge cells already written as a merge leaves them: `value` in the first, blanks
        of format `fmt` in the others.

        XlsxWriter's merge_range() writes the cells itself, which a streamed sheet cannot
        do over rows it has written out (its documentation: no merges in constant-memory
        mode); there the range is recorded in the worksheet's list of merged ranges, the
        one merge_range() appends to and the file's <mergeCells> is written from."""
        if not self.streaming:
            self.merge(ws, first, last, value, fmt)
            return
        ranges = getattr(ws, "merge", None)
        if not isinstance(ranges, list):  # not the XlsxWriter this was written for
            raise RuntimeError("XlsxWriter: a worksheet without its list of merged ranges")
        ranges.append([first[0] - 1, first[1] - 1, last[0] - 1, last[1] - 1])

    # ------------------------------------------------------------------ layout

    @staticmethod
    def widths(ws: Any, widths: Sequence[float]) -> None:
        """Column widths in characters, from the first column on."""
        for n, w in enumerate(widths):
            ws.set_column(n, n, max(w - PADDING_CHARS, 0))

    @staticmethod
    def hide_columns(ws: Any, columns: Mapping[int, float]) -> None:
        """Hide these columns (1-based), each with the width it has when shown again."""
        for n, w in columns.items():
            ws.set_column(n - 1, n - 1, max(w - PADDING_CHARS, 0), None, {"hidden": True})

    @staticmethod
    def height(ws: Any, r: int, points: float) -> None:
        ws.set_row(r - 1, points)

    @staticmethod
    def freeze(ws: Any, r: int, c: int) -> None:
        """Freeze the rows above `r` and the columns left of `c`."""
        ws.freeze_panes(r - 1, c - 1)

    @staticmethod
    def autofilter(ws: Any, first: tuple[int, int], last: tuple[int, int]) -> None:
        ws.autofilter(first[0] - 1, first[1] - 1, last[0] - 1, last[1] - 1)

    @staticmethod
    def landscape_a4(ws: Any, *, repeat: tuple[int, int] | None = None, fit_width: bool) -> None:
        """Landscape A4; `repeat`: rows printed on every page; `fit_width`: scaled to the
        page's width (as many pages down as it takes)."""
        ws.set_landscape()
        ws.set_paper(A4)
        if repeat is not None:
            ws.repeat_rows(repeat[0] - 1, repeat[1] - 1)
        if fit_width:
            ws.fit_to_pages(1, 0)

    @staticmethod
    def protect(ws: Any) -> None:
        """Protected without a password (it guards against slips, not people): only the
        unlocked cells can be edited; filtering, sorting and resizing stay allowed."""
        ws.protect(
            "",
            {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True},
        )

    def close(self) -> bytes:
        try:
            self.wb.close()
        finally:
            self._remove_tmpdir()
        _LINES.save()
        return self.buffer.getvalue()


# what a date, a time or both look like where no format is given (openpyxl's defaults)
DATE_FORMATS: dict[type, str] = {
    dt.datetime: "yyyy-mm-dd h:mm:ss",
    dt.date: "yyyy-mm-dd",
    dt.time: "h:mm:ss",
}
