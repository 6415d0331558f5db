"""Atomic file writes: temp file in the same folder, fsync, rename.

On Windows the rename is refused for a moment whenever antivirus, the search indexer or a
colleague's read holds the target (WinError 5 "access denied" / 32 "sharing violation"):
the rename is retried with backoff before giving up, and when it does give up the message
says why (the file is read-only, or Excel/WPS has it open — and who), and no temp file is
left behind, not even a read-only one.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from evalcheck.errors import InputError, WriteError, os_reason

ENV_RETRIES = "EVALCHECK_REPLACE_RETRIES"
# backoff between attempts, in seconds: 8 tries over about 2.5 s
BACKOFF = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.6, 0.75)
TRANSIENT_WINERRORS = {5, 32, 33}  # access denied, sharing violation, lock violation


def atomic_write_bytes(path: Path, data: bytes, *, replacing: str | None = None) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file.

    An output onto a file the tool reads or keeps is refused first (outputguard.py);
    `replacing` names the one kind of kept file this write is meant to replace (the
    answers file when the store saves, 对应文件 when carry rewrites the mapping).
    """
    import tempfile  # here: reading commands import this module (new_file_mode), not tempfile

    from evalcheck.infra.outputguard import refuse_onto_input

    refuse_onto_input(path, replacing=replacing)
    if is_read_only(path):  # Windows refuses to replace it; Linux would, without a word
        raise WriteError(read_only_refusal(path))
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
        _replace_with_retries(tmp, path)
    except BaseException as exc:
        _remove(tmp)
        if isinstance(exc, OSError):
            raise WriteError(explain_refusal(path, exc)) from None
        raise


def _replace_with_retries(tmp: str, path: Path) -> None:
    delays = BACKOFF[: _retries()]
    for delay in (*delays, None):
        try:
            os.replace(tmp, path)
            return
        except PermissionError as exc:
            if delay is None or not is_transient(exc) or is_read_only(path):
                raise  # a read-only target will not pass in a moment
            time.sleep(delay)


def _retries() -> int:
    try:
        return max(0, int(os.environ.get(ENV_RETRIES, str(len(BACKOFF)))))
    except ValueError:
        return len(BACKOFF)


def is_transient(exc: OSError) -> bool:
    """A refusal that may pass in a moment (Windows' sharing violations and friends).

    On POSIX a PermissionError on rename means the folder is not writable: final.
    """
    winerror = getattr(exc, "winerror", None)
    if winerror is not None:
        return winerror in TRANSIENT_WINERRORS
    return False


def explain_refusal(path: Path, exc: OSError) -> str:
    """A Chinese message saying why `path` could not be replaced, and what to do."""
    from evalcheck.infra.sharing import owner_of_open_file

    reason = os_reason(exc)
    if is_read_only(path):
        return read_only_refusal(path)
    who = owner_of_open_file(path)
    if who is not None:
        by = f"（{who}）" if who else ""
        return f"无法写入 {path}：文件正在 Excel 或 WPS 中打开{by}；请先关闭该文件再试"
    if isinstance(exc, PermissionError) and is_transient(exc):
        return (
            f"无法写入 {path}：文件被其他程序占用（已重试 {len(BACKOFF[: _retries()])} 次），"
            f"可能是 Excel/WPS、杀毒软件或同步程序；请关闭占用它的程序后再试"
        )
    hint = "（文件是否正在 Excel 等程序中打开？）" if isinstance(exc, PermissionError) else ""
    return f"无法写入 {path}：{reason}{hint}"


def replace_refusal(path: Path) -> str | None:
    """Why an existing output file (a form, a review workbook, a reminder) cannot be
    replaced now, or None: check_batch asks it of every file of a batch."""
    from evalcheck.infra.sharing import owner_of_open_file

    if is_read_only(path):
        return f"{path}：文件是只读的（请在文件“属性”中取消“只读”）"
    who = owner_of_open_file(path)
    if who is not None:
        return f"{path}：正在 Excel 或 WPS 中打开" + (f"（{who}）" if who else "") + "，请先关闭"
    try:
        with open(path, "r+b"):
            pass  # Windows refuses this while another program has the file open
    except PermissionError:
        return f"{path}：被其他程序占用（Excel/WPS 或同步程序？），请先关闭"
    except OSError as exc:
        return f"{path}：{os_reason(exc)}"
    return None


def check_batch(
    targets: Sequence[Path], *, force: bool, what: str, kept: str = "", hint: str = ""
) -> None:
    """Every file of a batch of outputs (forms, review workbooks, reminders) checked before
    the first is written: none onto an input; no folder in a file's place (said at once, as
    no --force makes it a file); an existing one replaced only with --force, and only when
    it can be (read-only, open in Excel/WPS: replace_refusal). `what` names the
    files (表格), `kept` what an existing one may hold, `hint` another way out."""
    from evalcheck.infra.outputguard import refuse_onto_input

    for target in targets:
        refuse_onto_input(target)
    folders = [str(p) for p in targets if p.is_dir()]
    if folders:
        raise InputError(
            f"以下{what}的位置上是同名的文件夹，未做任何修改（请改名或移走）：", details=folders
        )
    existing = [p for p in targets if p.exists() or p.is_symlink()]
    if existing and not force:
        raise InputError(
            f"以下{what}已存在，{kept}未做任何修改；确认要覆盖请加 --force{hint}：",
            details=[str(p) for p in existing],
        )
    refused = [why for p in existing if (why := replace_refusal(p))]
    if refused:
        raise WriteError(
            f"有 {len(refused)} 份{what}无法覆盖，未写入任何{what}（请处理后重试）：",
            details=refused,
        )


def read_only_refusal(path: Path) -> str:
    """Why a read-only file is not replaced, and what to do (one wording everywhere)."""
    return (
        f"无法写入 {path}：文件是只读的（微信等收到的文件常被设为只读）；"
        f"请在文件“属性”中取消“只读”，或另存一份后再试"
    )


def is_read_only(path: Path) -> bool:
    """The target exists and has no write permission (Windows' read-only attribute)."""
    try:
        st = path.stat()
    except OSError:
        return False
    attrs = getattr(st, "st_file_attributes", 0)
    if attrs & getattr(stat, "FILE_ATTRIBUTE_READONLY", 1):
        return True
    return not st.st_mode & stat.S_IWUSR


def _remove(tmp: str) -> None:
    """Delete the temp file, making it writable first (Windows won't delete a read-only one)."""
    with suppress(OSError):
        os.chmod(tmp, stat.S_IWUSR | stat.S_IRUSR)
    with suppress(OSError):
        os.unlink(tmp)


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a new file gets under the umask.

    mkstemp creates files readable by their owner only; an answers file in a shared
    folder must stay readable and writable by the team as before.
    """
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return new_file_mode()


def new_file_mode() -> int:
    """What a new file gets in its folder under the umask (0o666 & ~umask): what a file
    saved by any other program there gets, so that colleagues sharing the folder can read
    it. mkstemp's files are the owner's only (0o600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path: Path, text: str, *, replacing: str | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), replacing=replacing)
