"""Build a checklist from the bureau's own table, as bureaus really send it.

Reading the file is tableimport_read.py; this module interprets the cells: find the
sheet and its header (synonyms, two-row headers, `--column`), carry categories down
(a column, group rows or "（一）…" rows), split cells naming several sections or
leaders, parse deadlines as people write them, take the year and the roles from the
title, the footnote, a column or an option, and infer each indicator's answer kind.

Nothing is guessed silently: a row that cannot be read is a located problem (and
nothing is written), and every inference that is not certain is listed for review.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError, InputError
from evalcheck.io.tableimport_read import Book, Row, Sheet, clean_cell, column_letter, read_book
from evalcheck.model.checklist import CN_NUMERALS, UNASSIGNED, id_ranges
from evalcheck.model.kinds import NO_CUE, cues, has_options
from evalcheck.model.validation import MAX_ID

__all__ = ["checklist_document", "checklist_yaml", "clean_cell", "read_table"]

# Column keys, their name in messages, and the headers people write for them (best first).
LABELS = {
    "category": "二级指标",
    "id": "题号",
    "text": "三级指标",
    "owner": "责任领导",
    "section": "责任科室",
    "due": "完成时限",
    "role": "任务类型",
}
HEADERS: dict[str, tuple[str, ...]] = {
    "category": (
        "二级指标",
        "指标类别",
        "指标分类",
        "类别",
        "分类",
        "测评领域",
        "领域",
        "类型名称",
    ),
    "id": ("题号", "序号", "编号", "指标序号", "指标编号", "题目编号", "序"),
    "text": (
        "三级指标",
        "指标内容",
        "评价内容",
        "具体指标",
        "测评内容",
        "测评指标",
        "指标名称",
        "考核内容",
        "指标",
        "内容",
    ),
    "owner": ("责任领导", "分管领导", "牵头领导", "责任人", "负责领导", "分管局领导", "局领导"),
    "section": (
        "责任科室",
        "责任单位",
        "责任股室",
        "牵头科室",
        "责任部门",
        "牵头单位",
        "责任处室",
        "承办科室",
        "牵头部门",
        "科室",
    ),
    "due": ("完成时限", "完成时间", "时限要求", "时限", "截止时间", "截止日期", "办结时限"),
    "role": ("任务类型", "牵头/配合", "牵头或配合", "任务性质", "职责类型", "承担方式", "备注"),
}
REQUIRED = ("id", "text")
HEADER_SCAN = 30  # the header is looked for in the first rows of a sheet

_DASH = r"\s*(?:-|–|—|－|~|～|〜|至|到)+\s*"
_NAME_SEP = re.compile(r"\s*[、，,/／;；\n]+\s*")


@dataclass(frozen=True, slots=True)
class Inference:
    kind: str
    unit: str | None
    options: tuple[str, ...]
    certain: bool
    range: tuple[float | None, float | None] | None = None
    reason: str = ""
    guesses: tuple[str, ...] = ()  # other parts that are guesses (a unit by default)


@dataclass(frozen=True, slots=True)
class Options:
    """What the user told `checklist-import` on the command line."""

    year: int | None = None
    sheet: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # key -> header in the file
    support: frozenset[int] | None = None  # --support 116-144
    due: dt.date | None = None  # --due for rows without a deadline
    keep_hidden: bool = False


@dataclass
class TableResult:
    title: str | None
    year: int
    year_source: str = ""
    source: str = ""  # "文件 X.xlsx，工作表“Y”"
    indicators: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # located: rows that could not be read
    review: list[str] = field(default_factory=list)  # inferences that are not certain
    warnings: list[str] = field(default_factory=list)  # skipped or ignored things, stated
    categories: list[str] = field(default_factory=list)
    role_source: str = ""
    due_source: str = ""
    label: str | None = None  # "附件 1" above the title, verbatim (for issue 19's framing)
    footnote: str | None = None  # the 备注 paragraph under the table, verbatim


# ---------------------------------------------------------------- kind inference

_PAREN_TAIL = re.compile(r"[（(][^（()）]*[)）]\s*$")
_OPTION_LIST = re.compile(r"(?:^|[？?）)；;。\s])\s*1[.．、]\s*(.+)$", re.S)
_LETTER_OPTION = re.compile(r"(?:^|(?<=[\s？?）)；;。：:]))([A-H])\s*[.．、]\s*")
_LETTER_INLINE = re.compile(r"(?:^|(?<=[\s？?（(）)；;。：:]))([A-H])\s*[.．、]\s*")
_NUMBER_OPTION = re.compile(r"(?:^|(?<=[\s？?（(）)；;。：:]))(\d{1,2})\s*[.．、]\s*(?!\d)")
_LINE_MARK = re.compile(r"^\s*(?:[A-H]\s*[.．、]|\d+\s*[.．、]|[□○☐●◯·•-])\s*")


def _core(text: str) -> str:
    """The question without trailing parentheticals and punctuation."""
    t = text.strip().split("\n", 1)[0]
    for _ in range(3):
        t = re.sub(r"[？?。.\s]+$", "", t)
        t = _PAREN_TAIL.sub("", t)
    return re.sub(r"[？?。.\s]+$", "", t)


def split_options(text: str, *, inline: bool = True) -> tuple[str, ...]:
    """Options written in the cell: '1.甲；2.乙', 'A.甲 B.乙 C.丙', or one per line; with
    `inline`, also inside the question: '（A.在线预约 B.在线支付）', '1.综合窗口 2.分类窗口'.
    The shapes are tried in this order; the first that gives options wins."""
    return (
        _line_options(text)
        or _lettered_options(text, inline)
        or (_numbered_inline_options(text) if inline else ())
        or _numbered_list_options(text)
    )


def _line_options(text: str) -> tuple[str, ...]:
    """The question on the first line, one option on each further line (2 or more)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return ()
    if all(_LINE_MARK.match(ln) for ln in lines[1:]):
        return tuple(_LINE_MARK.sub("", ln).strip(" ；;。") for ln in lines[1:])
    if not any(re.search(r"[？?]", ln) for ln in lines[1:]):
        return tuple(ln.strip(" ；;。") for ln in lines[1:])
    return ()


