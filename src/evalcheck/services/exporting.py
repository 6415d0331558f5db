"""Export use cases: the bureau's table (Excel with its progress sheet, or Word), one form
per section, one review workbook per leader. Each returns what it wrote; nothing here
prints. The rows are the snapshot's, the columns are declared in views/columns.py and
shared by both formats, the framing (label, title, 备注, fonts) is views/attachment.py's.
"""

from pathlib import Path
from typing import NamedTuple

from evalcheck.model.checklist import UNASSIGNED
from evalcheck.services.workspace import Workspace
from evalcheck.state.select import Filters, select_rows


class TableExported(NamedTuple):
    path: Path
    rows: int  # indicators in the table
    answered: int  # of which answered
    word: bool  # a .docx attachment (else an .xlsx workbook)
    previous: bool  # last year's values are in it (上年值 column, 同比 sheet)
    rollup: bool = False  # the checklist has units: a 汇总 sheet (indicator × unit, roll-ups)


def export_table(
    ws: Workspace,
    path: Path,
    filters: Filters,
    *,
    today: str | None = None,
    due_as_written: bool = False,
) -> TableExported:
    """The selected indicators as the bureau's attachment: .docx (Word) or .xlsx (Excel,
    with the 填报进度 sheet counting the same rows, 同比 after `carry`, and 汇总 when the
    checklist has units)."""
    snap = ws.snapshot(today)
    rows = select_rows(snap, filters)
    answered = sum(1 for r in rows if r.state is not None)
    if path.suffix.lower() == ".docx":
        from evalcheck.io.docx_export import write_docx
        from evalcheck.views.attachment import build

        write_docx(path, build(snap.checklist, rows, due_as_written=due_as_written))
        return TableExported(path, len(rows), answered, True, False)
    from evalcheck.io.xlsx_write import export_workbook

    found = None
    if snap.checklist.units is not None:
        from evalcheck.services.rollup import rollups

        found = rollups(snap.checklist, ws.answers_path)
    n = export_workbook(path, snap, rows, due_as_written=due_as_written, rollups=found)
    previous = any(r.previous is not None for r in rows)
    return TableExported(path, n, answered, False, previous, found is not None)


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
        raise review_off_error(cl)
    chosen = [resolve("责任领导", o, cl.owners) for o in owners]
    return export_reviews(folder, cl, ws.answers(), owners=chosen or None, force=force)
