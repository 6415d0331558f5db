"""The answers file: concurrency, atomic saves, corruption, orphans, the wrong checklist."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from evalcheck.answers.store import load_answers
from evalcheck.infra import fileio
from tests.hostile import held_lock

COUNT_IDS = [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 23, 30, 31, 33, 35]

# every command that reads the answers file
READERS = [
    ["list"],
    ["show", "47"],
    ["answer", "47", "--value", "5"],
    ["history", "47"],
    ["undo"],
]


@pytest.mark.slow  # twenty interpreters at once
def test_twenty_processes_answer_at_once(tmp_path: Path) -> None:
    assert len(COUNT_IDS) == 20
    env = {**os.environ, "EVALCHECK_LOCK_TIMEOUT": "60"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "evalcheck", "answer", str(i), "--value", str(i * 10)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for i in COUNT_IDS
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    data = yaml.safe_load((tmp_path / "answers.yaml").read_text(encoding="utf-8"))
    assert {i: a["value"] for i, a in data["answers"].items()} == {i: i * 10 for i in COUNT_IDS}
    assert sorted(a["seq"] for a in data["answers"].values()) == list(range(1, 21))


def test_an_interrupted_save_leaves_the_previous_file(run, monkeypatch, tmp_path: Path) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    before = (tmp_path / "answers.yaml").read_bytes()

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the power goes out between write and rename

    monkeypatch.setattr(fileio.os, "replace", crash)
    result = run("answer", "47", "--value", "400")
    assert result.exit_code == 130 and "已中断" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_rename_is_a_clear_error(run, monkeypatch, tmp_path: Path) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    before = (tmp_path / "answers.yaml").read_bytes()

    def denied(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fileio.os, "replace", denied)
    result = run("answer", "47", "--value", "400")
    assert result.exit_code == 5
    assert "无法写入 answers.yaml" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before


CORRUPTIONS = {
    "syntax": ("answers:\n  47: {value: 312\n", "YAML 格式错误"),
    "wrong type": (None, "值应为数字、是/否、文字或文字列表"),
    "not ours": ("- just\n- a list\n", "不是 evalcheck 的答案文件"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
@pytest.mark.parametrize("cmd", READERS, ids=lambda c: c[0])
def test_a_corrupted_file_is_reported_and_never_overwritten(
    run, tmp_path: Path, case: str, cmd: list[str]
) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    path = tmp_path / "answers.yaml"
    text, why = CORRUPTIONS[case]
    if text is None:  # a hand edit that broke a value (one of the wrong kind is a misfit)
        text = path.read_text(encoding="utf-8").replace("value: 312", "value: {a: 1}")
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    result = run(*cmd)
    assert result.exit_code == 4, result.output
    assert "答案文件已损坏，未做任何修改" in result.stderr
    assert why in result.stderr
    assert "Traceback" not in result.output
    if case != "not ours":
        assert "answers.yaml 第" in result.stderr and "行" in result.stderr
    assert path.read_bytes() == before


def test_wrong_type_names_the_right_line(run, tmp_path: Path) -> None:
    run("answer", "3", "--value", "95")
    run("answer", "47", "--value", "312")
    path = tmp_path / "answers.yaml"
    text = path.read_text(encoding="utf-8").replace("value: 312", "value: {a: 1}")
    path.write_text(text, encoding="utf-8")
    line = next(n for n, s in enumerate(text.splitlines(), 1) if "value: {a: 1}" in s)
    result = run("show", "47")
    assert f"answers.yaml 第{line}行" in result.stderr


def test_answers_for_another_checklist_are_refused(run, tmp_path: Path) -> None:
    run("answer", "47", "--value", "312")
    path = tmp_path / "answers.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("year: 2021", "year: 2022"), encoding="utf-8"
    )
    before = path.read_bytes()
    result = run("answer", "48", "--value", "是")
    assert result.exit_code == 4
    assert "属于清单“中卫市审批服务管理局营商环境测评指标责任清单”（2022年）" in result.stderr
    assert path.read_bytes() == before


def test_answers_to_removed_indicators_are_kept(run, tmp_path: Path, checklist) -> None:
    run("answer", "47", "--value", "312")
    path = tmp_path / "answers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answers"][200] = {"value": 7, "by": "x", "at": "2021-09-01", "seq": 9, "action": "set"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("answer", "48", "--value", "是")
    assert result.exit_code == 0
    assert "答案文件中第 200 项不在当前清单中，已保留未删除" in result.stderr
    after = load_answers(path, checklist)
    assert after.records[200].current.value == 7
    assert after.orphans == [200]
    assert "不在当前清单中" in run("history", "200").stdout


def test_answers_to_removed_indicators_are_noted_once_per_command(run, tmp_path: Path) -> None:
    """A change (read without the lock, then written under it) and an answer that changes
    nothing (decided from the saved answers alone) both say the note once."""
    run("answer", "47", "--value", "312")
    path = tmp_path / "answers.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["answers"][200] = {"value": 7, "by": "x", "at": "2021-09-01", "seq": 9, "action": "set"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for args in (("48", "--value", "是"), ("47", "--value", "312")):
        result = run("answer", *args)
        assert result.exit_code == 0
        assert result.stderr.count("答案文件中第 200 项不在当前清单中") == 1, result.stderr


def test_a_held_lock_is_an_error_not_a_hang(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "0.2")
    with held_lock(tmp_path / ".answers.yaml.lock"):
        code = (
            "from evalcheck.cli import main; import sys; "
            "sys.argv=['evalcheck','answer','47','--value','1']; main()"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, timeout=30,
            env={**os.environ, "EVALCHECK_LOCK_TIMEOUT": "0.2"},
        )  # fmt: skip
    assert proc.returncode == 5
    assert "正被其他人写入" in proc.stderr.decode()
    assert not (tmp_path / "answers.yaml").exists()


def test_file_is_readable_yaml_in_id_order_with_chinese(run, tmp_path: Path) -> None:
    run("answer", "109", "--value", "推行“秒批”", "--note", "见附件")
    run("answer", "47", "--value", "312", "--by", "张三")
    text = (tmp_path / "answers.yaml").read_text(encoding="utf-8")
    assert "推行“秒批”" in text and "by: 张三" in text
    assert text.index("47:") < text.index("109:")
    data = yaml.safe_load(text)
    assert data["checklist"] == {
        "title": "中卫市审批服务管理局营商环境测评指标责任清单",
        "year": 2021,
    }
    assert data["answers"][47]["at"][-6] in "+-"  # ISO time with zone


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_written_files_keep_shared_permissions(run, tmp_path: Path) -> None:
    umask = os.umask(0o002)
    try:
        run("answer", "47", "--value", "312")
        path = tmp_path / "answers.yaml"
        assert path.stat().st_mode & 0o777 == 0o664  # not mkstemp's 0o600
        path.chmod(0o660)
        run("answer", "47", "--value", "313")
        assert path.stat().st_mode & 0o777 == 0o660  # an existing file keeps its mode
        run("export", "report.xlsx")
        assert (tmp_path / "report.xlsx").stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(umask)


def _value_strategy(ind):
    from hypothesis import strategies as st

    text = st.text(min_size=1, max_size=20).map(str.strip).filter(bool)
    if ind.kind == "count":
        return st.integers(min_value=0, max_value=10**9)
    if ind.kind == "percent":
        return st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 2))
    if ind.kind == "yesno":
        return st.booleans()
    if ind.options:
        opts = ind.option_texts
        if ind.kind == "choice":
            return st.sampled_from(opts)
        return st.lists(st.sampled_from(opts[:-1]), min_size=1, unique=True)
    return st.lists(text, min_size=1, max_size=3) if ind.kind == "multi" else text


def test_answers_survive_a_round_trip_through_the_file(checklist, tmp_path: Path) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from evalcheck.answers.store import Answers, parse_answers
    from evalcheck.infra.yamlio import load_yaml_text

    ids = st.sampled_from([1, 3, 16, 17, 52, 109, 138, 142])

    @settings(max_examples=60, deadline=None)
    @given(st.data())
    def check(data) -> None:
        answers = Answers(path=tmp_path / "a.yaml", checklist_key=checklist.key)
        for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
            ind = checklist.get(data.draw(ids))
            if data.draw(st.booleans()):
                value = data.draw(_value_strategy(ind))
                note = data.draw(st.none() | st.text(max_size=10))
                answers.apply(ind, value=value, note=note, by="测试", action="set")
            else:
                answers.apply(
                    ind, na=data.draw(st.text(min_size=1, max_size=10)), by="x", action="na"
                )
        text = answers.to_text()
        again = parse_answers(load_yaml_text(text, "a.yaml"), lambda: text, tmp_path, checklist)
        assert {i: r.timeline for i, r in again.records.items()} == {
            i: r.timeline for i, r in answers.records.items()
        }

    check()


def test_the_lock_file_is_not_left_visible(run, tmp_path: Path) -> None:
    assert run("answer", "47", "--value", "312").exit_code == 0
    visible = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith((".", "_")))
    assert visible == ["answers.yaml"]


def test_a_file_system_that_cannot_lock_is_said_at_once(run, tmp_path: Path, monkeypatch) -> None:
    """ENOLCK (a share without a lock service), ENOSYS: the file system's error, at once,
    not a wait that ends by blaming a colleague."""
    import errno
    import fcntl

    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setenv("EVALCHECK_LOCK_TIMEOUT", "30")
    monkeypatch.setattr(fcntl, "flock", no_locks)
    result = run("answer", "47", "--value", "1")
    assert result.exit_code == 5
    assert "创建锁文件" in result.stderr and "ENOLCK" in result.stderr
    assert "正被" not in result.stderr
    assert not (tmp_path / "answers.yaml").exists()


@pytest.mark.parametrize("make", ["folder", "fifo"])
def test_a_lock_file_that_is_not_a_file_is_named(run, tmp_path: Path, make: str) -> None:
    run("answer", "47", "--value", "312")
    before = (tmp_path / "answers.yaml").read_bytes()
    lock = tmp_path / ".answers.yaml.lock"
    lock.unlink()
    if make == "folder":
        lock.mkdir()
    else:
        os.mkfifo(lock)
    result = run("answer", "47", "--value", "313")
    assert result.exit_code == 5
    assert "不是普通文件" in result.stderr
    assert (tmp_path / "answers.yaml").read_bytes() == before
