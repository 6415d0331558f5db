"""Page breaks of the Excel attachment: the arithmetic (pages.py)."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from evalcheck.views.pages import column_points, page_starts, print_scale, split_runs, usable_height


def pages_of(n: int, starts: list[int]) -> list[range]:
    bounds = [0, *starts, n]
    return [range(a, b) for a, b in itertools.pairwise(bounds)]


@given(
    st.lists(st.floats(min_value=10, max_value=120), min_size=1, max_size=300),
    st.floats(min_value=150, max_value=600),
    st.floats(min_value=150, max_value=600),
)
def test_every_page_holds_what_fits_and_no_more(heights, first, rest) -> None:
    starts = page_starts(heights, first, rest)
    pages = pages_of(len(heights), starts)
    assert [i for p in pages for i in p] == list(range(len(heights)))  # every row, once
    for n, page in enumerate(pages):
        room = first if n == 0 else rest
        used = sum(heights[i] for i in page)
        assert used <= room or len(page) == 1  # a row taller than a page gets a page
        if n + 1 < len(pages):  # a break only where the next row did not fit
            assert used + heights[pages[n + 1][0]] > room


@given(
    st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=12),
    st.sets(st.integers(min_value=1, max_value=300), max_size=20),
)
def test_runs_are_cut_at_page_starts_and_cover_every_row(lengths, starts) -> None:
    runs, a = [], 0
    for n in lengths:
        runs.append((a, a + n - 1))
        a += n
    pieces = split_runs(runs, sorted(starts))
    assert [i for lo, hi in pieces for i in range(lo, hi + 1)] == list(range(a))
    for lo, hi in pieces:
        assert not any(lo < s <= hi for s in starts)  # no piece crosses a page break
        assert any(r[0] <= lo and hi <= r[1] for r in runs)  # each inside its category


def test_scale_fits_the_columns_to_the_width() -> None:
    widths = [14, 6, 48, 10, 13, 12, 22, 6, 8, 10, 9, 18, 11]
    scale = print_scale(widths, 11.69 - 0.8)
    assert sum(column_points(w) for w in widths) * scale / 100 <= (11.69 - 0.8) * 72
    assert scale == 71
    assert print_scale([10], 10.89) == 100  # never enlarged
    assert round(usable_height(7.0, 50)) == round(7.0 * 72 * 0.94 * 2)
