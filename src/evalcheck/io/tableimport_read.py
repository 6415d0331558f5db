"""Reading a bureau's table into sheets of text cells, whatever the file format.

xlsx through openpyxl (the whole used range, merged cells carried to every cell they
cover, hidden rows and columns noted), .xls and .ods through python-calamine, text
through the csv module (tab or comma separated; UTF-8 with or without BOM, UTF-16,
GB18030). The format is told by the file's first bytes, not by its name.
Nothing here interprets the table: that is tableimport.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError, InputError, os_reason
from evalcheck.io import workbook_guard

Row = tuple[int, list[str]]  # (1-based row number in the file or sheet, cells)

# Caps (issue 12's workbook_guard): nothing is allocated from a number the file states (a
# declared dimension, a row number, a merged range); what goes past a cap is refused.
MAX_COLUMNS = workbook_guard.MAX_COLUMNS
MAX_ROWS = workbook_guard.MAX_ROWS


@dataclass(slots=True)
class Sheet:
    name: str  # "" for a text file
    rows: list[Row]
    hidden_rows: set[int] = field(default_factory=set)  # 1-based row numbers
    hidden_cols: set[int] = field(default_factory=set)  # 0-based column indices
    visible: bool = True  # False for a hidden sheet
    notes: list[str] = field(default_factory=list)  # what the reader could not check
    # formulas saved with no computed value (a generator wrote them, nobody opened the file
    # in Excel since): (1-based row, 0-based column) -> the formula
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
    # hidden so that Excel's 取消隐藏 does not list it (an evalcheck export's _evalcheck):
    # not a sheet people know of, so never named to them
    very_hidden: bool = False


@dataclass(slots=True)
class Book:
    path: Path
    format: str  # "xlsx", "xls", "ods", "text"
    sheets: list[Sheet]
    encoding: str = ""  # text files: the encoding that was used
    delimiter: str = ""  # text files: "\t" or ","


def clean_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.datetime):
        v = v.date() if (v.hour, v.minute, v.second) == (0, 0, 0) else v
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    from evalcheck.infra.winnames import visible  # zero-width spaces, bidi controls: copied
    # from a web page, they made '办公室' and '办公室' two sections

    return visible(str(v)).replace("\u3000", " ").replace("\r\n", "\n").strip()


def column_letter(index: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# ---------------------------------------------------------------- format detection

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# what reading a damaged zip raises: a bad header, a CRC or inflate error, a version or
# compression method Python lacks, a truncated member
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, ValueError, OSError)


def sniff(path: Path, head: bytes) -> str:
    """'xlsx', 'ods', 'xls' or 'text', from the first bytes (and the zip's members)."""
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "xl/workbook.xml" in names:
                    return "xlsx"
                if "mimetype" in names and b"opendocument.spreadsheet" in z.read("mimetype"):
                    return "ods"
        except (*ZIP_DAMAGE, KeyError):
            pass
        raise DataError(
            f"{path.name} 是压缩包格式，但不是 Excel 工作簿（.xlsx）或 ODS 表格；"
            "请用 Excel/WPS 另存为 .xlsx 后重试"
        )
    return "text"


def read_book(path: Path) -> Book:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise DataError(f"无法读取 {path}：{os_reason(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} 是文件夹，不是表格文件")
    if not stat.S_ISREG(st.st_mode):  # a device would fill memory, a FIFO hang
        raise DataError(f"{path} 是设备或管道，不是普通文件，未读取")
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise DataError(f"无法读取 {path}：{os_reason(exc)}") from None
    fmt = sniff(path, head)
    if fmt in ("xlsx", "ods"):
        workbook_guard.check_workbook(path)  # size, unpacked size, zip bombs
    if fmt == "xlsx":
        return Book(path, fmt, _read_xlsx(path))
    if fmt in ("xls", "ods"):
        return Book(path, fmt, _read_calamine(path, fmt))
    return _read_text(path)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _check_merges(path: Path) -> None:
    """openpyxl makes one object per merged cell: refuse a merged range that claims millions."""
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.filename.startswith("xl/worksheets/"):
                    _check_sheet_merges(path, z.read(info))
    except ZIP_DAMAGE as exc:
        raise DataError(f"{path.name} 已损坏，无法读取（{type(exc).__name__}）") from None


MAX_MERGED_CELLS = 200_000  # all merged ranges of a sheet together (a bureau table: ~1,000)


def _check_sheet_merges(path: Path, sheet: bytes) -> None:
    """One range of a sheet, or all of them together, may not claim more cells than
    openpyxl can make objects for (a 5 KB file with H10:IV50000 took 7.6 GB)."""
    total = 0
    for m in _MERGE.finditer(sheet):
        c0, r0, c1, r1 = m.groups()
        rows = abs(int(r1) - int(r0)) + 1
        cols = abs(_column_number(c1) - _column_number(c0)) + 1
        ref = f"{c0.decode()}{int(r0)}:{c1.decode()}{int(r1)}"
        if rows > MAX_ROWS or cols > MAX_COLUMNS * 4:
            raise DataError(
                f"{path.name} 中的合并单元格 {ref} 过大（{rows} 行 × {cols} 列），"
                "拒绝读取；请取消这处合并后重试"
            )
        total += rows * cols
        if total > MAX_MERGED_CELLS:
            raise DataError(
                f"{path.name} 的一张工作表中合并的单元格共超过 {MAX_MERGED_CELLS} 个"
                f"（到 {ref} 为止），拒绝读取；请取消大范围的合并后重试"
            )


def _too_many_rows(path: Path, sheet: str, n: int) -> DataError:
    where = f"工作表“{sheet}”" if sheet else ""
    return DataError(
        f"{path.name} {where}有 {n} 行以上，超过 {MAX_ROWS} 行的上限（是否选错了文件？）"
    )


# ---------------------------------------------------------------- xlsx (openpyxl)


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl

    _check_merges(path)
    try:
        # not read_only: that mode trusts the stored <dimension>, which is often stale,
        # and knows neither merged cells nor hidden rows
        with path.open("rb") as f:  # a file object: the name's suffix does not matter
            wb = openpyxl.load_workbook(f, data_only=True)
        with path.open("rb") as f:  # the formulas, to tell "no saved result" from empty
            formulas = openpyxl.load_workbook(f, data_only=False)
    except Exception:  # openpyxl raises many kinds (English texts) on a damaged file
        raise DataError(
            f"无法读取工作簿 {path.name}：文件已损坏，或不是有效的 .xlsx 工作簿；"
            "请在 Excel/WPS 中打开后另存为 .xlsx 再试"
        ) from None
    sheets: list[Sheet] = []
    for ws in wb.worksheets:
        fws = formulas[ws.title] if ws.title in formulas.sheetnames else None
        sheets.append(_xlsx_sheet(path, ws, fws))
    wb.close()
    formulas.close()
    return sheets


def _xlsx_sheet(path: Path, ws: Any, fws: Any) -> Sheet:
    """One worksheet's cells (merged ranges filled in), hidden rows and columns, state;
    `fws` is the same sheet with its formulas."""
    # the cells present in the file (iter_rows would create every cell of the
    # declared range, which may be a lie); columns past the cap are not read
    present = ws._cells.items()
    grid: dict[tuple[int, int], Any] = {
        (r, c): workbook_guard.cell_string(v) if isinstance(v := cell.value, str) else v
        for (r, c), cell in present
        if c <= MAX_COLUMNS and cell.value is not None and cell.value != ""
    }
    height = max((r for r, _ in grid), default=0)
    width = max((c for _, c in grid), default=0)
    if height > MAX_ROWS:
        raise _too_many_rows(path, ws.title, MAX_ROWS)
    _fill_merged(grid, ws.merged_cells.ranges, height, width)
    beyond = sorted({r for (r, c), cell in present if c > MAX_COLUMNS and cell.value})
    notes = [f"第{beyond[0]}行等处第 {MAX_COLUMNS} 列以后的内容未读取"] if beyond else []
    filled = sorted({r for r, _ in grid})
    rows = [(r, [clean_cell(grid.get((r, col))) for col in range(1, width + 1)]) for r in filled]
    hidden_rows, hidden_cols = _hidden(ws, height, width)
    visible, very_hidden = ws.sheet_state == "visible", ws.sheet_state == "veryHidden"
    sheet = Sheet(ws.title, rows, hidden_rows, hidden_cols, visible, notes, very_hidden=very_hidden)
    if fws is not None:
        _note_uncached(sheet, fws, grid)
    return sheet


def _hidden(ws: Any, height: int, width: int) -> tuple[set[int], set[int]]:
    """The hidden rows (1-based) and columns (0-based) within the cells present."""
    rows = {r for r, d in ws.row_dimensions.items() if d.hidden and r <= height}
    cols: set[int] = set()
    for dim in ws.column_dimensions.values():
        if dim.hidden and dim.min is not None and dim.max is not None:
            cols.update(c - 1 for c in range(dim.min, min(dim.max, width) + 1))
    return rows, cols


def _fill_merged(grid: dict[tuple[int, int], Any], ranges: Any, height: int, width: int) -> None:
    """Every cell of a merged range holds its top-left value; a range is clamped to the
    cells present (its size is a claim)."""
    for rng in ranges:
        value = grid.get((rng.min_row, rng.min_col))
        if value is None:
            continue
        for r in range(rng.min_row, min(rng.max_row, height) + 1):
            for col in range(rng.min_col, min(rng.max_col, width) + 1):
                grid[(r, col)] = value


def _note_uncached(sheet: Sheet, fws: Any, grid: Mapping[tuple[int, int], Any]) -> None:
    """Formulas saved without a computed result (a file written by a program, never opened
    in Excel/WPS): noted by cell, so that an empty 题号 can say why."""
    for (r, c), cell in fws._cells.items():
        v = cell.value
        if isinstance(v, str) and v.startswith("=") and (r, c) not in grid and r <= MAX_ROWS:
            sheet.uncached[(r, c - 1)] = v[:40]


# ---------------------------------------------------------------- xls / ods (python-calamine)


def _read_calamine(path: Path, fmt: str) -> list[Sheet]:
    size = path.stat().st_size
    if size > workbook_guard.MAX_FILE_BYTES:
        limit = workbook_guard.MAX_FILE_BYTES // 1024 // 1024
        raise DataError(f"{path} 有 {size // 1024 // 1024} MB，超过 {limit} MB 的上限")
    from evalcheck.infra.optional import require

    require("calamine", f"读取 .{fmt} 表格（{path.name}）")
    if fmt == "ods":  # what its repeated rows and cells unpack to, before calamine does
        from evalcheck.io.ods_guard import check_ods

        check_ods(path)
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets: list[Sheet] = []
        for meta in wb.sheets_metadata:
            ws = wb.get_sheet_by_name(meta.name)
            if ws.height > MAX_ROWS:
                raise _too_many_rows(path, meta.name, MAX_ROWS)
            data = ws.to_python(skip_empty_area=False)
            grid = [[clean_cell(v) for v in row[:MAX_COLUMNS]] for row in data]
            for rng in _merged(ws):
                (r0, c0), (r1, c1) = rng
                if r0 >= len(grid) or c0 >= len(grid[r0]):
                    continue
                value = grid[r0][c0]
                for r in range(r0, min(r1, len(grid) - 1) + 1):
                    for c in range(c0, min(c1, len(grid[r]) - 1) + 1):
                        grid[r][c] = value
            rows = [(n, cells) for n, cells in enumerate(grid, start=1)]
            state = str(meta.visible)
            note = f".{fmt} 文件中的隐藏行、隐藏列无法识别，请确认表中没有隐藏的行或列"
            sheets.append(
                Sheet(
                    meta.name,
                    rows,
                    visible=state.endswith(".Visible"),
                    very_hidden=state.endswith(".VeryHidden"),
                    notes=[note],
                )
            )
        wb.close()
    except DataError:
        raise
    except Exception:  # calamine raises its own kinds (English texts) on a damaged file
        raise DataError(
            f"无法读取 .{fmt} 文件 {path.name}：文件已损坏或格式不对；"
            "可用 Excel/WPS 另存为 .xlsx 后重试"
        ) from None
    return sheets


def _merged(ws: Any) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    try:
        ranges = ws.merged_cell_ranges
    except Exception:  # not every format records them
        return []
    return list(ranges or [])


# ---------------------------------------------------------------- text


def decode(raw: bytes, name: str) -> tuple[str, str]:
    """The text and the encoding used: BOMs first, then UTF-8, UTF-16 without BOM, GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise DataError(f"{name} 的 UTF-16 编码有误，无法读取") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            raise DataError(f"{name} 标明是 UTF-8，但其中有无效的字节") from None
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a BOM: its tabs and line breaks are a control byte next to a zero
    sample = raw[:20000]
    pairs = list(zip(sample[0::2], sample[1::2], strict=False))
    le = sum(1 for a, b in pairs if a in (9, 10, 13) and b == 0)
    be = sum(1 for a, b in pairs if a == 0 and b in (9, 10, 13))
    if len(raw) % 2 == 0 and max(le, be) > 0:
        try:
            return raw.decode("utf-16-le" if le >= be else "utf-16-be"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("gb18030"), "GB18030"
    except UnicodeDecodeError:
        raise DataError(
            f"{name} 既不是 UTF-8、UTF-16，也不是 GB18030 编码的文本；"
            "请在 Excel/WPS 中另存为“Unicode 文本”或 .xlsx"
        ) from None


def _read_text(path: Path) -> Book:
    from evalcheck.infra.safepath import read_regular

    raw = read_regular(path, "表格文件", limit=workbook_guard.MAX_FILE_BYTES)
    text, encoding = decode(raw, path.name)
    if not text.strip():
        raise InputError(f"{path.name} 是空文件，没有可读取的表格")
    delimiter = "\t" if "\t" in text else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    try:
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows(path, "", MAX_ROWS)
            # the row number of a record's first line (quoted cells may span lines)
            n = reader.line_num - sum(c.count("\n") for c in cells)
            rows.append((n, [clean_cell(c) for c in cells]))
    except csv.Error as exc:
        why = _csv_problem(str(exc))
        raise DataError(f"{path.name} 第{reader.line_num}行：无法按表格读取（{why}）") from None
    sheet = Sheet("", rows)
    return Book(path, "text", [sheet], encoding, delimiter)


# the csv module's messages (English), in Chinese
_CSV_PROBLEMS = (
    (r"field larger than field limit \((\d+)\)",
     "有一格超过 {0} 个字符（Excel 一格最多 32767 个字符），可能是引号没有配对，"
     "使后面的内容都算进了这一格"),
    (r"new-line character seen in unquoted field", "未加引号的单元格中有换行符"),
    (r"line contains NUL", "文件中有空字符（NUL），可能不是文本文件"),
    (r"unexpected end of data", "文件在引号结束之前就结束了（引号没有配对）"),
    (r"',' expected after '\"'", "引号后面应是逗号（引号没有配对）"),
)  # fmt: skip


def _csv_problem(text: str) -> str:
    for pattern, chinese in _CSV_PROBLEMS:
        m = re.search(pattern, text)
        if m:
            return chinese.format(*m.groups())
    return "格式不对（检查引号和分隔符）"
