"""Atomic file writes: temp file in the same folder, fsync, rename."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import suppress
from pathlib import Path

from .errors import WriteError, os_reason


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise WriteError(f"无法在 {folder} 写入文件：{os_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            hint = "（文件是否正在 Excel 等程序中打开？）" if _maybe_open(exc) else ""
            raise WriteError(f"无法写入 {path}：{os_reason(exc)}{hint}") from None
        raise


def _maybe_open(exc: OSError) -> bool:
    """Refusals that, on an office PC, usually mean the file is open in Excel or WPS."""
    import errno

    return getattr(exc, "winerror", None) is None and exc.errno in (
        errno.EACCES,
        errno.EPERM,
        errno.EBUSY,
    )


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask.

    mkstemp creates files readable by their owner only; an answers file in a shared
    folder must stay readable and writable by the team as before.
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))
