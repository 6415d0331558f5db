"""Cell styles and text metrics shared by every workbook evalcheck writes.

openpyxl is imported inside the functions, so commands that never touch Excel do not pay
for it.
"""

from typing import TYPE_CHECKING, Any

from evalcheck.errors import DataError
from evalcheck.infra import clock
from evalcheck.io.xlsx_format import META_SHEET
from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import MAX_TEXT

if TYPE_CHECKING:
    from evalcheck.infra.fonts import Font as FontChoice
    from evalcheck.infra.fonts import Fonts

FORMULA_START = ("=", "+", "-", "@")
XLSX_SIZES = {"label": 16.0, "title": 20.0, "header": 11.0, "body": 11.0}
LINE_HEIGHT = 16.5  # points per line of 11-point CJK text


def display_width(text: str) -> int:
    """Columns a text takes: 2 for a CJK character, 1 for ASCII.

    (UTF-8 length + length) / 2 gives exactly that for ASCII (1 byte) and CJK (3 bytes),
    at C speed; a 2-byte character (é) counts 1.5, which is close enough for widths.
    """
    return (len(text.encode("utf-8")) + len(text) + 1) // 2


def set_text(cell: Any, text: str) -> None:
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


HEADER_FILL = "DDEBF7"  # the header row
INPUT_FILL = "FFF9E5"  # the cells a section fills in ("只填写有底色的…")
OVERDUE_FILL = "FCE4E4"  # an overdue row's 状态 cell
OVERDUE_TEXT = "C00000"


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column: spreadsheet programs do not re-fit the
    height of rows in a file they did not lay out themselves."""
    from evalcheck.views.linebreak import line_count

    return line_count(text, max(int(width) - 2, 4))  # Chinese line breaking, as printed


def xlsx_font(f: "FontChoice", **kw: Any) -> Any:
    from openpyxl.styles import Font

    return Font(name=f.name, size=f.size, charset=134, **kw)  # 134: GB2312


class Styles:
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
            fills = ((header, HEADER_FILL), (late, OVERDUE_FILL), (answer, INPUT_FILL))
            color = next((fill for on, fill in fills if on), None)
            name = f"evalcheck{len(self.names)}"
            # an overdue 状态 cell: pink with dark red bold text (the row keeps its colours)
            marks = {"color": OVERDUE_TEXT, "bold": True} if late else {}
            style = NamedStyle(
                name,
                font=xlsx_font(self.fonts.header if header else self.fonts.body, **marks),
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


def write_meta(
    wb: Any, checklist: Checklist, kind: str, section: str | None, unit: str | None = None
) -> None:
    ws = wb.create_sheet(META_SHEET)
    rows: list[tuple[str, Any]] = [
        ("format", 2),
        ("kind", kind),
        ("title", checklist.title),
        ("year", checklist.year),
        ("section", section or ""),
        ("exported", clock.now().replace(microsecond=0, tzinfo=None)),
    ]
    if unit is not None:
        rows.append(("unit", unit))
    for r, (k, v) in enumerate(rows, start=1):
        ws.cell(r, 1, k)
        ws.cell(r, 2, v)
    ws.sheet_state = "veryHidden"
