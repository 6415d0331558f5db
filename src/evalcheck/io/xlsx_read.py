"""Reading filled workbooks back: every sheet's cells (within workbook_guard's size
guards), the rows located by their hidden key, and what each row asks for (a Change).
Nothing is written here.

openpyxl parses XML through defusedxml when it is installed (it is a dependency).
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.errors import DataError, ValueRefused
from evalcheck.io.workbook_guard import cell_string
from evalcheck.io.xlsx_format import (
    KEY,
    META_SHEET,
    ORIGINAL,
    SUMMARY_SHEET,
    Grid,
    check_meta,
    compact,
    comparable,
    original_cell,
    row_key,
    workbook_kind,
    workbook_unit,
)
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import Value, cell_text, date_text, normalize, parse
from evalcheck.state.snapshot import STATUS_LABELS, Status
from evalcheck.views.columns import EXPORT, FORM_INPUT_KEYS, KEPT_KEYS, REVIEW_COLUMNS, VERDICT_KEYS

if TYPE_CHECKING:
    from evalcheck.answers.evidence import Evidence

NA_PREFIX = STATUS_LABELS[Status.NA]  # typed into 填报值 out of habit: 不适用：原因


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
    # (as comparable text), so that import_plan.py can tell a conflict from a plain change
    originals: dict[str, str | None] | None = None
    form: dict[str, str | None] | None = None
    items: "tuple[Evidence, ...] | None" = None  # the evidence those names resolved to


class ImportResult:
    """What an import found: the changes asked for, the rows refused, what was read."""

    __slots__ = ("changes", "named", "refused", "rows", "sheets", "unchecked")

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.refused: list[str] = []
        # refused rows that also name files (佐证材料): their names are checked too, so
        # that a bad one is said with the rest (every refused cell named at once)
        self.unchecked: list[Change] = []
        # rows whose 佐证材料 cell names files and was not changed since the export (the
        # row untouched, or only its other cells changed): a file of one of those names
        # beside the form may be a new version of it (services/importing.py)
        self.named: list[Change] = []
        self.rows = 0
        self.sheets: list[str] = []


def read_cells(path: Path, *, data_only: bool) -> Grid:
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


# what a spreadsheet shows for a formula that failed: never a value, a reason or a 说明
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)


def _shown(cell: Any) -> Any:
    """0.95 in a cell formatted as a percentage is "95%" to the person who typed it; a
    formula whose saved result is empty text (t="str", <v></v>: LibreOffice, Excel) is
    "", not None, which is a formula saved without a result."""
    value = cell.value
    if value is None and getattr(cell, "data_type", None) == "str":
        return ""
    if isinstance(value, str):
        return cell_string(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value  # most cells: no need to look up the format
    number_format = getattr(cell, "number_format", None)
    if number_format and "%" in re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", number_format):
        digits = f"{value * 100:.9f}".rstrip("0").rstrip(".")
        return f"{digits}%"
    return value


def read_grid(path: Path) -> Grid:
    """A workbook's cells as written (a formula as a formula): what an import reads, once."""
    return read_cells(path, data_only=False)


def read_workbook(
    path: Path,
    checklist: Checklist,
    grid: Grid | None = None,
    fixed: Mapping[int, str] | None = None,
) -> ImportResult:
    """Parse every row of an exported table or a section form; nothing is written here.
    `grid`: the workbook's cells, when the caller has read them already (read_grid).
    `fixed`: the indicators nobody fills in on this workbook (a unit's value that follows
    its sources), each with why: a row of one typed into is refused with that, whatever
    was typed; one emptied asks nothing."""
    grid = read_grid(path) if grid is None else grid
    check_meta(grid, checklist, path)
    unit = workbook_unit(grid)
    if unit is not None:
        check_unit(checklist, unit, path)
    cached: Grid | None = None  # values Excel computed for formulas, read only if needed
    result = ImportResult()
    for title, rows, header in _table_sheets(grid):
        result.sheets.append(title)
        cols = [header[k] - 1 for k in FORM_INPUT_KEYS if k in header]
        if cached is None and any(len(row) > c and row[c][1] for row in rows for c in cols):
            cached = read_cells(path, data_only=True)
        _read_sheet(
            title, rows, cached[title] if cached else None, header, checklist, result, unit,
            fixed or {},
        )  # fmt: skip
    if not result.sheets:
        raise DataError(f"{path} 中没有带“题号”“填报值”“校验键”表头的工作表")
    return result


