"""Output: rich tables on a terminal, plain tab-separated lines otherwise; JSON; CSV.

rich is imported only when a table is drawn on a terminal, so piped output and
scripts don't pay for it. Where the output goes is decided here too: stdout in the
stream's encoding, or `--output FILE` written by the program as UTF-8 with a BOM.
CSV leaves as bytes, so Windows' text-mode newline translation cannot turn its \r\n
into \r\r\n (a blank row after every row in Excel).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evalcheck.errors import InputError
from evalcheck.model.kinds import without_control

ENV_WIDTH = "EVALCHECK_WIDTH"  # pin the table width (tests, narrow terminals)
ENV_TABLE = "EVALCHECK_TABLE"  # "rich": tables with borders even when piped; "plain": never


def stdout_is_terminal() -> bool:
    forced = os.environ.get(ENV_TABLE, "").strip().lower()
    if forced in ("rich", "plain"):
        return forced == "rich"
    return sys.stdout.isatty()


def to_json(data: Any, *, inline: bool = False) -> str:
    """Strict JSON: a number that is not finite (only a hand-edited file can hold one)
    is written as text, never as `Infinity`/`NaN`, which JSON parsers refuse."""
    import json

    return json.dumps(
        _finite(data),
        ensure_ascii=False,
        indent=None if inline else 2,
        default=str,
        allow_nan=False,
    )


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(v) for v in data]
    return data


# What makes a spreadsheet treat a cell as a formula (OWASP's list: = + - @, tab, CR).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d,]*(\.\d+)?\s*%?")


def csv_safe(v: Any) -> Any:
    """A CSV cell that Excel will not run: text starting like a formula gets a leading
    apostrophe (Excel's own "this is text" mark), unless it is a plain number (-5%).
    Control characters (a hand-edited answers file) are left out, as in every workbook:
    no spreadsheet cell holds them, and on a terminal ESC would start an escape sequence."""
    if not isinstance(v, str):
        return v
    v = without_control(v)
    if v.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(v):
        return "'" + v
    return v


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text, rows ending in \r\n, formulas neutralised (no BOM: the encoding decides
    that, see csv_bytes)."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_safe(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return buf.getvalue()


def csv_bytes(text: str, encoding: str) -> bytes:
    """CSV for Excel: UTF-8 with a BOM (Excel needs it to read UTF-8), or the code page
    (GB18030 on a Chinese Windows, which Excel reads as it is)."""
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return "\ufeff".encode() + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


def output_bytes(text: str, kind: str) -> bytes:
    """What --output FILE holds: UTF-8 with a BOM and Windows line ends for Excel and
    Notepad (csv, table); plain UTF-8 for json."""
    if kind == "json":
        return (text + "\n").encode("utf-8")
    body = text if kind == "csv" else text.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n"
    return "\ufeff".encode() + body.encode("utf-8")


def emit(text: str, *, kind: str = "text", output: Path | None = None) -> str | None:
    """Print `text` (kind: text, json or csv), or write it to `output`.

    Returns the message to show when a file was written.
    """
    if output is not None:
        from evalcheck.infra.fileio import atomic_write_bytes

        data = output_bytes(text, kind)
        atomic_write_bytes(output, data)
        return f"已写入 {output}（{len(data):,} 字节，UTF-8）"
    if kind != "csv":
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
        return None
    buffer = getattr(sys.stdout, "buffer", None)
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    if buffer is None:
        sys.stdout.write(text)
        return None
    sys.stdout.flush()
    buffer.write(csv_bytes(text, encoding))
    buffer.flush()
    return None


_plain = False


def plain_tables(on: bool = True) -> None:
    """Tables as tab-separated text even on a terminal (output going to a file)."""
    global _plain
    _plain = on


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    footer: str | None = None,
    wide: Sequence[str] = (),
    numeric: Sequence[str] = (),
    min_widths: dict[str, int] | None = None,
    rich: bool | None = None,
    max_widths: dict[str, int] | None = None,
) -> str:
    """A table as text. `wide` names the columns that wrap (the rest keep their width);
    `max_widths` caps a wrapping column below its usual 20."""
    use_rich = (stdout_is_terminal() and not _plain) if rich is None else rich
    if not use_rich:
        lines = []
        if title:
            lines.append(title)
        lines.append("\t".join(headers))
        lines.extend("\t".join(_tsv(v) for v in row) for row in rows)
        if footer:
            lines.append(footer)
        return "\n".join(lines)

    from rich.table import Table

    # with a wrapping column the table takes the terminal's width, shared by ratio
    # the footer below the table is prose, folded by linebreak (rich's caption would break
    # "共 3 项" at its spaces)
    t = Table(title=title, show_lines=False, expand=bool(wide))
    if ascii_only():  # the classic Windows console draws box characters double-width
        from rich.box import ASCII

        t.box = ASCII
    for h in headers:
        if h in wide:
            # the first wide column (the indicator text) takes the room that is left;
            # the others are as wide as their content, between their minimum and 20
            low = (min_widths or {}).get(h, 10)
            if h == wide[0]:
                t.add_column(h, overflow="fold", ratio=1, min_width=low)
            else:
                high = (max_widths or {}).get(h, 20)
                t.add_column(h, overflow="fold", min_width=low, max_width=max(low, high))
        elif h in numeric:
            t.add_column(h, no_wrap=True, justify="right", min_width=text_width(h))
        else:
            t.add_column(h, no_wrap=True, overflow="fold")
    wrapping = [h in wide for h in headers]
    for row in rows:
        cells = zip(row, wrapping, strict=True)
        t.add_row(*(_Wrapped(_cell(v)) if w else _cell(v) for v, w in cells))
    drawn = _capture(t)
    return f"{drawn}\n{paragraph(footer)}" if footer else drawn


class _Wrapped:
    """A table cell that wraps by Chinese line-breaking rules (views/linebreak.py) at the
    width rich gives its column: no line begins with closing punctuation or ends with
    opening punctuation, and a number keeps its measure word."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        from evalcheck.views.linebreak import longest_unit, width

        widest = max((width(line) for line in self.text.split("\n")), default=0)
        low = min(longest_unit(self.text), widest)
        return Measurement(low, widest).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        from rich.text import Text

        from evalcheck.views.linebreak import wrap

        lines = wrap(self.text, options.max_width)
        yield Text("\n".join(lines), no_wrap=True, overflow="fold", end="")


def _capture(renderable: Any) -> str:
    from rich.console import Console

    # the width the columns were fitted to (rich alone would take 80 when piped, and cut
    # a table fitted to shutil's 100 without a word)
    console = Console(width=_width(), record=False, soft_wrap=False, highlight=False)
    with console.capture() as cap:
        console.print(renderable)
    return cap.get().rstrip("\n")


def _tsv(v: Any) -> str:
    """A tab-separated field: a tab or line break inside a note must not add a column or row."""
    text = _cell(v)
    if text.isprintable():  # no tab, no line break of any kind: most cells, as they are
        return text
    return " ".join(text.replace("\r\n", "\n").replace("\t", " ").splitlines())


def _cell(v: Any) -> str:
    if v is None:
        return ""
    return str(v)


CSV_HINT = "用 -f csv 或加宽窗口查看"
JSON_HINT = "用 -f json 或加宽窗口查看"
WIDER_HINT = "加宽窗口查看"
_hidden: list[str] = []  # headers dropped by tables whose note is still to be said
_shown: set[str] = set()  # headers those tables did show (one shown anywhere is not hidden)


def hidden_line(headers: Sequence[str], hint: str) -> str:
    """The one line that says which columns a narrow terminal left out, and how to see them."""
    return f"窄终端未显示：{'、'.join(headers)}；{hint}"


def hidden_note(hint: str) -> str | None:
    """The note for every column dropped by the tables drawn with `hint=None` since the
    last call (one line for a command that draws several tables), or None. A column one
    of them still shows is not named: the note says what the screen does not show."""
    gone = [h for h in _hidden if h not in _shown]
    _hidden.clear()
    _shown.clear()
    return hidden_line(gone, hint) if gone else None


def view(
    columns: Sequence[Any],
    rows: Sequence[Any],
    fmt: str = "table",
    *,
    title: str | None = None,
    footer: str | None = None,
    hint: str | None = CSV_HINT,
) -> str:
    """Rows through declared columns (columns.py), as a table or CSV.

    A narrow terminal drops the least important columns (fit_columns); the table then
    ends with one line naming them and `hint` (how to see them). With `hint=None` the
    dropped columns are collected instead, for one `hidden_note` after several tables.
    """
    if fmt == "csv":
        return to_csv([c.header for c in columns], [[c.as_text(r) for c in columns] for r in rows])
    use_rich = stdout_is_terminal() and not _plain
    cols = list(columns)
    cells = [[c.as_text(r) for c in cols] for r in rows]
    mins: dict[str, int] = {}
    dropped: list[str] = []
    caps: dict[str, int] = {}
    if use_rich:
        cols, cells, dropped = _fitted(cols, cells, rows)
        mins = {c.header: min_width(cols, cells, n) for n, c in enumerate(cols) if c.wide}
        caps = _squeezed(cols, cells, mins)
    if hint is None:
        _hidden.extend(h for h in dropped if h not in _hidden)
        _shown.update(c.header for c in cols)
    text = table(
        [c.header for c in cols],
        cells,
        title=title,
        footer=footer,
        wide=_headers_where(cols, "wide"),
        numeric=_headers_where(cols, "numeric"),
        min_widths=mins,
        rich=use_rich,
        max_widths=caps,
    )
    if dropped and hint is not None:
        text += "\n" + paragraph(hidden_line(dropped, hint))
    return text


def _squeezed(cols: Sequence[Any], cells: list[list[str]], mins: dict[str, int]) -> dict[str, int]:
    """The columns that may get narrower (`narrow`) held at their minimum when the table
    would not fit otherwise: else they take up to 20 and squeeze the indicator text."""
    narrow = [c.header for c in cols if c.wide and getattr(c, "narrow", 0)]
    if not narrow:
        return {}
    full = [c._replace(narrow=0, stay_narrow=0) if c.header in narrow else c for c in cols]
    if len(fit_columns(full, cells, _width())) == len(cols):
        return {}  # room for every column at its usual minimum
    return {h: mins[h] for h in narrow}


def _headers_where(cols: Sequence[Any], flag: str) -> list[str]:
    """The headers of the columns whose `flag` (wide, numeric) is set."""
    return [c.header for c in cols if getattr(c, flag)]


def _fitted(
    cols: list[Any], cells: list[list[str]], rows: Sequence[Any]
) -> tuple[list[Any], list[list[str]], list[str]]:
    """The columns that fit the terminal, their cells, and the headers dropped. A kept
    column whose `standin` names a dropped column takes its cells from the stand-in."""
    idx, fitted = _fit(cols, cells, _width())
    dropped = [c.header for n, c in enumerate(cols) if n not in idx]
    gone = {c.key for n, c in enumerate(cols) if n not in idx}
    kept = [fitted[i] for i in idx]
    kept_cells = [[row[i] for i in idx] for row in cells]
    for j, col in enumerate(kept):
        standin = getattr(col, "standin", None)
        if standin is not None and standin[0] in gone:
            get = standin[1]
            for line, row in zip(kept_cells, rows, strict=True):
                line[j] = col._replace(get=get).as_text(row)
    return kept, kept_cells, dropped


def min_width(columns: Sequence[Any], cells: list[list[str]], i: int) -> int:
    """How narrow a wrapping column may get: the first (the indicator text) 20, the others
    their longest cell up to 20 (so that a value like '1234567 个' is never broken), at
    least 10 and their header; at most the column's own `narrow`, when it gives one."""
    c = columns[i]
    first = next(n for n, col in enumerate(columns) if col.wide) == i
    longest = max((text_width(row[i]) for row in cells), default=0)
    low = max(text_width(c.header), 10, 20 if first else min(longest, 20))
    narrow: int = getattr(c, "narrow", 0)  # a column may say it can get narrower (compare's)
    return min(low, max(text_width(c.header), narrow)) if narrow else low


def paragraph(text: str) -> str:
    """Prose under a table, folded to the terminal's width on a terminal (Chinese line
    breaking: views/linebreak.py)."""
    if not stdout_is_terminal():
        return text
    from evalcheck.views.linebreak import wrap

    return "\n".join(wrap(text, _width(), prose=True))


def env_width() -> int | None:
    """EVALCHECK_WIDTH as a sane width (20-1000 columns); anything else is ignored, so a
    typo cannot crash a command or make it draw a table millions of columns wide."""
    raw = os.environ.get(ENV_WIDTH, "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return None
    return min(max(int(raw), 20), 1000)


def narrow_terminal(below: int = 100) -> bool:
    """Tables go to a terminal narrower than `below` columns (a long cell would wrap into
    a tall row there: a view may say it briefly)."""
    return stdout_is_terminal() and not _plain and _width() < below


def _width() -> int:
    width = env_width()
    if width:
        return width
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def text_width(text: str) -> int:
    """Columns a text takes on a terminal (CJK characters count 2)."""
    if text.isascii():
        return len(text)
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_columns(columns: list[Any], cells: list[list[str]], width: int) -> list[Any]:
    """Drop the least important columns until the table fits `width`.

    A column that does not wrap needs its longest cell; one that wraps needs at least
    10 columns (or its header), the first of them (the indicator text) 20. Each takes 3
    more for borders and padding. A column with `stay_narrow`, when its turn to go comes,
    narrows to that instead (and is returned with it as its `narrow`).
    """
    keep, fitted = _fit(columns, cells, width)
    return [fitted[i] for i in keep]


def _fit(columns: list[Any], cells: list[list[str]], width: int) -> tuple[list[int], list[Any]]:
    """fit_columns: the indices of the columns kept, and the columns (those narrowed to
    stay with their `stay_narrow` as `narrow`)."""
    cols = list(columns)

    def need(i: int) -> int:
        c = cols[i]
        head = text_width(c.header)
        if c.wide:
            return min_width(cols, cells, i) + 3
        longest = max((text_width(row[i]) for row in cells), default=0)
        return max(head, longest) + 3

    keep = list(range(len(cols)))
    while sum(need(i) for i in keep) + 1 > width:
        droppable = [i for i in keep if cols[i].keep < 100]
        if not droppable:
            break
        least = min(droppable, key=lambda i: (cols[i].keep, -i))
        stay = getattr(cols[least], "stay_narrow", 0)
        if stay and cols[least].narrow != stay:
            cols[least] = cols[least]._replace(narrow=stay)  # its turn: it narrows instead
        else:
            keep.remove(least)
    return keep, cols


def bar(fraction: float, width: int = 20) -> str:
    """A text progress bar: '██████░░░░░░░░░░░░░░' ('######..............' in ASCII)."""
    fraction = min(max(fraction, 0.0), 1.0)
    full = round(fraction * width)
    on, off = ("#", ".") if ascii_only() else ("█", "░")
    return on * full + off * (width - full)


def ascii_only() -> bool:
    from evalcheck.infra.oscompat import ascii_only as decide

    return decide()


def output_kind(fmt: str | None, output: Path | None, *, example: str = "清单.txt") -> str:
    """ "text", "csv" or "json", how a listing (list, overdue, status) is written: the
    format asked for with -f (table and text are the text table); else the --output file's
    ending (进度.csv is written as CSV, x.json as JSON); else the text table. A table asked
    for into a .csv or .json file is refused (exit 3): Excel would show it all in the first
    column. `example`: a file name to suggest for a table."""
    ending = output.suffix.lower().lstrip(".") if output is not None else ""
    by_name = ending if ending in ("csv", "json") else None
    table = fmt is None or fmt in ("table", "text")
    if fmt is None:
        return by_name or "text"
    if table and by_name is not None:
        raise InputError(
            f"--output {output}：文本表格不能写成 {ending.upper()} 文件；要 {ending.upper()} 请用 "
            f"-f {ending}（或不写 -f），要文本表格请换一个文件名，例如 {example}"
        )
    return "text" if table else str(fmt)
