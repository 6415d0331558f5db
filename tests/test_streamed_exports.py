"""A table over STREAM_ROWS rows is written in XlsxWriter's constant-memory mode (issue 28:
memory flat at 10,000 rows). Every sheet of that workbook is then streamed, the 同比 and
汇总 sheets too, and a unit's form: each must be the same document as the one written in
memory, with the same bytes every time."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from evalcheck.io import xlsx_write

from .test_carry import carry, years  # noqa: F401  (the fixture)
from .test_units import FULL, fill, work  # noqa: F401  (the fixture)
from .test_xlsx_equivalence import assert_same_document


def _streamed(path: Path) -> bool:
    with zipfile.ZipFile(path) as z:
        return 't="inlineStr"' in z.read("xl/worksheets/sheet1.xml").decode()


def _both(run: Any, monkeypatch: pytest.MonkeyPatch, *args: str, rows: int) -> tuple[Path, Path]:
    """The same export in memory and streamed (STREAM_ROWS under `rows`)."""
    assert run(*args, "export", "memory.xlsx").exit_code == 0
    monkeypatch.setattr(xlsx_write, "STREAM_ROWS", rows - 1)
    assert run(*args, "export", "streamed.xlsx").exit_code == 0
    assert run(*args, "export", "again.xlsx").exit_code == 0
    memory, streamed = Path("memory.xlsx"), Path("streamed.xlsx")
    assert not _streamed(memory) and _streamed(streamed)
    assert streamed.read_bytes() == Path("again.xlsx").read_bytes()
    return memory, streamed


def test_a_streamed_table_with_previous_values_and_the_compare_sheet(
    run: Any,
    years: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carry(run, years)
    run("answer", "46", "--value", "3")
    memory, streamed = _both(run, monkeypatch, rows=20)
    with zipfile.ZipFile(streamed) as z:
        assert "同比" in z.read("xl/workbook.xml").decode()
    assert_same_document(memory.read_bytes(), streamed.read_bytes())


def test_a_streamed_table_with_the_rollup_sheet_and_a_streamed_unit_form(
    run: Any,
    work: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for unit, values in FULL.items():
        fill(work, unit, values)
    checklist = ("--checklist", str(work / "indicators.yaml"))
    memory, streamed = _both(run, monkeypatch, *checklist, rows=5)
    with zipfile.ZipFile(streamed) as z:
        assert "汇总" in z.read("xl/workbook.xml").decode()
    assert_same_document(memory.read_bytes(), streamed.read_bytes())

    monkeypatch.setattr(xlsx_write, "STREAM_ROWS", 10_000)
    assert run(*checklist, "export", "--units", "in-memory").exit_code == 0
    monkeypatch.setattr(xlsx_write, "STREAM_ROWS", 2)
    assert run(*checklist, "export", "--units", "streamed").exit_code == 0
    forms = sorted(Path("streamed").iterdir())
    assert len(forms) == 3 and all(_streamed(p) for p in forms)
    for form in forms:
        kept = Path("in-memory") / form.name
        assert not _streamed(kept)
        assert_same_document(kept.read_bytes(), form.read_bytes())
