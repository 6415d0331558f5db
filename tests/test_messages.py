"""Chinese everywhere: OS errors by errno, YAML and workbook errors, no English leaking through."""

from __future__ import annotations

import errno
import re
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
        (errno.ENOSPC, "磁盘已满"),
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
    assert_chinese_error(result, 4, "清单文件 dir.yaml 是文件夹，不是普通文件")


# ---------------------------------------------------------------- workbooks


def rewrite_zip(src: Path, dst: Path, edit) -> None:
    """Copy an .xlsx part by part; edit(name, bytes) returns the new bytes or None to drop."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)


@pytest.fixture()
def form(run, tmp_path: Path) -> Path:
    assert run("export", "--split", "forms", "-s", "办公室").exit_code == 0
    return tmp_path / "forms" / "2021测评填报_办公室.xlsx"


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "no-workbook.xlsx",
            lambda n, d: None if n == "xl/workbook.xml" else d,
            "缺少工作簿的组成部分，文件已损坏或不是 Excel/WPS 保存的 .xlsx",
        ),
        (
            "cut.xlsx",
            lambda n, d: d[: len(d) // 2] if n == "xl/worksheets/sheet1.xml" else d,
            "文件中的 XML 已损坏",
        ),
    ],
)
def test_damaged_workbooks_are_explained_in_chinese(run, tmp_path, form, name, edit, message):
    rewrite_zip(form, tmp_path / name, edit)
    result = run("import", name)
    assert_chinese_error(result, 4, f"{name}", f"：{message}")
    assert "KeyError" not in result.stderr and "There is no item" not in result.stderr


def test_not_a_zip(run, tmp_path: Path) -> None:
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0 an old .xls renamed")
    assert_chinese_error(run("import", "old.xlsx"), 4, "old.xlsx 不是 .xlsx 工作簿")


def test_a_workbook_saved_by_another_program_imports_without_english_warnings(
    form: Path, tmp_path: Path
) -> None:
    """Excel and WPS write parts openpyxl drops with a UserWarning on stderr: none shown."""
    import re
    import subprocess
    import sys

    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14='
        b'"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="0"/></ext></extLst></worksheet>'
    )

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":  # Excel's data-validation extension
            return data.replace(b"</worksheet>", ext)
        if name == "xl/styles.xml":  # no named default style, as some programs save
            return re.sub(rb"<cellStyles.*?</cellStyles>", b"", data, flags=re.S)
        return data

    rewrite_zip(form, tmp_path / "saved-by-excel.xlsx", edit)
    proc = subprocess.run(
        [sys.executable, "-m", "evalcheck", "import", "saved-by-excel.xlsx", "--dry-run"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "共 0 项将被修改" in proc.stdout
    assert proc.stderr == ""


# ---------------------------------------------------------------- YAML


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("title: 清单: 2021\n", "第1行第10列", "这里不能出现“: ”（文字中有冒号时请加引号）"),
        ("title: x\n\tyear: 1\n", "第2行第1列", "不能用 Tab 缩进，请改用空格"),
        ("sections: [办公室, 审批科\nyear: 1\n", "第2行", "方括号列表 [...] 没有正确结束"),
        ('title: "清单\n', "第2行第1列", "文件在引号或括号结束之前就结束了"),
        ("title: x\n  year: 1\n", "第2行", "这里不能出现“: ”"),
        ("a:\n  b: 1\n c: 2\n", "第3行第2列", "缩进不对齐，或缺少字段名"),
        ("a: *x\n", "第1行第4列", "引用了未定义的锚点（*名称）"),
        ("a: 1\n---\nb: 2\n", "第2行第1列", "文件中只能有一个文档"),
        ('a: "\\q"\n', "第1行", "双引号中有无法识别的转义符"),
    ],
)
def test_yaml_parser_messages_are_chinese(run, tmp_path: Path, text, where, message) -> None:
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    result = run("validate", "c.yaml")
    assert result.exit_code == 4
    assert f"c.yaml {where}" in result.stdout
    assert f"YAML 格式错误：{message}" in result.stdout
    assert not re.search(r"[a-z]{4,} [a-z]{4,}", result.stdout.split("YAML 格式错误：")[1])


def test_running_out_of_memory_is_said_not_a_traceback(run, monkeypatch) -> None:
    import evalcheck.services.exporting as exporting

    def huge(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(exporting, "export_table", huge)
    result = run("export", "report.xlsx")
    assert result.exit_code == 5
    assert "错误：内存不足，命令未完成" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not Path("report.xlsx").exists()


def test_a_small_file_is_read_without_reserving_the_limit(tmp_path: Path) -> None:
    """read_regular read `limit + 1` bytes at once, which reserves them: a low memory
    limit (`ulimit -v`) then failed on a file of a few KB."""
    from evalcheck.infra.safepath import read_regular

    small = tmp_path / "small.yaml"
    small.write_bytes(b"year: 2021\n")
    assert read_regular(small, "清单", limit=1 << 40) == b"year: 2021\n"  # 1 TB


def test_memory_short_while_parsing_is_not_blamed_on_the_file(run, monkeypatch, tmp_path) -> None:
    """A valid checklist parsed on a machine short of memory: exit 5 and 内存不足, not
    exit 4 telling the user to mend a file that has nothing wrong with it."""
    import yaml

    from evalcheck.model.loading import bundled_checklist_path

    mine = tmp_path / "mine.yaml"
    mine.write_bytes(bundled_checklist_path().read_bytes())

    def short(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(yaml, "load", short)
    result = run("--checklist", str(mine), "show", "1")
    assert result.exit_code == 5, result.stderr
    assert "内存不足" in result.stderr
    assert "mine.yaml" not in result.stderr
