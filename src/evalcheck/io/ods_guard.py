"""The size an .ods sheet unpacks to, read before python-calamine builds it.

An OpenDocument row or cell may say it repeats (`table:number-rows-repeated="40000"`,
`table:number-columns-repeated="2000"`): a 1 KB file can ask for 80 million cells, and
calamine allocates every one of them (10 GB) before any cap of ours applies. So the
sheet's content is scanned first, with expat, counting where the last cell with
something in it would stand; a sheet taller than the row cap or larger than MAX_CELLS
is refused. Empty repeated cells and rows (LibreOffice ends every sheet with a million
of them) cost nothing and count for nothing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError
from evalcheck.io import workbook_guard

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
CELLS = (f"{TABLE} table-cell", f"{TABLE} covered-table-cell")
ROW = f"{TABLE} table-row"
SHEET = f"{TABLE} table"
MAX_CELLS = 2_000_000  # rows × columns up to the last filled cell (a bureau table: ~5,000)
CHUNK = 1 << 16


class _Extent:
    """Where the filled cells of each sheet reach, as the parser goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet = ""
        self.rows = self.width = 0  # the sheet: rows so far, widest filled row
        self.height = 0  # the last row with a filled cell
        self.col = self.row_width = 0  # the row: columns so far, its last filled one
        self.repeat = 1  # the row's repetitions
        self.cell: tuple[int, int] | None = None  # the open cell: (first column, span)
        self.filled = False  # the open cell has a value or content
        self.before = 0  # the cells of the sheets before this one (the cap is the file's)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if name in CELLS:
            span = _count(attrs.get(f"{TABLE} number-columns-repeated"))
            self.cell = (self.col, span)
            self.filled = f"{OFFICE} value-type" in attrs
            self.col += span
        elif self.cell is not None:
            self.filled = True  # <text:p> and the like: something shows in the cell
        elif name == ROW:
            self.repeat = _count(attrs.get(f"{TABLE} number-rows-repeated"))
            self.col = self.row_width = 0
        elif name == SHEET:
            self.sheet = attrs.get(f"{TABLE} name", "")
            self.rows = self.width = self.height = 0

    def end(self, name: str) -> None:
        if name in CELLS and self.cell is not None:
            if self.filled:
                self.row_width = self.cell[0] + self.cell[1]
            self.cell, self.filled = None, False
        elif name == ROW:
            self.rows += self.repeat
            if self.row_width:
                self.height = self.rows
                self.width = max(self.width, self.row_width)
                self._check()
        elif name == SHEET:
            self.before += self.height * self.width

    def _check(self) -> None:
        where = f"{self.path.name} 的工作表“{self.sheet}”"
        if self.height > workbook_guard.MAX_ROWS:
            raise DataError(
                f"{where}有 {self.height} 行以上，超过 {workbook_guard.MAX_ROWS} 行的上限"
                "（是否选错了文件？）"
            )
        if self.height * self.width > MAX_CELLS:
            raise DataError(
                f"{where}展开后有 {self.height} 行 × {self.width} 列，超过 {MAX_CELLS} 个"
                "单元格的上限（文件中的“重复行/列”过多，疑似恶意构造），拒绝读取"
            )
        if self.before + self.height * self.width > MAX_CELLS:  # many sheets, each under it
            raise DataError(
                f"{self.path.name} 的各工作表展开后共有 {self.before + self.height * self.width}"
                f" 个以上单元格，超过 {MAX_CELLS} 个的上限（文件中的“重复行/列”过多，"
                "疑似恶意构造），拒绝读取"
            )


def _count(raw: str | None) -> int:
    """A repetition count; anything that is not a plain positive number counts once."""
    if raw is None or not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return 1
    return max(int(raw), 1)


def check_ods(path: Path) -> None:
    """Refuse an .ods whose sheets unpack to more cells than the caps, before calamine."""
    from xml.parsers import expat

    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("content.xml")
            if info.file_size > workbook_guard.MAX_UNPACKED_BYTES:
                raise DataError(f"{path.name} 解压后过大（{info.file_size // 1024 // 1024} MB）")
            extent = _Extent(path)
            parser: Any = expat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler = extent.start
            parser.EndElementHandler = extent.end
            with zf.open(info) as f:
                while chunk := f.read(CHUNK):
                    parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except DataError:
        raise
    except (KeyError, zipfile.BadZipFile, expat.ExpatError, OSError, ValueError, EOFError):
        # no content.xml, a damaged zip, XML that is not well-formed (or an entity bomb,
        # which expat stops)
        raise DataError(DAMAGED.format(name=path.name)) from None


DAMAGED = "无法读取 .ods 文件 {name}：文件已损坏或格式不对；可用 Excel/WPS 另存为 .xlsx 后重试"
