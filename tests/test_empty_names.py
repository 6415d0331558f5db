"""An empty file or folder name ("") is a usage error (exit code 2), named in Chinese, and
nothing is written: Python reads "" as "." (the current folder), so `export --split ""`
wrote every section's form into the current folder and `--checklist ""` quietly used the
default checklist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_list import run_main

EMPTY = "文件名或文件夹名不能为空"


def _files() -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in Path(".").rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["export", ""], None),
        (["export", "--split", ""], "--split"),
        (["export", "--split", "  "], "--split"),
        (["export", "--review", ""], "--review"),
        (["export", "--units", ""], "--units"),
        (["list", "--output", ""], "--output"),
        (["status", "--output", ""], "--output"),
        (["remind", "--output", ""], "--output"),
        (["import", ""], None),
        (["validate", ""], None),
        (["init", ""], "文件夹"),
        (["evidence", "pack", ""], "输出"),
        (["--checklist", "", "list"], "--checklist"),
        (["--answers", "", "list"], "--answers"),
        (["--answers=", "status"], "--answers"),
        (["evidence", "add", "47", ""], "文件..."),
    ],
)
def test_an_empty_name_is_refused_and_nothing_is_written(
    run, monkeypatch, capsys, args, named
) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    before = _files()
    code, out, err = run_main(args, monkeypatch, capsys)
    assert code == 2, err
    assert err.startswith("用法：evalcheck") and "Traceback" not in err + out
    error = next(line for line in err.splitlines() if line.startswith("错误："))
    assert EMPTY in error and "（查看帮助：evalcheck" in error
    if named:
        assert error.startswith(f"错误：{named}：")
    assert _files() == before


def test_a_real_name_still_works(run) -> None:
    assert run("export", "--split", "科室表格").exit_code == 0
    assert len(list(Path("科室表格").glob("*.xlsx"))) == 5
    assert run("--checklist", "indicators.yaml", "list").exit_code == 4  # no such file here


@pytest.mark.parametrize(
    "var", ["EVALCHECK_ANSWERS", "EVALCHECK_CHECKLIST", "EVALCHECK_EVIDENCE_DIR"]
)
def test_a_setting_of_only_spaces_is_refused(run, monkeypatch, capsys, var) -> None:
    """EVALCHECK_ANSWERS=" " named a new answers file called " " (an empty one is unset)."""
    assert run("answer", "47", "--value", "312").exit_code == 0
    before = _files()
    monkeypatch.setenv(var, "  ")
    code, _, err = run_main(["answer", "3", "--value", "5"], monkeypatch, capsys)
    assert code == 2
    assert f"错误：环境变量 {var} 只有空格" in err
    assert _files() == before


def test_help_is_shown_whatever_else_the_line_says(monkeypatch, capsys) -> None:
    code, out, _ = run_main(["export", "--split", "", "-h"], monkeypatch, capsys)
    assert code == 0 and out.startswith("用法：evalcheck export")