def _lettered_options(text: str, inline: bool) -> tuple[str, ...]:
    """'A.甲 B.乙 C.丙': letters from A, in order (inside brackets too with `inline`)."""
    marks = list((_LETTER_INLINE if inline else _LETTER_OPTION).finditer(text))
    letters = "".join(m.group(1) for m in marks)
    if len(marks) >= 2 and "ABCDEFGH".startswith(letters):
        opts = _between(text, marks)
        if all(opts):
            return opts
    return ()


def _numbered_inline_options(text: str) -> tuple[str, ...]:
    """'1.综合窗口 2.分类窗口 …' inside the question, numbered in order from 1."""
    numbered = list(_NUMBER_OPTION.finditer(text))
    if len(numbered) >= 2 and [int(m.group(1)) for m in numbered] == list(
        range(1, len(numbered) + 1)
    ):
        opts = _between(text, numbered)
        if all(opts):
            return opts
    return ()


def _numbered_list_options(text: str) -> tuple[str, ...]:
    """'…？1.甲；2.乙；3.丙' after the question, separated by ； or new lines."""
    m = _OPTION_LIST.search(text)
    if not m:
        return ()
    parts = re.split(r"[；;\n]\s*\d+[.．、]\s*", m.group(1))
    opts = tuple(p.strip(" ；;。\n") for p in parts if p.strip(" ；;。\n"))
    return opts if len(opts) >= 2 else ()


def _between(text: str, marks: list[re.Match[str]]) -> tuple[str, ...]:
    """The texts after each mark, up to the next (a closing bracket or ？ ends the last)."""
    bounds = [*(m.start() for m in marks[1:]), len(text)]
    out = []
    for m, end in zip(marks, bounds, strict=True):
        part = text[m.end() : end]
        if end == len(text):
            part = re.split(r"[）)？?]", part, maxsplit=1)[0]
        out.append(part.strip(" ；;。，,、\n…"))
    return tuple(o for o in out if o != "…") if all(out) else tuple(out)


def infer_kind(text: str) -> Inference:
    """Answer kind from an indicator's wording (GUIDE §3): the first of the registry's cues
    (kinds.cues) that matches; `certain` is False for guesses, and `guesses` names the
    other parts that are (a unit by default)."""
    core = _core(text)
    options = split_options(text)
    for kind, cue in cues():
        if cue.needs_options and not options:
            continue
        if options and not has_options(kind):
            continue  # options listed: a choice, not a count because the text says 数据
        m = re.search(cue.pattern, core if cue.core else text)
        if m is None:
            continue
        unit, guess = cue.unit(text, core, m) if callable(cue.unit) else (cue.unit, None)
        guesses = (guess,) if guess else ()
        if options and has_options(kind) and split_options(text, inline=False) != options:
            guesses = (*guesses, "从文字中提取的选项：" + "、".join(options))
        return Inference(
            kind,
            unit,
            options if has_options(kind) else (),
            cue.certain,
            cue.range,
            reason=cue.reason,
            guesses=guesses,
        )
    return Inference(NO_CUE[0], None, (), False, reason=NO_CUE[1])


# ---------------------------------------------------------------- cells


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def normalize_category(name: str) -> tuple[int | None, str]:
    """'三、政务服务 创新举措' -> (3, '政务服务创新举措'); '（一）网上政务服务能力' -> (1, …)."""
    t = _squash(name)
    m = re.match(rf"^[（(]([{CN_NUMERALS}]+|\d+)[)）][、.．]?(.+)$", t) or re.match(
        rf"^([{CN_NUMERALS}]+|\d+)[、.．](.+)$", t
    )
    if not m:
        return None, t
    return _numeral(m.group(1)), m.group(2)


def _numeral(num: str) -> int:
    if num.isdigit():
        return int(num)
    if len(num) == 1:
        return CN_NUMERALS.index(num) + 1
    if num.startswith("十"):  # 十一 .. 十九
        return 10 + CN_NUMERALS.index(num[1]) + 1
    return CN_NUMERALS.index(num[0]) + 1  # rare; good enough for ordering


_RECURRING = re.compile(r"每(?:月|季|季度|周|年|半年|日|天)|长期|持续|常态|经常|随时|及时")
_DUE_TAIL = r"(?:前|之前|以前)?(?:完成|办结|到位)?(?:前)?"


def parse_due(text: str, year: int) -> dt.date | None:
    """'9月15日前', '10月底前', '9月30号前', '2022年9月底前', '2022-9-30', '9.30' …"""
    t = _squash(unicodedata.normalize("NFKC", text))
    t = re.sub(r"^(?:截至|截止|在|于)", "", t)
    if not t:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]?\d{1,2}:\d{2}(?::\d{2})?)?", t)
    if m is None:
        m = re.fullmatch(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})" + _DUE_TAIL, t)
    if m:
        return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号]" + _DUE_TAIL, t)
    if m:
        return _date(int(m.group(1) or year), int(m.group(2)), int(m.group(3)))
    m = re.fullmatch(r"(?:(\d{4})年)?(\d{1,2})月(?:底|末|末前|份)" + _DUE_TAIL, t)
    if m:
        y, mo = int(m.group(1) or year), int(m.group(2))
        if 1 <= mo <= 12:
            return dt.date(y, mo, calendar.monthrange(y, mo)[1])
        return None
    m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})" + _DUE_TAIL, t)
    if m:
        return _date(year, int(m.group(1)), int(m.group(2)))
    return None


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def split_names(cell: str) -> list[str]:
    """'政务服务中心、审批服务科' -> both; '万富春/高秀英' -> both; spaces inside a name dropped."""
    out: list[str] = []
    for part in _NAME_SEP.split(cell.strip()):
        name = part.strip()
        if name and name not in out:
            out.append(name)
    return out


