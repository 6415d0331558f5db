"""Chinese line breaking for terminals and printed pages (pure; no rich, no openpyxl).

Text is cut into units that must not be split, then lines are filled greedily:
- closing punctuation (，。、；：！？）」》…) sticks to what precedes it, so no line begins with it;
- opening punctuation (（「《“…) sticks to what follows, so no line ends with it;
- a number keeps its measure word or percent sign ("11项", "95%", "144 项"), and "第" its
  number; a blank to fill in is one unit and keeps its measure word too ("（ ）个");
- a run of Latin letters and digits ("2021-09-15", "IPv6"), a link, an option with a
  Latin value ("-f csv") and a progress bar are one unit each; spaces are break
  opportunities and vanish at a break.
A unit wider than the line is folded by character, the only place a unit is split.

`wrap` gives the lines for a width (terminal columns: CJK characters count 2);
`line_count` is what the print layout needs to size a row.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

CLOSING = frozenset("，。、；：！？）」』】〕》〉”’…‥·,.;:!?)]}％%")
OPENING = frozenset("（「『【〔《〈“‘([{")
MEASURE = frozenset("个项次条人天年月日时分秒家件户元万亿岁名份类种部批所座台套处张本篇期")
_DIGITS = re.compile(r"[0-9０-９]")
_BLANK = re.compile(r"[（(][ \u3000]*[)）]$")  # a blank to fill in: "（ ）" before 个, %
_TOKEN = re.compile(
    r"https?://[^\s，。、；（）“”]+"  # a link: whole (folded by character only if too wide)
    r"|(?<![\w-])--?[A-Za-z][\w-]*(?: [A-Za-z0-9][\w.-]*)?"  # an option and its value: -f csv
    r"|[（(][ \u3000]*[)）]"  # a blank to fill in
    r"|[A-Za-z0-9０-９]+(?:[.\-:/][A-Za-z0-9０-９]+)*"  # a word, a number, a date
    r"|[█░]+"  # a progress bar
    r"|[ \t\u3000]+|.",
    re.S,
)


@lru_cache(maxsize=65536)  # the characters of a text repeat (a page of CJK has a few hundred)
def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(text: str) -> int:
    """Columns a text takes on a terminal (CJK characters count 2)."""
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


unit_width = lru_cache(maxsize=16384)(width)  # the units of wrapped text repeat


def _is_space(token: str) -> bool:
    return token.isspace()


def _takes_measure(unit: str) -> bool:
    """A number or a blank to fill in: what a measure word sticks to."""
    return bool(_DIGITS.match(unit[-1])) or bool(_BLANK.search(unit))


@lru_cache(maxsize=4096)
def units(text: str) -> tuple[str, ...]:
    """The text as units no line break may fall inside (spaces are units of their own)."""
    out: list[str] = []
    glue_next = False  # the last unit ends with opening punctuation (or is 第)
    for tok in _TOKEN.findall(text):
        if not out:
            out.append(tok)
        elif _is_space(tok):
            if glue_next:  # "（ 多选": no break after the bracket
                out[-1] += tok
                continue
            out.append(tok)
            continue
        elif _is_space(out[-1]) and len(out) > 1:
            before = out[-2]
            if tok[0] in CLOSING or (tok in MEASURE and _takes_measure(before)):
                out[-2:] = [before + out[-1] + tok]  # "多选 ）", "144 项": no break
            else:
                out.append(tok)
        elif (
            glue_next
            or tok[0] in CLOSING
            or (tok in MEASURE and _takes_measure(out[-1]))
            or (out[-1].endswith("第") and _DIGITS.match(tok))
        ):
            out[-1] += tok
        else:
            out.append(tok)
        glue_next = tok[-1] in OPENING or tok == "第"
    return tuple(out)


def wrap(text: str, columns: int, *, prose: bool = False) -> list[str]:
    """The lines `text` takes in `columns` terminal columns (its own line breaks kept).

    `prose`: a line would rather end after a comma, a 、, a semicolon or a space than in
    the middle of a word, as long as it stays at least 60% full (sentences under a table).
    """
    columns = max(columns, 2)
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        lines.extend(_wrap_paragraph(paragraph, columns, prose))
    return lines


SOFT = frozenset("，、；。：！？,;")


def _soft_cut(line: list[str], columns: int) -> int:
    """Where a prose line had better end: after the last soft punctuation or space that
    leaves it 60% full; else its end."""
    used = 0
    best = len(line)
    for i, unit in enumerate(line):
        used += width(unit)
        if (unit[-1] in SOFT or _is_space(unit)) and used >= columns * 0.6:
            best = i + 1
    return best


def _wrap_paragraph(text: str, columns: int, prose: bool) -> list[str]:
    out = _Lines(columns, prose)
    for unit in units(text):
        if _is_space(unit):
            out.space(unit, unit_width(unit))
        else:
            out.word(unit, unit_width(unit))
    if any(u.strip() for u in out.line) or not out.lines:
        out.lines.append("".join(out.line).rstrip())
    return out.lines


class _Lines:
    """A paragraph's finished lines and the line being filled (`used` columns of it)."""

    __slots__ = ("columns", "line", "lines", "prose", "used")

    def __init__(self, columns: int, prose: bool) -> None:
        self.columns, self.prose = columns, prose
        self.lines: list[str] = []
        self.line: list[str] = []
        self.used = 0

    def fits(self, w: int) -> bool:
        return self.used + w <= self.columns

    def put(self, unit: str, w: int) -> None:
        self.line.append(unit)
        self.used += w

    def flush(self) -> None:
        """End the line (at a soft cut in prose); what is cut off starts the next one."""
        cut = _soft_cut(self.line, self.columns) if self.prose else len(self.line)
        done, self.line = self.line[:cut], self.line[cut:]
        while self.line and _is_space(self.line[0]):
            self.line.pop(0)
        self.lines.append("".join(done).rstrip())
        self.used = sum(width(u) for u in self.line)

    def space(self, unit: str, w: int) -> None:
        if not self.line:
            return  # no line begins with a space
        if self.fits(w):
            return self.put(unit, w)
        self.flush()
        if self.line:  # a prose cut left words over: the space stays between them
            self.put(unit, w)

    def word(self, unit: str, w: int) -> None:
        for _ in range(2):  # the line as it is; then after a (prose) cut
            if self.fits(w):
                return self.put(unit, w)
            if self.line:
                self.flush()
        if w <= self.columns:
            self.line, self.used = [unit], w
        else:
            self.fold(unit)

    def fold(self, unit: str) -> None:
        """A unit wider than the line, folded character by character."""
        for ch in unit:
            cw = char_width(ch)
            if self.used + cw > self.columns and self.line:
                carry = []
                if len(self.line) > 1 and (ch in CLOSING or self.line[-1][-1] in OPENING):
                    carry = [self.line.pop()]  # still no line begins with "？" or ends with "（"
                self.flush()
                self.line = carry + self.line
                self.used += sum(width(c) for c in carry)
            self.put(ch, cw)


def surely_one_line(text: str, columns: int) -> bool:
    """A text of one paragraph and at most columns/2 characters fits on one line whatever
    its characters are, without measuring it (most cells of a table)."""
    return len(text) * 2 <= columns and "\n" not in text and "\r" not in text


@lru_cache(maxsize=16384)  # a table repeats its sections, leaders, dates, states
def line_count(text: str, columns: int) -> int:
    """How many lines `text` takes in `columns` columns (at least 1)."""
    if surely_one_line(text, columns):
        return 1
    if "\n" not in text and "\r" not in text and width(text) <= max(columns, 2):
        return 1  # fits on one line: no need to break it
    return max(len(wrap(text, columns)), 1)


def longest_unit(text: str) -> int:
    """The width of the widest unit: below it a line must fold a unit."""
    return max((width(u) for u in units(text) if not _is_space(u)), default=0)
