"""Independent pieces of work shared out over the machine's processors (the forms of
`export --split` and of the units, each a workbook built in memory from one snapshot).

Where the system can fork safely (Linux, this process running no other thread) and has
more than one processor, child processes forked after the snapshot is taken each build a
share of the pieces and send the results back through a pipe, while this process builds
its own share. The results come back in order; the caller then writes every file itself,
so "all or nothing" stays as it was.

Everything else is done one piece after the other here: on Windows and macOS (no fork, or
no safe one), with one processor, with `EVALCHECK_JOBS=1`, or when the work is too small
to be worth a process.

The outcome is the one-process build's, whatever happens to a child:
- The pieces are taken in the order one process builds them: a piece that failed here
  raises its error in its turn; a piece a child did not send (it failed, crashed or was
  killed) is built again here in its turn. So the first piece that fails, in that order,
  raises its error, as it would without children; a child holding only pieces after one
  that failed here is stopped rather than waited for.
- Notices (infra/notices.py) are kept per piece and said in that order.
- A child ends when this process stops waiting for it (an error here, Ctrl-C) and when
  this process dies (even by SIGKILL): each child watches a pipe ("lifeline") whose only
  writer is this process, and stops itself with SIGTERM at its end, which raises
  SystemExit in the child, so that its `with` blocks clean up (temporary files).
- A child's exit status is not needed (SIGCHLD may be ignored, and children reaped by
  the system): what it sent is whole or does not unmarshal.
- A child that has sent its share closes its pipe at once, so that its share is taken
  here while the system still tears the child down (about 2 ms of a 40 MB process here):
  it is reaped afterwards, by reap_exited(), which the caller calls once its files are
  written (and build_all at its next call).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar

from evalcheck.infra import notices

ENV_JOBS = "EVALCHECK_JOBS"  # processes to use at most; 1: never fork
MAX_JOBS = 4  # by default: the processors, up to this many
MAX_ASKED = 64  # EVALCHECK_JOBS beyond this is taken as this
# less work than this is not worth a process (~2.5 ms to fork): weights are the caller's,
# for forms rows plus 16 a workbook, so two forms of a few rows each stay here
MIN_WEIGHT = 48
STOP_WAIT = 5.0  # seconds a stopped child has to clean up before it is killed

T = TypeVar("T")
R = TypeVar("R")


class Handover(NamedTuple):
    """What a child must hand back besides the results (state it learnt on the way).

    `hold`: called in a child before its work (e.g. keep a cache in memory, not on disk);
    `take`: called in a child after it, plain data (as the results); `give`: called here
    with it."""

    hold: Callable[[], None]
    take: Callable[[], Any]
    give: Callable[[Any], None]


def jobs() -> int:
    """How many processes may share the work: EVALCHECK_JOBS if set to a whole number (0
    is 1, at most MAX_ASKED), else the processors this process may run on, at most
    MAX_JOBS. Another value is ignored, as the other tuning settings are."""
    raw = os.environ.get(ENV_JOBS, "").strip()
    if raw.isascii() and raw.isdigit():
        return max(min(int(raw) if len(raw) <= 6 else MAX_ASKED, MAX_ASKED), 1)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(min(cpus, MAX_JOBS), 1)


def can_fork() -> bool:
    """Fork is safe here: Linux, and no other thread that a child would inherit stopped
    midway (holding a lock it needs). Counted by the system (/proc/self/task), so that
    threads started by `_thread` or by a C extension count too."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        import threading

        return threading.active_count() == 1


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
    reap_exited()
    n = min(jobs(), len(items))
    if n < 2 or sum(weights) < MIN_WEIGHT or not can_fork():
        return [func(item) for item in items]
    try:
        lifeline = os.pipe()
    except OSError:  # no file descriptor left: one process will do
        return [func(item) for item in items]
    parts = shares(weights, n)
    done: dict[int, Any] = {}
    said: dict[int, list[str]] = {}
    children: list[_Child] = []
    failed: tuple[int, Exception, list[str]] | None = None
    ends = set(lifeline)  # those still open here
    try:
        for part in parts[1:]:
            child = _fork(func, items, part, handover, lifeline)
            if child is None:  # could not fork (no memory, too many processes): here
                parts[0].extend(sorted(part))
            else:
                children.append(child)
        _close_fds(ends, lifeline[0])  # the children's end
        failed = _build(func, items, parts[0], done, said)
        for child in children:
            if failed is not None and min(child.part) > failed[0]:
                child.terminate()  # it cannot change the outcome: the error raised below
            got = child.collect()
            if got is not None:
                done.update(got[0])
                said.update(got[1])
                if handover is not None:
                    handover.give(got[2])
    finally:
        _close_fds(ends, *lifeline)  # the children still running stop themselves
        for child in children:
            child.stop()
    return _in_order(func, items, done, said, failed)


# children that sent their share whole and closed their pipe, not yet reaped (see the
# module's text)
_EXITING: list[int] = []


def reap_exited() -> None:
    """Reap the children that build_all took the shares of while they were ending: each
    has sent all it had and is leaving, so this waits a moment at most."""
    while _EXITING:
        pid = _EXITING.pop()
        with contextlib.suppress(ChildProcessError):  # SIGCHLD ignored: already reaped
            os.waitpid(pid, 0)