def _parse_id(cell: str) -> int | None:
    t = _squash(unicodedata.normalize("NFKC", cell))
    m = re.fullmatch(r"第?(\d{1,6})(?:项|题)?[.、]?", t)
    return int(m.group(1)) if m else None


def _too_large_id(cell: str) -> bool:
    """A number of seven digits or more where a 题号 goes (a slip, not a text)."""
    t = _squash(unicodedata.normalize("NFKC", cell))
    return re.fullmatch(r"第?0*[1-9]\d{6,}(?:项|题)?[.、]?", t) is not None


def parse_ranges(text: str) -> frozenset[int]:
    """'116-144' / '116—144,150' / '116至144' -> the numbers; ValueError when unreadable."""
    out: set[int] = set()
    t = unicodedata.normalize("NFKC", text)
    for part in re.split(r"\s*[,，、;；]\s*", t.strip()):
        if not part:
            continue
        m = re.fullmatch(r"(\d+)(?:" + _DASH + r"(\d+))?", part)
        if not m:
            raise ValueError(part)
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        if b < a or b - a > 100_000:
            raise ValueError(part)
        out.update(range(a, b + 1))
    if not out:
        raise ValueError(text)
    return frozenset(out)


# ---------------------------------------------------------------- header


def _header_name(cell: str) -> str:
    t = unicodedata.normalize("NFKC", cell)
    t = re.sub(r"[\s*]", "", t)
    return re.sub(r"\([^()]*\)$", "", t) if not t.startswith("(") else t


_SYNONYM_INDEX = {
    unicodedata.normalize("NFKC", name): (key, n)
    for key, names in HEADERS.items()
    for n, name in enumerate(names)
}


class _HeaderMatcher:
    def __init__(self, columns: Mapping[str, str]) -> None:
        self.user = {_header_name(v): k for k, v in columns.items()}

    def key(self, cell: str) -> tuple[str, int] | None:
        name = _header_name(cell)
        if not name:
            return None
        if name in self.user:
            return self.user[name], -1
        return _SYNONYM_INDEX.get(name)

    def match(self, names: Sequence[Sequence[str]], skip: set[int]) -> dict[str, int]:
        """Column of each key; `names` are the candidate header texts of each column."""
        best: dict[str, tuple[int, int]] = {}
        for col, candidates in enumerate(names):
            if col in skip:
                continue
            for cand in candidates:
                found = self.key(cand)
                if found is None:
                    continue
                key, rank = found
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, col)
                break
        # one column, one meaning: drop a key whose column another (better) key took
        cols: dict[str, int] = {}
        for key, (_, col) in sorted(best.items(), key=lambda kv: kv[1][0]):
            if col not in cols.values():
                cols[key] = col
        return cols


@dataclass(slots=True)
class _Header:
    row: int  # index into sheet.rows of the (last) header row
    rows: int  # 1 or 2
    cols: dict[str, int]
    names: list[str]  # the header text of each column, as written


def find_header(sheet: Sheet, matcher: _HeaderMatcher, keep_hidden: bool) -> _Header | None:
    """The best header in the first rows: one row, or two rows read together."""
    skip = set() if keep_hidden else set(sheet.hidden_cols)
    best: _Header | None = None
    rows = sheet.rows[:HEADER_SCAN]
    for i, (_, cells) in enumerate(rows):
        cand = _Header(i, 1, matcher.match([[c] for c in cells], skip), list(cells))
        if i + 1 < len(rows):
            cand = _two_row_header(i, cells, rows[i + 1][1], matcher, skip) or cand
        if best is None or _score(cand.cols) > _score(best.cols):
            best = cand
        if all(k in cand.cols for k in REQUIRED) and len(cand.cols) >= 3:
            return cand
    return best if best is not None and len(best.cols) >= 2 else None


def _two_row_header(
    i: int, cells: Sequence[str], below: Sequence[str], matcher: _HeaderMatcher, skip: set[int]
) -> _Header | None:
    """Rows i and i+1 read as one header (a merged group over its sub-columns), when that
    finds more columns than the upper row alone and the lower row is not an indicator."""
    one = matcher.match([[c] for c in cells], skip)
    if not one:  # the upper row has no header words (a title or an empty row)
        return None
    width = max(len(cells), len(below))
    pairs = [
        (below[c] if c < len(below) else "", cells[c] if c < len(cells) else "")
        for c in range(width)
    ]
    two = matcher.match([[b, a, a + b] for b, a in pairs], skip)
    own_below = matcher.match([[b] for b, _ in pairs], skip)
    if len(two) > len(one) and len(two) >= len(own_below) >= 2 and "id" not in _ids(below, two):
        return _Header(i + 1, 2, two, [b or a for b, a in pairs])
    return None


def _ids(row: Sequence[str], cols: Mapping[str, int]) -> set[str]:
    col = cols.get("id")
    if col is not None and col < len(row) and _parse_id(row[col]) is not None:
        return {"id"}
    return set()


