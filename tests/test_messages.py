"""Chinese everywhere: OS errors by errno, YAML and workbook errors, no English leaking through."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from evalcheck.errors import os_reason

ENGLISH = ("Errno", "No such file", "Permission denied", "Not a directory", "Traceback")


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.ENOENT, "文件或文件夹不存在"),
        (errno.EACCES, "没有权限"),
        (errno.ENOTDIR, "路径中有一部分是文件而不是文件夹"),
        (errno.EISDIR, "这是一个文件夹，不是文件"),
        (errno.ENOSPC, "磁盘空间已满"),
        (errno.EROFS, "所在位置是只读的"),
    ],
)
def test_os_errors_are_translated_by_errno(code: int, text: str) -> None:
    assert os_reason(OSError(code, "English text")) == text


def test_windows_sharing_violation_names_excel() -> None:
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert "Excel" in os_reason(exc) and "占用" in os_reason(exc)


def test_an_unknown_errno_is_named_not_described_in_english() -> None:
    assert os_reason(OSError(errno.ECHILD, "No child processes")) == "系统错误 ECHILD"


def assert_chinese_error(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith("错误：")
    for f in fragments:
        assert f in result.stderr
    for english in ENGLISH:
        assert english not in result.stderr


def test_split_under_a_file_is_a_clean_write_error(run, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x")
    result = run("export", "--split", "a-file/forms")
    assert_chinese_error(result, 5, "无法创建文件夹 a-file/forms", "路径中有一部分是文件")


def test_split_into_a_folder_that_refuses_writing(run, tmp_path: Path, monkeypatch) -> None:
    # root ignores file modes, so the refusal is simulated where Path.mkdir asks the OS
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    result = run("export", "--split", "locked/forms")
    assert_chinese_error(result, 5, "无法创建文件夹 locked/forms：没有权限")
    assert not (tmp_path / "locked").exists()


def test_export_into_a_missing_folder(run, tmp_path: Path) -> None:
    result = run("export", "nowhere/report.xlsx")
    assert_chinese_error(result, 3, "文件夹“nowhere”不存在")


def test_import_of_a_folder(run, tmp_path: Path) -> None:
    (tmp_path / "forms.xlsx").mkdir()
    assert_chinese_error(run("import", "forms.xlsx"), 3, "forms.xlsx 是文件夹")


def test_unreadable_checklist(run, tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    result = run("--checklist", "dir.yaml", "list")
    assert_chinese_error(result, 4, "无法读取清单文件 dir.yaml：这是一个文件夹")
