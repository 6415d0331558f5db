"""Reminder letters as files: one per recipient in a folder (`remind --output DIR`); a
recipient with letters of several tiers (督办 and 待审核) gets them in one file.

All or nothing: every target is checked (not an input the tool keeps, not an existing
file unless `force`) before the first one is written. Nothing here prints.
"""

import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from evalcheck.errors import InputError, WriteError
from evalcheck.infra.fileio import atomic_write_bytes, replace_refusal
from evalcheck.infra.outputguard import refuse_onto_input
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


def _check_targets(targets: Sequence[Path], *, force: bool) -> None:
    """Every letter's file checked before the first is written (see write_letters)."""
    for target in targets:
        refuse_onto_input(target)
    folders = [str(t) for t in targets if t.is_dir()]
    if folders:  # no --force makes a folder a file: said at once
        raise InputError(
            "以下提醒文件的位置上是同名的文件夹，未做任何修改（请改名或移走）：", details=folders
        )
    existing = [str(t) for t in targets if t.exists() or t.is_symlink()]
    if existing and not force:
        raise InputError(
            "以下提醒文件已存在，未做任何修改；确认要覆盖请加 --force（或换一个文件夹）：",
            details=existing,
        )
    refused = [why for t in targets if t.exists() and (why := replace_refusal(t))]
    if refused:
        raise WriteError(
            f"有 {len(refused)} 份提醒文件无法覆盖，未写入任何提醒（请处理后重试）：",
            details=refused,
        )


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
    _check_targets([t for t, _, _ in files], force=force)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for target, to, group in files:
        text = SEPARATOR.join(x.text for x in group)
        atomic_write_bytes(target, output_bytes(text, "text"))
        out.append(Written(target, to, [x.label for x in group]))
    return out
