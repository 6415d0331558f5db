"""Stale forms: a section form exported before a later change and imported afterwards.

Every exported row carries, hidden, what its input cells said at export (excel.py's
原值). A cell the form left as exported changes nothing (excel._row_change drops it).
A cell changed in the form whose answer *also* changed since the export is a conflict:
the import is refused with both values listed, unless the user asks for the form's
values (`import --overwrite-conflicts`). And one indicator filled twice with different
contents in one workbook (two sheets) is refused: which one is meant cannot be guessed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import NamedTuple

from evalcheck.answers.store import State
from evalcheck.io.excel import Change, _resolved, original_of
from evalcheck.state.snapshot import Row, Snapshot
from evalcheck.views.columns import EXPORT, FORM_INPUT_KEYS

FIELD_NAMES = {c.key: c.header for c in EXPORT if c.key in FORM_INPUT_KEYS}


class Conflict(NamedTuple):
    change: Change
    field: str  # value, na, note or evidence
    exported: str | None  # what the cell said at export
    current: str | None  # what it would say now
    form: str | None  # what the form says

    def describe(self) -> str:
        name = FIELD_NAMES.get(self.field, self.field)
        return (
            f"{self.change.where} {name}：导出后已改为“{_shown(self.current)}”"
            f"（导出时为“{_shown(self.exported)}”），表格中填的是“{_shown(self.form)}”"
        )


def _shown(text: str | None) -> str:
    if text is None:
        return "（空）"
    return text if len(text) <= 40 else text[:40] + "……"


def current_cells(row: Row) -> dict[str, str | None]:
    """What the row's input cells would say if exported now (as excel.original_of)."""
    data: dict[str, str | None] = json.loads(original_of(EXPORT, row))
    return data


def conflicts(snap: Snapshot, changes: Sequence[Change]) -> list[Conflict]:
    """Cells changed in the form whose answer changed too since the export, where the
    form would change the current answer (a form that says what the answer now says,
    in any spelling — 80% or 80, 1,3 or the option texts — is no conflict)."""
    out: list[Conflict] = []
    for ch in changes:
        if ch.originals is None or ch.form is None:
            continue  # a workbook without 原值: nothing to compare with
        now = current_cells(snap.row(ch.ind.id))
        rec = snap.answers.records.get(ch.ind.id)
        old = rec.current if rec is not None else None
        new = _resolved(ch, old)
        for key, form_text in ch.form.items():
            exported = ch.originals.get(key)
            if now.get(key) != exported and _part(key, new) != _part(key, old):
                out.append(Conflict(ch, key, exported, now.get(key), form_text))
    return out


def _part(key: str, st: State | None) -> object:
    """The part of an answer a form column sets."""
    if st is None:
        return (None, None) if key in ("value", "na") else None
    if key in ("value", "na"):
        return (st.value, st.na)
    if key == "note":
        return st.note or None
    return tuple(st.evidence) or None


def twice_filled(changes: Sequence[Change]) -> tuple[list[Change], list[str]]:
    """The changes with exact repeats dropped, and a message for each indicator that
    rows of one workbook fill with different contents."""
    first: dict[int, Change] = {}
    kept: list[Change] = []
    refused: list[str] = []
    for ch in changes:
        prev = first.get(ch.ind.id)
        if prev is None:
            first[ch.ind.id] = ch
            kept.append(ch)
        elif _content(prev) != _content(ch):
            refused.append(
                f"第{ch.ind.id}项在{prev.where.split('（')[0]}和{ch.where.split('（')[0]}"
                "填写的内容不同，无法确定以哪一处为准（请只保留一处）"
            )
    return kept, refused


def _content(ch: Change) -> tuple[object, ...]:
    return (ch.value, ch.na, ch.note, ch.evidence)