def _table_sheets(
    grid: Grid,
) -> Iterator[tuple[str, list[list[tuple[Any, bool]]], dict[str, int]]]:
    """The sheets that hold a table of indicators, with their header (not the hidden
    sheet, not the 汇总 sheet, not a sheet someone added without the header row)."""
    for title, rows in grid.items():
        if title in (META_SHEET, SUMMARY_SHEET):
            continue
        header = _find_header(rows)
        if header is not None:
            yield title, rows, header


def _find_header(rows: list[list[tuple[Any, bool]]]) -> dict[str, int] | None:
    """Column numbers by key (value, na, note, …, plus 'key', 'original', 'status', '_row')."""
    by_header = {h: k for k, h in _HEADERS.items()}
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
    unit: str | None = None,
    fixed: Mapping[int, str] = {},
) -> None:
    seen: dict[int, int] = {}
    for r in range(header["_row"] + 1, len(rows) + 1):
        row = _Row(rows[r - 1], header)
        key, ident_cell = row.get("key"), row.get("id")
        if key is None and ident_cell is None:
            continue
        result.rows += 1
        located = locate_row(
            checklist, title, r, key, ident_cell, seen, result.refused, unit, row.get("text")
        )
        if located is None:
            continue
        ind, where = located
        computed = _Row(cached[r - 1], header) if cached and r <= len(cached) else None
        if ind.id in fixed:
            if _typed_into(row, computed):
                result.refused.append(f"{where}：{fixed[ind.id]}")
            continue
        try:
            change = _row_change(row, computed, ind, where)
        except ValueRefused as exc:
            result.refused.append(f"{where}：{exc.message}")
            named = _named_evidence(row, computed)
            if named:
                result.unchecked.append(Change(ind, None, None, None, named, where))
            continue
        if change is not None:
            result.changes.append(change)
        if change is None or change.evidence is None:
            names = _cell_evidence(row, computed)
            if names:
                result.named.append(Change(ind, None, None, None, names, where, form={}))


def _cell_evidence(row: "_Row", computed: "_Row | None") -> tuple[str, ...] | None:
    """The 佐证材料 names the row's cell holds (whether or not it changed)."""
    try:
        cells = _input_cells(row, computed)
    except ValueRefused:
        return None
    return _note_and_evidence({"evidence": cells.get("evidence")}, edited=False)[1]


def _changed_cells(
    row: "_Row", computed: "_Row | None"
) -> tuple[dict[str, Any], dict[str, str | None] | None]:
    """The row's input cells a person changed since the export (every one when the
    workbook carries no originals), and the originals."""
    every = _input_cells(row, computed)
    originals = _originals(row)
    cells = every
    if originals is not None:
        cells = {k: v for k, v in every.items() if compact(comparable(v)) != originals.get(k)}
        value = cell_words(cells.get("value"))
        if value is not None and normalize(unmarked(value)) in NA_WORDS and "na" not in cells:
            cells["na"] = every.get("na")  # 不适用 picked, its reason there since the export
    return cells, originals


def _typed_into(row: "_Row", computed: "_Row | None") -> bool:
    """Whether a person wrote something into the row's input cells since the export (an
    emptied cell is no answer)."""
    cells, _ = _changed_cells(row, computed)
    return any(cell_words(v) is not None for v in cells.values())


def _named_evidence(row: "_Row", computed: "_Row | None") -> tuple[str, ...] | None:
    """The 佐证材料 names a refused row asks for (changed since the export)."""
    try:
        cells, originals = _changed_cells(row, computed)
        return _note_and_evidence(cells, edited=originals is not None)[1]
    except ValueRefused:
        return None


