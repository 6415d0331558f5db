"""Planning an import: what each change would make the answer, which rows would change
anything, stale cells, and indicators filled twice. Nothing is written here.

Stale forms: a section form exported before a later change and imported afterwards.
Every exported row carries, hidden, what its input cells said at export (原值). A cell the
form left as exported changes nothing (xlsx_read._row_change drops it). A cell changed in the
form whose answer *also* changed since the export is a conflict: the import is refused with
both values listed, unless the user asks for the form's values (`import
--overwrite-conflicts`). And one indicator filled twice with different contents in one
workbook (two sheets) is refused: which one is meant cannot be guessed.
"""

import json
from collections.abc import Sequence
from typing import NamedTuple

from evalcheck.answers.store import State
from evalcheck.errors import InputError
from evalcheck.io.xlsx_format import original_of
from evalcheck.io.xlsx_read import Change
from evalcheck.model.derived import TOLERANCE
from evalcheck.state.snapshot import Row, Snapshot
from evalcheck.views.columns import EXPORT, FINAL, FORM, FORM_INPUT_KEYS, WORKING, for_mode

Planned = tuple[Change, State | None, State]  # (change, current state, resulting state)

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


def current_cells(row: Row, mode: str = FORM) -> dict[str, str | None]:
    """What the row's input cells would say if exported now (as excel.original_of): in a
    section form (`mode` FORM), in a working total table (WORKING: '312 个（待审核）'), or
    in a --final one (FINAL: final values only)."""
    data: dict[str, str | None] = json.loads(original_of(for_mode(EXPORT, mode), row))
    return data


def conflicts(snap: Snapshot, changes: Sequence[Change], *, final: bool = False) -> list[Conflict]:
    """Cells changed in the form whose answer changed too since the export, where the
    form would change the current answer (a form that says what the answer now says,
    in any spelling — 80% or 80, 1,3 or the option texts — is no conflict). `final`: the
    workbook is a --final total table, whose cells of values not yet final were blank."""
    out: list[Conflict] = []
    for ch in changes:
        if ch.originals is None or ch.form is None:
            continue  # a workbook without 原值: nothing to compare with
        row = snap.row(ch.ind.id)
        now = current_cells(row)
        # the same answer as a working total table marks it ('312（待审核）'), or as a
        # --final one shows it (blank until it is final)
        shown = (now, current_cells(row, FINAL if final else WORKING))
        rec = snap.answers.records.get(ch.ind.id)
        old = rec.current if rec is not None else None
        new = _resolved(ch, old)
        for key, form_text in ch.form.items():
            exported = ch.originals.get(key)
            unchanged = any(exported == cells.get(key) for cells in shown)
            if not unchanged and _part(key, new) != _part(key, old):
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


def _resolved(ch: Change, old: State | None) -> State:
    """What a row would make the answer: an empty value cell keeps the old value or
    not-applicable (a row that only adds a note), an empty note keeps the old note."""
    value, na = ch.value, ch.na
    if value is None and na is None and old is not None:
        value, na = old.value, old.na
    note = old.note if old is not None and ch.note is None else (ch.note or None)
    if ch.items is not None:
        evidence = ch.items
    elif ch.evidence is None:
        evidence = old.evidence if old is not None else ()
    else:
        from evalcheck.answers.evidence import named_items

        evidence = named_items(ch.evidence, old.evidence if old is not None else ())
    return State(
        seq=0, action="import", by="", at="", value=value, na=na, note=note, evidence=evidence
    )


def pending(snap: Snapshot, changes: Sequence[Change]) -> list[Planned]:
    """(change, current state, resulting state) for the rows that would change something.

    A 自动计算 row of a workbook without originals that still shows the value its formula
    gives is not an answer and is skipped; one a person overwrote is imported.
    """
    out: list[Planned] = []
    lonely: list[str] = []  # a note for an indicator with no answer: nowhere to show it
    for ch in changes:
        d = snap.row(ch.ind.id).derived
        if (
            ch.computed_cell
            and isinstance(ch.value, int | float)
            and d is not None
            and d.value is not None
            and abs(ch.value - d.value) <= TOLERANCE
        ):
            continue
        rec = snap.answers.records.get(ch.ind.id)
        old = rec.current if rec else None
        new = _resolved(ch, old)
        if new.value is None and new.na is None and new.note:  # no answer to show it with
            lonely.append(
                f"{ch.where}：第{ch.ind.id}项只填了备注，没有填报值或不适用原因"
                "（备注要和答案一起填写，如同 evalcheck answer 的 --note）"
            )
        elif new.value is None and new.na is None and not new.evidence:
            continue  # a note deleted from a row that has no answer: nothing to record
        elif old is None or not old.same_content(new):
            out.append((ch, old, new))
    if lonely:
        raise InputError(f"有 {len(lonely)} 行不能导入，未导入任何内容：", details=lonely)
    return out


# An Excel date is a day count from 1899-12-30: typing "1/2" into a count cell formatted as
# a number stores 2 January of the year it is typed in (46024 in 2026), shown as a number.
EXCEL_EPOCH_ORDINAL = 693594  # date(1899, 12, 30).toordinal()


def date_serial_notes(planned: Sequence[Planned], years: range) -> list[str]:
    """Warnings for counts that look like a date the spreadsheet made of what was typed:
    a whole number that is the serial of a day in `years` (the evaluation year to the
    year it is filled in). The value is imported as it is: it may be a real count."""
    import datetime

    first = datetime.date(years.start, 1, 1).toordinal() - EXCEL_EPOCH_ORDINAL
    last = datetime.date(years.stop - 1, 12, 31).toordinal() - EXCEL_EPOCH_ORDINAL
    notes: list[str] = []
    for ch, _old, _new in planned:
        value = ch.value
        if ch.ind.kind != "count" or type(value) is not int or not first <= value <= last:
            continue
        day = datetime.date.fromordinal(value + EXCEL_EPOCH_ORDINAL)
        notes.append(
            f"{ch.where} 填报值 {value} 像是表格程序把录入的内容改成了日期"
            f"（{day.year}年{day.month}月{day.day}日的序列号，例如录入“{day.month}/{day.day}”"
            f"时会这样）；已按 {value} 导入，如不对请改正："
            f"evalcheck answer {ch.ind.id} --value 正确的值"
        )
    return notes