def _score(cols: Mapping[str, int]) -> tuple[int, int]:
    return (sum(k in cols for k in REQUIRED), len(cols))


# ---------------------------------------------------------------- the table


class _Where:
    """Locations for messages: file, sheet, row, column."""

    def __init__(self, book: Book, sheet: Sheet, names: Sequence[str]) -> None:
        self.file = book.path.name
        self.sheet = f"工作表“{sheet.name}”" if sheet.name else ""
        self.names = names

    @property
    def source(self) -> str:
        return f"{self.file} {self.sheet}".rstrip()

    def row(self, n: int) -> str:
        return f"{self.source}第{n}行" if self.sheet else f"{self.file} 第{n}行"

    def cell(self, n: int, col: int, key: str | None = None) -> str:
        head = self.names[col] if col < len(self.names) and self.names[col] else ""
        label = head or (LABELS[key] if key else "")
        return f"{self.row(n)} {column_letter(col)}列" + (f"（{label}）" if label else "")


def _excerpt(text: str, n: int = 30) -> str:
    return re.sub(r"\s*\n\s*", " ", text)[:n]


def _row_text(cells: Iterable[str]) -> str:
    return " ".join(c for c in cells if c)


def _is_footnote(first: str) -> bool:
    return bool(re.match(r"^(备注|注[:：]|注\d|说明[:：]|附注)", _squash(first)))


def _looks_like_group(text: str, has_category_col: bool) -> bool:
    n, _ = normalize_category(text)
    if n is not None:
        return True
    if has_category_col:
        return False
    return len(text) <= 30 and not re.search(r"[？?。；;]|是否|多少|哪些", text)


_TITLE_YEAR = re.compile(r"(20\d\d)\s*年")
_NOTE_YEAR = re.compile(
    r"(?<!上)(?<!去)(?<!参照)(?<!对照)(?<!比照)(?<!沿用)(20\d\d)\s*年度?\s*(?:营商环境)?\s*"
    r"(?:测评|评价|考核|评估)?\s*指标"
)


def build_sheet(book: Book, sheet: Sheet, opts: Options) -> TableResult:
    controls = _without_controls(sheet)
    matcher = _HeaderMatcher(opts.columns)
    header = find_header(sheet, matcher, opts.keep_hidden)
    w = _Where(book, sheet, header.names if header else [])
    result = TableResult(title=None, year=0, source=w.source)
    result.warnings.extend(f"{result.source}：{note}" for note in sheet.notes)
    result.review.extend(
        f"{w.cell(n, col)}：有不可见的控制字符 {chars}（从别的程序粘贴来的？），已删除，请核对"
        for n, col, chars in controls
    )
    if header is None:
        raise _no_header(sheet, result.source)
    _check_columns(header, sheet, opts, w)
    _warn_unused_columns(result, header, sheet, w)
    head_rows = sheet.rows[: header.row - header.rows + 1]
    _read_title(result, head_rows)
    scan = _BodyScan(book, header.cols, opts, w, result, sheet)
    for n, raw in sheet.rows[header.row + 1 :]:
        scan.row(n, raw, hidden=n in sheet.hidden_rows and not opts.keep_hidden)
    scan.finish(sheet)
    _split_joined_names(result, scan.raw_names, scan.all_owners)
    _decide_year(result, head_rows, scan.notes, sheet, opts)
    _redate_in_year(result)
    _assign_roles(result, scan.notes, scan.role_cells, opts, w)
    return result


def _without_controls(sheet: Sheet) -> list[tuple[int, int, str]]:
    """Take the characters YAML cannot hold (control characters other than tab and line
    breaks, DEL, C1 controls, non-characters) out of every cell: the checklist could not be
    written with them. Where they were: (row, column, which)."""
    from yaml.reader import Reader  # what PyYAML refuses to read: the checklist is YAML

    refused = Reader.NON_PRINTABLE
    found: list[tuple[int, int, str]] = []
    for n, cells in sheet.rows:
        for col, text in enumerate(cells):
            if text and refused.search(text):
                chars = "、".join(sorted({f"U+{ord(c):04X}" for c in refused.findall(text)}))
                cells[col] = refused.sub("", text)
                found.append((n, col, chars))
    return found


def _no_header(sheet: Sheet, source: str) -> InputError:
    top = [_row_text(c) for _, c in sheet.rows[:5] if any(c)]
    return InputError(
        f"{source}：找不到表头。需要“题号”和“三级指标”两列"
        "（也可写作 序号/编号、指标内容/评价内容/具体指标）；"
        f"前几行是：{'｜'.join(t[:30] for t in top) or '（空）'}；"
        "如果列名不同，请用 --column 题号=表中的列名 指定"
    )


def _warn_unused_columns(result: TableResult, header: _Header, sheet: Sheet, w: _Where) -> None:
    cols = header.cols
    unused = [
        f"{column_letter(i)}列“{name}”"
        for i, name in enumerate(header.names)
        if name and i not in cols.values() and i not in sheet.hidden_cols
    ]
    if unused:
        hdr_n = sheet.rows[header.row][0]
        result.warnings.append(f"{w.row(hdr_n)}：未使用的列：{'、'.join(unused)}")


def _read_title(result: TableResult, head_rows: Sequence[Row]) -> None:
    """Rows before the header: the 附件 label and the title."""
    for _, cells in head_rows:
        line = _row_text(dict.fromkeys(cells))  # merged title cells repeat the text
        if line.startswith("附件") and result.label is None:
            result.label = line
        if line and not line.startswith("附件") and re.search(r"清单|指标|测评|表", line):
            # the year goes to `year:`; the exports add "（2023年）" to the title again
            result.title = re.sub(r"\s*[（(]\s*\d{4}\s*年?\s*[)）]\s*$", "", _squash(line))


