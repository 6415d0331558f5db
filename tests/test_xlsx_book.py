"""io/xlsx_book.py: the one writer of workbooks (XlsxWriter) — cells, formats, clean-up."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest

from evalcheck.errors import DataError
from evalcheck.io.xlsx_book import Book, Cell
from evalcheck.model.kinds import MAX_TEXT

WHEN = dt.datetime(2021, 9, 1, 8, 30)


def _read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_values_become_cells_of_their_type() -> None:
    with Book(WHEN) as book:
        ws = book.sheet("表")
        for c, v in enumerate(
            ["文字", 312, 95.5, True, dt.date(2021, 9, 15), dt.datetime(2021, 9, 1, 8, 30)],
            start=1,
        ):
            book.put(ws, 1, c, v)
        book.text(ws, 2, 1, "=SUM(A1:A3)")
        book.put(ws, 2, 2, None, book.format(bold=True))  # a blank that keeps its format
        data = book.close()
    ws = _read(data)
    assert [ws.cell(1, c).value for c in range(1, 7)] == [
        "文字", 312, 95.5, True, dt.datetime(2021, 9, 15), dt.datetime(2021, 9, 1, 8, 30),
    ]  # fmt: skip
    assert ws.cell(1, 5).number_format == "yyyy-mm-dd"
    formula = ws.cell(2, 1)
    assert formula.value == "=SUM(A1:A3)" and formula.data_type == "s" and formula.quotePrefix
    assert ws.cell(2, 2).value is None and ws.cell(2, 2).font.b


def test_table_cells_share_one_format_per_combination() -> None:
    from evalcheck.infra.fonts import Font, Fonts

    body = Font("仿宋_GB2312", None, 11)
    with Book(WHEN, Fonts(body, body, body, body)) as book:
        a = book.cell(Cell(answer=True, fmt="0"))
        assert book.cell(Cell(answer=True, fmt="0")) is a
        assert book.cell(Cell(answer=True, fmt="0"), quoted=True) is not a
        ws = book.sheet("表")
        book.put(ws, 1, 1, 5, a)
        data = book.close()
    cell = _read(data).cell(1, 1)
    assert cell.font.name == "仿宋_GB2312" and cell.number_format == "0"
    assert cell.protection.locked is False and cell.fill.fgColor.rgb.endswith("FFF9E5")


def test_a_text_longer_than_a_cell_holds_is_refused() -> None:
    with Book(WHEN) as book, pytest.raises(DataError, match="超过 Excel 单元格的上限"):
        book.put(book.sheet("表"), 1, 1, "字" * (MAX_TEXT + 1))


def test_a_workbook_left_on_an_error_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    with pytest.raises(DataError), Book(WHEN, streaming=True) as book:
        ws = book.sheet("表")
        for r in range(1, 50):
            book.put(ws, r, 1, f"第{r}行")
        assert list(temporary.iterdir())  # streamed rows: a file
        book.put(ws, 50, 1, "字" * (MAX_TEXT + 1))
    assert list(temporary.iterdir()) == []


def test_the_document_is_dated_as_given() -> None:
    import zipfile

    with Book(WHEN) as book:
        book.put(book.sheet("表"), 1, 1, "x")
        data = book.close()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        core = z.read("docProps/core.xml").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "<dcterms:created" in core and "2021-09-01T08:30:00Z" in core


def test_a_merged_cell_leaves_out_control_characters_too() -> None:
    with Book(WHEN) as book:
        ws = book.sheet("表")
        book.merge(ws, (1, 1), (1, 3), "\x07标题", book.format(bold=True))
        data = book.close()
    assert _read(data).cell(1, 1).value == "标题"


def test_line_counts_kept_between_runs_lay_out_the_same_workbook(run, monkeypatch) -> None:
    """The print layout's line counts are kept in the cache (a memo) so that the next
    export need not break the same texts again; the workbook is the same either way, and
    a count that no text can have (a damaged or edited memo) is worked out again."""
    from evalcheck.infra.cache import load_memo, save_memo
    from evalcheck.io import xlsx_book
    from evalcheck.views import linebreak

    run("answer", "47", "--value", "312", "--note", "按《中卫市政务服务事项清单》逐项核对，" * 3)
    monkeypatch.setattr(xlsx_book, "_LINES", xlsx_book._LineMemo())  # a new process
    assert run("export", "a.xlsx").exit_code == 0
    memo = load_memo(xlsx_book._LineMemo.NAME)
    assert len(memo) > 20 and {type(n) for n in memo.values()} == {int}
    assert max(memo.values()) >= 3  # the long note wraps

    def no_breaking(text: str, columns: int) -> int:
        raise AssertionError("broken again")

    breaking = linebreak.line_count
    monkeypatch.setattr(xlsx_book, "_LINES", xlsx_book._LineMemo())
    monkeypatch.setattr(linebreak, "line_count", no_breaking)
    assert run("export", "b.xlsx").exit_code == 0  # every count from the memo
    assert Path("b.xlsx").read_bytes() == Path("a.xlsx").read_bytes()
    monkeypatch.setattr(linebreak, "line_count", breaking)

    bad = [0, -1, "3", 10**9, None, 2.0]
    save_memo(xlsx_book._LineMemo.NAME, {k: bad[i % len(bad)] for i, k in enumerate(memo)})
    monkeypatch.setattr(xlsx_book, "_LINES", xlsx_book._LineMemo())
    assert run("export", "c.xlsx").exit_code == 0
    assert Path("c.xlsx").read_bytes() == Path("a.xlsx").read_bytes()


def test_ctrl_c_while_a_streamed_workbook_is_zipped_leaves_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """XlsxWriter's parts of a large workbook go through temporary files in a folder of
    the Book's own, removed whatever stops the zipping midway."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    with Book(WHEN, streaming=True) as book:
        ws = book.sheet("表")
        for r in range(1, 50):
            book.put(ws, r, 1, f"第{r}行")
        store = book.wb._store_workbook

        def interrupted() -> None:
            assert book.tmpdir is not None
            Path(book.tmpdir, "sheet1.xml").write_text("<半个/>")
            raise KeyboardInterrupt

        book.wb._store_workbook = interrupted
        with pytest.raises(KeyboardInterrupt):
            book.close()
        book.wb._store_workbook = store
    assert list(temporary.iterdir()) == []


def test_ctrl_c_between_two_forms_says_which_were_written(run, monkeypatch) -> None:
    import evalcheck.io.xlsx_forms as forms

    written: list[Path] = []
    write = forms.atomic_write_bytes

    def slow(path: Path, data: bytes) -> None:
        if len(written) == 2:
            raise KeyboardInterrupt
        write(path, data)
        written.append(path)

    monkeypatch.setattr(forms, "atomic_write_bytes", slow)
    result = run("export", "--split", "表格")
    assert result.exit_code == 130
    assert "中断前已写入 2/5 份：" in result.stderr
    assert all(str(p) in result.stderr for p in written)
    assert sorted(p.name for p in Path("表格").iterdir()) == sorted(p.name for p in written)
