"""Where the printed pages of the Excel attachment break (pure arithmetic).

Spreadsheet programs break pages where the rows no longer fit, and a category merged
across such a break shows on the first page only. The export therefore decides the
breaks itself, from the row heights it wrote and the printable height of an A4
landscape page at the print scale it sets, and splits the category cells there so that
every page names the category of its rows.
"""

from __future__ import annotations

from collections.abc import Sequence

A4_LANDSCAPE_IN = (11.69, 8.27)  # width, height in inches
POINTS_PER_INCH = 72
# Spreadsheet programs round row heights and font metrics a little differently; a page
# filled to 94% of its height is a page none of them breaks early.
SAFETY = 0.94


def column_points(width: float) -> float:
    """Printed width of a column of `width` characters of the default font (Calibri 11:
    7 pixels per character plus 5 of padding, 0.75 point per pixel)."""
    return (int(width * 7) + 5) * 0.75


def print_scale(widths: Sequence[float], printable_width_in: float) -> int:
    """The percentage (10–100) at which columns of these widths fit the page width."""
    total = sum(column_points(w) for w in widths)
    fit = printable_width_in * POINTS_PER_INCH * SAFETY / total if total else 1.0
    return max(10, min(100, int(fit * 100)))


def usable_height(printable_height_in: float, scale: int) -> float:
    """Points of sheet rows that fit one page at this scale."""
    return printable_height_in * POINTS_PER_INCH * SAFETY * 100 / scale


def page_starts(heights: Sequence[float], first: float, rest: float) -> list[int]:
    """Indices of the rows that begin a new page (after the first), rows never split.

    `first` and `rest` are the heights available for these rows on the first page and
    on the following ones (the page less what is printed above the rows there).
    """
    starts: list[int] = []
    room = first
    used = 0.0
    for n, h in enumerate(heights):
        if used + h > room and used > 0:
            starts.append(n)
            room, used = rest, 0.0
        used += h
    return starts


def split_runs(runs: Sequence[tuple[int, int]], starts: Sequence[int]) -> list[tuple[int, int]]:
    """Cut each (first, last) run of rows at the page starts."""
    cuts = sorted(starts)
    out: list[tuple[int, int]] = []
    for a, b in runs:
        lo = a
        for s in cuts:
            if lo < s <= b:
                out.append((lo, s - 1))
                lo = s
        out.append((lo, b))
    return out
