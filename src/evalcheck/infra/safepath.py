"""Files that are not what they seem: FIFOs, devices, folders, symlinks, read-only files.

Reading: only a regular file is read, and only up to a size limit (a FIFO would block
forever, /dev/zero would fill memory). Writing: `check_target` is called before the
lock is taken, so that the lock and the temp file sit beside the real file and nothing
is created where it should not be (an unmounted share must not get a local copy).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from evalcheck.errors import DataError, InputError, WriteError, os_reason

MAX_YAML_BYTES = 64 * 1024 * 1024  # a checklist of 10,000 indicators is 2.7 MB


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "文件夹"
    if stat.S_ISFIFO(mode):
        return "命名管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def read_regular(path: Path, what: str, *, limit: int = MAX_YAML_BYTES) -> bytes:
    """The bytes of a regular file (symlinks followed); FileNotFoundError when missing.

    Anything else (a folder, FIFO, device) or a file over `limit` bytes is a DataError
    naming the file and what it is. The file is noted as an input (outputguard.py).
    """
    from evalcheck.infra.outputguard import note_input

    note_input(path, what)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DataError(f"无法读取{what} {path}：{os_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{what} {path} 是{_kind(st.st_mode)}，不是普通文件，未读取")
    if st.st_size > limit:
        raise DataError(
            f"{what} {path} 有 {st.st_size // 1024 // 1024} MB，"
            f"超过 {limit // 1024 // 1024} MB 的上限，未读取"
        )
    try:
        with open(path, "rb") as f:
            # as much as the file holds (a read of `limit` bytes would reserve them all)
            data = f.read(st.st_size + 1)
            if len(data) > st.st_size:  # it grew since: on, up to the limit
                data += f.read(limit + 1 - len(data))
    except OSError as exc:
        raise DataError(f"无法读取{what} {path}：{os_reason(exc)}") from None
    if len(data) > limit:  # grew while we read it
        raise DataError(f"{what} {path} 超过 {limit // 1024 // 1024} MB 的上限，未读取")
    return data


def check_input_file(path: Path, what: str) -> None:
    """A file given to read (a workbook, a table): it must exist and be a regular file.

    It is noted as an input: no output of this command may replace it (outputguard.py).
    """
    from evalcheck.infra.outputguard import note_input

    note_input(path, what)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    except OSError as exc:
        raise InputError(f"无法读取{what} {path}：{os_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path} 是{_kind(st.st_mode)}，不是{what}文件")


def check_target(path: Path) -> Path:
    """The path to write the answers to (a symlink resolved to its target), checked first.

    Refused with WriteError (exit code 5), before any lock or temp file is made: a
    folder that does not exist (no folder chain is created), a target that is not a
    regular file, a read-only file, a folder we cannot write in.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise WriteError(
            f"答案文件所在的文件夹 {folder} 不存在（共享盘是否已连接？），未写入。"
            "请先建立文件夹或用 --answers 指定正确的路径"
        )
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteError(f"无法写入 {target}：{os_reason(exc)}") from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise WriteError(f"答案文件 {target} 是{_kind(st.st_mode)}，不是普通文件，未写入")
        # no write bit at all is "read-only" even for an administrator (who os.access
        # would let through): the file's owner meant it not to change
        if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
            raise WriteError(f"答案文件 {target} 是只读的，未写入（请检查文件属性或权限）")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteError(f"没有在文件夹 {folder} 中写入的权限，未写入")
    return target