def locate_row(
    checklist: Checklist,
    title: str,
    r: int,
    key: Any,
    ident_cell: Any,
    seen: dict[int, int],
    refused: list[str],
    unit: str | None = None,
    text: Any = None,
) -> tuple[Indicator, str] | None:
    """The indicator of sheet row `r` and where it is ('工作表“…”第5行（第47项）'), or None
    with the reason appended to `refused` (bad key, edited id, the same indicator twice,
    a row of another unit's form). `unit`: the workbook is that unit's form; `text`: the
    row's 三级指标 cell, to tell a checklist edited since the export from an edited key."""
    where = f"工作表“{title}”第{r}行"
    ind = _resolve_key(checklist, key, ident_cell, unit, text)
    if isinstance(ind, str):
        refused.append(f"{where}：{ind}")
        return None
    where = f"{where}（第{ind.id}项）"
    if ind.id in seen:
        refused.append(f"{where}：与第{seen[ind.id]}行重复")
        return None
    seen[ind.id] = r
    return ind, where


def _resolve_key(
    checklist: Checklist, key: Any, ident_cell: Any, unit: str | None = None, text: Any = None
) -> Indicator | str:
    m = re.fullmatch(r"(\d+):([0-9a-f]{10})(?:@(.+))?", str(key or "").strip(), flags=re.S)
    if not m:
        return "隐藏的校验键缺失或无效（请勿修改或删除校验键列，也不要插入新行）"
    ident = int(m.group(1))
    if m.group(3) != unit:
        return _wrong_unit(m.group(3), unit)
    if not checklist.has(ident):
        return f"校验键指向第{ident}项，当前清单中没有这一项"
    ind = checklist.get(ident)
    if row_key(checklist, ind, unit) != m.group(0):
        return _key_mismatch(checklist, ind, unit, m.group(0), text)
    if unit is not None and checklist.units is not None and not checklist.units.is_collected(ident):
        return f"第{ident}项不由各单位填报（清单中没有 collect: units），单位表格中不能有这一项"
    if str(ident_cell).strip() not in (str(ident), f"{ident}.0"):
        return f"题号“{ident_cell}”与校验键（第{ident}项）不符：请勿修改题号"
    return ind


def _key_mismatch(
    checklist: Checklist, ind: Indicator, unit: str | None, key: str, text: Any
) -> str:
    """Why a row's key does not fit its indicator: the indicator's text changed in the
    checklist since the export (the key fits the text the row shows), or the key was
    edited or the row comes from another workbook."""
    from evalcheck.model.entity import replace

    shown = text.strip() if isinstance(text, str) else None
    if shown and shown != ind.text and row_key(checklist, replace(ind, text=shown), unit) == key:
        return (
            f"表格导出后，清单中第{ind.id}项的文字已修改（表格中是“{clip(shown)}”，"
            f"清单中现为“{clip(ind.text)}”）：请重新导出表格，把这一行填好的内容抄到新表格中再导入"
        )
    return f"校验键与第{ind.id}项不符（表格可能来自其他清单或被改动过）"


