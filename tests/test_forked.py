"""Pieces of work shared out over processes (infra/forked.py): the forms of
`export --split` are built by forked children where that is safe, with the same bytes, the
same messages and the same failures as when one process builds them all."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from evalcheck.infra import forked, notices
from evalcheck.infra.forked import Handover, build_all, can_fork, jobs, shares

needs_fork = pytest.mark.skipif(not can_fork(), reason="forks only on Linux, one thread")


def _no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_shares_balance_the_weights_and_keep_every_piece() -> None:
    assert shares([97, 54, 30, 26, 17], 2) == [[0, 4], [1, 2, 3]]
    assert shares([5, 5, 5], 3) == [[0], [1], [2]]
    parts = shares(list(range(1, 21)), 4)
    assert sorted(i for p in parts for i in p) == list(range(20))
    loads = [sum(i + 1 for i in p) for p in parts]
    assert max(loads) - min(loads) <= 20


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), ("0", 1), ("3", 3), (" 2 ", 2), ("x", None), ("-2", None)]
)
def test_jobs_reads_its_setting_and_ignores_nonsense(monkeypatch, raw, expected) -> None:
    monkeypatch.setenv(forked.ENV_JOBS, raw)
    if expected is None:  # ignored: the processors, at most MAX_JOBS
        assert 1 <= jobs() <= forked.MAX_JOBS
    else:
        assert jobs() == expected


@needs_fork
def test_children_build_a_share_and_the_results_come_back_in_order(monkeypatch) -> None:
    monkeypatch.setenv(forked.ENV_JOBS, "3")
    here = os.getpid()
    got = build_all(lambda n: (n * n, os.getpid()), list(range(7)), [40] * 7)
    assert [v for v, _ in got] == [n * n for n in range(7)]
    pids = {pid for _, pid in got}
    assert here in pids and len(pids) == 3  # this process and two children
    assert _no_children_left()


def test_one_job_small_work_or_a_thread_means_one_process(monkeypatch) -> None:
    here = os.getpid()
    monkeypatch.setenv(forked.ENV_JOBS, "1")
    assert {p for p in build_all(lambda _: os.getpid(), [1, 2, 3], [100] * 3)} == {here}
    monkeypatch.setenv(forked.ENV_JOBS, "4")
    small = [forked.MIN_WEIGHT // 4] * 3  # not worth a process
    assert {p for p in build_all(lambda _: os.getpid(), [1, 2, 3], small)} == {here}
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert {p for p in build_all(lambda _: os.getpid(), [1, 2, 3], [100] * 3)} == {here}
    finally:
        stop.set()
        other.join()


@needs_fork
def test_a_failing_child_is_redone_here(monkeypatch) -> None:
    """A child that fails (here: only in children) sends nothing; its share is built
    again in this process, so the result is whole."""
    monkeypatch.setenv(forked.ENV_JOBS, "2")
    here = os.getpid()

    def piece(n: int) -> int:
        if os.getpid() != here:
            raise ValueError("only in the child")
        return n + 1

    assert build_all(piece, [1, 2, 3, 4], [50, 40, 30, 20]) == [2, 3, 4, 5]
    assert _no_children_left()


@needs_fork
def test_an_error_is_raised_here_as_without_children(monkeypatch) -> None:
    monkeypatch.setenv(forked.ENV_JOBS, "2")

    def piece(n: int) -> int:
        if n == 3:  # the lighter piece: a child's
            raise ValueError(f"第{n}份有误")
        return n

    with pytest.raises(ValueError, match="第3份有误"):
        build_all(piece, [1, 3], [100, 10])
    assert _no_children_left()


@needs_fork
def test_a_childs_notices_and_handover_reach_this_process(monkeypatch) -> None:
    monkeypatch.setenv(forked.ENV_JOBS, "2")
    said: list[str] = []
    notices.set_sink(said.append)
    learnt: dict[str, int] = {}
    given: list[object] = []

    def piece(n: int) -> int:
        notices.warn(f"注意第{n}份")
        learnt[f"k{n}"] = n
        return n

    hand = Handover(hold=learnt.clear, take=lambda: dict(learnt), give=given.append)
    try:
        assert build_all(piece, [1, 2], [100, 90], hand) == [1, 2]
    finally:
        notices.set_sink(None)
    assert sorted(said) == ["注意第1份", "注意第2份"]
    assert given == [{"k2": 2}]  # the child's (it held, then learnt only its own piece)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@needs_fork
def test_split_forms_are_the_same_bytes_in_one_process_or_several(
    run, monkeypatch, tmp_path: Path
) -> None:
    """Also: the line counts a child learnt are kept in the parse cache, as one process
    keeps its own (each run starts with an empty cache, as a new process would)."""
    import evalcheck.io.xlsx_book as book
    from evalcheck.infra.cache import load_memo

    for ident, value in (("47", "312"), ("16", "是"), ("1", "3")):
        assert run("answer", ident, "--value", value).exit_code == 0
    memos = {}
    for jobs_, folder in (("1", "one"), ("4", "several")):
        monkeypatch.setenv(forked.ENV_JOBS, jobs_)
        monkeypatch.setenv("EVALCHECK_CACHE_DIR", str(tmp_path / f"cache-{folder}"))
        monkeypatch.setattr(book, "_LINES", book._LineMemo())  # as a new process starts
        result = run("export", "--split", folder)
        assert result.exit_code == 0, result.output
        memos[folder] = load_memo(book._LineMemo.NAME)
    assert _digests(Path("one")) == _digests(Path("several"))
    assert len(_digests(Path("one"))) == 5
    assert memos["one"] and memos["several"] == memos["one"]
    assert _no_children_left()


@needs_fork
def test_an_error_here_stops_the_children_and_leaves_no_zombie(monkeypatch) -> None:
    import time

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    here = os.getpid()

    def piece(n: int) -> int:
        if os.getpid() != here:
            time.sleep(30)  # still running when this process fails
        raise KeyboardInterrupt  # as Ctrl+C in this process's own share

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        build_all(piece, [1, 2], [100, 90])
    assert time.monotonic() - started < 10  # the child was killed, not waited for
    assert _no_children_left()
