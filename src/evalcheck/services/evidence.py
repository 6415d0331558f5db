"""Evidence use cases: `evidence add`, `evidence rm`, `evidence migrate` and `evidence
check`, each one function over a workspace, and the store changes that follow the answers
(`store_changes`, `follow_undo`).

answers/evidence.py knows items and the store folder; this module ties them to the answers.
No typer, no rich.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.evidence import (
    Added,
    Evidence,
    FileOps,
    add_items,
    check_item,
    leftovers,
    remove_item,
    safe_name,
    sync,
    unique_name,
    unrecorded,
)
from evalcheck.answers.paths import store_root
from evalcheck.answers.store import Answers, State, now_iso
from evalcheck.errors import EvalcheckError, os_reason
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.services.workspace import Workspace
from evalcheck.state.snapshot import base_folder, evidence_state

# ---------------------------------------------------------------- changes


@contextmanager
def store_changes() -> Iterator[FileOps]:
    """File changes in the store that are undone if anything in the block fails.

    Use it outside the answers transaction, so that a failed save also rolls them back:
    ``with store_changes() as ops, ws.writing() as answers: ...``
    """
    ops = FileOps()
    try:
        yield ops
    except BaseException:
        ops.rollback()
        raise
    ops.cleanup()


class EvidenceAdded(NamedTuple):
    ind: Indicator
    state: State | None  # None: nothing new (every file a duplicate)
    report: list[Added]  # what became of each source, in order
    # the verdict the answer had ("approved", "returned"), when the change made it pending
    # again: changed evidence needs the leader again
    reopened: str | None = None


def add_evidence(ws: Workspace, ident: int, sources: Sequence[str], *, by: str) -> EvidenceAdded:
    """`evidence add`: copy files in and record them, links as links, in one undoable
    change; a file with the sha256 of one already recorded is skipped."""
    ind = ws.checklist.get(ident)
    root = store_root(ws.answers_path)
    with store_changes() as ops, ws.writing() as answers:
        current = answers.evidence(ind.id)
        was = _verdict(ws.checklist, answers.state(ind.id))
        items, report, incoming = add_items(
            root, ind.id, current, sources, ops, by=by, at=now_iso()
        )
        st = answers.set_evidence(ind, items, by=by)
        if st is not None:
            sync(root, ind.id, current, items, ops, incoming)
    return EvidenceAdded(ind, st, report, was if st is not None else None)


def _verdict(checklist: Checklist, st: State | None) -> str | None:
    """The verdict before this change ("approved", "returned" or None): any change to a
    reviewed answer, its evidence included, makes it pending again (answers/review.py)."""
    return st.review if checklist.review and st is not None else None


class EvidenceRemoved(NamedTuple):
    ind: Indicator
    state: State | None
    gone: Evidence
    reopened: str | None = None  # as EvidenceAdded.reopened


def remove_evidence(ws: Workspace, ident: int, name: str, *, by: str) -> EvidenceRemoved:
    """`evidence rm`: the item leaves the answer, its file moves to the removed folder
    (undo brings it back)."""
    ind = ws.checklist.get(ident)
    root = store_root(ws.answers_path)
    with store_changes() as ops, ws.writing() as answers:
        current = answers.evidence(ind.id)
        was = _verdict(ws.checklist, answers.state(ind.id))
        items, gone = remove_item(current, name)
        st = answers.set_evidence(ind, items, by=by)
        sync(root, ind.id, current, items, ops)
    return EvidenceRemoved(ind, st, gone, was if st is not None else None)


def follow_undo(
    done: Sequence[tuple[int, State, State, State]], root: Path, ops: FileOps
) -> list[str]:
    """Make the store follow an undo; returns 'id: name' of files that could not come back."""
    lost: list[str] = []
    for ident, _change, current, restored in done:
        if current.evidence != restored.evidence:
            for name in sync(root, ident, current.evidence, restored.evidence, ops):
                lost.append(f"第{ident}项 {name}")
    return lost


class Migrated(NamedTuple):
    ident: int
    path: str
    item: Evidence | None  # None: the file was not found, the path is kept


def migrate_evidence(ws: Workspace, *, by: str) -> list[Migrated]:
    """`evidence migrate` (see `migrate`), in one transaction."""
    root = store_root(ws.answers_path)
    with store_changes() as ops, ws.writing() as answers:
        return migrate(answers, ws.checklist, root, ops, by=by)


def migrate(
    answers: Answers, checklist: Checklist, root: Path, ops: FileOps, *, by: str
) -> list[Migrated]:
    """Copy files recorded as paths by evalcheck 0.1 into the store (one undoable change).

    Paths are looked up as written, then relative to the answers file's folder. A path
    that cannot be found is kept and reported, never dropped.
    """
    base = base_folder(answers)
    seq = answers.next_seq()
    out: list[Migrated] = []
    for ident, rec in sorted(answers.records.items()):
        current = rec.current.evidence
        if not any(e.kind == "path" for e in current) or not checklist.has(ident):
            continue
        items = list(current)
        incoming: dict[str, Path] = {}
        for pos, e in enumerate(current):
            if e.kind != "path":
                continue
            src = _find_legacy(e.name, base)
            if src is None:
                out.append(Migrated(ident, e.name, None))
                continue
            tmp, digest, size = ops.copy_in(src, root / str(ident))
            taken = [x.name for x in items if x.kind == "file"]
            name = unique_name(safe_name(src.name), taken)
            item = Evidence(name, "file", size, digest, now_iso(), by)
            items[pos] = item
            incoming[name] = tmp
            out.append(Migrated(ident, e.name, item))
        if incoming:
            answers.set_evidence(checklist.get(ident), items, by=by, seq=seq)
            sync(root, ident, current, items, ops, incoming)
    return out


def _find_legacy(text: str, base: Path) -> Path | None:
    p = Path(text)
    for candidate in (p, base / p) if not p.is_absolute() else (p,):
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------- evidence check


class Finding(NamedTuple):
    kind: str  # lacking | missing | changed | unreadable | legacy | link | unrecorded | leftover
    ind: Indicator
    name: str  # the item's name (empty for "lacking")
    detail: str

    @property
    def is_problem(self) -> bool:
        return self.kind in PROBLEMS

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.ind.id,
            "section": self.ind.section,
            "name": self.name,
            "detail": self.detail,
        }


FINDING_LABELS = {
    "lacking": "缺少佐证材料",
    "missing": "文件缺失",
    "changed": "文件已变化",
    "unreadable": "文件无法读取",
    "legacy": "旧版路径未收入",
    "link": "链接（请人工核对）",
    "unrecorded": "未登记的文件",
    "leftover": "中断留下的临时文件",
}
PROBLEMS = ("lacking", "missing", "changed", "unreadable", "legacy")


def check_evidence(
    ws: Workspace, indicators: Sequence[Indicator]
) -> list[tuple[str, list[Finding]]]:
    """`evidence check` over the saved answers (see `check`), and the partial copies a
    killed `evidence add` left: removed under the answers file's lock (so never a copy
    another person's add is making right now), or reported when the lock is busy."""
    root = store_root(ws.answers_path)
    answers = ws.answers()
    groups = check(ws.checklist, answers, root, indicators)
    left = [
        (ind, p)
        for ind in indicators
        for p in leftovers(root, ind.id)
        if p.name not in {e.name for e in answers.evidence(ind.id)}  # recorded: never one
    ]
    if not left:
        return groups
    why = "上次收入佐证材料时被中断留下的临时文件"
    try:
        with ws.writing() as locked:
            removed = []
            for ind, p in left:
                if p.name in {e.name for e in locked.evidence(ind.id)}:
                    continue  # recorded meanwhile (by a command that held the lock)
                if p.exists():
                    p.unlink()
                removed.append((ind, p))
        found = [Finding("leftover", ind, p.name, f"{why}，已删除") for ind, p in removed]
    except (EvalcheckError, OSError) as exc:
        reason = exc.message if isinstance(exc, EvalcheckError) else os_reason(exc)
        found = [Finding("leftover", ind, p.name, f"{why}，未删除：{reason}") for ind, p in left]
    by_section = dict(groups)
    for f in found:
        by_section.setdefault(f.ind.section or UNASSIGNED, []).append(f)
    order = [*ws.checklist.sections, UNASSIGNED]
    return [(s, by_section[s]) for s in order if s in by_section]


