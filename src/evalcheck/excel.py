"""Excel: the official table, per-section forms, and reading filled forms back.

openpyxl is imported inside the functions, so commands that never touch Excel do not
pay for it. Workbooks are written to memory and then atomically to disk. Reading uses
openpyxl, which parses XML through defusedxml when it is installed (it is a
dependency), after a size check on the file and on its unpacked parts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checklist import KIND_NAMES, Checklist, Indicator
from .columns import EXPORT, FORM_INPUT_KEYS, PROGRESS_SHEET, Column, plain
from .derived import TOLERANCE
from .errors import DataError, InputError, ValueRefused
from .fileio import atomic_write_bytes
from .snapshot import STATUS_LABELS, Row, Snapshot, Status, group_rows, progress
from .store import State
from .values import MAX_TEXT, Value, cell_text, dropdown, example, parse

MAIN_SHEET = "测评指标"
SUMMARY_SHEET = "填报进度"
META_SHEET = "_evalcheck"
KEY = "校验键"  # hidden: which indicator a row is (id + digest of checklist and text)
ORIGINAL = "原值"  # hidden: what the row's input cells said when exported (JSON)
HIDDEN = (KEY, ORIGINAL)
HEADER_ROW = 2
FIRST_ROW = 3
NA_PREFIX = STATUS_LABELS[Status.NA]  # typed into 填报值 out of habit: 不适用：原因
FORMULA_START = ("=", "+", "-", "@")


# the table's and the forms' columns: the visible ones declared in columns.py, then hidden ones
COLUMNS = (*(c.header for c in EXPORT), *HIDDEN)


def row_key(checklist: Checklist, ind: Indicator) -> str:
    """'47:3f2a9c0b1d': the id and a digest of the checklist and the indicator's text."""
    raw = f"{checklist.title}|{checklist.year}|{ind.id}|{ind.text}".encode()
    return f"{ind.id}:{hashlib.sha256(raw).hexdigest()[:10]}"


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
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def original_of(columns: Sequence[Column[Row]], row: Row) -> str:
    """What the row's input cells say as exported, as JSON. Import compares each cell
    with it: an untouched cell changes nothing, whatever it says (a derived value out
    of range, a text that reads like 不适用：…)."""
    import json

    data = {c.key: _compact(comparable(c.get(row))) for c in columns if c.key in FORM_INPUT_KEYS}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


class _Styles:
    """Named styles, one per combination used, registered once per workbook.

    Setting a named style is about 3x faster in openpyxl than setting border,
    alignment, fill and protection one by one on every cell.
    """

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.names: dict[tuple[Any, ...], str] = {}
        self.arrays: dict[tuple[Any, ...], Any] = {}

    def apply(self, cell: Any, **key: Any) -> None:
        """Give `cell` a named style; after the first cell of a kind, by copying its
        style array (as openpyxl's own copy_worksheet does), which skips the lookup
        of the style by name that makes `cell.style = name` slow on 10,000 rows."""
        k = tuple(sorted(key.items()))
        proto = self.arrays.get(k)
        if proto is None:
            cell.style = self.get(**key)
            self.arrays[k] = copy(cell._style)
        else:
            cell._style = copy(proto)

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
                Font,
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
                font=Font(bold=header),
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


WRAPPED = ("text", "display", "value", "note", "evidence", "na")