def _redate_in_year(result: TableResult) -> None:
    """A "9月15日前" is in the checklist's year, known only once the year is decided."""
    for ind in list(result.indicators):
        if ind["due_cell"] and not re.search(r"\d{4}", ind["due_cell"]):
            ind["due"] = parse_due(ind["due_cell"], result.year)
            if ind["due"] is None:
                result.problems.append(
                    f"{ind['_due_at']}：第{ind['id']}项的完成时限“{ind['due_cell']}”"
                    f"在 {result.year} 年不是有效日期"
                )
                result.indicators.remove(ind)


class _Skip(Exception):
    """This body row is not an indicator (its problem, if any, is already recorded)."""


class _BodyScan:
    """The rows under the header, one at a time: category rows, indicators, footnotes."""

    def __init__(
        self,
        book: Book,
        cols: Mapping[str, int],
        opts: Options,
        w: _Where,
        result: TableResult,
        sheet: Sheet | None = None,
    ) -> None:
        self.book, self.cols, self.opts, self.w, self.result = book, cols, opts, w, result
        self.uncached = sheet.uncached if sheet is not None else {}
        self.width = max(cols.values()) + 1
        self.category = ""
        self.cat_numbers: dict[str, int] = {}
        self.seen: dict[int, str] = {}
        self.notes: list[tuple[int, str]] = []
        self.hidden: list[int] = []
        self.no_due: list[str] = []
        self.role_cells: dict[int, tuple[str, str]] = {}  # id -> (value, location)
        self.all_owners: set[str] = set()
        self.raw_names: list[tuple[int, str, str, str]] = []  # (id, key, cell, location)
        self.guessed: dict[str, list[int]] = {}  # a guess -> the indicators it was made for

    def row(self, n: int, raw: Sequence[str], hidden: bool) -> None:
        row = list(raw)
        while row and not row[-1]:
            row.pop()
        if not any(row):
            return
        first = next(c for c in row if c)
        if self.notes or _is_footnote(first):
            self.notes.append((n, _row_text(dict.fromkeys(row))))
            return
        if hidden:
            self.hidden.append(n)
            return
        row = self._padded(row)
        if self._category_row(row):
            return
        try:
            ind = self._indicator(n, row)
        except _Skip:
            return
        self.result.indicators.append(ind)
        if self.category not in self.result.categories:
            self.result.categories.append(self.category)

    def _padded(self, row: list[str]) -> list[str]:
        # a Word paste whose category cell was lost entirely starts with the number
        if (
            self.book.format == "text"
            and self.cols.get("category") == 0
            and len(row) == self.width - 1
            and _parse_id(row[0]) is not None
        ):
            row.insert(0, "")
        return row + [""] * (self.width - len(row))

    def _get(self, row: Sequence[str], key: str) -> str:
        return row[self.cols[key]] if key in self.cols else ""

    def _at(self, n: int, key: str) -> str:
        return self.w.cell(n, self.cols[key], key) if key in self.cols else self.w.row(n)

    def _set_category(self, cell: str) -> None:
        num, self.category = normalize_category(cell)
        if num is not None:
            self.cat_numbers.setdefault(self.category, num)

    def _category_row(self, row: Sequence[str]) -> bool:
        """A row with one distinct value that is no number: a category heading."""
        distinct = list(dict.fromkeys(c for c in row if c))
        if (
            len(distinct) == 1
            and _parse_id(self._get(row, "id")) is None
            and _looks_like_group(distinct[0], "category" in self.cols)
        ):
            self._set_category(distinct[0])
            return True
        if self._get(row, "category"):
            self._set_category(self._get(row, "category"))
        return False

    def _problem(self, message: str) -> _Skip:
        self.result.problems.append(message)
        return _Skip()

    def _identity(self, n: int, row: Sequence[str]) -> tuple[int, str]:
        raw_id = self._get(row, "id")
        ident = _parse_id(raw_id)
        formula = self.uncached.get((n, self.cols["id"])) if "id" in self.cols else None
        if ident is None and formula is not None:
            raise self._problem(
                f"{self._at(n, 'id')}：题号是公式（{formula}），但表格中没有保存计算结果；"
                "请在 Excel 或 WPS 中打开这个表格、保存一次后再导入"
                "（或把题号列复制后“选择性粘贴 → 数值”）"
            )
        if ident is None and _too_large_id(raw_id):
            raise self._problem(
                f"{self._at(n, 'id')}：题号 {_excerpt(raw_id, 20)} 过大（最大 {MAX_ID}），"
                "是否多打了几个 0？"
            )
        if ident is None:
            raise self._problem(
                f"{self._at(n, 'id')}：没有题号（{raw_id or '空'}），应为数字；"
                f"这一行是：{_excerpt(_row_text(row), 40)}"
            )
        if ident in self.seen:
            raise self._problem(f"{self._at(n, 'id')}：题号 {ident} 重复（{self.seen[ident]}已有）")
        self.seen[ident] = self.w.row(n)
        text = self._get(row, "text")
        if not text:
            raise self._problem(f"{self._at(n, 'text')}：第{ident}项没有指标内容")
        if not self.category:
            raise self._problem(
                f"{self._at(n, 'category')}：第{ident}项没有二级指标，上面也没有可沿用的分类行"
            )
        return ident, text

    def _names(self, n: int, row: Sequence[str], ident: int) -> tuple[list[str], list[str]]:
        owners = split_names(self._get(row, "owner"))
        # what an exported table writes for an indicator with no section is not a section
        sections = [s for s in split_names(self._get(row, "section")) if s != UNASSIGNED]
        if "owner" in self.cols and not owners:
            raise self._problem(f"{self._at(n, 'owner')}：第{ident}项没有责任领导")
        for key in ("owner", "section"):
            cell = self._get(row, key)
            if re.search(r"\S\s+\S", cell) and len(split_names(cell)) == 1:
                self.raw_names.append((ident, key, cell, self._at(n, key)))
        self.all_owners.update(owners)
        return owners, sections

    def _due(self, n: int, due_cell: str, ident: int) -> dt.date:
        if not due_cell:
            if self.opts.due is None:
                self.no_due.append(f"{self.w.row(n)}（第{ident}项）")
                raise _Skip()
            return self.opts.due
        due = parse_due(due_cell, self.opts.year or 2000)
        if due is not None:
            return due
        if _RECURRING.search(due_cell):
            raise self._problem(
                f"{self._at(n, 'due')}：第{ident}项的完成时限“{due_cell}”是周期性或长期的任务，"
                "需要写一个具体日期（例如 10月31日前）"
            )
        raise self._problem(
            f"{self._at(n, 'due')}：第{ident}项的完成时限“{due_cell}”无法识别"
            "（可写 9月15日前、10月底前、2022-9-30、2022年9月30日）"
        )

    def _indicator(self, n: int, row: Sequence[str]) -> dict[str, Any]:
        ident, text = self._identity(n, row)
        owners, sections = self._names(n, row, ident)
        due_cell = self._get(row, "due")
        due = self._due(n, due_cell, ident)
        if "role" in self.cols and self._get(row, "role"):
            self.role_cells[ident] = (self._get(row, "role"), self._at(n, "role"))
        inf = infer_kind(text)
        if not inf.certain:
            self.result.review.append(
                f"第{ident}项：按 {inf.kind} 处理（{inf.reason}）：{_excerpt(text)}"
            )
        for guess in inf.guesses:
            self.guessed.setdefault(guess, []).append(ident)
        ind: dict[str, Any] = {
            "id": ident,
            "category": self.category,
            "text": text,
            "owners": owners,
            "sections": sections,
            "due": due,
            "due_cell": due_cell,
            "kind": inf.kind,
            "_due_at": self._at(n, "due"),
        }
        if inf.unit:
            ind["unit"] = inf.unit
        if inf.options:
            ind["options"] = list(inf.options)
        if inf.range is not None:
            ind["range"] = list(inf.range)
        return ind

    def finish(self, sheet: Sheet) -> None:
        """What the scan found besides indicators: guesses, footnote, skipped rows."""
        result, w, opts = self.result, self.w, self.opts
        for guess, ids in self.guessed.items():  # one line per kind of guess, naming every row
            result.review.append(f"第{id_ranges(ids)}项：{guess}")
        if self.notes:
            text = "\n".join(line for _, line in self.notes)
            result.footnote = re.sub(r"^备注\s*[：:]?\s*", "", text).strip() or None
        if self.hidden:
            result.warnings.append(
                f"{w.source}：隐藏的第{id_ranges(self.hidden)}行已跳过；"
                "要读取隐藏行请加 --keep-hidden"
            )
        if sheet.hidden_cols and not opts.keep_hidden:
            letters = "、".join(column_letter(c) for c in sorted(sheet.hidden_cols))
            result.warnings.append(f"{result.source}：隐藏的 {letters} 列已跳过")
        if self.no_due:
            no_due = self.no_due
            result.problems.append(
                f"以下 {len(no_due)} 行没有完成时限：{'、'.join(no_due[:20])}"
                + ("……" if len(no_due) > 20 else "")
                + "；请在表中补上，或用 --due 2022-09-30 指定这些行的时限"
            )
        if opts.due is not None:
            result.due_source = f"没有时限的行使用 --due {opts.due.isoformat()}"
        result.categories.sort(key=lambda c: self.cat_numbers.get(c, 99))