def _in_order(
    func: Callable[[T], R],
    items: Sequence[T],
    done: dict[int, Any],
    said: dict[int, list[str]],
    failed: tuple[int, Exception, list[str]] | None,
) -> list[R]:
    """The results in order, as one process has them: what is missing built here, the
    notices said piece by piece, the first error in order raised."""
    out: list[R] = []
    for i, item in enumerate(items):
        if i in done:
            for text in said.get(i, ()):
                notices.warn(text)
            out.append(done[i])
        elif failed is not None and i == failed[0]:  # failed here: not built twice
            for text in failed[2]:
                notices.warn(text)
            raise failed[1]
        else:
            out.append(func(item))
    return out


def _close_fds(still_open: set[int], *fds: int) -> None:
    for fd in fds:
        if fd in still_open:
            still_open.discard(fd)
            os.close(fd)


def _build(
    func: Callable[[T], R],
    items: Sequence[T],
    part: list[int],
    done: dict[int, Any],
    said: dict[int, list[str]],
) -> tuple[int, Exception, list[str]] | None:
    """Build the pieces `part` in order into `done` (their notices into `said`), up to the
    first that fails (an Exception; anything else, Ctrl-C, goes on up): that piece, its
    error and what it said before it, for build_all to raise in its turn."""
    for i in part:
        kept: list[str] = []
        try:
            with notices.kept() as kept:
                done[i] = func(items[i])
        except Exception as exc:
            return i, exc, kept
        said[i] = kept
    return None


class _Child:
    """A child process building the pieces `part`, and the read end of its pipe."""

    def __init__(self, pid: int, fd: int, part: list[int]) -> None:
        self.pid, self.fd, self.part = pid, fd, part

    def collect(self) -> tuple[dict[int, Any], dict[int, list[str]], Any] | None:
        """What it built (all its share, or the pieces before one that failed), once it
        has closed its pipe (sent all, or ended); None if it sent nothing whole. A child
        still ending is left to reap_exited()."""
        chunks: list[bytes] = []
        try:
            while chunk := os.read(self.fd, 1 << 20):
                chunks.append(chunk)
        except OSError:
            chunks = []
        self._close()
        if not self._reap(block=False):
            _EXITING.append(self.pid)
            self.pid = 0
        try:
            got = marshal.loads(b"".join(chunks)) if chunks else None
        except (ValueError, EOFError, TypeError):  # cut short
            return None
        return got

    def terminate(self) -> None:
        """Told to stop now (SIGTERM: SystemExit in the child, which cleans up)."""
        import signal

        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGTERM)

    def stop(self) -> None:
        """Waited for (it stops itself when the lifeline is cut), killed if it does not
        end within STOP_WAIT seconds; a no-op once collected."""
        import time

        self._close()
        deadline = time.monotonic() + STOP_WAIT
        while self.pid and time.monotonic() < deadline:
            if not self._reap(block=False):
                time.sleep(0.005)
        if self.pid:
            import signal

            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap(block=True)

    def _reap(self, *, block: bool) -> bool:
        """Whether it has ended (and is reaped). A child the system reaped itself (SIGCHLD
        ignored) has ended too."""
        if not self.pid:
            return True
        try:
            pid, _ = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            pid = self.pid
        if pid:
            self.pid = 0
        return not self.pid

    def _close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


def _fork(
    func: Callable[[T], R],
    items: Sequence[T],
    part: list[int],
    handover: Handover | None,
    lifeline: tuple[int, int],
) -> _Child | None:
    """Start a child building `part`, or None if none could be started."""
    import warnings

    try:
        read, write = os.pipe()
    except OSError:
        return None
    import signal

    # Ctrl-C, SIGTERM and SIGHUP held back over the fork, until the child has its own
    # handlers: a KeyboardInterrupt in the child before its `try` would run the parent's
    # code on
    held = {signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        with warnings.catch_warnings():  # Python 3.12 warns of threads it cannot see
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: never returns
        status = 1
        disarm = _disarmed
        try:
            os.close(read)
            os.close(lifeline[1])
            disarm = _watch(lifeline[0])
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            import gc

            gc.freeze()  # its collector would touch (so copy) every page of the parent's
            if handover is not None:
                handover.hold()
            done: dict[int, Any] = {}
            said: dict[int, list[str]] = {}
            _build(func, items, part, done, said)
            extra = handover.take() if handover is not None else None
            view = memoryview(marshal.dumps((done, said, extra)))
            while view:
                view = view[os.write(write, view) :]
            os.close(write)  # all sent: the parent goes on while this process ends
            disarm()
            status = 0
        except BaseException:
            disarm()  # nothing whole sent: the parent builds this share itself
        finally:
            # reached disarmed (see _watch): nothing can raise here and escape os._exit
            os._exit(status)  # no atexit, no flush of the parent's buffered output
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(write)
    return _Child(pid, read, part)


def _disarmed() -> None:
    pass


def _watch(lifeline: int) -> Callable[[], None]:
    """In a child: SIGTERM, SIGINT and SIGHUP raise SystemExit (so `with` blocks clean up), and a
    thread sends SIGTERM when the lifeline ends (the parent cut it, or died).

    The handler raises once: it disarms itself when it fires, and the child disarms it
    (the function returned) before it leaves its work, so that no signal can raise in the
    `finally` that ends the child with os._exit (an exception there would escape it and
    run the parent's code on in the child)."""
    import signal
    import threading

    armed = [True]

    def stop(signum: int, frame: object) -> None:
        if armed[0]:
            armed[0] = False
            raise SystemExit(1)

    def disarm() -> None:
        armed[0] = False

    def wait() -> None:
        with contextlib.suppress(OSError):
            while os.read(lifeline, 1):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if hasattr(signal, "SIGHUP"):  # the terminal closed: the parent is told too, and stops
        signal.signal(signal.SIGHUP, stop)
    threading.Thread(target=wait, daemon=True).start()
    return disarm