def _write_main(
    ws: Any,
    checklist: Checklist,
    rows: Sequence[Row],
    *,
    title: str,
    form: bool,
) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = EXPORT
    headers = COLUMNS
    n_visible = len(columns)
    key_col, original_col = n_visible + 1, n_visible + 2
    styles = _Styles(ws.parent)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_visible)
    ws.cell(1, 1, title).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    for n, name in enumerate(headers, start=1):
        ws.cell(HEADER_ROW, n, name).style = styles.get(header=True)

    longest = [display_width(h) for h in headers]
    r = FIRST_ROW
    for row in rows:
        heights = 1
        for n, col in enumerate(columns, start=1):
            v = col.get(row)
            c = ws.cell(r, n)
            if isinstance(v, str):
                if v:
                    _set_text(c, v)
                    width = display_width(v) if len(v) * 2 > longest[n - 1] else 0
                    longest[n - 1] = max(longest[n - 1], width)
                    if col.key in WRAPPED:
                        heights = max(heights, _lines(v, col.width))
            elif v is not None:
                c.value = v
                longest[n - 1] = max(longest[n - 1], len(plain(v)))
            styles.apply(
                c,
                center=col.center,
                late=row.overdue,
                answer=form and col.key in FORM_INPUT_KEYS,
                fmt=col.format_for(row),
            )
        _set_text(ws.cell(r, key_col), row_key(checklist, row.ind))
        _set_text(ws.cell(r, original_col), original_of(columns, row))
        ws.row_dimensions[r].height = LINE_HEIGHT * heights + 4
        r += 1
    last_row = r - 1

    _merge_categories(ws, rows)
    for n, col in enumerate(columns, start=1):
        fitted = col.width if col.key == "text" else min(col.width, longest[n - 1] + 2)
        ws.column_dimensions[get_column_letter(n)].width = max(
            display_width(col.header) + 2, fitted
        )
    for n in (key_col, original_col):
        ws.column_dimensions[get_column_letter(n)].hidden = True

    text_col = next(n for n, c in enumerate(columns, start=1) if c.key == "text")
    ws.freeze_panes = ws.cell(FIRST_ROW, text_col)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(n_visible)}{max(last_row, HEADER_ROW)}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


LINE_HEIGHT = 16.5  # points per line of 11-point CJK text


def _lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column: spreadsheet programs do not re-fit the
    height of rows in a file they did not lay out themselves."""
    per_line = max(int(width) - 2, 4)
    return sum(-(-display_width(part) // per_line) or 1 for part in text.split("\n"))


def _merge_categories(ws: Any, rows: Sequence[Row]) -> None:
    from openpyxl.worksheet.merge import MergedCellRange

    start = FIRST_ROW
    for n in range(1, len(rows) + 1):
        end_of_run = n == len(rows) or rows[n].ind.category != rows[n - 1].ind.category
        if end_of_run:
            end = FIRST_ROW + n - 1
            if end > start:
                # registered directly: ws.merge_cells() would also re-border every cell,
                # which these already have (a third of the export's time)
                ws.merged_cells.add(MergedCellRange(ws, f"A{start}:A{end}"))
            start = end + 1


def _write_meta(wb: Any, checklist: Checklist, kind: str, section: str | None) -> None:
    ws = wb.create_sheet(META_SHEET)
    for r, (k, v) in enumerate(
        [
            ("format", 2),
            ("kind", kind),
            ("title", checklist.title),
            ("year", checklist.year),
            ("section", section or ""),
            ("exported", dt.datetime.now().replace(microsecond=0)),
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
    for key, label in (("section", "按责任科室"), ("owner", "按责任领导"), ("all", "合计")):
        ws.cell(r, 1, label).font = Font(bold=True)
        r += 1
        for n, col in enumerate(PROGRESS_SHEET, start=1):
            c = ws.cell(r, n, col.header)
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
        r += 1
        first = r
        for p in groups[key]:
            for n, col in enumerate(PROGRESS_SHEET, start=1):
                ws.cell(r, n, col.get(p)).number_format = col.format_for(p)
            r += 1
        if key == "section":
            chart_rows = (first, r - 1)
        r += 1
    for n, col in enumerate(PROGRESS_SHEET, start=1):
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
        ws.add_chart(chart, "J3")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _save(wb: Any, path: Path) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue())


def _check_target(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"导出文件名应以 .xlsx 结尾，例如 report.xlsx，而不是“{path.name}”")
    if path.is_dir():
        raise InputError(f"“{path}”是一个文件夹，请给出文件名，例如 {path / 'report.xlsx'}")
    if not path.parent.exists():
        raise InputError(f"文件夹“{path.parent}”不存在")


def export_workbook(path: Path, snap: Snapshot, rows: Sequence[Row]) -> int:
    """The full table (the bureau's attachment) plus a progress sheet. Returns rows written.

    The progress sheet counts the same `rows` as the table.
    """
    from openpyxl import Workbook

    _check_target(path)
    checklist = snap.checklist
    wb = Workbook()
    ws = wb.active
    ws.title = MAIN_SHEET
    _write_main(ws, checklist, rows, title=f"{checklist.title}（{checklist.year}年）", form=False)
    _write_summary(wb, snap, rows)
    _write_meta(wb, checklist, "export", None)
    _save(wb, path)
    return len(rows)


def form_filename(checklist: Checklist, section: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", section)
    return f"{checklist.year}测评填报_{safe}.xlsx"


def export_forms(
    folder: Path,
    snap: Snapshot,
    *,
    sections: Iterable[str] | None = None,
    force: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per section (and one for unassigned indicators)."""
    from openpyxl import Workbook

    if folder.exists() and not folder.is_dir():
        raise InputError(f"“{folder}”不是文件夹")
    checklist = snap.checklist
    wanted = set(sections) if sections else None
    groups = [
        (name, rows)
        for name, rows in group_rows(snap, snap.rows, "section")
        if wanted is None or name in wanted
    ]
    targets = [(name, rows, folder / form_filename(checklist, name)) for name, rows in groups]
    existing = [str(p) for _, _, p in targets if p.exists()]
    if existing and not force:
        raise InputError(
            "以下表格已存在，可能含有科室尚未导入的填报内容，未做任何修改；"
            "确认要覆盖请加 --force：" + "、".join(existing)
        )
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, int]] = []
    for name, rows, target in targets:
        wb = Workbook()
        ws = wb.active
        ws.title = MAIN_SHEET
        title = f"{checklist.title}（{checklist.year}年）— {name} 填报表"
        _write_main(ws, checklist, rows, title=title, form=True)
        _add_validations(ws, checklist, rows)
        ws.protection.sheet = True  # no password: it guards against slips, not people
        ws.protection.autoFilter = False
        ws.protection.sort = False
        ws.protection.formatColumns = False
        ws.protection.formatRows = False
        _write_meta(wb, checklist, "form", name)
        _save(wb, target)
        written.append((target, len(rows)))
    return written


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