def _check_columns(header: _Header, sheet: Sheet, opts: Options, w: _Where) -> None:
    found = (
        "、".join(f"{column_letter(i)}列“{n}”" for i, n in enumerate(header.names) if n) or "（无）"
    )
    n = sheet.rows[header.row][0]
    written = {_header_name(name) for name in header.names}
    for key, their in opts.columns.items():
        if _header_name(their) not in written:
            raise InputError(
                f"{w.row(n)}：--column {LABELS[key]}={their} 指定的列“{their}”不在表头中；"
                f"找到的表头：{found}"
            )
    for key in REQUIRED:
        if key not in header.cols:
            hidden = [
                column_letter(i)
                for i in sheet.hidden_cols
                if i < len(header.names) and _SYNONYM_INDEX.get(_header_name(header.names[i]))
            ]
            extra = (
                f"（{'、'.join(hidden)} 列是隐藏列，要读取请加 --keep-hidden）" if hidden else ""
            )
            raise InputError(
                f"{w.row(n)}：表头缺少“{LABELS[key]}”列{extra}"
                f"（可写作：{'、'.join(HEADERS[key][:5])}）；找到的表头：{found}；"
                f"如果表中用了别的名称，请用 --column {LABELS[key]}=表中的列名 指定"
            )


def _split_joined_names(
    result: TableResult, raw_names: list[tuple[int, str, str, str]], owners: set[str]
) -> None:
    """'万富春 高秀英': two names when each is a leader elsewhere; else one name, for review."""
    by_id = {i["id"]: i for i in result.indicators}
    for ident, key, cell, loc in raw_names:
        ind = by_id.get(ident)
        if ind is None:
            continue
        parts = cell.split()
        field_ = "owners" if key == "owner" else "sections"
        known = owners if key == "owner" else {s for i in result.indicators for s in i["sections"]}
        if all(p in known for p in parts):
            ind[field_] = list(dict.fromkeys(parts))
            result.review.append(f"{loc}：“{cell}”按 {len(parts)} 个名称处理：{'、'.join(parts)}")
        else:
            joined = _squash(cell)
            ind[field_] = [joined if n == cell.strip() else n for n in ind[field_]]
            result.review.append(f"{loc}：“{cell}”中的空格已去掉，按一个名称“{joined}”处理")
    for ind in result.indicators:
        ind["owners"] = [_squash(o) for o in ind["owners"]]
        ind["sections"] = [_squash(s) for s in ind["sections"]]


