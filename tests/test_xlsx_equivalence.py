"""The XlsxWriter writers make the same documents as the openpyxl writers they replaced.

For several generated states (answers of every kind, 不适用, notes that read like formulas,
links, approvals and returns, late items), the total table, the section forms, the review
workbooks and the evidence bundle's 目录.xlsx are written by both: the current writers
(src/evalcheck/io/) and the frozen openpyxl ones (tests/legacy_openpyxl/). The two files are
read back with openpyxl (styles, layout, print setup) and python-calamine (values, an
independent reader) and compared cell by cell, plus merges, data validations, protection,
print settings, widths, heights, panes, filters, hidden parts and charts.

Deliberate differences, not compared: the hidden metadata's `exported` (the day the
workbook is as of, no longer the clock, so the same state gives the same bytes); the cells
inside a merged range other than its first (XlsxWriter writes them blank, openpyxl kept
the category's text there: what a spreadsheet program shows is the same); the names of
named styles (XlsxWriter writes plain cell formats); row heights within a pixel (XlsxWriter
stores them in whole pixels, as Excel does when it saves); a space in a link to a file in
the bundle, written %20 as Excel writes it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest

from evalcheck.answers.store import load_answers
from evalcheck.io import pack, reviewbook, xlsx_forms, xlsx_write
from evalcheck.model.checklist import Checklist
from evalcheck.model.loading import bundled_checklist_path, load_checklist
from evalcheck.state.snapshot import group_rows, take
from tests.conftest import TEST_TODAY
from tests.legacy_openpyxl import forms as old_forms
from tests.legacy_openpyxl import index as old_index
from tests.legacy_openpyxl import review as old_review
from tests.legacy_openpyxl import write as old_write
from tests.readback import CalamineWorkbook

TODAY = dt.date(2021, 9, 20)  # some deadlines passed: 状态 cells marked late
NOTES = ["", "=SUM(A1:A3)", "+86 0955", "-", "@某人", "见附件\n第二行", "说明" * 60]


def _build_state(run: Any, seed: int) -> None:
    """Answers of every kind, 不适用, notes, links, approvals and returns, chosen by `seed`."""
    rnd = random.Random(seed)
    cl = load_checklist(bundled_checklist_path())
    chosen = rnd.sample(cl.indicators, 40)
    for ind in chosen:
        args = ["answer", str(ind.id), "--by", rnd.choice(["张三", "审批监管科王五"])]
        if rnd.random() < 0.15:
            args += ["--na", rnd.choice(["本年度无此事项", "=不适用"])]
        else:
            args += ["--value", _value(rnd, ind)]
        note = rnd.choice(NOTES)
        if note:
            args += ["--note", note]
        if rnd.random() < 0.3:
            args += ["--evidence", f"https://zwfw.example.cn/{ind.id}"]
        assert run(*args).exit_code == 0, args
    for ind in chosen:
        if ind.owner is None or rnd.random() < 0.4:
            continue
        if rnd.random() < 0.6:
            run("approve", str(ind.id), "--by", ind.owner)
        else:
            run("return", str(ind.id), "--reason", "数字与上报不符", "--by", ind.owner)


def _value(rnd: random.Random, ind: Any) -> str:
    """A valid answer of the indicator's kind."""
    if ind.kind == "yesno":
        return rnd.choice(["是", "否"])
    if ind.kind in ("count", "number"):
        return str(rnd.choice([0, 7, 312, 48000]))
    if ind.kind == "percent":
        return rnd.choice(["95%", "100", "87.5", "0"])
    if ind.options:
        return ind.options[0].text
    if ind.kind == "choice":
        return rnd.choice(["线上办理", "=线下"])
    return rnd.choice(["线上办理", "=线下", "一网通办、一窗受理", "文字" * 40])


def _snapshot(tmp_path: Path) -> tuple[Checklist, Any]:
    cl = load_checklist(bundled_checklist_path())
    answers = load_answers(tmp_path / "answers.yaml", cl, cached=False)
    return cl, take(cl, answers, TODAY)


