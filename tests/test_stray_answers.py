"""A write that creates answers.yaml in a folder that is not a work folder says where the
answers went and points to `evalcheck init`; it is not refused (the README's examples run
in an empty folder)."""

from __future__ import annotations

from pathlib import Path

NOTE = "这里不是工作文件夹，答案写入了新建的"


def test_a_first_answer_in_a_plain_folder_says_where_it_went(run, tmp_path: Path) -> None:
    result = run("answer", "47", "--value", "3")
    assert result.exit_code == 0
    assert result.stdout.startswith("第47项 已记录：3 个")
    where = tmp_path / "answers.yaml"
    assert where.is_file()
    assert f"注意：{NOTE} {where}（用随附的清单）" in result.stderr
    assert "evalcheck init" in result.stderr
    assert NOTE not in result.stdout  # stdout stays what scripts read


def test_said_once_only_when_the_file_is_created(run) -> None:
    run("answer", "47", "--value", "3")
    again = run("answer", "47", "--value", "4")
    assert again.exit_code == 0 and NOTE not in again.stderr


def test_nothing_written_nothing_said(run, tmp_path: Path) -> None:
    refused = run("answer", "3", "--value", "150")
    assert refused.exit_code == 3
    assert NOTE not in refused.stderr
    assert not (tmp_path / "answers.yaml").exists()


def test_reading_commands_create_nothing_and_say_nothing(run, tmp_path: Path) -> None:
    for args in (("list", "-s", "办公室"), ("status",), ("show", "47")):
        assert NOTE not in run(*args).stderr
    assert not (tmp_path / "answers.yaml").exists()


def test_a_work_folder_is_quiet(run, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    result = run("answer", "47", "--value", "3")
    assert result.exit_code == 0 and NOTE not in result.stderr


def test_a_chosen_answers_file_is_quiet(run, tmp_path: Path, monkeypatch) -> None:
    result = run("--answers", "mine.yaml", "answer", "47", "--value", "3")
    assert result.exit_code == 0 and NOTE not in result.stderr
    monkeypatch.setenv("EVALCHECK_ANSWERS", str(tmp_path / "env.yaml"))
    result = run("answer", "47", "--value", "3")
    assert result.exit_code == 0 and NOTE not in result.stderr


def test_other_writes_say_it_too(run, tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    result = run("answer", "16", "--na", "本地无此业务")
    assert NOTE in result.stderr
    (tmp_path / "answers.yaml").unlink()
    result = run("evidence", "add", "47", "a.pdf")
    assert result.exit_code == 0, result.output
    assert NOTE in result.stderr


def test_the_readme_examples_still_run_as_written(run, tmp_path: Path) -> None:
    assert run("list", "--section", "审批监管科").exit_code == 0
    assert run("answer", "47", "--value", "312").exit_code == 0
    assert run("export", "report.xlsx").exit_code == 0
    assert (tmp_path / "report.xlsx").is_file()
