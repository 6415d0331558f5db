"""The workbook format that writing and reading share: sheet names, the rows of the
table, the hidden key (校验键) and original cells (原值) of every row, and the hidden
metadata sheet that says what a workbook is.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evalcheck.errors import DataError
from evalcheck.infra.digest import sha256_hex
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import without_control
from evalcheck.state.snapshot import Row
from evalcheck.views.columns import EXPORT, KEPT_KEYS, Column

if TYPE_CHECKING:
    from evalcheck.answers.store import State
    from evalcheck.io.xlsx_book import Book

MAIN_SHEET = "测评指标"
SUMMARY_SHEET = "填报进度"
META_SHEET = "_evalcheck"
META_FORMAT = 2  # the hidden metadata's format: a workbook of a later one is refused
KEY = "校验键"  # hidden: which indicator a row is (id + digest of checklist and text)
ORIGINAL = "原值"  # hidden: what the row's input cells said when exported (JSON)
HIDDEN = (KEY, ORIGINAL)
LABEL_ROW = 1  # "附件 1" (the attachment's label; a fill-in hint in section forms)
TITLE_ROW = 2
HEADER_ROW = 3
FIRST_ROW = 4
COMPARE_SHEET = "同比"
ROLLUP_SHEET = "汇总"  # the units' values and the roll-ups (when the checklist has units)


# the table's and the forms' columns: the visible ones declared in columns.py, then hidden ones
COLUMNS = (*(c.header for c in EXPORT), *HIDDEN)


UNIT_FORM = "unit"  # the metadata's kind of a unit's form (export --units)


def row_key(checklist: Checklist, ind: Indicator, unit: str | None = None) -> str:
    """'47:3f2a9c0b1d': the id and a digest of the checklist and the indicator's text;
    in a unit's form '47:9c0b1d3f2a@沙坡头区' (the unit is in the digest too, so a row
    copied into another unit's form, or an edited unit, is refused on import)."""
    raw = f"{checklist.title}|{checklist.year}|{ind.id}|{ind.text}"
    if unit is None:
        return f"{ind.id}:{sha256_hex(raw.encode())[:10]}"
    return f"{ind.id}:{sha256_hex(f'{raw}|{unit}'.encode())[:10]}@{unit}"


def comparable(v: Any) -> str | None:
    """A cell's content as comparable text: '' and None are both None, 312.0 is '312',
    line ends and surrounding space do not count (spreadsheet programs change them), nor
    control characters (no cell can hold them: the writer leaves them out)."""
    if v is None:
        return None
    if isinstance(v, bool):
        v = "是" if v else "否"
    elif isinstance(v, float) and v.is_integer():
        v = int(v)
    elif isinstance(v, dt.datetime | dt.date):
        v = v.isoformat()
    t = without_control(str(v).replace("\r\n", "\n")).strip()
    return t or None


def compact(text: str | None) -> str | None:
    """A long cell text as its SHA-256 in the hidden 原值: four cells of up to 32767
    characters each must still fit the one hidden cell (Excel's limit)."""
    if text is None or len(text) <= 1000:
        return text
    return "sha256:" + sha256_hex(text.encode("utf-8"))


def original_of(columns: Sequence[Column[Row]], row: Row) -> str:
    """What the row's input cells (and its verdict cells) say as exported, as JSON. Import
    compares each cell with it: an untouched cell changes nothing, whatever it says (a
    derived value out of range, a text that reads like 不适用：…)."""
    data = {c.key: original_cell(c.get(row)) for c in columns if c.key in KEPT_KEYS}
    return json_texts(data)


def original_cell(value: Any) -> str | None:
    """One input cell's value as 原值 keeps it."""
    return compact(comparable(value))


def json_texts(data: dict[str, str | None]) -> str:
    """A flat mapping of texts as JSON, keys sorted (the hidden 原值 cell)."""
    import json

    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def write_meta(
    book: "Book",
    checklist: Checklist,
    kind: str,
    section: str | None,
    today: dt.date,
    extra: Sequence[tuple[str, str]] = (),
) -> None:
    """The very hidden sheet that says what a workbook is. `exported` is the day the
    workbook's counts are as of (not the clock: the same state gives the same bytes)."""
    ws = book.sheet(META_SHEET)
    rows: list[tuple[str, Any]] = [
        ("format", META_FORMAT),
        ("kind", kind),
        ("title", checklist.title),
        ("year", checklist.year),
        ("section", section or ""),
        ("exported", today),
        *extra,
    ]
    for r, (k, v) in enumerate(rows, start=1):
        book.put(ws, r, 1, k)
        book.put(ws, r, 2, v)
    ws.very_hidden()


