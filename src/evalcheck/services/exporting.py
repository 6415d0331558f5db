"""Export use cases: the bureau's table (Excel with its progress sheet, or Word), one form
per section, one review workbook per leader. Each returns what it wrote; nothing here
prints. The rows are the snapshot's, the columns are declared in views/columns.py and
shared by both formats, the framing (label, title, 备注, fonts) is views/attachment.py's.
"""

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from evalcheck.errors import InputError
from evalcheck.model.checklist import UNASSIGNED
from evalcheck.services.workspace import Workspace
from evalcheck.state.lifecycle import Stage
from evalcheck.state.select import Filters, select_rows
from evalcheck.views.columns import WORKING

if TYPE_CHECKING:
    from evalcheck.answers.store import Answers
    from evalcheck.model.checklist import Checklist
    from evalcheck.state.snapshot import Row


class TableExported(NamedTuple):
    path: Path
    rows: int  # indicators in the table
    answered: int  # of which answered
    word: bool  # a .docx attachment (else an .xlsx workbook)
    previous: bool  # last year's values are in it (上年值 column, 同比 sheet)
    counts: str = ""  # '已审核 10 / 待审核 26 / 已退回 1 / 未填报 107'
    final: bool = False  # --final: only final values, the others blank
    # --final --allow-incomplete: how many were left blank; a working export: how many
    # values are marked （待审核）/（已退回）
    not_final: int = 0
    rollup: bool = False  # the checklist has units: a 汇总 sheet (indicator × unit, roll-ups)
    final_values: int = 0  # --final: the values in it (final ones; `answered` counts others)
    na: int = 0  # of `answered`, marked 不适用 (status counts them apart from 已填报)


def not_final_refusal(rows: "list[Row]", review: bool) -> InputError:
    """--final while some items are not final: the list, in Chinese (nothing written):
    returned and pending items one by one, unanswered ones as ranges of ids."""
    from evalcheck.model.checklist import id_ranges
    from evalcheck.state.snapshot import counts_line

    waiting = [r for r in rows if not r.final]
    lines = [
        f"第{r.id}项 {r.stage_text}" + (f"：{r.display}" if r.display else "")
        for stage in (Stage.RETURNED, Stage.PENDING)
        for r in waiting
        if r.stage is stage
    ]
    unanswered = [r.id for r in waiting if r.stage is Stage.OPEN]
    if unanswered:
        lines.append(
            f"{Stage.OPEN.label(review)} {len(unanswered)} 项：第{id_ranges(unanswered)}项"
        )
    return InputError(
        f"有 {len(waiting)} 项尚未定稿（{counts_line(rows, review)}），未导出；"
        "如确要导出（未定稿的留空），请加 --allow-incomplete：",
        details=lines,
    )


def export_table(
    ws: Workspace,
    path: Path,
    filters: Filters,
    *,
    today: str | None = None,
    due_as_written: bool = False,
    final: bool = False,
    allow_incomplete: bool = False,
    force: bool = False,
) -> TableExported:
    """The selected indicators as the bureau's attachment: .docx (Word) or .xlsx (Excel,
    with the 填报进度 sheet counting the same rows, 同比 after `carry`, and 汇总 when the
    checklist has units; not in a --final export, whose values are the city's own).

    A working export marks values that are not final in the cell ('95 条（已退回）');
    `final` writes final values only, the others blank, and refuses while any item is
    not final unless `allow_incomplete`. An earlier .xlsx export that someone typed into
    is not replaced unless `force` (an untouched one is)."""
    from evalcheck.state.snapshot import counts_line
    from evalcheck.views.columns import FINAL

    if allow_incomplete and not final:
        raise InputError("--allow-incomplete 只能与 --final 一起用")
    snap = ws.snapshot(today)
    rows = select_rows(snap, filters)
    answered = sum(1 for r in rows if r.state is not None)
    na = sum(1 for r in rows if r.state is not None and r.state.na is not None)
    review = snap.checklist.review
    waiting = _not_final(rows, final, allow_incomplete, review)
    mode = FINAL if final else WORKING
    if not force and path.suffix.lower() == ".xlsx" and path.is_file():
        refuse_typed_into(path, snap.rows)
    counts = counts_line(rows, review)
    shown = sum(1 for r in rows if r.final_display) if final else 0
    if path.suffix.lower() == ".docx":
        from evalcheck.io.docx_export import write_docx
        from evalcheck.views.attachment import build

        doc = build(snap.checklist, rows, due_as_written=due_as_written, mode=mode)
        write_docx(path, doc)
        return TableExported(
            path, len(rows), answered, True, False, counts, final, waiting, final_values=shown,
            na=na,
        )  # fmt: skip
    from evalcheck.io.xlsx_write import export_workbook

    found = None
    if snap.checklist.units is not None and not final:
        from evalcheck.services.rollup import rollups

        found = rollups(snap.checklist, ws.answers_path)
    n = export_workbook(path, snap, rows, due_as_written=due_as_written, rollups=found, mode=mode)
    previous = any(r.previous is not None for r in rows)
    return TableExported(
        path, n, answered, False, previous, counts, final, waiting, found is not None, shown, na
    )


