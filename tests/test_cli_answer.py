"""`answer`, `history`, `undo`, `list --status` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def test_first_answer_creates_the_file(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_USER", "张三")
    result = run("answer", "47", "--value", "312")
    assert result.exit_code == 0
    assert result.stdout.strip() == "第47项 已记录：312 个（存为 312，填报人：张三）"
    # not a work folder: one note on stderr says where the new file is (test_stray_answers.py)
    assert result.stderr == (
        f"注意：这里不是工作文件夹，答案写入了新建的 {tmp_path / 'answers.yaml'}（用随附的清单）；"
        "要在这里建工作文件夹请运行 evalcheck init\n"
    )
    assert (tmp_path / "answers.yaml").exists()
    out = run("show", "47").stdout
    assert "填报值：312 个" in out and "填报状态：已填报" in out


def test_answering_again_keeps_the_old_value_in_history(run) -> None:
    run("answer", "47", "--value", "312", "--by", "张三")
    run("answer", "47", "--value", "320", "--by", "李四")
    out = run("history", "47").stdout
    lines = out.splitlines()
    assert lines[0] == "第47项 修改记录"
    assert "\t张三\t填报\t312 个\t" in lines[2]
    assert "\t李四\t填报\t320 个\t" in lines[3]
    assert lines[-1] == "共 2 次修改"


def test_same_value_changes_nothing(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("answer", "47", "--value", "３１２个")
    assert result.exit_code == 0
    assert "未变化" in result.stdout
    assert (tmp_path / "answers.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("ident", "raw", "fragment"),
    [
        ("47", "-3", "第47项（数量）不接受“-3”：数量不能为负数。例如：312"),
        ("3", "150", "第3项（百分比）不接受“150”：应在 0 到 100 之间"),
        ("16", "maybe", "第16项（是否）不接受“maybe”"),
        ("142", "1,4", "“以上均未实现”不能与其他选项同时选择"),
        ("138", "1、2", "单选题只能选一项"),
    ],
)
def test_refused_value_leaves_the_file_byte_for_byte(run, tmp_path: Path, ident, raw, fragment):
    run("answer", "47", "--value", "312")
    before = (tmp_path / "answers.yaml").read_bytes()
    result = run("answer", ident, "--value", raw)
    assert result.exit_code == 3
    assert fragment in result.stderr
    assert result.stderr.startswith("错误：")
    assert (tmp_path / "answers.yaml").read_bytes() == before


def test_refused_first_value_creates_no_file(run, tmp_path: Path) -> None:
    assert run("answer", "47", "--value", "abc").exit_code == 3
    assert not (tmp_path / "answers.yaml").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["47"],
        ["47", "--value", "1", "--na", "x"],
        ["47", "--clear", "--value", "1"],
        ["47", "--na", " "],
    ],
)
def test_exactly_one_of_value_na_clear(run, args) -> None:
    result = run("answer", *args)
    assert result.exit_code == (3 if args[-1] == " " else 2)  # usage, or a blank reason
    assert "--na" in result.stderr


def test_not_applicable_with_reason(run) -> None:
    result = run("answer", "109", "--na", "本年度无其他创新举措", "--by", "李四")
    assert result.stdout.strip() == "第109项 已记录：不适用（本年度无其他创新举措）（填报人：李四）"
    assert "填报状态：不适用" in run("show", "109").stdout
    listed = run("list", "--status", "na").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed[1:-1]] == ["109"]


def test_note_evidence_by_are_kept(run, tmp_path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    run("answer", "16", "--value", "是", "--note", "已对接", "-e", "a.pdf", "-e", "https://x.cn/b")
    data = json.loads(run("show", "16", "--format", "json").stdout)["answer"]
    assert data["value"] is True and data["display"] == "是"
    assert data["note"] == "已对接"
    assert [(e["kind"], e["name"]) for e in data["evidence"]] == [
        ("file", "a.pdf"),
        ("link", "https://x.cn/b"),
    ]
    # a new value without --note keeps the note
    run("answer", "16", "--value", "否")
    assert json.loads(run("show", "16", "--format", "json").stdout)["answer"]["note"] == "已对接"


def test_multi_with_repeated_values(run) -> None:
    result = run("answer", "142", "--value", "2", "--value", "1")
    assert (
        "已记录：重点监管事件跟踪预警响应处置的全链条、记录和分析各监管部门监管质量和效能评估"
        in result.stdout
    )


def test_clear_keeps_history_and_undo_restores(run) -> None:
    run("answer", "47", "--value", "312")
    assert "已清除答案" in run("answer", "47", "--clear").stdout
    assert "填报状态：未填报" in run("show", "47").stdout
    assert "312 个" in run("history", "47").stdout
    result = run("undo")
    assert "已撤销第47项的清除" in result.stdout and "→ 312 个" in result.stdout
    assert "填报值：312 个" in run("show", "47").stdout


def test_undo_walks_back_and_is_itself_in_history(run) -> None:
    run("answer", "47", "--value", "300")
    run("answer", "48", "--value", "是")
    run("answer", "47", "--value", "312")
    r1 = run("undo").stdout
    assert "已撤销第47项的填报（第3次修改" in r1 and "312 个 → 300 个" in r1
    r2 = run("undo").stdout
    assert "已撤销第48项的填报" in r2 and "是 → （无）" in r2
    r3 = run("undo").stdout
    assert "300 个 → （无）" in r3
    result = run("undo")
    assert result.exit_code == 3 and "没有可以撤销的修改" in result.stderr
    hist = run("history", "47").stdout
    assert "撤销（撤销第3次修改）" in hist and "撤销（撤销第1次修改）" in hist


def test_status_filter_and_value_in_list(run) -> None:
    run("answer", "47", "--value", "312")
    out = run("list", "--status", "answered").stdout.splitlines()
    assert len(out) == 3 and out[1].startswith("47\t") and out[1].endswith("\t312 个")
    assert run("list", "--status", "unanswered").stdout.splitlines()[-1] == "共 143 项"


def test_answers_option_and_env(run, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "team").mkdir()
    assert run("--answers", "team/a.yaml", "answer", "47", "--value", "1").exit_code == 0
    assert (tmp_path / "team" / "a.yaml").exists()
    monkeypatch.setenv("EVALCHECK_ANSWERS", str(tmp_path / "team" / "a.yaml"))
    assert "填报值：1 个" in run("show", "47").stdout
    assert not (tmp_path / "answers.yaml").exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["answer", "47", "--value", "1", "--answers", "t.yaml"],
            ["--answers", "t.yaml", "answer", "47", "--value", "1"],
        ),
        (["list", "--checklist=c.yaml", "-s", "x"], ["--checklist=c.yaml", "list", "-s", "x"]),
        (["--answers", "a.yaml", "list"], ["--answers", "a.yaml", "list"]),
        (
            ["answer", "109", "--value", "--", "--answers", "x"],
            ["answer", "109", "--value", "--", "--answers", "x"],
        ),
        (["list", "--answers"], ["list", "--answers"]),
    ],
)
def test_global_options_may_follow_the_command(argv, expected) -> None:
    from evalcheck.cli import hoist_global_options

    assert hoist_global_options(argv) == expected


def test_answers_option_after_the_command_works(tmp_path: Path) -> None:
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "evalcheck", "answer", "47", "--value", "5", "--answers", "t.yaml"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "t.yaml").exists() and not (tmp_path / "answers.yaml").exists()