def _decide_year(
    result: TableResult,
    head_rows: Sequence[Row],
    notes: Sequence[tuple[int, str]],
    sheet: Sheet,
    opts: Options,
) -> None:
    found: list[tuple[int, str]] = []
    for n, cells in head_rows:
        line = _row_text(dict.fromkeys(cells))
        years = sorted({int(y) for y in _TITLE_YEAR.findall(line)})
        if len(years) == 1:
            found.append((years[0], f"来自标题第{n}行“{_squash(line)[:30]}”"))
        elif years:
            found.append((0, f"标题第{n}行有多个年份：{'、'.join(map(str, years))}"))
    if not found:
        for n, line in notes:
            years = sorted({int(y) for y in _NOTE_YEAR.findall(line)})
            if len(years) == 1:
                found.append((years[0], f"来自备注第{n}行“{years[0]}年…指标”"))
                break
    if not found and sheet.name:
        years = sorted({int(y) for y in _TITLE_YEAR.findall(sheet.name)})
        if len(years) == 1:
            found.append((years[0], f"来自工作表名“{sheet.name}”"))
    table_year = found[0] if found and found[0][0] else None
    if opts.year is not None:
        result.year, result.year_source = opts.year, "--year"
        if table_year and table_year[0] != opts.year:
            result.warnings.append(
                f"表中写的是 {table_year[0]} 年（{table_year[1]}），按 --year {opts.year} 处理"
            )
        return
    if table_year is None:
        why = found[0][1] if found else "标题中没有“20XX年”，备注中也没有“20XX年测评指标”"
        raise InputError(
            f"{result.source}：无法确定清单的年份（{why}）；请用 --year 指定，例如 --year 2022"
        )
    result.year, result.year_source = table_year


def _support_roles(result: TableResult, support: frozenset[int]) -> None:
    """--support 116-144: those are 配合, the others 牵头."""
    unknown = sorted(support - {i["id"] for i in result.indicators})
    if unknown:
        raise InputError(f"--support 中的第{id_ranges(unknown)}项不在表中")
    for ind in result.indicators:
        ind["role"] = "support" if ind["id"] in support else "lead"
    result.role_source = "--support"


_ROLE_RANGE = re.compile(
    r"(?:第)?(\d+)" + _DASH + r"(\d+)\s*(?:项|题)\s*(?:为|是|属于)?\s*(?:我局)?\s*(牵头|配合)"
)


def _footnote_roles(notes: Sequence[tuple[int, str]]) -> tuple[dict[int, str], str]:
    """The roles the 备注 paragraph gives by range ('116-144项为配合'), and the line that
    gives them (the last one) for messages."""
    footnote: dict[int, str] = {}
    note_src = ""
    for n, line in notes:
        for a, b, role in _ROLE_RANGE.findall(unicodedata.normalize("NFKC", line)):
            for i in range(int(a), int(b) + 1):
                footnote[i] = "support" if role == "配合" else "lead"
            note_src = f"备注第{n}行"
    return footnote, note_src


def _assign_roles(
    result: TableResult,
    notes: Sequence[tuple[int, str]],
    cells: Mapping[int, tuple[str, str]],
    opts: Options,
    w: _Where,
) -> None:
    """--support, else a 任务类型/备注 column, else the footnote's ranges; lead otherwise."""
    if opts.support is not None:
        return _support_roles(result, opts.support)
    footnote, note_src = _footnote_roles(notes)
    sources: set[str] = set()
    for ind in result.indicators:
        cell = cells.get(ind["id"])
        from_cell = None
        if cell is not None:
            if "配合" in cell[0]:
                from_cell = "support"
            elif "牵头" in cell[0]:
                from_cell = "lead"
        from_note = footnote.get(ind["id"])
        if from_cell is not None:
            ind["role"] = from_cell
            sources.add("任务类型列")
            if from_note is not None and from_note != from_cell:
                result.review.append(
                    f"{cell[1] if cell else ''}：第{ind['id']}项写的是“{cell[0] if cell else ''}”，"
                    f"与{note_src}不一致，按本列处理"
                )
        elif from_note is not None:
            ind["role"] = from_note
            sources.add(note_src)
        else:
            ind["role"] = "lead"
    if sources:
        result.role_source = "、".join(sorted(sources))
    else:
        result.role_source = "表中未注明牵头或配合，全部按牵头；配合任务请用 --support 指定"


# ---------------------------------------------------------------- choosing the sheet