def state_stamp(today: dt.date, states: "Iterable[State | None]") -> dt.datetime:
    """A workbook's document date (created, modified), from the state it shows: the latest
    answer or review recorded (UTC), else the day it is as of. Never the clock, so that
    the same state gives the same bytes."""
    times = [t for st in states if st is not None for t in (st.at, st.reviewed_at) if t]
    latest = None
    for raw in times:
        try:
            at = dt.datetime.fromisoformat(raw)
            at = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
        except (OverflowError, ValueError):  # not a time; a hand-typed year 9999 near its end
            continue
        latest = at if latest is None or at > latest else latest
    if latest is None:
        return dt.datetime.combine(today, dt.time())
    return latest.replace(tzinfo=None)


Grid = dict[str, list[list[tuple[Any, bool]]]]  # sheet -> rows -> (value, is a formula)


def _meta_value(grid: Grid, name: str) -> str | None:
    rows = grid.get(META_SHEET, [])
    value = next((r[1][0] for r in rows if len(r) >= 2 and r[0][0] == name), None)
    return None if value is None else str(value)


def workbook_kind(grid: Grid) -> str | None:
    """What the hidden sheet says the workbook is ("export", "form", "unit", "review"), if
    it has one."""
    return _meta_value(grid, "kind")


def workbook_final(grid: Grid) -> bool:
    """A --final total table (final values only: the others were left blank)."""
    return _meta_value(grid, "mode") == "final"


def workbook_exported(grid: Grid) -> str | None:
    """The day the workbook was exported ('2021-09-10'), as its hidden sheet says."""
    value = _meta_value(grid, "exported")
    return value[:10] if value else None


def workbook_unit(grid: Grid) -> str | None:
    """The unit a unit's form (export --units) was written for, else None."""
    if workbook_kind(grid) != UNIT_FORM:
        return None
    return _meta_value(grid, "unit") or ""


def check_meta(grid: Grid, checklist: Checklist, path: Path) -> None:
    if META_SHEET not in grid:
        raise DataError(
            f"{path} 不是 evalcheck 导出的表格（缺少隐藏的 {META_SHEET} 工作表）："
            "请用 evalcheck export 导出的表格填写"
        )
    meta = {str(r[0][0]): r[1][0] for r in grid[META_SHEET] if len(r) >= 2 and r[0][0]}
    _check_format(meta.get("format"), path)
    if meta.get("title") in (None, "") or meta.get("year") in (None, ""):
        raise DataError(
            f"{path} 的隐藏元数据不完整（缺少清单的标题或年份）：文件已被改动，"
            "请用 evalcheck export 重新导出"
        )
    # a year typed as text ('2021') is the same year: no "2021年 与 2021年 不符"
    if (meta.get("title"), str(meta.get("year"))) != (checklist.title, str(checklist.year)):
        raise DataError(
            f"{path} 是为清单“{meta.get('title')}”（{meta.get('year')}年）导出的，"
            f"与当前清单“{checklist.title}”（{checklist.year}年）不符"
        )


def _check_format(fmt: object, path: Path) -> None:
    """The metadata's format: none (the first versions) or up to META_FORMAT; a later one
    was written by a newer evalcheck, whose workbooks this one may misread."""
    if fmt is None:
        return
    if (
        isinstance(fmt, bool)
        or not isinstance(fmt, int | float)
        or (isinstance(fmt, float) and not fmt.is_integer())
    ):
        raise DataError(
            f"{path} 的隐藏元数据 format 应为整数，实际为“{fmt}”：文件已被改动，"
            "请用 evalcheck export 重新导出"
        )
    if int(fmt) > META_FORMAT:
        raise DataError(
            f"{path} 由更新版本的 evalcheck 导出（format: {int(fmt)}），"
            f"本版本只读到 format: {META_FORMAT}；请升级 evalcheck 后再导入"
        )
