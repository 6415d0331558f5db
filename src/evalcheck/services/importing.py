"""Importing a filled workbook (a section form or the exported table) into the answers.

A cell's way from `evalcheck import` to the answers file, top to bottom:

1. `read_filled`: the workbook's cells, read once within the size guards (io/xlsx_read),
   and what its hidden sheet says it is (a leader's review workbook goes to review.py; a
   unit's form, whose hidden keys name the unit, is filed under that unit's answers file
   `单位/<单位名>/answers.yaml`, services/units.py);
2. `plan_import`: every row located by its hidden key and re-validated (io/xlsx_read),
   indicators filled twice (io/import_plan), the files the 佐证材料 cells name found
   beside the form: an `ImportPlan`, with everything refused listed;
3. `preview_import` (`--dry-run`) or `apply_import`: a plan with any refusal is refused
   whole; stale cells (io/import_plan) are refused unless `--overwrite-conflicts`; then,
   under the answers file's lock, the files are copied into the evidence store and every
   change is recorded as one change (answers/store, one `undo` reverts it).

Nothing here prints: the CLI renders what these return.
"""

import copy
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from evalcheck.answers.evidence import Evidence, FileOps, add_items, hash_file, is_url, sync
from evalcheck.answers.paths import store_root
from evalcheck.answers.store import Answers, now_iso
from evalcheck.errors import InputError
from evalcheck.infra.clock import today
from evalcheck.io.import_plan import (
    Conflict,
    Planned,
    conflicts,
    date_serial_notes,
    pending,
    twice_filled,
)
from evalcheck.io.xlsx_format import (
    Grid,
    check_meta,
    workbook_exported,
    workbook_final,
    workbook_kind,
    workbook_unit,
)
from evalcheck.io.xlsx_read import Change, check_unit, read_grid, read_workbook
from evalcheck.model.checklist import Indicator
from evalcheck.services.evidence import store_changes
from evalcheck.services.units import computed_for_units, unit_workspace
from evalcheck.services.workspace import Workspace
from evalcheck.state.findings import Finding, for_unit
from evalcheck.state.snapshot import Snapshot, take


class Filled(NamedTuple):
    """A filled workbook as read: its cells and what kind of workbook it says it is."""

    path: Path
    grid: Grid
    kind: str | None  # "export", "form", "unit", "review" (None: not written by evalcheck)
    unit: str | None = None  # a unit's form: the unit its answers are filed under


def read_filled(path: Path) -> Filled:
    """Read a workbook's cells once (the size guards run first)."""
    grid = read_grid(path)
    return Filled(path, grid, workbook_kind(grid), workbook_unit(grid))


def target_of(ws: Workspace, unit: str | None) -> Workspace:
    """The answers a workbook is imported into: the city's, or a unit's."""
    return ws if unit is None else unit_workspace(ws, unit)


