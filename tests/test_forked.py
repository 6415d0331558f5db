"""Pieces of work shared out over processes (infra/forked.py): the forms of
`export --split` are built by forked children where that is safe, with the same bytes, the
same messages and the same failures as when one process builds them all."""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from pathlib import Path

import pytest

from evalcheck.infra import forked, notices
from evalcheck.infra.forked import Handover, build_all, can_fork, jobs, shares

FORKS_HERE = can_fork()
needs_fork = pytest.mark.skipif(
    not FORKS_HERE,
    reason="forks only on Linux, in a process of one thread (under pytest-xdist: "
    "test_the_forking_tests_in_a_process_of_their_own runs them)",
)


@pytest.mark.skipif(
    FORKS_HERE or not sys.platform.startswith("linux"),
    reason="this process can fork: the forking tests run here",
)
def test_the_forking_tests_in_a_process_of_their_own() -> None:
    """A pytest-xdist worker runs a thread of its own (execnet's), so it never forks (as
    `can_fork` wants): this file's tests run again in a pytest of one process, where
    they fork."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    args = [sys.executable, "-m", "pytest", "-q", "-rs", "-n", "0", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*args, str(Path(__file__).relative_to(root))],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = done.stdout[-4000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "forks only on Linux" not in done.stdout, report  # they ran, none skipped


def _no_children_left() -> bool:
    """None left once those that ended after sending their share are reaped."""
    forked.reap_exited()
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


@needs_fork
def test_with_sigchld_ignored_the_children_still_count(monkeypatch) -> None:
    """A parent that ignores SIGCHLD (inherited from a shell's `trap '' CHLD`): the
    system reaps the children itself, and waitpid has nothing to wait for."""
    import signal

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        got = build_all(lambda n: (n, os.getpid()), [1, 2, 3], [50, 40, 30])
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert [n for n, _ in got] == [1, 2, 3]
    assert len({pid for _, pid in got}) == 2


@needs_fork
def test_of_two_bad_pieces_the_first_in_order_is_reported(monkeypatch) -> None:
    """As one process would: piece 0 (a child's share) fails before piece 2 (this
    process's, the heaviest) is even begun."""
    monkeypatch.setenv(forked.ENV_JOBS, "2")

    def piece(n: int) -> int:
        if n in (0, 2):
            raise ValueError(f"第{n}份有误")
        return n

    with pytest.raises(ValueError, match="第0份有误"):
        build_all(piece, [0, 1, 2], [10, 10, 100])
    assert _no_children_left()


@needs_fork
def test_notices_are_said_in_the_order_one_process_says_them(monkeypatch) -> None:
    said: list[str] = []

    def piece(n: int) -> int:
        notices.warn(f"注意第{n}份")
        notices.warn("共同的提示")
        return n

    for setting in ("1", "3"):
        monkeypatch.setenv(forked.ENV_JOBS, setting)
        notices.set_sink(said.append)
        try:
            build_all(piece, [0, 1, 2, 3], [10, 100, 20, 60])
        finally:
            notices.set_sink(None)
    one, three = said[:5], said[5:]
    assert one == ["注意第0份", "共同的提示", "注意第1份", "注意第2份", "注意第3份"]
    assert three == one


@needs_fork
def test_a_stopped_child_cleans_up_after_itself(monkeypatch, tmp_path: Path) -> None:
    """Ctrl-C here stops the children through the lifeline: SIGTERM raises SystemExit in
    the child, so its `with` blocks run (XlsxWriter's temporary files go with them).
    (An error in a piece here waits for the children instead: the first error in order
    is the one reported.)"""
    import tempfile
    import time

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    here = os.getpid()
    note = tmp_path / "child-temp.txt"

    def piece(n: int) -> int:
        if os.getpid() != here:
            with tempfile.TemporaryDirectory(dir=tmp_path) as temp:
                note.write_text(temp)
                time.sleep(30)
        while not note.exists():  # the child has made its temporary folder
            time.sleep(0.01)
        raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        build_all(piece, [1, 2], [100, 90])
    assert time.monotonic() - started < 10
    assert not Path(note.read_text()).exists()
    assert _no_children_left()


@needs_fork
def test_children_stop_when_this_process_is_killed(tmp_path: Path) -> None:
    """SIGKILL leaves no time to stop anything: the children see their lifeline end."""
    import signal
    import subprocess
    import time

    pids = tmp_path / "pids"
    script = f"""
import os, time
from pathlib import Path
os.environ["EVALCHECK_JOBS"] = "3"
from evalcheck.infra.forked import build_all
def piece(n):
    with open({str(pids)!r}, "a") as f:
        f.write(f"{{os.getpid()}}\\n")
    time.sleep(60)
build_all(piece, [1, 2, 3], [100, 100, 100])
"""
    proc = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if pids.exists() and len(pids.read_text().split()) == 3:
            break
        time.sleep(0.05)
    children = {int(p) for p in pids.read_text().split()} - {proc.pid}
    assert len(children) == 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    def running(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    deadline = time.monotonic() + 10
    while any(map(running, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, children))


def test_a_thread_the_threading_module_does_not_know_prevents_forking() -> None:
    import _thread

    release = _thread.allocate_lock()
    release.acquire()
    started = _thread.allocate_lock()
    started.acquire()

    def hold() -> None:
        started.release()
        release.acquire()

    _thread.start_new_thread(hold, ())
    started.acquire()
    try:
        assert not can_fork()
    finally:
        release.release()


@needs_fork
def test_the_callers_frozen_objects_stay_frozen(monkeypatch) -> None:
    import gc

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert build_all(lambda n: n, [1, 2], [100, 90]) == [1, 2]
        # objects it held die by reference count meanwhile; undone, the count would be 0
        assert gc.get_freeze_count() > frozen * 0.9
    finally:
        gc.unfreeze()


def test_a_large_jobs_setting_is_capped_not_ignored(monkeypatch) -> None:
    monkeypatch.setenv(forked.ENV_JOBS, "1000")
    assert jobs() == forked.MAX_ASKED
    monkeypatch.setenv(forked.ENV_JOBS, "9" * 5000)
    assert jobs() == forked.MAX_ASKED


@needs_fork
def test_a_piece_that_fails_here_is_built_once_and_later_children_stop(monkeypatch) -> None:
    """The heaviest piece (this process's) fails: its error is raised as it was, after
    what it said, without building it again; a child holding only later pieces cannot
    change that and is stopped instead of waited for."""
    import time

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    here = os.getpid()
    calls: list[int] = []
    said: list[str] = []

    def piece(n: int) -> int:
        if os.getpid() != here:
            time.sleep(30)  # piece 1: the child's
            return n
        calls.append(n)
        notices.warn(f"第{n}份的提示")
        raise ValueError(f"第{n}份有误")

    notices.set_sink(said.append)
    started = time.monotonic()
    try:
        with pytest.raises(ValueError, match="第0份有误"):
            build_all(piece, [0, 1], [100, 10])
    finally:
        notices.set_sink(None)
    assert time.monotonic() - started < 10
    assert calls == [0]
    assert said == ["第0份的提示"]
    assert _no_children_left()


@needs_fork
def test_a_childs_share_is_taken_before_the_child_has_ended(monkeypatch) -> None:
    """A child closes its pipe once it has sent its share: the parent goes on while the
    system still tears the child down, and reaps it afterwards (reap_exited)."""
    import time

    real_exit = os._exit

    def slow_exit(status: int) -> None:  # a child that takes long to end
        time.sleep(3)
        real_exit(status)

    monkeypatch.setenv(forked.ENV_JOBS, "2")
    monkeypatch.setattr(os, "_exit", slow_exit)  # the child inherits it
    started = time.monotonic()
    got = build_all(lambda n: (n, os.getpid()), [1, 2], [50, 50])
    took = time.monotonic() - started
    monkeypatch.undo()
    assert [n for n, _ in got] == [1, 2] and len({pid for _, pid in got}) == 2
    assert took < 2.5  # not held until the child had ended
    assert forked._EXITING  # still ending: reaped later
    forked.reap_exited()
    assert time.monotonic() - started >= 3
    assert _no_children_left()
