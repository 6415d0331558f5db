"""An exclusive lock on a lock file, shared between processes and computers.

The locking itself is zc.lockfile's (Zope Foundation; ZODB's lock): `fcntl.flock` on
POSIX, `msvcrt.locking` of the first byte on Windows — the same primitives filelock uses,
so a lock held by either library is seen by the other. zc.lockfile only tries once; the
wait (poll until a deadline) is here. It imports in ≈ 2 ms against filelock's ≈ 20 ms
(secrets, hmac, logging, platform), which is most of what a writing command adds to the
floor (benchmarks/RESULTS.md, "answer").
"""

from __future__ import annotations

import errno
import time
from pathlib import Path
from typing import Any

POLL = 0.05  # seconds between tries while another process holds the lock
# what flock / msvcrt.locking say when another process holds the lock; any other error
# (ENOLCK on a share without a lock service, ENOSYS …) is the file system's, not a wait
HELD = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


class LockBusy(Exception):
    """The lock was still held by someone else when the wait ran out."""


def acquire(path: Path, timeout: float) -> Any:
    """Take the lock on `path` (created if missing); `.close()` on the result releases it.

    Raises LockBusy after `timeout` seconds of waiting, OSError if the lock file cannot be
    opened (e.g. a read-only folder).
    """
    import zc.lockfile  # type: ignore[import-untyped]  # only writing commands pay for it

    deadline: float | None = None  # the clock is read only when the lock is held
    while True:
        try:
            return zc.lockfile.SimpleLockFile(str(path))
        except zc.lockfile.LockError as exc:
            _unless_held(exc)
            now = time.monotonic()
            deadline = now + timeout if deadline is None else deadline
            left = deadline - now
            if left <= 0:
                raise LockBusy(str(path)) from None
            time.sleep(min(POLL, left))


def _unless_held(exc: Exception) -> None:
    """zc.lockfile raises LockError from the OSError of flock / msvcrt.locking (as its
    context): an error that does not mean "held by another process" is raised as itself,
    at once, instead of waiting out the timeout and blaming a colleague."""
    cause = exc.__context__
    if isinstance(cause, OSError) and cause.errno is not None and cause.errno not in HELD:
        raise cause
