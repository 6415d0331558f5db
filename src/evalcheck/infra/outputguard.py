"""An output never lands on an input: one check for every file the tool writes.

Every file a command reads is noted here as it is read (`note_input`, called by the
readers in safepath.py), and the files a year's work keeps (the answers file, its lock,
last year's values, the evidence store, the checklist) are named by providers the CLI
registers (`keep`). `refuse_onto_input` compares an output path with all of them, as
the operating system sees files: symlinks resolved, the same inode (a hard link or a
case-insensitive file system's other spelling), and, on Windows and macOS, names that
differ only in case. `atomic_write_bytes` calls it for every output, so `list --output
answers.yaml`, `export indicators.yaml --force`, a review workbook or a split form
written onto an input are refused before anything is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from evalcheck.errors import InputError

Named = tuple[Path, str]  # a file and what it is, as a user reads it (答案文件 …)
ANSWERS = "答案文件"
MAPPING = "上年对照文件"

_inputs: dict[str, Named] = {}
_kept: list[Callable[[], Iterable[Named]]] = []
_folders: list[Callable[[], Iterable[Named]]] = []  # folders the tool manages as a whole


def case_insensitive() -> bool:
    """Do file names differ only in case name the same file here (Windows, macOS)?"""
    return sys.platform in ("win32", "darwin")


def _key(path: Path) -> str:
    real = os.path.realpath(path)
    real = os.path.normcase(real)
    return real.casefold() if case_insensitive() else real


def reset() -> None:
    """Forget every input and provider (each CLI run starts afresh)."""
    _inputs.clear()
    _kept.clear()
    _folders.clear()


def note_input(path: Path, what: str) -> None:
    """`path` was read by this command: no output may replace it."""
    _inputs.setdefault(_key(path), (path, what))


@contextmanager
def reading_target(path: Path) -> Iterator[None]:
    """Read the output `path` only to decide whether it may be replaced (an earlier
    export): that read does not make it an input (anything read before still is)."""
    key = _key(path)
    known = key in _inputs
    try:
        yield
    finally:
        if not known:
            _inputs.pop(key, None)


def keep(files: Callable[[], Iterable[Named]], folders: Callable[[], Iterable[Named]]) -> None:
    """Files the tool keeps (whether or not this command read them), and managed folders."""
    _kept.append(files)
    _folders.append(folders)


def _inode(path: Path) -> tuple[int, int] | None:
    """The file's device and inode, or None (no such file, or a system without inodes)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st.st_ino != 0 else None


class _Target:
    """An output path, resolved and stat'ed once however many inputs it is compared with."""

    def __init__(self, path: Path) -> None:
        self.key = _key(path)
        self.inode = _inode(path)

    def is_file(self, other: Path, other_key: str | None = None) -> bool:
        """Is `other` (whose _key may be given) this file: the same resolved name, or the
        same inode?"""
        if (other_key or _key(other)) == self.key:
            return True
        return self.inode is not None and _inode(other) == self.inode

    def inside(self, folder: Path) -> bool:
        f = _key(folder)
        return self.key == f or self.key.startswith(f.rstrip(os.sep) + os.sep)


def same_file(a: Path, b: Path) -> bool:
    """Do two paths name one file: resolved, case-folded where the system folds, one inode."""
    return _Target(a).is_file(b)


def inside(path: Path, folder: Path) -> bool:
    """Is `path` (resolved) within `folder` (resolved), or the folder itself?"""
    return _Target(path).inside(folder)


def _gather(providers: list[Callable[[], Iterable[Named]]]) -> list[Named]:
    out: list[Named] = []
    for provider in providers:
        try:
            out.extend(provider())
        except Exception:  # a path that cannot be worked out is not an input we protect
            continue
    return out


def refuse_onto_input(
    output: Path, extra: Iterable[Named] = (), *, replacing: str | None = None
) -> None:
    """Refuse (InputError, exit code 3) an output that would replace a file we read or keep.

    `extra` adds the command's own inputs (e.g. the table `checklist-import` reads).
    `replacing` is what the write is meant to replace (ANSWERS when the store saves): files
    of that kind are let through, every other kind still refuses. Nothing has been
    written when this raises.
    """
    target = _Target(output)
    candidates: list[tuple[Path, str, str | None]] = [
        *((path, what, None) for path, what in extra),
        *((path, what, key) for key, (path, what) in _inputs.items()),  # keyed when read
        *((path, what, None) for path, what in _gather(_kept)),
    ]
    for path, what, key in candidates:
        if what != replacing and target.is_file(path, key):
            raise InputError(
                f"不能写入 {output}：它就是{what} {path}，写入会覆盖它（未做任何修改）；"
                "请换一个输出文件名"
            )
    for folder, what in _gather(_folders):
        if what != replacing and target.inside(folder):
            raise InputError(
                f"不能写入 {output}：它在{what} {folder} 中，那里的文件由 evalcheck 管理"
                "（未做任何修改）；请换一个输出位置"
            )


def refuse_folder(path: Path, example: str) -> None:
    """An output named by a folder: said at once (no --force makes it a file). `example`:
    a file name to suggest ('report.xlsx')."""
    if path.is_dir():
        raise InputError(f"“{path}”是一个文件夹，请给出文件名，例如 {path / example}")


def check_export_target(path: Path, example: str) -> None:
    """An export's file name: not a folder, in a folder that exists (and is one).
    `example`: a file name to suggest ('report.xlsx')."""
    refuse_folder(path, example)
    if not path.parent.exists():
        raise InputError(f"文件夹“{path.parent}”不存在")
    if not path.parent.is_dir():
        raise InputError(f"“{path.parent}”是一个文件，不是文件夹")