@dataclass(frozen=True)
class ImportPlan:
    """What a workbook asks for, read and checked, nothing written yet."""

    path: Path
    sheets: list[str]  # the sheets read
    rows: int  # the indicator rows read
    changes: list[Change]  # one per indicator, repeats dropped
    sources: dict[int, list[str]] = field(default_factory=dict)  # files/links to add, by id
    refused: list[str] = field(default_factory=list)  # located reasons; any refuses all
    unit: str | None = None  # a unit's form: imported into that unit's answers file
    final: bool = False  # a --final total table (its values not yet final were left blank)
    # names of recorded files that a file of `sources` replaces (a new version), by id
    renewed: dict[int, tuple[str, ...]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # said, not refused (an unclear new version)


def plan_import(ws: Workspace, filled: Filled) -> ImportPlan:
    """Every row of the workbook read and re-validated, and the files its 佐证材料 cells
    name found beside it. Cells refused, files missing and indicators filled differently
    on two sheets are listed in `refused` (the plan is then never applied). A unit's
    form is read against the unit's answers."""
    fixed: dict[int, str] = {}
    if filled.unit is not None:
        check_meta(filled.grid, ws.checklist, filled.path)
        check_unit(ws.checklist, filled.unit, filled.path)
        fixed = {i: _follows_its_sources(ws.checklist.get(i)) for i in computed_for_units(ws)}
        ws = target_of(ws, filled.unit)
    result = read_workbook(filled.path, ws.checklist, filled.grid, fixed)
    changes, twice = twice_filled(result.changes)
    named = any(ch.evidence for ch in changes) or result.named or result.unchecked
    if not named:  # the answers are read only if a cell names files
        return ImportPlan(
            filled.path, result.sheets, result.rows, changes, {}, result.refused + twice,
            filled.unit, workbook_final(filled.grid),
        )  # fmt: skip
    answers, top = ws.answers(), filled.path.parent
    changes, sources, missing = _form_evidence(changes, answers, top)
    # a file beside the form may be a recorded one's new version
    form = (top, workbook_exported(filled.grid))
    changes, sources, notes = _renewals(changes, result.named, answers, form, sources)
    if result.unchecked:  # refused rows: their files are named too, nothing is taken
        missing += _form_evidence(result.unchecked, answers, top)[2]
    refused = result.refused + twice + missing
    renewed = _replaced_names(sources, answers)
    return ImportPlan(
        filled.path, result.sheets, result.rows, changes, sources, refused, filled.unit,
        workbook_final(filled.grid), renewed, notes,
    )  # fmt: skip


def _replaced_names(
    sources: Mapping[int, list[str]], answers: Answers
) -> dict[int, tuple[str, ...]]:
    """The recorded files that the files a form brings replace: same name, other content
    (add_items replaces a recorded file of the same name; one of the same content is no
    source at all)."""
    out: dict[int, tuple[str, ...]] = {}
    for ident, found in sources.items():
        recorded = {e.name for e in answers.evidence(ident) if e.kind == "file"}
        names = tuple(n for n in (Path(f).name for f in found if not is_url(f)) if n in recorded)
        if names:
            out[ident] = names
    return out


def _follows_its_sources(ind: Indicator) -> str:
    """Why a unit form's row of an indicator that follows its sources is refused."""
    from evalcheck.model import expr

    sources = "、".join(f"第{i}项" for i in expr.references(ind.formula or ""))
    return (
        f"第{ind.id}项由{sources}自动计算（{ind.formula}），单位不需要填报："
        "请把这一行改回原样（或清空），填好它的来源即可"
    )


class ImportPreview(NamedTuple):
    pending: list[Planned]  # (change, current answer, answer after the import)
    overridden: list[Conflict]  # stale cells taken from the form (--overwrite-conflicts)
    findings: "list[Finding]"  # rules the imported answers would break (as `answer` reports)
    notes: list[str]  # counts that look like dates the spreadsheet made (imported as they are)


def _years(ws: Workspace) -> range:
    """The years a date typed into a form may fall in: the evaluation year to today's."""
    year = ws.checklist.year
    return range(min(year, today().year), max(year, today().year) + 1)


def preview_import(ws: Workspace, plan: ImportPlan, *, overwrite: bool) -> ImportPreview:
    """What `apply_import` would change now (`import --dry-run`); nothing is written."""
    _refuse(plan)
    target = target_of(ws, plan.unit)
    snap = target.snapshot()
    found = _stale(snap, plan, overwrite=overwrite)
    trial = copy.deepcopy(target.answers())  # in memory only: the rules after the import
    changes = [_as_renewed(ch, plan.renewed.get(ch.ind.id, ()), trial) for ch in plan.changes]
    planned = pending(snap, changes)
    applied = apply_changes(take(ws.checklist, trial, today()), trial, changes, by="")
    notes = date_serial_notes(planned, _years(ws))
    return ImportPreview(planned, found, rule_findings(target, trial, applied), notes)


def _as_renewed(ch: Change, names: Sequence[str], answers: Answers) -> Change:
    """For a preview: the change with the files it replaces marked as new content (their
    digest unknown until copied), so that a row whose only change is a new version of a
    file is previewed as a change, as the import makes it one."""
    if not names:
        return ch
    from evalcheck.answers.evidence import named_items

    items = named_items(ch.evidence or (), answers.evidence(ch.ind.id))
    return ch._replace(
        items=tuple(e._replace(sha256=None) if e.name in names else e for e in items)
    )


class Imported(NamedTuple):
    done: list[Planned]  # (change, answer before, answer recorded)
    added: list[str]  # '第47项 佐证材料 +说明.pdf' for each file or link added
    overridden: list[Conflict]  # stale cells taken from the form (--overwrite-conflicts)
    findings: "list[Finding]"  # rules the imported answers break (as `answer` reports)
    notes: list[str]  # counts that look like dates the spreadsheet made (imported as they are)


def apply_import(ws: Workspace, plan: ImportPlan, *, by: str, overwrite: bool) -> Imported:
    """Apply the plan as one change, under the answers file's lock: the stale check runs
    again on the fresh answers, the files it carries are copied into the evidence store
    (rolled back if anything fails), rows equal to the current answer are skipped."""
    _refuse(plan)
    ws = target_of(ws, plan.unit)
    root = store_root(ws.answers_path)
    with store_changes() as ops, ws.writing() as answers:
        snap = take(ws.checklist, answers, today())
        found = _stale(snap, plan, overwrite=overwrite)  # under the lock: nothing written
        changes, incoming, added = _attach_evidence(
            plan.changes, plan.sources, answers, root, ops, by=by
        )
        done = apply_changes(snap, answers, changes, by=by)
        for ch, old, new in done:
            before = old.evidence if old is not None else ()
            sync(root, ch.ind.id, before, new.evidence, ops, incoming.get(ch.ind.id))
        findings = rule_findings(ws, answers, done)
    return Imported(done, added, found, findings, date_serial_notes(done, _years(ws)))


def rule_findings(ws: Workspace, answers: Answers, done: Sequence[Planned]) -> "list[Finding]":
    """What `answer` says of each changed answer (state.rules.answer_findings): the rules
    they break (each once, in rule order), values their formulas disagree with, after
    `carry` values far from last year's (in the order of the rows)."""
    if not done:
        return []
    from evalcheck.state.rules import answer_findings
    from evalcheck.state.snapshot import previous_for

    snap = take(ws.checklist, answers, today(), previous_for(ws.answers_path, ws.checklist))
    values = snap.effective_values()
    seen: dict[tuple[str, frozenset[int]], Finding] = {}
    for ch, _, _ in done:
        for f in answer_findings(snap, ch.ind.id, values):
            seen.setdefault((f.rule, frozenset(i.id for i in f.involved)), f)
    order = {r.id: n for n, r in enumerate(ws.checklist.rules)}
    found = sorted(seen.values(), key=lambda f: order.get(f.rule, len(order)))
    return for_unit(found, ws.answers_path, ws.checklist, getattr(ws, "unit", None))


def apply_changes(
    snap: Snapshot, answers: Answers, changes: Sequence[Change], *, by: str
) -> list[Planned]:
    """Record the changes as one change (one sequence number, so `undo` reverts it whole).

    `snap` is taken from `answers` (the fresh copy loaded under the lock). Rows equal to
    the current answer are skipped. Returns (change, old, new) for each applied row.
    """
    seq = answers.next_seq()
    done: list[Planned] = []
    for ch, old, new in pending(snap, changes):
        applied = answers.apply(
            ch.ind, value=new.value, na=new.na, note=new.note or "", evidence=new.evidence,
            by=by, action="import", seq=seq,
        )  # fmt: skip
        if applied is not None:
            done.append((ch, old, applied))
    return done


def _refuse(plan: ImportPlan) -> None:
    if plan.refused:
        raise InputError(
            f"{plan.path.name} 中有 {len(plan.refused)} 个单元格不合格，"
            "未导入任何内容（请修改后重新导入）：",
            details=plan.refused,
        )


def _stale(snap: Snapshot, plan: ImportPlan, *, overwrite: bool) -> list[Conflict]:
    """Stale cells (changed in the form and, since the export, in the answers too):
    refused, or returned when the user takes the form's values."""
    found = conflicts(snap, plan.changes, final=plan.final)
    if found and not overwrite:
        raise InputError(
            f"有 {len(found)} 处冲突：表格导出后这些答案已被修改，表格中又改了同一格。"
            "未导入任何内容。请核对后修改表格，或确认以表格为准时加 --overwrite-conflicts：",
            details=[c.describe() for c in found],
        )
    return found


# ---------------------------------------------------------------- forms carry evidence back

MAX_SEARCH_DEPTH = 3  # subfolders of the form's folder searched for a file named in a cell


def _form_evidence(
    changes: Sequence[Change], answers: Answers, form_dir: Path
) -> tuple[list[Change], dict[int, list[str]], list[str]]:
    """The changes with their 佐证材料 names as read (see `_names`), the files and links an
    imported form adds, per indicator, and what cannot be found.

    A name in the 佐证材料 column is an item already recorded (kept), a URL (a link), or
    a file beside the form: a path relative to the form's folder, else a file of that
    name in its subfolders (up to three levels; it must be the only one). Names never
    reach outside the form's folder.
    """
    out: list[Change] = []
    sources: dict[int, list[str]] = {}
    problems: list[str] = []
    top = form_dir.resolve()
    for ch in changes:
        if not ch.evidence:
            out.append(ch)
            continue
        recorded = {e.name: e for e in answers.evidence(ch.ind.id)}
        names: list[str] = []
        for raw in ch.evidence:
            for name, named in _names(raw.strip(), recorded, top):
                names.append(name)
                if named.problem is not None:
                    problems.append(f"{ch.where}：佐证材料“{name}”{named.problem}")
                elif named.source is not None:
                    sources.setdefault(ch.ind.id, []).append(named.source)
        out.append(ch._replace(evidence=tuple(names)))
    return out, sources, problems


def _renewals(
    changes: list[Change],
    named: Sequence[Change],
    answers: Answers,
    form: tuple[Path, str | None],
    explicit: Mapping[int, list[str]],
) -> tuple[list[Change], dict[int, list[str]], list[str]]:
    """New versions of recorded files: a file beside the form with the name of a file an
    indicator records and other content (a corrected version sent back under the same
    name) replaces it, as `evidence add` does — whether the row's 佐证材料 cell was typed
    into (`explicit`, the files found for changed cells) or left as exported (`named`:
    the row then becomes a change, or its change takes its evidence along). A new version
    that several indicators could be meant by (each its own 情况说明.pdf, say) replaces
    nothing and is said in the notes, as is one whose recorded file changed after the form
    was exported (`form`: its folder and that day): which of the two is right the form
    cannot say. Returns the changes, every file to add by id (new files as found, new
    versions that are clear), the notes."""
    form_dir, exported = form
    top = form_dir.resolve()

    def key(path: str) -> str:
        return path if is_url(path) else str(Path(path).resolve())

    def recorded(ident: int) -> dict[str, Evidence]:
        return {e.name: e for e in answers.evidence(ident)}

    found = _new_versions(named, answers, top)
    claims = _claims([*named, *(c for c in changes if c.evidence)], top)
    for ident, paths in [*explicit.items(), *((c.ind.id, p) for c, p in found)]:
        for path in paths:
            claims.setdefault(key(path), set()).add(ident)
    notes: dict[str, str] = {}

    def clear(ident: int, path: str) -> bool:
        """Not a new version, or one only `ident` names, of a file the form knew."""
        ids = sorted(claims[key(path)])
        item = None if is_url(path) else recorded(ident).get(Path(path).name)
        if item is None:
            return True
        changed = (item.at or "")[:10]
        if exported and changed > exported:
            notes[key(path)] = (
                f"第{ident}项的“{item.name}”在表格导出（{exported}）之后已更新（{changed}），"
                "表格旁的是另一份，不能确定哪一份是对的，未替换：要用表格旁的这一份，"
                f"请用 evalcheck evidence add {ident} 文件"
            )
            return False
        if len(ids) == 1:
            return True
        which = "、".join(map(str, ids))
        notes[key(path)] = (
            f"表格旁的“{Path(path).name}”与登记的同名文件内容不同，但第{which}项都写着这个"
            "文件名，不能确定是哪一项的新版本，未替换：请把新文件改名后写进对应行的佐证材料"
        )
        return False

    sources = {i: [p for p in paths if clear(i, p)] for i, paths in explicit.items()}
    out = list(changes)
    at = {c.ind.id: n for n, c in enumerate(out)}
    for ch, paths in found:
        clear_ones = [p for p in paths if clear(ch.ind.id, p)]
        if not clear_ones:
            continue
        sources[ch.ind.id] = clear_ones
        if ch.ind.id in at:  # the row changed otherwise: its change brings the file too
            out[at[ch.ind.id]] = out[at[ch.ind.id]]._replace(evidence=ch.evidence)
        else:
            out.append(ch)
    return out, {i: p for i, p in sources.items() if p}, list(notes.values())


def _claims(rows: Sequence[Change], top: Path) -> dict[str, set[int]]:
    """Each file directly in the form's folder (where a new version is looked for) that a
    佐证材料 cell names, with the indicators whose cells name it, whatever its content: a
    row naming the file beside the form as it is recorded claims it too."""
    claims: dict[str, set[int]] = {}
    for ch in rows:
        for raw in ch.evidence or ():
            for name in _listed(raw):
                found = None if is_url(name) else _inside(top / name, top)
                if isinstance(found, Path):
                    claims.setdefault(str(found), set()).add(ch.ind.id)
    return claims


def _new_versions(
    named: Sequence[Change], answers: Answers, top: Path
) -> list[tuple[Change, list[str]]]:
    """The cells among `named` that name a recorded file of which a file with other
    content lies in the form's folder, each with those files."""
    found: list[tuple[Change, list[str]]] = []
    for ch in named:
        mine = {e.name: e for e in answers.evidence(ch.ind.id)}
        newer = [
            str(path)
            for raw in ch.evidence or ()
            for name in _listed(raw)
            if name in mine and (path := _newer_version(mine[name], top / name, top))
        ]
        if newer:
            found.append((ch, newer))
    return found


def _listed(raw: str) -> list[str]:
    """An entry of a 佐证材料 cell, and its parts when it lists several ('a.pdf、b.pdf'):
    the names a recorded file may go by (no folder is searched)."""
    raw = raw.strip()
    parts = [p for p in LISTED.split(raw) if p]
    return list(dict.fromkeys([raw, *parts])) if len(parts) > 1 else [raw]


LISTED = re.compile(r"\s*[、，,]\s*")  # names a person listed in one line: a.pdf、b.pdf
WIDE_LISTED = re.compile(r"\s*[、，]\s*")  # after a link: never inside one
HOW_TO_LIST = "（几个文件请用换行或分号“；”分隔）"


class _Named(NamedTuple):
    """What one name in a 佐证材料 cell is."""

    source: str | None  # the file found beside the form, or a URL: to add
    problem: str | None  # why it cannot be taken


def _names(name: str, recorded: Mapping[str, Evidence], top: Path) -> list[tuple[str, _Named]]:
    """The names one entry of a 佐证材料 cell stands for, each with what it is. An entry
    that is no file but whose parts split at 、，, all are ('a.pdf、b.pdf') is those
    parts; a file whose name holds 、 is taken whole."""
    whole = _named(name, recorded, top)
    if whole.problem is None and not (is_url(name) and WIDE_LISTED.search(name)):
        return [(name, whole)]
    # a link followed by 、 or ，: a list (a URL has no full-width comma; an ASCII one it may)
    listed = (WIDE_LISTED if whole.problem is None else LISTED).split(name)
    parts = [p for p in listed if p]
    if len(parts) > 1:  # a name written twice is one file
        each = [(p, _named(p, recorded, top)) for p in dict.fromkeys(parts)]
        if all(named.problem is None for _, named in each):
            return each
        if whole.problem is not None:
            whole = whole._replace(problem=f"{whole.problem}{HOW_TO_LIST}")
    return [(name, whole)]


def _named(name: str, recorded: Mapping[str, Evidence], top: Path) -> _Named:
    """A recorded item (kept: nothing to add, unless a file of its name lies in the form's
    folder with other content: a new version), a URL, or a file beside the form."""
    if not name:
        return _Named(None, None)
    if name in recorded:
        newer = _newer_version(recorded[name], top / name, top)
        return _Named(str(newer) if newer is not None else None, None)
    if is_url(name):
        return _Named(name, None)
    found = _find_beside(name, top)
    return _Named(None, found) if isinstance(found, str) else _Named(str(found), None)


def _newer_version(item: Evidence, path: Path, top: Path) -> Path | None:
    """`path`, when it is a file in the form's folder (never through a link leading out)
    whose content differs from the recorded `item`'s; None when it is the same file, or
    not there (a recorded name needs no file beside the form)."""
    if item.kind != "file" or item.sha256 is None:
        return None
    try:
        found = _inside(path, top)
        if not isinstance(found, Path):
            return None
        if found.stat().st_size == item.size and hash_file(found)[0] == item.sha256:
            return None
    except OSError:
        return None
    return found


def _find_beside(name: str, top: Path) -> Path | str:
    """The file a 佐证材料 cell names, inside the form's folder `top`: the name is literal
    (``*.txt`` or ``[1].pdf`` is a file of that name, never a pattern), and neither the path
    nor a link may lead outside `top` (a symlink beside the form pointing at another
    folder is refused, not followed)."""
    rel = Path(name.replace("\\", "/"))
    if rel.is_absolute() or rel.drive or rel.root or ".." in rel.parts or "\0" in name:
        return "应为表格所在文件夹中的文件（不能是绝对路径或上级文件夹）"
    out = "是指向表格所在文件夹以外的链接（{}），不能作为佐证材料；请把文件本身放在表格旁边"
    direct = _inside(top / rel, top)
    if isinstance(direct, Path):
        return direct
    if direct == "outside":
        return out.format(rel)
    if len(rel.parts) > 1:  # a path given: that file, not one of its name elsewhere
        return f"在表格所在文件夹 {top} 中找不到"
    matches, outside, alike = _search(rel.name, top)
    if len(matches) == 1:
        return matches[0]
    if matches:
        where = "、".join(str(p.relative_to(top)) for p in matches[:5])
        example = matches[0].relative_to(top)
        return f"有多个同名文件（{where}），请在单元格中写出子文件夹，例如 {example}"
    if outside:
        return out.format(outside[0])
    if alike:
        return (
            f"在表格所在文件夹 {top} 及其子文件夹中找不到（有一个“{alike[0]}”：单元格里的"
            "文件名要与文件完全一致，包括大小写）"
        )
    return f"在表格所在文件夹 {top} 及其子文件夹中找不到"


def _search(name: str, top: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """Files called `name` in the form's folder and its subfolders (up to three levels):
    those inside it (sorted), links leading out of it, and names alike but for case (a
    hint: names are exact). A Mac writes names decomposed (NFD): compared composed."""
    matches: list[Path] = []
    outside: list[Path] = []
    alike: list[Path] = []
    wanted = unicodedata.normalize("NFC", name)
    for folder, dirs, files in os.walk(top):  # no pattern; links to folders not followed
        here = Path(folder)
        if len(here.relative_to(top).parts) >= MAX_SEARCH_DEPTH:
            dirs.clear()
        for file in files:
            same = unicodedata.normalize("NFC", file)
            if same != wanted:
                if same.lower() == wanted.lower():
                    alike.append((here / file).relative_to(top))
                continue
            found = _inside(here / file, top)
            if isinstance(found, Path):
                matches.append(found)
            elif found == "outside":
                outside.append((here / file).relative_to(top))
    return sorted(matches), outside, alike


def _inside(path: Path, top: Path) -> Path | str:
    """`path` resolved, when it is a file inside `top`; else "missing" or "outside"."""
    try:
        if not path.is_file():
            return "missing"
        real = path.resolve()
    except (OSError, ValueError):  # a name too long for the system, a NUL byte
        return "missing"
    return real if real.is_relative_to(top) else "outside"


def _attach_evidence(
    changes: Sequence[Change],
    sources: dict[int, list[str]],
    answers: Answers,
    root: Path,
    ops: FileOps,
    *,
    by: str,
) -> tuple[list[Change], dict[int, dict[str, Path]], list[str]]:
    """The changes with their evidence resolved to items (files copied, waiting to be
    placed by `sync`), the copied files per indicator, and what each added file did."""

    out: list[Change] = []
    incoming: dict[int, dict[str, Path]] = {}
    lines: list[str] = []
    at = now_iso()
    for ch in changes:
        current = answers.evidence(ch.ind.id)
        if ch.evidence is None:
            out.append(ch)
            continue
        items, report, files = add_items(
            root, ch.ind.id, current, sources.get(ch.ind.id, []), ops, by=by, at=at
        )
        incoming[ch.ind.id] = files
        lines.extend(
            f"第{ch.ind.id}项 佐证材料 {a.item.name} 换为新版本（旧版本可用 undo 恢复）"
            if a.outcome == "replaced"
            else f"第{ch.ind.id}项 佐证材料 +{a.item.name}"
            for a in report
            if a.outcome != "duplicate"
        )
        out.append(ch._replace(items=items))
    return out, incoming, lines