def _not_final(rows: "Sequence[Row]", final: bool, allow_incomplete: bool, review: bool) -> int:
    """--final: how many will be left blank (refused unless `allow_incomplete`); a working
    export: how many cells carry a （待审核）/（已退回） mark."""
    if not final:
        return sum(1 for r in rows if r.stage in (Stage.PENDING, Stage.RETURNED))
    waiting = sum(1 for r in rows if not r.final)
    if waiting and not allow_incomplete:
        raise not_final_refusal(list(rows), review)
    return waiting


def refuse_typed_into(path: Path, rows: "Sequence[Row]") -> None:
    """Refuse to replace a total table that someone has typed into (its cells differ from
    the hidden 原值 and from the answers as they are now, so it was not imported), or a
    workbook that is not an evalcheck total table.

    A file that holds exactly the bytes the last export wrote there (the parse cache
    records them) was not typed into: it is not read back (openpyxl is not even imported).
    """
    from evalcheck.infra.cache import written_as_is
    from evalcheck.io.workbook_guard import MAX_FILE_BYTES

    with contextlib.suppress(OSError):  # a larger file: the check below refuses it
        if path.stat().st_size <= MAX_FILE_BYTES and written_as_is(path, path.read_bytes()):
            return
    from evalcheck.io.import_plan import current_cells
    from evalcheck.io.xlsx_read import typed_into
    from evalcheck.views.columns import FORM

    now = {r.id: (current_cells(r, FORM), current_cells(r, WORKING)) for r in rows}
    found = typed_into(path, now)
    if not found:
        return
    n = len(found)
    raise InputError(
        f"{path} 已存在，且不是未经改动的导出总表（{n} 处与导出时不同），未覆盖；"
        f"其中填写的内容可先用 evalcheck import {path} 导入，确认要覆盖请加 --force：",
        details=found[:20] + ([f"……另有 {n - 20} 处"] if n > 20 else []),
    )


def export_forms(
    ws: Workspace,
    folder: Path,
    filters: Filters,
    *,
    today: str | None = None,
    force: bool = False,
    due_as_written: bool = False,
) -> list[tuple[Path, int]]:
    """One protected form per section chosen by `filters` (all when it names none), all
    or nothing; returns (file, indicators) for each form written."""
    from evalcheck.io.xlsx_forms import export_forms as write_forms

    snap = ws.snapshot(today)
    wanted = [*filters.sections, *([UNASSIGNED] if filters.unassigned else [])]
    return write_forms(
        folder, snap, sections=wanted or None, force=force, due_as_written=due_as_written
    )


def export_review_books(
    ws: Workspace, folder: Path, owners: list[str], *, force: bool = False
) -> list[tuple[Path, int, int]]:
    """One review workbook per leader (all, or `owners`) with answered indicators:
    (file, items, items awaiting review)."""
    from evalcheck.answers.review import review_off_error
    from evalcheck.io.reviewbook import export_reviews
    from evalcheck.state.select import resolve

    cl = ws.checklist
    if not cl.review:
        raise review_off_error(cl, ws.answers_path)
    chosen = [resolve("责任领导", o, cl.owners) for o in owners]
    from evalcheck.infra.clock import today

    answers = ws.answers()
    return export_reviews(
        folder, cl, answers, today=today(), owners=chosen or None, force=force,
        needs_note=_needs_note(cl, answers),
    )  # fmt: skip


def _needs_note(cl: "Checklist", answers: "Answers") -> dict[int, str]:
    """The answers awaiting review that `check` calls an error (approved only with a 说明),
    with what is wrong, briefly: their rows say so in the review workbook (the whole
    finding is `evalcheck review`'s 规则提示)."""
    from evalcheck.answers.review import Review, review_of
    from evalcheck.services.review import problems_brief, rule_breaks

    waiting = [
        i for i in cl.indicators
        if (st := answers.state(i.id)) is not None and review_of(cl, st) is Review.PENDING
    ]  # fmt: skip
    return {i.id: problems_brief(found) for i, found in rule_breaks(cl, answers, waiting).items()}
