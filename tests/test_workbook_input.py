"""Damaged and hand-edited input on the way through the workbooks: a zip that asks for a
version Python cannot read (found by the fuzz corpus on the XlsxWriter files: "zip file
version 13.3" escaped as a traceback), control characters in a hand-edited note."""

from __future__ import annotations

from pathlib import Path

import pytest

from evalcheck.errors import EXIT_DATA


def _needs_version(data: bytes, version: int) -> bytes:
    """The first central directory entry claims `version` (x10) is needed to extract it."""
    at = data.index(b"PK\x01\x02")
    return data[: at + 6] + version.to_bytes(2, "little") + data[at + 8 :]


def test_a_form_needing_an_unknown_zip_version_is_refused(run, tmp_path: Path) -> None:
    assert run("export", "--split", "forms").exit_code == 0
    form = next((tmp_path / "forms").glob("*审批监管科*.xlsx"))
    form.write_bytes(_needs_version(form.read_bytes(), 133))
    before = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else None
    )
    result = run("import", str(form), "--by", "张三")
    assert result.exit_code == EXIT_DATA
    assert result.stderr.startswith("错误：") and "不是 .xlsx 工作簿" in result.stderr
    after = (
        (tmp_path / "answers.yaml").read_bytes() if (tmp_path / "answers.yaml").exists() else None
    )
    assert after == before


def test_a_table_needing_an_unknown_zip_version_is_refused(run, tmp_path: Path) -> None:
    assert run("export", "report.xlsx").exit_code == 0
    table = tmp_path / "report.xlsx"
    table.write_bytes(_needs_version(table.read_bytes(), 133))
    result = run("checklist-import", str(table), "--year", "2022", "-o", "new.yaml")
    assert result.exit_code == EXIT_DATA, result.stderr
    assert result.stderr.startswith("错误：") and "Traceback" not in result.stderr
    assert not (tmp_path / "new.yaml").exists()


def _hand_edited_note(run, tmp_path: Path) -> None:
    """Answer 47 with a note, then edit the answers file: control characters in the note."""
    assert run("answer", "47", "--value", "312", "--note", "响铃").exit_code == 0
    answers = tmp_path / "answers.yaml"
    text = answers.read_text(encoding="utf-8")
    assert "note: 响铃" in text
    answers.write_text(text.replace("note: 响铃", 'note: "\\x07响铃\\x1b红"'), encoding="utf-8")


def test_control_characters_in_a_hand_edited_note_are_left_out_of_every_workbook(
    run, tmp_path: Path
) -> None:
    """A note with control characters (only a hand-edited answers file has them): the total
    table and the forms leave them out (0.2.0 stopped with a traceback: openpyxl refuses
    them), and importing the untouched workbooks changes nothing."""
    import openpyxl

    _hand_edited_note(run, tmp_path)
    assert run("export", "report.xlsx").exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "report.xlsx")["测评指标"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert "响铃红" in texts  # the 备注 cell
    assert not any("\x07" in t or "_x0007_" in t or "\x1b" in t for t in texts)
    assert run("export", "--split", "forms").exit_code == 0
    for book in (tmp_path / "report.xlsx", *sorted((tmp_path / "forms").iterdir())):
        result = run("import", str(book), "--dry-run")
        assert result.exit_code == 0 and "共 0 项将被修改" in result.stdout, (book, result.stdout)


def test_control_characters_in_a_hand_edited_note_are_left_out_of_the_word_attachment(
    run, tmp_path: Path
) -> None:
    """python-docx's lxml refuses control characters: the Word export stopped with a traceback."""
    pytest.importorskip(
        "docx", reason="可选功能 Word 导出：python-docx/lxml 未安装（evalcheck[word]）"
    )
    pytest.importorskip("lxml.etree", reason="可选功能 Word 导出：lxml 未安装（evalcheck[word]）")
    from docx import Document

    _hand_edited_note(run, tmp_path)
    result = run("export", "report.docx")
    assert result.exit_code == 0, result.stderr
    cells = [
        c.text
        for t in Document(str(tmp_path / "report.docx")).tables
        for r in t.rows
        for c in r.cells
    ]
    assert "响铃红" in cells


def test_control_characters_in_a_hand_edited_note_are_left_out_of_csv(run, tmp_path: Path) -> None:
    """CSV is bound for spreadsheets too, and on a terminal ESC would start an escape
    sequence."""
    _hand_edited_note(run, tmp_path)
    out = run("list", "-f", "csv").stdout
    assert "响铃红" in out and "\x07" not in out and "\x1b" not in out
