"""The evidence bundle's 目录.xlsx as 0.2.0 wrote it with openpyxl (reference for the
XlsxWriter writer's equivalence test; frozen, do not change)."""

import datetime as dt
import io
import zipfile
from typing import Any

from evalcheck.io.pack import FILE_MODE, INDEX_HEADERS, Plan
from evalcheck.model.checklist import UNASSIGNED, Checklist


def index_workbook(checklist: Checklist, p: Plan, when: tuple[int, ...]) -> bytes:
    """目录.xlsx as bytes, the same bytes for the same plan."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    wb = openpyxl.Workbook()
    stamp = dt.datetime(when[0], when[1], when[2], when[3], when[4], when[5])
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "evalcheck"
    ws = wb.active
    ws.title = "佐证材料目录"
    ws.append([f"{checklist.title}（{checklist.year}年）佐证材料目录"])
    ws.append(list(INDEX_HEADERS))
    bold = Font(bold=True)
    for cell in ws[2]:
        cell.font = bold
    ws["A1"].font = Font(bold=True, size=14)
    link_font = Font(color="0563C1", underline="single")
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in p.rows:
        values = [
            row.ind.id,
            row.ind.text,
            row.ind.section or UNASSIGNED,
            row.value,
            row.file.split("/", 1)[-1] if row.file else "",
            row.links,
            row.missing,
        ]
        ws.append(values)
        r = ws.max_row
        for cell in ws[r]:
            cell.alignment = wrap
            if _formula_like(values[cell.column - 1]):  # text with the quote prefix
                cell.data_type = "s"  # openpyxl took it for a formula
                cell.quotePrefix = True
        if row.file:
            cell = ws.cell(r, 5)
            cell.hyperlink = row.file  # relative: opens from inside the unzipped bundle
            cell.font = link_font
        if row.links and "\n" not in row.links:
            cell = ws.cell(r, 6)
            cell.hyperlink = row.links
            cell.font = link_font
    for col, width in zip("ABCDEFG", (6, 50, 14, 22, 36, 36, 24), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:G{max(ws.max_row, 2)}"
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedTimeZip(buf, when)).save()
    return buf.getvalue()


def _formula_like(v: Any) -> bool:
    return isinstance(v, str) and v[:1] in ("=", "+", "-", "@")


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one date (openpyxl would stamp them with now)."""

    def __init__(self, file: Any, when: tuple[int, ...]) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED)
        self._when = when

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._when[:6])  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = FILE_MODE
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl writes each worksheet through a temporary file: its date would leak in
        with open(filename, "rb") as f:
            self.writestr(str(arcname or filename), f.read())
