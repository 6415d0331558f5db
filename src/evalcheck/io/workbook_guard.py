"""Size and zip-bomb guards for every workbook the tool reads (`import`, `checklist-import`).

A workbook is a zip of XML files and everything in it may lie: the declared sheet
dimension (`<dimension ref="A1:XFD1048576"/>` in an 8 KB file), the row numbers
(`<row r="1000000">`), the sizes in the zip directory. So: the file and what it
unpacks to are checked before openpyxl opens it, the declared dimension is thrown away,
rows and columns are read only as far as cells are present and only up to fixed caps,
and going past a cap is an error that says so. No allocation follows a number read
from the file.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError

MAX_FILE_BYTES = 20 * 1024 * 1024  # a 10,000-indicator export is ~1 MB
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # what the zip unpacks to, all members together
MAX_RATIO = 200  # unpacked / packed for one member over 1 MB (real sheets: 5-30)
MAX_MEMBERS = 2000
MAX_SHEETS = 100
MAX_ROWS = 50_000  # rows read from one sheet
MAX_COLUMNS = 64  # columns read from a row (the export has 14; a bureau table fewer)


def check_workbook(path: Path) -> None:
    """Refuse, before openpyxl sees it, what is not a regular .xlsx of sane size."""
    from evalcheck.infra.safepath import check_input_file

    check_input_file(path, "工作簿")
    size = path.stat().st_size
    if size == 0:  # a copy or a download that did not finish, a file saved while full
        raise DataError(f"{path} 是空文件（0 字节），不是工作簿；请重新复制或另存一份后再试")
    if size > MAX_FILE_BYTES:
        raise DataError(
            f"{path} 有 {size // 1024 // 1024} MB，超过 {MAX_FILE_BYTES // 1024 // 1024} MB 的上限"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    # NotImplementedError: a damaged header asks for a zip version or method Python lacks
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        if _is_legacy_excel(path):
            raise DataError(
                f"{path} 是旧版 Excel 的 .xls 工作簿（或 WPS 的 .et）：本工具只读 .xlsx，"
                "请在 Excel 或 WPS 中打开它，“另存为”Excel 工作簿（.xlsx）后再导入"
            ) from None
        raise DataError(f"{path} 不是 .xlsx 工作簿（无法打开）") from None
    if len(members) > MAX_MEMBERS:
        raise DataError(f"{path} 含有 {len(members)} 个内部文件，不像工作簿，拒绝读取")
    unpacked = sum(i.file_size for i in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise DataError(f"{path} 解压后过大（{unpacked // 1024 // 1024} MB），拒绝读取")
    for i in members:
        ratio = i.file_size // max(i.compress_size, 1)
        if i.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise DataError(
                f"{path} 中的 {i.filename[:60]} 压缩比异常（{ratio} 倍），疑似压缩炸弹，拒绝读取"
            )


def _is_opendocument(path: Path) -> bool:
    """An OpenDocument spreadsheet (.ods): its first member names its kind."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("mimetype")
            if info.file_size > 200:
                return False
            kind = zf.read(info)
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False
    return kind.startswith(b"application/vnd.oasis.opendocument.spreadsheet")


def _is_legacy_excel(path: Path) -> bool:
    """An OLE compound file (.xls, .et): what "Excel 97-2003 工作簿" saves."""
    try:
        with path.open("rb") as f:
            return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


