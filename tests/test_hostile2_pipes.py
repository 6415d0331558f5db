"""Issue 25, class 8: pipes. When the reader of stdout has gone (`evalcheck answer … | true`,
`| head -1`), a write that succeeded exits 0 and is kept, a read ends quietly with 0, a
command keeps its own exit code (findings 1, a refusal 3), and nothing like a traceback
appears on stderr. The installed program, as a process; the reader is a real process that
closes its end early."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import ANSWER_47, BIN, FORMS, cli, slow_after

GENERIC = "电脑的登录名"  # the only stderr line a run may give (the --by hint)


def closed_reader(cwd: Path, *args: str) -> tuple[int, str]:
    """Run with stdout into a pipe whose reader has already gone (`| true`)."""
    r, w = os.pipe()
    os.close(r)
    try:
        done = subprocess.run(
            [str(BIN), *args], cwd=cwd, stdout=w, stderr=subprocess.PIPE, text=True, check=False
        )
    finally:
        os.close(w)
    return done.returncode, done.stderr


def early_reader(cwd: Path, *args: str, keep: int = 1) -> tuple[int, str]:
    """`evalcheck … | head -c N`: a process that reads a little, then exits."""
    reader = subprocess.Popen(
        [sys.executable, "-c", f"import sys; sys.stdin.buffer.read({keep})"],
        stdin=subprocess.PIPE,
    )
    assert reader.stdin is not None
    try:
        done = subprocess.run(
            [str(BIN), *args],
            cwd=cwd,
            stdout=reader.stdin,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        reader.stdin.close()
        reader.wait(60)
    return done.returncode, done.stderr


def quiet(err: str) -> None:
    assert "Traceback" not in err and "Error" not in err, err
    assert all(GENERIC in line for line in err.splitlines()), err


def value(cwd: Path, ident: int) -> object:
    shown = json.loads(cli(cwd, "show", str(ident), "--format", "json").stdout)
    return shown["answer"]["value"] if shown.get("answer") else None


@pytest.fixture()
def answered(tmp_path: Path, prepared) -> Path:
    prepared(ANSWER_47)
    return tmp_path


@pytest.mark.parametrize("reader", [closed_reader, early_reader], ids=["| true", "| head -c1"])
def test_an_answer_into_a_gone_reader_is_kept_and_exits_0(answered, reader) -> None:
    code, err = reader(answered, "answer", "48", "--value", "是", "--by", "张三")
    assert code == 0
    quiet(err)
    assert value(answered, 48) is True


@pytest.mark.parametrize("reader", [closed_reader, early_reader], ids=["| true", "| head -c1"])
def test_an_undo_into_a_gone_reader_is_kept_and_exits_0(answered, reader) -> None:
    assert cli(answered, "answer", "47", "--value", "313", "--by", "张三").returncode == 0
    code, err = reader(answered, "undo", "--by", "张三")
    assert (code, value(answered, 47)) == (0, 312)
    quiet(err)


def test_an_export_into_a_gone_reader_is_written_and_exits_0(answered) -> None:
    code, err = closed_reader(answered, "export", "r.xlsx")
    assert code == 0 and (answered / "r.xlsx").stat().st_size > 0
    quiet(err)


def test_evidence_added_into_a_gone_reader_is_kept(answered) -> None:
    (answered / "a.pdf").write_bytes(b"%PDF-1.4")
    code, err = closed_reader(answered, "evidence", "add", "47", "a.pdf", "--by", "张三")
    assert code == 0
    quiet(err)
    assert "a.pdf" in cli(answered, "evidence", "list", "47").stdout


def test_an_import_into_a_gone_reader_is_applied(answered, prepared) -> None:
    from tests.hostile import fill

    prepared(FORMS)
    form = next(p for p in (answered / "forms").iterdir() if "审批服务科" in p.name)
    fill(form, {21: {"填报值": 3}})
    code, err = closed_reader(answered, "import", str(form), "--by", "张三")
    assert code == 0, err
    quiet(err)
    assert value(answered, 21) == 3


@pytest.mark.parametrize(
    "args",
    slow_after(
        1,
        [
            ("list",),
            ("list", "--format", "json"),
            ("list", "--format", "csv"),
            ("status",),
            ("overdue",),
            ("remind",),
            ("show", "47"),
            ("history", "47"),
            ("check",),
            ("review",),
            ("evidence", "list"),
            ("validate",),
            ("--help",),
            ("list", "--help"),
            ("--version",),
        ],
    ),
)
@pytest.mark.parametrize("reader", [closed_reader, early_reader], ids=["| true", "| head -c1"])
def test_a_read_into_a_gone_reader_ends_quietly(answered, reader, args) -> None:
    before = (answered / "answers.yaml").read_bytes()
    code, err = reader(answered, *args)
    assert code == 0, err
    quiet(err)
    assert (answered / "answers.yaml").read_bytes() == before


def test_findings_keep_their_code_into_a_gone_reader(answered) -> None:
    assert cli(answered, "answer", "14", "--value", "1", "--by", "张三").returncode == 0
    assert cli(answered, "answer", "15", "--value", "2", "--by", "张三").returncode == 0
    code, err = closed_reader(answered, "check")
    assert code == 1
    quiet(err)


def test_a_refusal_keeps_its_code_and_message_into_a_gone_reader(answered) -> None:
    before = (answered / "answers.yaml").read_bytes()
    code, err = closed_reader(answered, "answer", "47", "--value", "很多")
    assert code == 3 and err.startswith("错误：第47项")
    assert (answered / "answers.yaml").read_bytes() == before


def test_a_usage_error_into_a_gone_reader_is_still_2(answered) -> None:
    code, err = closed_reader(answered, "lst")
    assert code == 2 and "没有命令 lst" in err


def test_a_long_listing_into_head_is_complete_up_to_where_it_was_read(answered) -> None:
    done = subprocess.run(
        f'"{BIN}" list --format json | head -c 100',
        shell=True,
        cwd=answered,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("[")
    quiet(done.stderr)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_disk_is_still_an_error(answered) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(BIN), "list"], cwd=answered, stdout=full, stderr=subprocess.PIPE, text=True
        )
    assert done.returncode == 5 and "磁盘已满" in done.stderr


def both_into_a_gone_reader(cwd: Path, *args: str) -> int:
    """`evalcheck … 2>&1 | true`: stdout and stderr into one pipe whose reader has gone."""
    r, w = os.pipe()
    os.close(r)
    try:
        done = subprocess.run([str(BIN), *args], cwd=cwd, stdout=w, stderr=w, check=False)
    finally:
        os.close(w)
    return done.returncode


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("list", "-s", "审批监管"), 3),  # a refusal: its message has nowhere to go
        (("lst",), 2),
        (("answer", "47", "--value", "很多"), 3),
        (("list", "-s", "审批监管科"), 0),
    ],
)
def test_exit_codes_hold_when_stderr_goes_into_the_gone_reader_too(answered, args, code) -> None:
    """`2>&1 | true`: the message of a refusal cannot be written either; the exit code is
    still the documented one (it was 1, Python's for a failed write at exit)."""
    before = (answered / "answers.yaml").read_bytes()
    assert both_into_a_gone_reader(answered, *args) == code
    assert (answered / "answers.yaml").read_bytes() == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_output_after_a_write_says_the_write_was_kept(answered) -> None:
    """`answer … >/dev/full`: the answer is recorded, then its line cannot be printed:
    exit 5 as documented, but never "答案文件未受影响" (it was changed, and kept)."""
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [str(BIN), "answer", "30", "--value", "81", "--by", "张三"],
            cwd=answered, stdout=full, stderr=subprocess.PIPE, text=True, check=False,
        )  # fmt: skip
    assert done.returncode == 5 and "答案文件如有修改已经保存" in done.stderr, done.stderr
    shown = cli(answered, "show", "30", "-f", "json")
    assert json.loads(shown.stdout)["answer"]["value"] == 81


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(("args", "code"), [(("answer", "9999", "--value", "1"), 3), (("lst",), 2)])
def test_a_refusal_keeps_its_code_when_stderr_is_full(answered, args, code) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(BIN), *args], cwd=answered, stderr=full, check=False)
    assert done.returncode == code
