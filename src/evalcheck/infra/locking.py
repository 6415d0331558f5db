"""An exclusive lock on a lock file, shared between processes and computers.

The locking itself is zc.lockfile's (Zope Foundation; ZODB's lock): `fcntl.flock` on
POSIX, `msvcrt.locking` of the first byte on Windows — the same primitives filelock uses,
so a lock held by either library is seen by the other. zc.lockfile only tries once; the
wait (poll until a deadline) is here. It imports in ≈ 2 ms against filelock's ≈ 20 ms
(secrets, hmac, logging, platform), which is most of what a writing command adds to the
floor (benchmarks/RESULTS.md, "answer").
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

POLL = 0.05  # seconds between tries while another process holds the lock


class LockBusy(Exception):
    """The lock was still held by someone else when the wait ran out."""


def acquire(path: Path, timeout: float) -> Any:
    """Take the lock on `path` (created if missing); `.close()` on the result releases it.

    Raises LockBusy after `timeout` seconds of waiting, OSError if the lock file cannot be
    opened (e.g. a read-only folder).
    """
    import zc.lockfile  # type: ignore[import-untyped]  # only writing commands pay for it

    deadline = time.monotonic() + timeout
    while True:
        try:
            return zc.lockfile.SimpleLockFile(str(path))
        except zc.lockfile.LockError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise LockBusy(str(path)) from None
            time.sleep(min(POLL, left))