def open_workbook(path: Path, *, data_only: bool) -> Any:
    """openpyxl's streaming reader on a checked file; any failure is a DataError."""
    import openpyxl

    check_workbook(path)
    if _is_opendocument(path):  # checklist-import reads .ods (calamine); import does not
        raise DataError(
            f"{path} 是 OpenDocument 表格（.ods）：这里只读 .xlsx，请在 LibreOffice 或 WPS 中"
            "打开它，“另存为”Excel 工作簿（.xlsx）后再导入"
        )
    try:
        with _quiet():
            # an .xlsx saved under another name (表.xls, 表.xlsx.bak): read by its content,
            # as openpyxl refuses a file name whose suffix it does not know
            source: Any = path
            if path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
                source = io.BytesIO(path.read_bytes())  # within MAX_FILE_BYTES (checked)
            wb = openpyxl.load_workbook(source, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataError(f"无法读取工作簿 {path}：{workbook_problem(exc)}") from None
    if len(wb.sheetnames) > MAX_SHEETS:
        wb.close()
        raise DataError(f"{path} 有 {len(wb.sheetnames)} 张工作表，超过 {MAX_SHEETS} 张的上限")
    return wb


_ESCAPED_CONTROL = re.compile(r"_x(00[01][0-9A-Fa-f]|007[Ff])_")


def cell_string(text: str) -> str:
    """A text cell as the person saw it: the control characters the file keeps as
    `_x000D_`, `_x0007_` (Excel writes a pasted CR-LF so) decoded, which openpyxl leaves
    as they are, and CR-LF made a line break. A text typed as "_x000D_" is stored
    `_x005F_x000D_`, which openpyxl has already turned into the same "_x000D_": taken for
    the character too, as nobody types that."""
    if "_x" not in text:
        return text
    decoded = _ESCAPED_CONTROL.sub(lambda m: chr(int(m.group(1), 16)), text)
    return decoded.replace("\r\n", "\n")


def sheet_rows(ws: Any, path: Path, *, values_only: bool) -> Iterator[tuple[Any, ...]]:
    """The rows of a read-only sheet as present in the file, trailing empty cells dropped.

    The declared dimension is ignored; more than MAX_ROWS rows, or a damaged sheet, is a
    DataError naming the sheet.
    """
    ws.reset_dimensions()  # the declared size is a claim, not a fact
    n = 0
    try:
        with _quiet():
            for row in ws.iter_rows(max_col=MAX_COLUMNS, values_only=values_only):
                n += 1
                if n > MAX_ROWS:
                    raise DataError(
                        f"{path} 的工作表“{ws.title}”超过 {MAX_ROWS} 行，"
                        "拒绝读取（是否选错了文件？）"
                    )
                end = len(row)
                while end and (row[end - 1] if values_only else row[end - 1].value) is None:
                    end -= 1
                yield tuple(row[:end])
    except DataError:
        raise
    except Exception as exc:  # damaged XML inside a well-formed zip
        raise DataError(f"无法读取 {path} 的工作表“{ws.title}”：{workbook_problem(exc)}") from None


@contextmanager
def _quiet() -> Iterator[None]:
    """openpyxl warns (on stderr, in English) about parts of workbooks saved by Excel, WPS
    or LibreOffice that it does not keep (extensions, default styles): not for users."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def workbook_problem(exc: BaseException) -> str:
    """Why a workbook could not be read, in Chinese (openpyxl's messages are English)."""
    from xml.etree.ElementTree import ParseError

    from evalcheck.errors import os_reason

    name = type(exc).__name__
    if isinstance(exc, zipfile.BadZipFile):
        return "文件不是 .xlsx 格式（可能已损坏，或是把 .xls 等文件改了扩展名）"
    if name == "InvalidFileException":
        return "不支持这种文件格式，只能读取 .xlsx（.xls 请先在 Excel 或 WPS 中另存为 .xlsx）"
    if isinstance(exc, KeyError):
        return "缺少工作簿的组成部分，文件已损坏或不是 Excel/WPS 保存的 .xlsx"
    if _unsafe_xml(exc):
        return "文件中含有不安全的 XML 内容（实体或 DTD 定义），拒绝读取"
    if isinstance(exc, ParseError) or "xml" in name.lower():
        return "文件中的 XML 已损坏"
    if isinstance(exc, OSError) and exc.errno is None:  # openpyxl: no workbook part
        return "文件是压缩包格式，但不是 Excel 工作簿（例如把 Word 的 .docx 改成了 .xlsx）"
    if isinstance(exc, OSError):
        return os_reason(exc)
    return "文件已损坏或格式不受支持"


def _unsafe_xml(exc: BaseException) -> bool:
    """defusedxml refused the XML (an entity bomb, a DTD, an external reference), maybe
    inside the ValueError openpyxl wraps a failed shared strings part in."""
    seen: BaseException | None = exc
    for _ in range(5):  # a chain of causes, not a loop
        if seen is None:
            return False
        if type(seen).__name__ in (
            "DTDForbidden",
            "EntitiesForbidden",
            "ExternalReferenceForbidden",
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
