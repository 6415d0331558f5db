"""Importing a filled workbook into the answers."""

from collections.abc import Sequence

from evalcheck.answers.store import Answers
from evalcheck.io.import_plan import Planned, pending
from evalcheck.io.xlsx_read import Change
from evalcheck.state.snapshot import Snapshot


def apply_changes(
    snap: Snapshot, answers: Answers, changes: Sequence[Change], *, by: str
) -> list[Planned]:
    """Apply an import as one change (one sequence number, so `undo` reverts it whole).

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
