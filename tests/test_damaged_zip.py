"""A workbook whose zip asks for a version Python cannot read (found by the fuzz corpus on
the XlsxWriter files: "zip file version 13.3" escaped as a traceback)."""

from __future__ import annotations

from pathlib import Path

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