# ---------------------------------------------------------------- comparing two files


def _style(c: Any) -> tuple[Any, ...]:
    f, a = c.font, c.alignment
    fill = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type == "solid" else None
    border = c.border.left.style if c.border is not None and c.border.left is not None else None
    return (
        c.number_format,
        f.name or "Calibri",  # a font without a name is the workbook's default, Calibri 11
        float(f.sz) if f.sz else 11.0,
        bool(f.b),
        (f.color.rgb[-6:] if f.color is not None and isinstance(f.color.rgb, str) else None),
        f.u if f.u else None,
        bool(a.wrap_text),
        a.horizontal if a.horizontal not in (None, "general") else None,
        a.vertical,
        (fill[-6:] if isinstance(fill, str) else None),
        border,
        c.protection.locked,
    )


def _merged_inner(ws: Any) -> set[tuple[int, int]]:
    inner = set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                if (r, c) != (rng.min_row, rng.min_col):
                    inner.add((r, c))
    return inner


def _validations(ws: Any) -> list[tuple[Any, ...]]:
    out = []
    for dv in ws.data_validations.dataValidation:
        out.append(
            (
                str(dv.sqref),
                dv.type if dv.type not in (None, "none") else None,
                dv.formula1,
                bool(dv.allow_blank),
                bool(dv.showErrorMessage),
                bool(dv.showInputMessage),
                dv.errorStyle or "stop",
                dv.error,
                dv.promptTitle,
                dv.prompt,
            )
        )
    return sorted(out, key=lambda t: t[0])


def _widths(ws: Any) -> dict[int, tuple[float | None, bool]]:
    """Column -> (width, hidden), every column a dimension covers."""
    out: dict[int, tuple[float | None, bool]] = {}
    for dim in ws.column_dimensions.values():
        if dim.min is None:
            continue
        for n in range(dim.min, dim.max + 1):
            width = round(dim.width, 1) if dim.customWidth and not dim.hidden else None
            out[n] = (width, bool(dim.hidden))
    return {n: v for n, v in out.items() if v != (None, False)}


def _print(ws: Any) -> tuple[Any, ...]:
    ps, m, props = ws.page_setup, ws.page_margins, ws.sheet_properties.pageSetUpPr
    return (
        ps.orientation,
        str(ps.paperSize) if ps.paperSize is not None else None,
        str(ps.scale) if ps.scale is not None and not (props and props.fitToPage) else None,
        bool(props and props.fitToPage),
        # 1 is the default of both (XlsxWriter leaves it out)
        (str(ps.fitToWidth or 1), str(1 if ps.fitToHeight is None else ps.fitToHeight))
        if props and props.fitToPage
        else None,
        ws.print_title_rows,
        bool(ws.print_options.horizontalCentered),
        (m.left, m.right, m.top, m.bottom, m.header, m.footer) if ws.title == "测评指标" else None,
        ws.oddFooter.center.text,
        ws.oddFooter.center.font,
        ws.oddFooter.center.size,
        [b.id for b in ws.row_breaks.brk],
        ws.freeze_panes,
        ws.auto_filter.ref,
    )


def _protection(ws: Any) -> tuple[Any, ...]:
    p = ws.protection
    return (
        bool(p.sheet),
        bool(p.autoFilter),
        bool(p.sort),
        bool(p.formatColumns),
        bool(p.formatRows),
        bool(p.formatCells),
        bool(p.insertRows),
        bool(p.deleteRows),
        p.password,
    )


