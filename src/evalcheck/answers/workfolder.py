"""A work folder for one year's evaluation (evalcheck init): pure file operations.

    2022测评/
      indicators.yaml   a copy of the checklist, to edit (commands run here use it)
      科室表格/          forms sent to sections (export --split 科室表格)
      佐证材料/          evidence files
      answers.yaml      created by the first answer, not here: it records which
                        checklist it belongs to, and the copy may still be edited

Nothing existing is overwritten or changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from evalcheck.errors import InputError, WriteError, os_reason
from evalcheck.model.checklist import Checklist
from evalcheck.model.kinds import sample
from evalcheck.model.loading import WORK_CHECKLIST, load_checklist, read_checklist_bytes

FORMS_DIR = "科室表格"
EVIDENCE_DIR = "佐证材料"


class Entry(NamedTuple):
    name: str  # relative to the work folder; folders end in "/"
    created: bool  # False: it was there already and was left alone


class Example(NamedTuple):
    """What init's next steps show, taken from the checklist in use (not the bundled one's)."""

    section: str | None  # for `list -s`; None: no indicator names a section
    answer: tuple[int, str] | None  # (id, value) for `answer N --value V`; None: none fits
    units: bool = False  # the checklist names units (区县): `export --units` applies too


class Created(NamedTuple):
    folder_created: bool
    entries: list[Entry]
    example: Example = Example(None, None)


def example_of(checklist: Checklist) -> Example:
    """The first indicator that is typed in (no formula, not filled by the units) and whose
    kind has a plain value it accepts ('312', '是'), and its section (else the first
    section an indicator names)."""
    units = checklist.units
    chosen = next(
        (
            (ind, value)
            for ind in checklist.indicators
            if ind.formula is None
            and not (units is not None and units.is_collected(ind.id))
            and (value := sample(ind)) is not None
        ),
        None,
    )
    named = [ind.section for ind in checklist.indicators if ind.section is not None]
    section = chosen[0].section if chosen is not None and chosen[0].section else None
    return Example(
        section or (named[0] if named else None),
        (chosen[0].id, chosen[1]) if chosen is not None else None,
        units is not None and bool(units.ids),  # units named, and something to send them
    )


def create_work_folder(folder: Path, source: Path) -> Created:
    """Create `folder` with a copy of the checklist at `source` (validated first)."""
    checklist = load_checklist(source)  # an invalid one is refused before anything is made
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} 已存在且是文件，不是文件夹；请换一个名字")
    folder_created = not folder.is_dir()
    if folder_created:
        _mkdir(folder, "")
    entries = []
    target = folder / WORK_CHECKLIST
    if target.exists():
        entries.append(Entry(WORK_CHECKLIST, False))
    else:
        from evalcheck.infra.fileio import atomic_write_bytes

        atomic_write_bytes(target, read_checklist_bytes(source))
        entries.append(Entry(WORK_CHECKLIST, True))
    entries += [_mkdir(folder, FORMS_DIR), _mkdir(folder, EVIDENCE_DIR)]
    return Created(folder_created, entries, example_of(checklist))


def _mkdir(folder: Path, name: str) -> Entry:
    path = folder / name if name else folder
    if path.is_dir():
        return Entry(f"{name}/" if name else "", False)
    try:
        path.mkdir(parents=True)
    except OSError as exc:
        raise WriteError(f"无法创建文件夹 {path}：{os_reason(exc)}") from None
    return Entry(f"{name}/" if name else "", True)


def stray_answers_note(answers_path: Path, *, chosen: bool, checklist_source: str) -> str | None:
    """What to say when a write has just created an answers file outside a work folder.

    Outside a work folder means: the answers file was not chosen (no --answers, no
    EVALCHECK_ANSWERS) and no checklist was either: the folder has no indicators.yaml and
    the bundled list is used. That is how a first try in an empty folder looks (the
    README's three examples), and also how an answer typed in the wrong folder
    (Downloads) looks; so the write goes ahead, and this note says where it went and how
    to make the folder a work folder. See docs/commands.md#init.
    """
    if chosen or checklist_source != "bundled":
        return None
    where = answers_path if answers_path.is_absolute() else Path.cwd() / answers_path
    return (
        f"注意：这里不是工作文件夹，答案写入了新建的 {where}（用随附的清单）；"
        "要在这里建工作文件夹请运行 evalcheck init"
    )
