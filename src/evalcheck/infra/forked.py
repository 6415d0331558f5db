"""Independent pieces of work shared out over the machine's processors (the forms of
`export --split` and of the units, each a workbook built in memory from one snapshot).

Where the system can fork safely (Linux, this process running no other thread) and has
more than one processor, child processes forked after the snapshot is taken each build a
share of the pieces and send the results back through a pipe, while this process builds
its own share. The results come back in order; the caller then writes every file itself,
so "all or nothing" and every message stay as they were.

Everything else is done one piece after the other here: on Windows and macOS (no fork, or
no safe one), with one processor, with `EVALCHECK_JOBS=1`, or when the work is too small
to be worth a process. A child that fails for any reason (an error in the data, a crash,
a signal) sends nothing, and this process builds that share again itself: an error is
then reported exactly as it would be without children. What a child said (notices) is
said here, once, as if this process had met it.
"""

from __future__ import annotations

import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from evalcheck.infra import notices

ENV_JOBS = "EVALCHECK_JOBS"  # processes to use at most; 1: never fork
MAX_JOBS = 4
# less work than this is not worth a process (~2.5 ms to fork): weights are the caller's,
# for forms rows plus 16 a workbook, so two forms of a few rows each stay here
MIN_WEIGHT = 48

T = TypeVar("T")
R = TypeVar("R")


class Handover(NamedTuple):
    """What a child must hand back besides the results (state it learnt on the way).

    `hold`: called in a child before its work (e.g. keep a cache in memory, not on disk);
    `take`: called in a child after it, plain data (as the results); `give`: called here with it."""

    hold: Callable[[], None]
    take: Callable[[], Any]
    give: Callable[[Any], None]


def jobs() -> int:
    """How many processes may share the work: EVALCHECK_JOBS (1 or more) if set to a
    number, else the processors this process may run on, at most MAX_JOBS. A value that
    is not a whole number is ignored, as the other tuning settings are."""
    raw = os.environ.get(ENV_JOBS, "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 3:
        return max(int(raw), 1)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(min(cpus, MAX_JOBS), 1)


def can_fork() -> bool:
    """Fork is safe here: Linux, and no other thread that a child would lose midway."""
    import threading

    return (
        sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
    )


def shares(weights: Sequence[int], n: int) -> list[list[int]]:
    """The indexes of `weights` in `n` shares of about equal weight (the heaviest piece
    first, each to the lightest share so far); share 0 is this process's."""
    loads = [0] * n
    out: list[list[int]] = [[] for _ in range(n)]
    for i in sorted(range(len(weights)), key=lambda i: (-weights[i], i)):
        k = loads.index(min(loads))
        out[k].append(i)
        loads[k] += weights[i]
    return out  # n <= len(weights): every share has a piece


def build_all(
    func: Callable[[T], R],
    items: Sequence[T],
    weights: Sequence[int],
    handover: Handover | None = None,
) -> list[R]:
    """[func(item) for item in items], the pieces shared out over processes where that
    helps (see the module's text). `weights`: each piece's size (rows); `func`'s results
    must be plain data (bytes, text, numbers, and lists, tuples and dicts of them): they
    come back through `marshal`, which is built in (pickle would take 2.5 ms to import)."""
    n = min(jobs(), len(items))
    if n < 2 or sum(weights) < MIN_WEIGHT or not can_fork():
        return [func(item) for item in items]
    parts = shares(weights, n)
    results: dict[int, R] = {}
    children: list[_Child] = []
    try:
        for part in parts[1:]:
            child = _fork(func, items, part, handover)
            if child is None:  # could not fork (no memory, too many processes): here
                parts[0].extend(part)
            else:
                children.append(child)
        for i in parts[0]:
            results[i] = func(items[i])
        for child in children:
            got = child.collect()
            if got is None:  # the child failed: its share again, here
                for i in child.part:
                    results[i] = func(items[i])
                continue
            done, said, extra = got
            results.update(done)
            for text in said:
                notices.warn(text)
            if handover is not None:
                handover.give(extra)
    finally:
        for child in children:  # those left on an error here: stopped, no zombie left
            child.stop()
    return [results[i] for i in range(len(items))]


class _Child:
    """A child process building the pieces `part`, and the read end of its pipe."""

    def __init__(self, pid: int, fd: int, part: list[int]) -> None:
        self.pid, self.fd, self.part = pid, fd, part

    def collect(self) -> tuple[dict[int, Any], list[str], Any] | None:
        """Its results, once it has ended, or None if it failed."""
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
        except OSError:
            chunks = []
        self._close()
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status != 0 or not chunks:
            return None
        try:
            got = marshal.loads(b"".join(chunks))
        except (ValueError, EOFError, TypeError):  # cut short
            return None
        return got  # type: ignore[no-any-return]

    def stop(self) -> None:
        """Killed if still running, and waited for (a no-op once collected)."""
        import contextlib
        import signal

        self._close()
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0

    def _close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


def _fork(
    func: Callable[[T], R], items: Sequence[T], part: list[int], handover: Handover | None
) -> _Child | None:
    """Start a child building `part`, or None if none could be started."""
    import warnings

    try:
        read, write = os.pipe()
    except OSError:
        return None
    import gc

    gc.freeze()  # the collector would touch (and so copy) every page of the parent's
    try:
        with warnings.catch_warnings():  # Python 3.12 warns of threads it cannot see
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        gc.unfreeze()
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        try:
            os.close(read)
            said: list[str] = []
            notices.set_sink(said.append)
            if handover is not None:
                handover.hold()
            done = {i: func(items[i]) for i in part}
            extra = handover.take() if handover is not None else None
            data = marshal.dumps((done, said, extra))
            view = memoryview(data)
            while view:
                view = view[os.write(write, view) :]
            status = 0
        except BaseException:
            pass  # status 1, nothing sent: the parent builds this share itself
        finally:
            os._exit(status)  # no atexit, no flush of the parent's buffered output
    gc.unfreeze()
    os.close(write)
    return _Child(pid, read, part)