def _same_sheet(old: Any, new: Any, added_meta: tuple[tuple[str, str], ...] = ()) -> None:
    """`added_meta`: rows the new hidden metadata has after the old one's (the one
    intended difference: a --final table says so, for import)."""
    where = f"{new.title}"
    assert new.sheet_state == old.sheet_state, where
    inner = _merged_inner(old)
    assert {str(r) for r in new.merged_cells.ranges} == {str(r) for r in old.merged_cells.ranges}
    rows = max(old.max_row, new.max_row)
    if old.title == "_evalcheck":
        tail = [
            (new.cell(r, 1).value, new.cell(r, 2).value) for r in range(old.max_row + 1, rows + 1)
        ]
        assert tail == list(added_meta), where
        rows = old.max_row
    cols = max(old.max_column, new.max_column)
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            if (r, c) in inner:
                continue
            a, b = old.cell(r, c), new.cell(r, c)
            if old.title == "_evalcheck" and old.cell(r, 1).value == "exported":
                continue
            assert b.value == a.value, (where, r, c, a.value, b.value)
            if a.value is not None or a.has_style:
                assert _style(b) == _style(a), (where, r, c, a.value)
            if a.hyperlink is not None or b.hyperlink is not None:
                assert b.hyperlink is not None and a.hyperlink is not None, (where, r, c)
                # XlsxWriter writes a space in a link as %20, as Excel does
                assert unquote(b.hyperlink.target) == a.hyperlink.target, (where, r, c)
    for r in range(1, rows + 1):
        ha, hb = old.row_dimensions[r].height, new.row_dimensions[r].height
        # XlsxWriter stores a height in whole pixels (0.75 pt), as Excel shows it
        assert (ha is None) == (hb is None) and abs((hb or 0) - (ha or 0)) <= 0.375, (where, r)
    assert _widths(new) == _widths(old), where
    assert _validations(new) == _validations(old), where
    assert _print(new) == _print(old), where
    assert _protection(new) == _protection(old), where


def _charts(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))


def _values(data: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's values as python-calamine reads them (an independent reader)."""
    fd, name = tempfile.mkstemp(suffix=".xlsx")  # unique, also with tests run in parallel
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        book = CalamineWorkbook.from_path(name)
        return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}
    finally:
        os.unlink(name)


def _calamine_equal(old: bytes, new: bytes, inner: dict[str, set[tuple[int, int]]]) -> None:
    a, b = _values(old), _values(new)
    assert list(b) == list(a)
    for name in a:
        for r, (ra, rb) in enumerate(zip(a[name], b[name], strict=False), start=1):
            for c, (va, vb) in enumerate(zip(ra, rb, strict=False), start=1):
                if (r, c) in inner.get(name, set()) or (
                    name == "_evalcheck" and ra[0] == "exported"
                ):
                    continue
                assert vb == va, (name, r, c, va, vb)


def assert_same_document(
    old: bytes, new: bytes, added_meta: tuple[tuple[str, str], ...] = ()
) -> None:
    wa = openpyxl.load_workbook(io.BytesIO(old))
    wb = openpyxl.load_workbook(io.BytesIO(new))
    assert wb.sheetnames == wa.sheetnames
    for name in wa.sheetnames:
        _same_sheet(wa[name], wb[name], added_meta)
    defined_a = {n: str(d.attr_text) for n, d in wa.defined_names.items()}
    defined_b = {n: str(d.attr_text) for n, d in wb.defined_names.items()}
    assert defined_b == defined_a
    assert _charts(new) == _charts(old)
    _calamine_equal(old, new, {n: _merged_inner(wa[n]) for n in wa.sheetnames})


# ---------------------------------------------------------------- the documents


SEEDS = [1, 2, 3, 4]


def first_fast(seeds: list[int]) -> list[object]:
    """The first seed in the fast run, every seed in the full one (CI). The fast run keeps
    the total table, a form and the same-bytes check; the rest run in the full one."""
    return [seeds[0], *(pytest.param(s, marks=pytest.mark.slow) for s in seeds[1:])]


