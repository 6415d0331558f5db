"""The `carry` use case: match last year's list to this year's (the mapping file beside
the answers), and prefill this year's answers from last year's where the match is
certain. Nothing here prints."""

from pathlib import Path
from typing import NamedTuple

from evalcheck.answers.paths import current_user, previous_path
from evalcheck.errors import InputError
from evalcheck.services.workspace import Workspace
from evalcheck.year.mapping import load
from evalcheck.year.prefill import NO_MAPPING, Rematch, prefill, rematch


class Prefilled(NamedTuple):
    done: list[int]  # ids filled from last year (one change: one undo)
    skipped: dict[str, list[int]]  # ids left alone, by reason
    by: str  # who the prefilled answers are recorded for


class Carried(NamedTuple):
    target: Path  # the mapping file (<answers>.previous.yaml)
    rematched: Rematch | None  # None: the existing mapping was used as it is
    prefilled: Prefilled | None  # None: --prefill not asked for


def carry(
    ws: Workspace,
    *,
    from_checklist: Path | None,
    from_answers: Path | None,
    prefill_answers: bool,
    by: str | None,
) -> Carried:
    """Match again whenever last year's files are given or no prefill is asked for
    (hand-made `manual` entries are kept), then prefill if asked."""
    cl = ws.checklist
    target = previous_path(ws.answers_path)
    existing = load(target, cl)
    done: Rematch | None = None
    if from_checklist is not None or from_answers is not None or not prefill_answers:
        done = rematch(target, cl, existing, from_checklist, from_answers, ws.answers_path)
        existing = done.mapping
    filled: Prefilled | None = None
    if prefill_answers:
        if existing is None:
            raise InputError(NO_MAPPING)
        who = by or current_user()
        with ws.writing() as answers:
            ids, skipped = prefill(cl, answers, existing, who)
        filled = Prefilled(ids, skipped, who)
    return Carried(target, done, filled)
