"""Chinese line breaking (views/linebreak.py) over the real indicator texts, directly and in
rendered terminal tables at 60/80/120 columns and at any width from 40 to 120."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.views import render
from evalcheck.views.linebreak import CLOSING, MEASURE, OPENING, line_count, width, wrap

TEXTS = [i.text for i in load_checklist(bundled_checklist_path()).indicators]
NUMBER_END = re.compile(r"[0-9０-９]$")
BLANK_END = re.compile(r"[（(]\s*[)）]$")


def assert_good_breaks(lines: list[str], text: str, columns: int) -> None:
    """Every line fits; nothing is lost; no line begins with closing or ends with opening
    punctuation; a number (or a blank to fill in) keeps its measure word."""
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")
    for line in lines:
        assert width(line) <= columns, (line, columns)
    for before, after in itertools.pairwise(lines):
        pair = f"{before!r} | {after!r}"
        assert after[:1] not in CLOSING, pair
        assert before[-1:] not in OPENING, pair
        if after[:1] in MEASURE:
            assert not NUMBER_END.search(before) and not BLANK_END.search(before), pair
        assert not (NUMBER_END.search(before) and re.match(r"[0-9%％]", after)), pair


def test_the_rules_on_small_cases() -> None:
    assert wrap("本地区数据共享接口涵盖的部门数11项", 33) == [
        "本地区数据共享接口涵盖的部门数",
        "11项",
    ]
    assert wrap("本地区11项", 9) == ["本地区", "11项"]  # never "本地区11" / "项"
    assert wrap("是否建立机制？", 12) == ["是否建立机", "制？"]  # never "是否建立机制" / "？"
    assert wrap("建立（网上）机制", 6) == ["建立", "（网", "上）机", "制"]
    assert wrap("部门（ ）个？", 10) == ["部门", "（ ）个？"]
    assert wrap("（ ）个？", 8) == ["（ ）", "个？"]  # wider than the line: folded, "？" kept
    assert wrap("合计：144 项，已完成", 14) == ["合计：144 项，", "已完成"]
    assert line_count("", 10) == 1 and line_count("一二三四五六", 4) == 3


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEXTS), st.integers(min_value=40, max_value=120))
def test_every_indicator_text_at_widths_40_to_120(text: str, columns: int) -> None:
    assert_good_breaks(wrap(text, columns), text, columns)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TEXTS), st.integers(min_value=10, max_value=39))
def test_narrow_cells_too(text: str, columns: int) -> None:
    """A table cell is narrower than the terminal: the rules hold in 10-39 columns too."""
    assert_good_breaks(wrap(text, columns), text, columns)


def cells_of(out: str, column: int) -> list[list[str]]:
    """The wrapped lines of each cell of one column of a rich table."""
    cells: list[list[str]] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        parts = line.split("│")
        first, cell = parts[1].strip(), parts[column + 1].strip()
        if first:  # a new row (題号 filled)
            cells.append([cell])
        elif cells and cell:
            cells[-1].append(cell)
    return cells


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=40, max_value=120), st.integers(min_value=0, max_value=130))
def test_rendered_tables_break_well_at_any_width(columns: int, start: int) -> None:
    texts = TEXTS[start : start + 14]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("EVALCHECK_WIDTH", str(columns))
        out = render.table(
            ["题号", "三级指标", "状态"],
            [[str(n), t, "逾期1904天"] for n, t in enumerate(texts, start=1)],
            wide=["三级指标"],
            numeric=["题号"],
            rich=True,
        )
    cells = cells_of(out, 1)
    assert len(cells) == len(texts)
    for lines, text in zip(cells, texts, strict=True):
        assert_good_breaks(lines, text, columns)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_list_screens_break_well(run, monkeypatch, columns: int) -> None:
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("EVALCHECK_WIDTH", str(columns))
    out = run("list").stdout
    cells = cells_of(out, 1)
    assert len(cells) == 144
    for lines, text in zip(cells, TEXTS, strict=True):
        assert_good_breaks(lines, text, columns)
    for line in out.splitlines():
        assert render.text_width(line) <= columns


@pytest.mark.parametrize("columns", [60, 80])
def test_prose_under_tables_breaks_well(run, monkeypatch, columns: int) -> None:
    monkeypatch.setattr(render, "stdout_is_terminal", lambda: True)
    monkeypatch.setenv("EVALCHECK_WIDTH", str(columns))
    out = run("status", "--today", "2021-09-16").stdout
    tail = out[out.index("合计：") :].splitlines()
    assert_good_breaks(tail, " ".join(tail), columns)
    assert "0 项" in out.replace("\n", " ")


def test_a_link_is_kept_whole_when_it_fits_a_line() -> None:
    """`evidence list` at 60 columns split 'https://' from the rest of the address."""
    assert wrap("材料见 https://zwfw.example.gov.cn/47 和附件", 30) == [
        "材料见",
        "https://zwfw.example.gov.cn/47",
        "和附件",
    ]
    long = "https://zwfw.example.gov.cn/47/very/long/path/to/file.pdf"
    assert "".join(wrap(long, 20)) == long  # too wide: folded, nothing lost


def test_an_option_keeps_its_value_on_its_line() -> None:
    """'用 -f csv 或加宽窗口查看' broke as '用 -f' / 'csv' under compare --units at 60."""
    for columns in range(20, 70):
        lines = wrap(
            "窄终端未显示：海原县、市本级、市级答案、规则；用 -f csv 或加宽窗口查看", columns
        )
        assert not any(line.rstrip().endswith("-f") for line in lines), (columns, lines)
        assert not any(line.endswith("-") for line in lines), (columns, lines)