@pytest.mark.parametrize("seed", first_fast(SEEDS))
def test_total_table_is_the_same_document(run, tmp_path: Path, seed: int) -> None:
    _build_state(run, seed)
    _, snap = _snapshot(tmp_path)
    rows = list(snap.rows)
    mode = "final" if seed % 2 else "working"
    old_write.export_workbook(tmp_path / "old.xlsx", snap, rows, mode=mode)
    xlsx_write.export_workbook(tmp_path / "new.xlsx", snap, rows, mode=mode)
    # a --final table's hidden sheet says so (import then compares with its blank cells)
    added = (("mode", "final"),) if mode == "final" else ()
    old, new = (tmp_path / "old.xlsx").read_bytes(), (tmp_path / "new.xlsx").read_bytes()
    assert_same_document(old, new, added)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_a_selection_with_dates_as_written_is_the_same_document(
    run, tmp_path: Path, seed: int
) -> None:
    _build_state(run, seed)
    _, snap = _snapshot(tmp_path)
    rows = [r for r in snap.rows if r.ind.section == "审批监管科"]
    old_write.export_workbook(tmp_path / "old.xlsx", snap, rows, due_as_written=True)
    xlsx_write.export_workbook(tmp_path / "new.xlsx", snap, rows, due_as_written=True)
    assert_same_document((tmp_path / "old.xlsx").read_bytes(), (tmp_path / "new.xlsx").read_bytes())


@pytest.mark.parametrize("seed", first_fast(SEEDS[:2]))
def test_section_forms_are_the_same_documents(run, tmp_path: Path, seed: int) -> None:
    _build_state(run, seed)
    _, snap = _snapshot(tmp_path)
    new = xlsx_forms.export_forms(tmp_path / "new", snap)
    names = xlsx_forms.form_filenames(snap.checklist)
    forms = [
        xlsx_forms.Form(name, names[name], snap.checklist, rows, snap.today)
        for name, rows in group_rows(snap, snap.rows, "section")
    ]
    assert [p.name for p, _ in new] == [f.filename for f in forms]
    for form, (path, _) in zip(forms, new, strict=True):
        assert_same_document(old_forms.form_bytes(form, False), path.read_bytes())


@pytest.mark.slow
def test_large_section_forms_streamed_are_the_same(run, tmp_path: Path, monkeypatch) -> None:
    """A form over STREAM_ROWS rows is streamed too (constant memory): the same document
    (dropdowns, protection, the categories merged per page) and the same bytes again."""
    _build_state(run, 3)
    _, snap = _snapshot(tmp_path)
    monkeypatch.setattr(xlsx_write, "STREAM_ROWS", 10)
    new = xlsx_forms.export_forms(tmp_path / "new", snap)
    names = xlsx_forms.form_filenames(snap.checklist)
    forms = {
        names[name]: xlsx_forms.Form(name, names[name], snap.checklist, rows, snap.today)
        for name, rows in group_rows(snap, snap.rows, "section")
    }
    streamed = 0
    for path, _ in new:
        form = forms[path.name]
        data = path.read_bytes()
        assert_same_document(old_forms.form_bytes(form, False), data)
        assert xlsx_forms._form_bytes(form, False) == data
        with zipfile.ZipFile(path) as z:
            streamed += 't="inlineStr"' in z.read("xl/worksheets/sheet1.xml").decode()
    assert streamed == sum(len(f.rows) > 10 for f in forms.values()) > 0


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS[:2])
def test_review_workbooks_are_the_same_documents(run, tmp_path: Path, seed: int) -> None:
    _build_state(run, seed)
    cl = load_checklist(bundled_checklist_path())
    answers = load_answers(tmp_path / "answers.yaml", cl, cached=False)
    new = reviewbook.export_reviews(tmp_path / "new", cl, answers, today=TODAY)
    assert new
    for path, n, _ in new:
        leader = next(o for o in cl.owners if reviewbook.review_filename(cl, o) == path.name)
        items = [
            (ind, st)
            for ind in cl.indicators
            if ind.owner == leader and (st := answers.state(ind.id)) is not None
        ]
        assert len(items) == n
        assert_same_document(old_review.review_bytes(cl, leader, items), path.read_bytes())