def check(
    checklist: Checklist, answers: Answers, root: Path, indicators: Sequence[Indicator]
) -> list[tuple[str, list[Finding]]]:
    """Every finding about the evidence of `indicators`, grouped by section (checklist
    order, unassigned last). Stored files are hashed: a changed file is found even when
    its size is the same."""
    base = base_folder(answers)
    groups: dict[str, list[Finding]] = {}
    for ind in indicators:
        rec = answers.records.get(ind.id)
        st = rec.current if rec else None
        answered = st is not None and st.value is not None and st.na is None
        state = evidence_state(ind, st, root, base, answered=answered)
        found: list[Finding] = []
        if state.lacking:
            why = "已填报，但没有佐证材料" if not state.items else "已填报，登记的佐证材料都找不到"
            found.append(Finding("lacking", ind, "", why))
        for e in state.items:
            if e.kind == "file":
                result = check_item(root, ind.id, e, deep=True)
                if result.problem:
                    found.append(Finding(result.problem, ind, e.name, result.detail))
            elif e.kind == "link":
                found.append(Finding("link", ind, e.name, "链接无法自动核对，请打开确认"))
            else:
                where = _find_legacy(e.name, base)
                hint = (
                    "文件存在，可用 evalcheck evidence migrate 收入佐证材料库"
                    if where
                    else "文件不存在，请重新添加（evalcheck evidence add）"
                )
                found.append(Finding("legacy", ind, e.name, f"evalcheck 0.1 记录的路径：{hint}"))
        for name in unrecorded(root, ind.id, state.items):
            found.append(
                Finding("unrecorded", ind, name, "在佐证材料文件夹中，但没有登记（未打包）")
            )
        if found:
            groups.setdefault(ind.section or UNASSIGNED, []).extend(found)
    order = [*checklist.sections, UNASSIGNED]
    return [(s, groups[s]) for s in order if s in groups]


def report_data(groups: Sequence[tuple[str, list[Finding]]]) -> dict[str, Any]:
    """`evidence check --format json`."""
    return {
        "problems": sum(1 for _, fs in groups for f in fs if f.is_problem),
        "sections": [
            {"section": name, "findings": [f.to_dict() for f in fs]} for name, fs in groups
        ],
    }


def report_lines(groups: Sequence[tuple[str, list[Finding]]], checked: int) -> list[str]:
    """`evidence check` as text: per section, one line per finding, then the count."""
    lines: list[str] = []
    for name, findings in groups:
        n = sum(1 for f in findings if f.is_problem)
        lines.append(f"{name}（{n} 个问题）：" if n else f"{name}：")
        for f in findings:
            what = f"{f.name}：" if f.name else ""
            text = f.ind.text if len(f.ind.text) <= 24 else f.ind.text[:23] + "…"
            lines.append(f"  {FINDING_LABELS[f.kind]}　第{f.ind.id}项 {text}　{what}{f.detail}")
    problems = report_data(groups)["problems"]
    tail = "" if problems else "，佐证材料齐全"
    lines.append(f"共检查 {checked} 项指标：{problems} 个问题{tail}")
    return lines