@dataclass(frozen=True, slots=True)
class Change:
    """What one row asks for. A field of None leaves that part of the answer as it is."""

    ind: Indicator
    value: Value | None
    na: str | None
    note: str | None
    evidence: tuple[str, ...] | None
    where: str
    computed_cell: bool = False  # no hidden original, and the row was exported as 自动计算
    # with a hidden 原值: the exported text of the input cells, and the cells changed since
    # (as comparable text), so that stale.py can tell a conflict from a plain change
    originals: dict[str, str | None] | None = None
    form: dict[str, str | None] | None = None


@dataclass
class ImportResult:
    changes: list[Change] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    rows: int = 0
    sheets: list[str] = field(default_factory=list)


Grid = dict[str, list[list[tuple[Any, bool]]]]  # sheet -> rows -> (value, is a formula)


def _read_grid(path: Path, *, data_only: bool) -> Grid:
    """Every sheet's cells, read in openpyxl's streaming (read-only) mode, within the
    size guards of workbook_guard (checked before openpyxl opens the file)."""
    from .workbook_guard import open_workbook, sheet_rows

    wb = open_workbook(path, data_only=data_only)
    try:
        return {
            ws.title: [
                [(c.value, getattr(c, "data_type", None) == "f") for c in row]
                for row in sheet_rows(ws, path, values_only=False)
            ]
            for ws in wb.worksheets
        }
    finally:
        wb.close()


def read_workbook(path: Path, checklist: Checklist) -> ImportResult:
    """Parse every row of an exported table or a section form; nothing is written here."""
    grid = _read_grid(path, data_only=False)
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
        where = f"工作表“{title}”第{r}行"
        ind = _resolve_key(checklist, key, ident_cell)
        if isinstance(ind, str):
            result.refused.append(f"{where}：{ind}")
            continue
        where = f"{where}（第{ind.id}项）"
        if ind.id in seen:
            result.refused.append(f"{where}：与第{seen[ind.id]}行重复")
            continue
        seen[ind.id] = r
        computed = _Row(cached[r - 1], header) if cached and r <= len(cached) else None
        try:
            change = _row_change(row, computed, ind, where)
        except ValueRefused as exc:
            result.refused.append(f"{where}：{exc.message}")
            continue
        if change is not None:
            result.changes.append(change)


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
    evidence = old.evidence if old is not None and ch.evidence is None else (ch.evidence or ())
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