@pytest.mark.slow
def test_evidence_index_is_the_same_document(run, tmp_path: Path) -> None:
    _build_state(run, 5)
    (tmp_path / "说明 1.pdf").write_bytes(b"%PDF-1.4 x")
    run("evidence", "add", "47", "说明 1.pdf")
    run("evidence", "add", "16", "https://zwfw.example.cn/=16")
    cl, snap = _snapshot(tmp_path)
    plan = pack.plan(cl, snap.rows, tmp_path)
    when = (2021, 9, 1, 8, 30, 0)
    old = old_index.index_workbook(cl, plan, when)
    new = pack.index_workbook(cl, plan, when)
    assert_same_document(old, new)
    with zipfile.ZipFile(io.BytesIO(new)) as z:
        core = z.read("docProps/core.xml").decode()
    assert "2021-09-01T08:30:00Z" in core  # the plan's date, not the clock


# ---------------------------------------------------------------- the same bytes


def test_the_same_state_gives_the_same_bytes(run, tmp_path: Path, monkeypatch) -> None:
    """Exported twice, at different times of day and after the clock moved on by a year:
    the same state (answers, checklist, the day counted from) gives identical files."""
    _build_state(run, 7)
    run("export", "a.xlsx", "--today", "2021-09-20")
    run("export", "--split", "fa", "--today", "2021-09-20")
    run("export", "--review", "ra")
    monkeypatch.setenv("EVALCHECK_TODAY", "2027-12-02")  # the clock moved on
    run("export", "b.xlsx", "--today", "2021-09-20")
    run("export", "--split", "fb", "--today", "2021-09-20")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    for form in (tmp_path / "fa").iterdir():
        assert form.read_bytes() == (tmp_path / "fb" / form.name).read_bytes(), form.name
    monkeypatch.setenv("EVALCHECK_TODAY", TEST_TODAY)  # the day "ra" was exported on
    run("export", "--review", "rb")
    for book in (tmp_path / "ra").iterdir():
        assert book.read_bytes() == (tmp_path / "rb" / book.name).read_bytes(), book.name
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    # the document's date is the latest change in the answers, not the time of export
    assert "<dcterms:created" in core and "2027" not in core


def test_a_changed_answer_changes_the_bytes(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    run("export", "a.xlsx")
    run("answer", "47", "--value", "313")
    run("export", "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() != (tmp_path / "b.xlsx").read_bytes()


@pytest.mark.slow
def test_a_large_table_streamed_is_the_same(run, tmp_path: Path, monkeypatch) -> None:
    """Over STREAM_ROWS rows the table is written in constant memory, one row at a time,
    its categories merged per page after their rows, and put together through temporary
    files: the same document as in memory, and the same bytes every time (XlsxWriter
    dates the parts it zips from files 1980-01-31, those from memory 1980-01-01)."""
    _build_state(run, 8)
    _, snap = _snapshot(tmp_path)
    rows = list(snap.rows)
    xlsx_write.export_workbook(tmp_path / "memory.xlsx", snap, rows)
    monkeypatch.setattr(xlsx_write, "STREAM_ROWS", 10)
    xlsx_write.export_workbook(tmp_path / "spilled.xlsx", snap, rows)
    old_write.export_workbook(tmp_path / "old.xlsx", snap, rows)
    xlsx_write.export_workbook(tmp_path / "again.xlsx", snap, rows)
    spilled = (tmp_path / "spilled.xlsx").read_bytes()
    assert_same_document((tmp_path / "old.xlsx").read_bytes(), spilled)
    assert_same_document((tmp_path / "memory.xlsx").read_bytes(), spilled)
    assert spilled == (tmp_path / "again.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "spilled.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet  # streamed: no shared strings (constant memory)
    assert sheet.count("<mergeCell ") > 2  # the title and the categories per page
