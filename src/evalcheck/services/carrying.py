"""The `carry` use case: match last year's list to this year's (the mapping file beside
the answers), and prefill this year's answers from last year's where the match is
certain. Nothing here prints."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.paths import current_user, previous_path
from evalcheck.answers.store import Answers
from evalcheck.errors import InputError
from evalcheck.model.checklist import Checklist
from evalcheck.services.workspace import Workspace
from evalcheck.year.mapping import load
from evalcheck.year.prefill import NO_MAPPING, Rematch, prefill, rematch


class Prefilled(NamedTuple):
    done: list[int]  # ids filled from last year (one change: one undo)
    skipped: dict[str, list[int]]  # ids left alone, by reason
    by: str  # who the prefilled answers are recorded for
    withdrawn: list[int]  # an earlier prefill taken back (last year's no longer final)


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
    if from_answers is not None:
        _warn_if_a_units(from_answers)
    target = previous_path(ws.answers_path)
    existing = load(target, cl)
    done: Rematch | None = None
    if from_checklist is not None or from_answers is not None or not prefill_answers:
        done = rematch(
            target, cl, existing, from_checklist, from_answers, ws.answers_path, computed
        )
        existing = done.mapping
    filled: Prefilled | None = None
    if prefill_answers:
        if existing is None:
            raise InputError(NO_MAPPING)
        who = by or current_user()
        with ws.writing() as answers:
            got = prefill(cl, answers, existing, who)
        filled = Prefilled(got.done, got.skipped, who, got.withdrawn)
    return Carried(target, done, filled)


def _warn_if_a_units(path: Path) -> None:
    """Last year's answers from 单位/<单位名>/answers.yaml are one unit's, not the city's:
    said, as it is surely a slip (carried all the same: the person may mean it)."""
    from evalcheck.answers.units import UNIT_ANSWERS, UNITS_DIR
    from evalcheck.infra import notices

    parts = path.resolve().parts
    if len(parts) >= 3 and parts[-3] == UNITS_DIR and parts[-1] == UNIT_ANSWERS:
        notices.warn(
            f"{path} 是单位“{parts[-2]}”的答案文件，不是市级的；上年值将取自该单位的答案"
            "（要用市级的，请指定上年工作文件夹里的 answers.yaml）"
        )


def computed(checklist: Checklist, answers: Answers) -> Mapping[int, tuple[Any, str | None]]:
    """Last year's values worked out by formulas where nobody typed one (121, 133, 136):
    id → (value, its stage as a verdict: approved when its sources were, pending or
    returned when one was not; None when last year had review off)."""
    from evalcheck.infra import clock
    from evalcheck.state.lifecycle import Stage
    from evalcheck.state.snapshot import take

    verdicts = {Stage.FINAL: "approved", Stage.PENDING: "pending", Stage.RETURNED: "returned"}
    out: dict[int, tuple[Any, str | None]] = {}
    for row in take(checklist, answers, clock.today()).rows:
        if row.state is None and row.computed_value is not None:
            verdict = verdicts.get(row.stage) if checklist.review else None
            out[row.id] = (row.computed_value, verdict)
    return out