def clip(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "……"


def _wrong_unit(row_unit: str | None, unit: str | None) -> str:
    """Why a row's key does not belong in this workbook (copied from another's form)."""
    if unit is None:
        return f"这一行来自单位“{row_unit}”的填报表，不能混入市级的表格（请勿在表格间复制行）"
    if row_unit is None:
        return f"这一行来自市级的表格，不属于“{unit}”的填报表（请勿在表格间复制行）"
    return f"这一行来自单位“{row_unit}”的填报表，不属于“{unit}”的填报表（请勿在表格间复制行）"


def check_unit(checklist: Checklist, unit: str, path: Path) -> None:
    """A unit's form must name a unit of the checklist."""
    names = checklist.units.names if checklist.units is not None else ()
    if unit not in names:
        listed = "、".join(names) if names else "（清单没有列出 units）"
        raise DataError(
            f"{path} 是单位“{unit}”的填报表，但当前清单的填报单位中没有它（填报单位：{listed}）"
        )


def _originals(row: _Row) -> dict[str, str | None] | None:
    """The row's input cells as exported (the hidden 原值 column), or None when absent."""
    import json

    raw = row.get("original")
    if not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # a hand-made 原值 of [[[[…: as if absent
        return None
    if not isinstance(data, dict):
        return None
    if not all(v is None or isinstance(v, str) for v in data.values()):
        return None
    return data


def _row_change(row: _Row, computed: _Row | None, ind: Indicator, where: str) -> Change | None:
    """What the row asks for: only the input cells a person changed since the export
    (all non-empty ones when the workbook carries no originals)."""
    cells, originals = _changed_cells(row, computed)
    if originals is not None:
        _refuse_verdict_edits(row, originals)
        if not cells:
            return None  # untouched since the export
    _refuse_errors(cells)  # in the cells a person changed (or all, without originals)
    _refuse_overlong(cells)
    form = {k: compact(comparable(v)) for k, v in cells.items()} if originals is not None else None
    note, evidence = _note_and_evidence(cells, edited=originals is not None)
    text, na_cell = _value_and_na(cells)

    def change(value: Value | None, na: str | None, computed_cell: bool = False) -> Change:
        return Change(ind, value, na, note, evidence, where, computed_cell, originals, form)

    if na_cell is not None:
        return change(None, na_cell)
    if text is None and originals is not None and "na" in cells and originals.get("na"):
        raise ValueRefused(  # the reason deleted, nothing in its place: not "no change"
            "“不适用原因”被清空了，填报值也是空的：不再不适用请在“填报值”填写答案；"
            "仍不适用请写回原因（要清除答案请用 evalcheck answer 题号 --clear）"
        )
    if text is None:  # note/evidence only, or nothing
        return None if note is None and evidence is None else change(None, None)
    na_match = re.fullmatch(rf"{NA_PREFIX}\s*[：:]\s*(.*)", text, flags=re.S)
    if na_match:  # typed into 填报值 out of habit: still not-applicable, with its reason
        reason = na_match.group(1).strip()
        if not reason:
            raise ValueRefused("标为不适用时请在“不适用原因”列写明原因")
        return change(None, reason)
    _ask_fraction(ind, cells.get("value"))
    computed_cell = originals is None and row.get("status") == Status.COMPUTED.label
    return change(parse(ind, text), None, computed_cell)


def _refuse_verdict_edits(row: _Row, originals: Mapping[str, str | None]) -> None:
    """A verdict typed over the exported one (审核状态, 审核人, 审核意见) is never imported:
    the row is refused, so that it is not silently dropped either."""
    for key in VERDICT_KEYS:
        if key in originals and key in row.header and original_cell(row.get(key)) != originals[key]:
            raise ValueRefused(
                f"“{_HEADERS[key]}”是责任领导的审核结论，导入不会改它：请改回导出时的内容"
                f"（{_as_exported(originals[key])}）；审核请用 evalcheck approve / return，"
                "或用 evalcheck export --review 生成的审核表"
            )


def _as_exported(original: str | None) -> str:
    """What a kept cell said when exported, for a message (a long text is kept as its digest)."""
    if original is None:
        return "导出时为空"
    if original.startswith("sha256:"):
        return "导出时是一段长文字，可从 evalcheck show 题号 复制"
    return f"导出时为“{original}”"


def _input_cells(row: _Row, computed: _Row | None) -> dict[str, Any]:
    """The row's input cells; a formula read as its saved result."""
    cells = {key: row.get(key) for key in FORM_INPUT_KEYS}
    unsaved = []
    for key in FORM_INPUT_KEYS:
        if row.is_formula(key):
            cells[key] = computed.get(key) if computed else None
            if cells[key] is None:
                unsaved.append(_HEADERS[key])
    if unsaved:
        raise ValueRefused(
            f"{'、'.join(unsaved)}是公式且没有计算结果：请在 Excel 或 WPS 中打开并保存一次，"
            "或直接填写"
        )
    return cells


def _refuse_overlong(cells: Mapping[str, Any]) -> None:
    """A cell over Excel's limit (an edited file can hold one; Excel and WPS cannot save
    it): refused here, with its row, rather than when the answer is written."""
    from evalcheck.model.kinds import MAX_TEXT

    long = [
        f"{_HEADERS[k]}有 {len(v)} 个字符"
        for k, v in cells.items()
        if isinstance(v, str) and len(v) > MAX_TEXT
    ]
    if long:
        raise ValueRefused(
            f"{'、'.join(long)}，超过 Excel 单元格能容纳的 {MAX_TEXT} 个字符：请缩短"
        )


def _refuse_errors(cells: Mapping[str, Any]) -> None:
    """A cell that shows a failed formula (#DIV/0!, #N/A, …) is no value, reason or note."""
    failed = [f"{_HEADERS[k]}“{v}”" for k, v in cells.items() if v in EXCEL_ERRORS]
    if failed:
        raise ValueRefused(f"{'、'.join(failed)}是公式算出的错误值：请改正公式，或直接填写")


def _note_and_evidence(
    cells: Mapping[str, Any], *, edited: bool
) -> tuple[str | None, tuple[str, ...] | None]:
    """备注 and the 佐证材料 names asked for (None: leave as it is). In a workbook with
    originals (`edited`), a cell emptied in the sheet clears them."""
    note = cell_words(cells.get("note")) if "note" in cells else None
    if edited and "note" in cells and note is None:
        note = ""  # a note deleted in the sheet
    ev_raw = cell_words(cells.get("evidence"))
    evidence: tuple[str, ...] | None = None
    if ev_raw is not None:
        named = (e.strip() for e in re.split(r"[\n；;]+", ev_raw) if e.strip())
        evidence = tuple(dict.fromkeys(named))  # a name written twice is one file
    elif edited and "evidence" in cells:
        evidence = ()
    return note, evidence


def _value_and_na(cells: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """填报值 as text and 不适用原因, without a working export's marks; 不适用 in 填报值 with
    its reason in 不适用原因 is the not-applicable answer; both filled is refused."""
    value_cell, na_cell = cells.get("value"), cell_words(cells.get("na"))
    text = None if cell_words(value_cell) is None else unmarked(cell_text(value_cell))
    na_cell = None if na_cell is None else unmarked(na_cell)
    if text is not None and na_cell is not None and normalize(text) in NA_WORDS:
        text = None  # 不适用 in 填报值, its reason in 不适用原因: as the form's prompt says
    if text is not None and na_cell is not None:
        raise ValueRefused(
            "填报值和不适用原因只能填一个：标为不适用时请清空填报值（或只写“不适用”）"
        )
    if text is not None:
        typed = normalize(text)
        if typed in NA_WORDS:
            raise ValueRefused(
                "填报值写了“不适用”，但“不适用原因”列是空的：请在“不适用原因”列写明原因"
                "（例如 本年度无此业务），或在填报值中写“不适用：原因”"
            )
        within = re.fullmatch(rf"{NA_PREFIX}\((.+)\)", typed)
        if within:  # '不适用（本单位无此业务）', as show and the Word attachment write it
            text = f"{NA_PREFIX}：{within.group(1).strip()}"
    return text, na_cell


NA_WORDS = (NA_PREFIX, "不适用。")  # 不适用 alone in 填报值 (picked from the dropdown)
_MARK = re.compile(r"\s*[（(](?:待审核|已退回)[）)]\s*$")


def unmarked(text: str) -> str:
    """A cell as typed, without the stage a working export appended: '320 个（待审核）' is
    '320 个' (a person edited the number and left the mark)."""
    return _MARK.sub("", text)


def _ask_fraction(ind: Indicator, cell: Any) -> None:
    """0.95 in a percent cell with no % format (what paste-values of 95% gives) is
    ambiguous: 95% or 0.95%? Asked, not guessed."""
    if ind.kind != "percent" or isinstance(cell, bool) or not isinstance(cell, int | float):
        return
    if 0 < abs(cell) < 1:
        pct = f"{cell * 100:.9f}".rstrip("0").rstrip(".")
        raise ValueRefused(
            f"{cell:g} 是否为 {pct}%？请写 {pct} 或 {pct}%（若确是 {cell:g}%，请写 {cell:g}%）"
        )


def cell_words(v: Any) -> str | None:
    """A text cell's words (备注, 不适用原因, 佐证材料, a review's 审核意见 …); a date typed
    into it ('9月18日', which Excel keeps as a date) as the date ('2021-09-18'), not
    Python's '2021-09-18 00:00:00'. None for an empty cell."""
    if v is None:
        return None
    s = date_text(v).strip()
    return s or None


def typed_into(
    path: Path, current: "Mapping[int, Sequence[Mapping[str, str | None]]] | None" = None
) -> list[str]:
    """Why replacing an earlier export at `path` would lose what someone typed: the rows
    whose input cells differ from their hidden 原值 ('工作表“测评指标”第5行（第47项）'), or
    one reason when the file is not an untouched evalcheck total table. [] when the file
    may be replaced (an untouched earlier export). `current`: what each indicator's input
    cells would say if exported now (a cell that says that was imported already: no loss)."""
    from evalcheck.errors import EvalcheckError
    from evalcheck.infra.outputguard import reading_target

    try:
        with reading_target(path):
            grid = read_grid(path)
    except EvalcheckError as exc:
        return [f"{path} 无法作为 evalcheck 导出的总表读取（{exc.message}）"]
    if workbook_kind(grid) != "export":
        return [f"{path} 不是 evalcheck export 导出的总表"]
    out: list[str] = []
    cached: Grid | None = None  # formulas' saved results, read only if a kept cell has one
    for title, rows, header in _table_sheets(grid):
        for r in range(header["_row"] + 1, len(rows) + 1):
            row = _Row(rows[r - 1], header)
            if row.get("key") is None and row.get("id") is None:
                continue
            where = f"工作表“{title}”第{r}行（第{row.get('id')}项）"
            originals = _originals(row)
            if originals is None:
                out.append(f"{where}：没有隐藏的原值")
                continue
            if cached is None and any(row.is_formula(k) for k in KEPT_KEYS):
                with reading_target(path):  # read to decide, not an input of this command
                    cached = read_cells(path, data_only=True)
            saved = _Row(cached[title][r - 1], header) if cached and title in cached else None
            now = (current or {}).get(_whole(row.get("id")) or 0, ())
            changed = _changed_cell(row, saved, originals, now)
            if changed is not None:
                out.append(f"{where}：{_HEADERS[changed]}已改动")
    return out


def _whole(ident: Any) -> int | None:
    """A 题号 cell as a whole number (None for text, 1.5, 1e999)."""
    if isinstance(ident, bool) or not isinstance(ident, int | float):
        return None
    return int(ident) if ident == ident and abs(ident) < 1e15 and ident == int(ident) else None


def _changed_cell(
    row: _Row,
    saved: _Row | None,
    originals: Mapping[str, str | None],
    now: Sequence[Mapping[str, str | None]],
) -> str | None:
    """The first kept cell (input or verdict) that differs from its 原值 and is not in the
    answers already; a formula read as its saved result."""
    for key in KEPT_KEYS:
        if key not in row.header or (key not in originals and key in VERDICT_KEYS):
            continue  # an export from before verdicts were kept: nothing to compare
        value = saved.get(key) if saved is not None and row.is_formula(key) else row.get(key)
        cell = original_cell(value)
        if cell == originals.get(key):
            continue
        if key in FORM_INPUT_KEYS and any(cell == cells.get(key) for cells in now):
            continue  # typed, and already in the answers (imported)
        return key
    return None


_HEADERS = {c.key: c.header for c in (*EXPORT, *REVIEW_COLUMNS)}
