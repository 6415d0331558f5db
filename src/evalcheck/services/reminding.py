"""Reminder letters as files: one per recipient in a folder (`remind --output DIR`); a
recipient with letters of several tiers (督办 and 待审核) gets them in one file.

All or nothing: every target is checked (not an input the tool keeps, not an existing
file unless `force`) before the first one is written. Nothing here prints.
"""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from evalcheck.errors import InputError
from evalcheck.infra.fileio import atomic_write_bytes, check_batch
from evalcheck.views.render import output_bytes


class Letter(NamedTuple):
    label: str  # 提醒, 催办, 退回重填, 督办, 待审核, 未报送 …
    to: str  # the recipient: a section, a leader or a unit
    text: str


SEPARATOR = "\n\n" + "-" * 40 + "\n\n"


class Written(NamedTuple):
    path: Path
    to: str
    labels: list[str]  # the tiers of the letters in the file


def letter_filename(year: int, to: str) -> str:
    """'2021测评提醒_审批监管科.txt': the year and the recipient (safe on Windows)."""
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", to)
    return f"{year}测评提醒_{safe}.txt"


def stale_letters(folder: Path, year: int, written: Sequence[Written]) -> list[Path]:
    """Letters of this year in `folder` that this run did not write: their recipients have
    nothing to be reminded of now, so what they say is out of date."""
    fresh = {w.path.name for w in written}
    try:
        found = sorted(folder.glob(f"{year}测评提醒_*.txt"))
    except OSError:
        return []
    return [p for p in found if p.name not in fresh and p.is_file()]


def write_letters(
    folder: Path, year: int, letters: Sequence[Letter], *, force: bool = False
) -> list[Written]:
    """Write each recipient's letters to a file of its own in `folder` (created if missing)."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} 已存在且是文件，不是文件夹；请换一个文件夹名")
    by_to: dict[str, list[Letter]] = {}
    for letter in letters:
        by_to.setdefault(letter.to, []).append(letter)
    files = [(folder / letter_filename(year, to), to, group) for to, group in by_to.items()]
    check_batch([t for t, _, _ in files], force=force, what="提醒文件", hint="（或换一个文件夹）")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for target, to, group in files:
        text = SEPARATOR.join(x.text for x in group)
        atomic_write_bytes(target, output_bytes(text, "text"))
        out.append(Written(target, to, [x.label for x in group]))
    return out
