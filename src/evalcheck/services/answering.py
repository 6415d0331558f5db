"""Answer use cases: `answer` (a value, not-applicable or a clear, with evidence in the same
change) and `undo`. Each is one function over a workspace; nothing is printed here."""

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from evalcheck.answers.paths import previous_path, store_root
from evalcheck.answers.store import Answers, State, now_iso
from evalcheck.errors import EvalcheckError, InputError
from evalcheck.model.checklist import Indicator
from evalcheck.model.kinds import Value, parse
from evalcheck.services.workspace import Workspace
from evalcheck.state.findings import Finding

if TYPE_CHECKING:
    from evalcheck.answers.evidence import Added, Evidence

# The evidence modules are imported only when files or links are given (or an undo needs
# them): a plain answer does without them and their file handling (start-up time).


class Answered(NamedTuple):
    ind: Indicator
    state: State | None  # what was written; None: nothing changed
    current: State | None  # the answer after the command
    added: "list[Added]"  # what became of each --evidence source
    warnings: list[Finding]  # rules the new answer breaks, then last year's comparison


def answer(
    ws: Workspace,
    ident: int,
    *,
    value: Sequence[str] | None,
    na: str | None,
    note: str | None,
    sources: Sequence[str] | None,
    clear: bool,
    by: str,
) -> Answered:
    """Record a value (parsed for the indicator's kind first: a refused value writes
    nothing), not-applicable (`na`, its reason) or a clear, with files and links added to
    the evidence in the same change (copied first: a missing file refuses the answer)."""
    ind = ws.checklist.get(ident)
    _for_this_file(ws, ind)
    parsed: Value | None = parse(ind, value) if value else None
    reason = na.strip() if na is not None else None
    if not sources:
        unchanged = _unchanged(ws, ind, parsed, reason, note, clear, by)
        if unchanged is not None:
            return Answered(ind, None, unchanged.state(ind.id), [], [])
    if previous_path(ws.answers_path).exists():
        _check_mapping(ws)
    root = store_root(ws.answers_path)
    with _file_changes(bool(sources)) as ops, ws.writing() as answers:
        before = answers.evidence(ind.id)
        items: tuple[Evidence, ...] | None = None
        added: list[Added] = []
        incoming: dict[str, Path] = {}
        if sources:
            from evalcheck.answers.evidence import add_items

            items, added, incoming = add_items(
                root, ind.id, before, sources, ops, by=by, at=now_iso()
            )
        if clear:
            st = answers.clear(ind, by=by)
        else:
            action = "na" if reason is not None else "set"
            st = answers.apply(
                ind, value=parsed, na=reason, note=note, evidence=items, by=by, action=action
            )
            if st is not None and items is not None:
                from evalcheck.answers.evidence import sync

                sync(root, ind.id, before, items, ops, incoming)
        current = answers.state(ind.id)
        warnings = _warnings(ws, answers, ind) if st is not None and not clear else []
    return Answered(ind, st, current, added, warnings)


def _check_mapping(ws: Workspace) -> None:
    """After `carry` the answer is compared with last year's: a mapping file with an error
    refuses the answer before anything is written (not after, when the comparison reads it)."""
    from evalcheck.year.mapping import previous_values

    previous_values(ws.answers_path, ws.checklist)


def _file_changes(evidence: bool) -> AbstractContextManager[Any]:
    """services.evidence.store_changes when files may be copied into the store, else nothing."""
    if not evidence:
        return nullcontext()
    from evalcheck.services.evidence import store_changes

    return store_changes()


def _unchanged(
    ws: Workspace,
    ind: Indicator,
    value: Value | None,
    na: str | None,
    note: str | None,
    clear: bool,
    by: str,
) -> Answers | None:
    """The saved answers, when the answer would leave them as they are (the value already
    recorded, a clear of nothing), seen in the file as read (the parse cache), without the
    lock; else None. Then there is nothing to lock, parse afresh or write: the outcome is
    the one a locked write would have had just before any other writer. Any error here is
    left to the locked write, which decides again and says why."""
    try:
        saved = ws.saved()
        if clear:
            changed = saved.clear(ind, by=by)
        else:
            action = "na" if na is not None else "set"
            changed = saved.apply(ind, value=value, na=na, note=note, by=by, action=action)
    except EvalcheckError:
        return None
    return saved if changed is None else None


def _for_this_file(ws: Workspace, ind: Indicator) -> None:
    """A unit's own file (`--answers 单位/中宁县/answers.yaml`) holds only what the units
    fill in: an indicator the city answers itself is refused there."""
    plan = ws.checklist.units
    if plan is None or plan.is_collected(ind.id):
        return
    from evalcheck.answers.units import unit_of

    unit = unit_of(ws.answers_path, ws.checklist)
    if unit is not None:
        raise InputError(
            f"第{ind.id}项由市级填报，不由各单位填报：不能写入单位“{unit}”的答案文件 "
            f"{ws.answers_path}（单位填报的是清单里写明 collect: units 的指标）"
        )


def _warnings(ws: Workspace, answers: Answers, ind: Indicator) -> list[Finding]:
    """What `check` would say of the new answer (state.rules.answer_findings), taken
    inside the transaction: the rules it breaks, a value its formula disagrees with,
    after `carry` a value far from last year's."""
    from evalcheck.infra import clock
    from evalcheck.state.findings import for_unit
    from evalcheck.state.rules import answer_findings
    from evalcheck.state.snapshot import previous_for, take

    previous = previous_for(ws.answers_path, ws.checklist)
    found = answer_findings(take(ws.checklist, answers, clock.today(), previous), ind.id)
    return for_unit(found, ws.answers_path, ws.checklist)


class Undone(NamedTuple):
    done: list[tuple[int, State, State, State]]  # (id, reverted change, before, restored)
    lost: list[str]  # '第47项 说明.pdf': files the removed folder could not give back


def undo(ws: Workspace, *, by: str) -> Undone:
    """Revert the newest change (an answer, a clear, a whole import); the evidence store
    follows."""
    from evalcheck.services.evidence import follow_undo, store_changes

    with store_changes() as ops, ws.writing() as answers:
        done = answers.undo(by=by)
        lost = follow_undo(done, store_root(ws.answers_path), ops)
    return Undone(done, lost)