def read_table(path: Path, opts: Options | None = None, **kw: Any) -> TableResult:
    """The indicators of the table in `path` (text, .xlsx, .xls or .ods)."""
    opts = opts or Options(**kw)
    book = read_book(path)
    names = [s.name for s in book.sheets if not s.very_hidden]  # the sheets people know of
    if opts.sheet is not None:
        chosen = [s for s in book.sheets if s.name == opts.sheet]
        if not chosen:
            raise InputError(f"{path.name} 中没有工作表“{opts.sheet}”（有：{'、'.join(names)}）")
        return build_sheet(book, chosen[0], opts)
    if len(book.sheets) == 1:
        return build_sheet(book, book.sheets[0], opts)
    matcher = _HeaderMatcher(opts.columns)
    candidates = [
        s
        for s in book.sheets
        if s.visible
        and (h := find_header(s, matcher, opts.keep_hidden)) is not None
        and all(k in h.cols for k in REQUIRED)
    ]
    if len(candidates) == 1:
        result = build_sheet(book, candidates[0], opts)
        result.warnings += _other_sheets(path, names, candidates[0].name)
        return result
    listing = "、".join(f"“{n}”" for n in names)
    if not candidates:
        raise InputError(
            f"{path.name} 的 {len(names)} 个工作表（{listing}）中都找不到指标表头"
            "（需要“题号”“三级指标”等列）；请用 --sheet 指定工作表，或用 --column 指定列名"
        )
    found = "、".join(f"“{s.name}”" for s in candidates)
    raise InputError(
        f"{path.name} 中有 {len(candidates)} 个工作表都像指标表（{found}）；"
        f"请用 --sheet 指定一个，例如 --sheet {candidates[0].name}"
    )


def _other_sheets(path: Path, names: list[str], chosen: str) -> list[str]:
    """The warning that names the sheets not read (those people know of), if any."""
    others = [n for n in names if n != chosen]
    if not others:
        return []
    return [
        f"{path.name} 有 {len(names)} 个工作表，读取的是“{chosen}”"
        f"（其余：{'、'.join(others)}，其中找不到指标表头）"
    ]


# ---------------------------------------------------------------- the checklist document


def checklist_document(result: TableResult, *, title: str | None = None) -> dict[str, Any]:
    """The checklist YAML document (as plain data) for an imported table."""
    inds = sorted(result.indicators, key=lambda i: i["id"])
    doc: dict[str, Any] = {
        "title": title or result.title or "营商环境测评指标责任清单",
        "year": result.year,
    }
    doc.update(_default_due(inds))
    if result.label:
        doc = {"label": result.label, **doc}
    if result.footnote:
        doc["footnote"] = result.footnote
    doc["review"] = True  # the bureau's practice: leaders sign off answers (edit to false to stop)
    doc["evidence"] = "required"  # an evaluation counts no answer without 佐证材料
    doc["categories"] = list(result.categories)
    doc["sections"] = _unique(s for i in inds for s in i["sections"])
    doc["owners"] = _unique(o for i in inds for o in i["owners"])
    doc["indicators"] = [_indicator_doc(i) for i in inds]
    return doc


def _most_common(values: list[Any]) -> Any:
    """The most common value; a tie goes to the smallest (never to hash order)."""
    return min(set(values), key=lambda v: (-values.count(v), v))


def _default_due(inds: list[dict[str, Any]]) -> dict[str, Any]:
    """The checklist's default deadline (the most common) and its wording, kept once instead
    of on every row; sets each indicator's own `due_text` (None where the default says it)."""
    for i in inds:  # the wording of a deadline ("9月15日前"); an ISO date is not one
        cell = i.get("due_cell") or ""
        i["due_text"] = cell if cell and not re.match(r"\d{4}-", cell) else None
    dues = [i["due"] for i in inds if i["due"] is not None]
    if not dues:
        return {}
    default: dict[str, Any] = {"due": _most_common(dues)}
    words = [i["due_text"] for i in inds if i["due"] == default["due"] and i["due_text"]]
    if words:
        default["due_text"] = _most_common(words)
        for i in inds:
            if i["due"] == default["due"] and i["due_text"] == default["due_text"]:
                i["due_text"] = None
    return default


def _unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _names_doc(names: Sequence[str]) -> str | list[str] | None:
    if not names:
        return None
    return names[0] if len(names) == 1 else list(names)


def _indicator_doc(ind: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ind["id"],
        "category": ind["category"],
        "text": ind["text"],
        "owner": _names_doc(ind["owners"]),
        "section": _names_doc(ind["sections"]),
    }
    for k in ("due", "due_text", "role", "kind", "unit"):
        if ind.get(k) is not None:
            out[k] = ind[k]
    for k in ("options", "range"):
        if k in ind:
            out[k] = ind[k]
    return out


def checklist_yaml(doc: dict[str, Any], header: Sequence[str] = ()) -> str:
    """The checklist as people read it: top-level fields, then one block per indicator."""
    from evalcheck.infra.yamlio import dump_yaml, load_yaml_text

    if not doc.get("indicators"):
        raise InputError(
            "表格中找到了表头，但表头下面没有指标行（题号为数字的行），未写入："
            "请确认指标写在表头下方，或是否选错了工作表（--sheet）"
        )
    # a comment line ends at a line break: one inside a cell or a file name must not
    # start a line of YAML in the file
    lines = [" ".join(str(line).splitlines()) for line in header]
    head = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    top = {k: v for k, v in doc.items() if k not in ("rules", "indicators")}
    parts = [head, dump_yaml(top)]
    if doc.get("rules"):
        parts.append("\n" + dump_yaml({"rules": doc["rules"]}))
    parts.append("\nindicators:\n")
    for ind in doc.get("indicators", []):
        parts.append(dump_yaml([ind]) + "\n")
    text = "".join(parts).rstrip() + "\n"
    if load_yaml_text(text, "生成的清单") != doc:  # cells cannot add or change structure
        raise DataError("生成的清单与表格内容不一致（表格中可能有特殊字符），未写入")
    return text
