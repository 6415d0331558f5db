"""Review use cases: `approve`, `return`, and importing a leader's review workbook.

Each decision batch is one change (one `undo` reverts it whole) and all or nothing: one
answer that cannot be signed refuses the batch. Nothing here prints.
"""

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from evalcheck.answers.review import (
    Review,
    own_refusal,
    plan_signoffs,
    review_of,
    review_off_error,
    signer_refusal,
)
from evalcheck.answers.store import Answers, State
from evalcheck.errors import InputError
from evalcheck.io.reviewbook import (
    Planned,
    ReviewResult,
    apply_review,
    plan_review,
    read_review_workbook,
)
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.model.kinds import visible_text
from evalcheck.services.workspace import Workspace
from evalcheck.state.findings import Finding


class Signed(NamedTuple):
    ind: Indicator
    state: State  # the answer as signed (review, reviewer, comment, signed_for)


def check_reviewer(checklist: Checklist, by: str | None, answers_path: Path | None = None) -> str:
    """The reviewer's name, stripped; refused when empty or when review is off (for the
    checklist, or for `answers_path`, a unit's answers file)."""
    if not checklist.review:
        raise review_off_error(checklist, answers_path)
    reviewer = (by or "").strip()
    if not reviewer:
        raise InputError("请用 --by 写明审核人姓名，例如 --by 万富春")
    return reviewer


class Approved(NamedTuple):
    signed: list[Signed]
    skipped: list[str]  # `--all`: why each item left out was not approved (one line each)
    findings: list[Finding]  # error-level rules the approved answers break (explained)


def approve(
    ws: Workspace,
    idents: Sequence[int] = (),
    *,
    reviewer: str,
    note: str | None,
    leader: str | None = None,
    explain: str | None = None,
) -> Approved:
    """Approve the answers `idents`, or (with `leader`) all that await that leader.

    With `leader` (`--all`) the answers the reviewer may not sign alone (filled by the
    reviewer) are left out and listed; with ids any such answer refuses the batch.
    Signed is empty when the leader has nothing waiting."""
    cl = ws.checklist
    reviewer = check_reviewer(cl, reviewer, ws.answers_path)
    chosen = None if leader is not None else _indicators(cl, idents)
    skipped: list[str] = []
    explain = visible_text(explain)
    with ws.writing() as answers:
        if chosen is None:
            chosen, skipped = _pending_of(cl, answers, leader, reviewer)
        breaks = rule_breaks(cl, answers, chosen)
        if leader is not None:  # --all: an answer breaking a rule is approved on its own
            skipped += [_needs_explanation(i, fs, reviewer) for i, fs in breaks.items()]
            chosen, breaks = [i for i in chosen if i not in breaks], {}
        elif breaks and explain is None:
            lines = [_needs_explanation(i, fs, reviewer) for i, fs in breaks.items()]
            if len(lines) == 1:
                raise InputError(f"未审核通过任何指标：{lines[0]}")
            raise InputError(f"有 {len(lines)} 项不能审核通过，未做任何修改：", details=lines)
        if not chosen:
            return Approved([], skipped, [])
        explained = {i.id: explain for i in breaks}
        signed = _sign(cl, answers, chosen, "approve", reviewer, note, explained)
        found = [f for fs in breaks.values() for f in fs]
        return Approved(signed, skipped, list({f.rule: f for f in found}.values()))


def rule_breaks(
    cl: Checklist, answers: Answers, chosen: list[Indicator]
) -> dict[Any, list[Finding]]:
    """The chosen indicators whose answers `check` reports as errors (a rule of error
    level broken, a value its formula disagrees with), with those findings."""
    if not chosen:
        return {}
    from evalcheck.infra import clock
    from evalcheck.state.rules import answer_findings
    from evalcheck.state.snapshot import take

    if not cl.rules and not any(i.formula for i in chosen):
        return {}
    snap = take(cl, answers, clock.today())
    values = snap.effective_values()
    out: dict[Any, list[Finding]] = {}
    for ind in chosen:
        found = [f for f in answer_findings(snap, ind.id, values) if f.severity == "error"]
        if found:
            out[ind] = found
    return out


def problems_text(found: list[Finding]) -> str:
    """What is wrong with an answer, as the refusals say it: '违反错误级规则 R132（…）',
    '与公式不符（第121项填报为 80%，但按公式 … 应为 75%）'."""
    rules = "、".join(f"{f.rule}（{f.message}）" for f in found if f.kind == "rule")
    formula = "；".join(f.message for f in found if f.kind != "rule")
    said = [
        f"违反错误级规则 {rules}" if rules else "",
        f"与公式不符（{formula}）" if formula else "",
    ]
    return "，且".join(x for x in said if x)


def problems_brief(found: list[Finding]) -> str:
    """problems_text for a narrow cell (a review workbook's 审核状态): '违反规则 R132',
    '与公式不符'."""
    said = [f"违反规则 {f.rule}" if f.kind == "rule" else "与公式不符" for f in found]
    return "、".join(dict.fromkeys(said))


def _needs_explanation(ind: Indicator, found: list[Finding], reviewer: str) -> str:
    return (
        f"第{ind.id}项{problems_text(found)}：审核通过需写明说明，"
        f'例如 evalcheck approve {ind.id} --explain "原因" --by {reviewer}'
    )


def return_answers(
    ws: Workspace, idents: Sequence[int], *, reviewer: str, reason: str
) -> list[Signed]:
    """Return the answers `idents` to their section, with the reason (required)."""
    cl = ws.checklist
    said = visible_text(reason)
    if said is None:
        raise InputError("退回需要写明原因：--reason 原因（例如 --reason 与台账数字不符）")
    reviewer = check_reviewer(cl, reviewer, ws.answers_path)
    chosen = _indicators(cl, idents)
    with ws.writing() as answers:
        return _sign(cl, answers, chosen, "return", reviewer, said)


def _indicators(cl: Checklist, idents: Sequence[int]) -> list[Indicator]:
    """The indicators, each once, in the order given (an unknown id is refused)."""
    seen: dict[int, Indicator] = {}
    for n in idents:
        ind = cl.get(n)
        seen.setdefault(ind.id, ind)
    return list(seen.values())


def _pending_of(
    cl: Checklist, answers: Answers, leader: str | None, reviewer: str
) -> tuple[list[Indicator], list[str]]:
    """The leader's pending answers `reviewer` may approve, and why the others may not.
    A reviewer who may not sign for the leader at all is refused outright."""
    pending = [
        i
        for i in cl.indicators
        if i.owner == leader and review_of(cl, answers.state(i.id)) is Review.PENDING
    ]
    if pending and (why := signer_refusal(cl, pending[0], reviewer)):
        raise InputError(f"未审核通过任何指标：{why}")
    chosen: list[Indicator] = []
    skipped: list[str] = []
    for ind in pending:
        why = own_refusal(ind, answers.author(ind.id), reviewer, "approve")
        if why:
            skipped.append(why)
        else:
            chosen.append(ind)
    return chosen, skipped


def _sign(
    cl: Checklist,
    answers: Answers,
    chosen: list[Indicator],
    action: str,
    reviewer: str,
    comment: str | None,
    explained: dict[int, str | None] | None = None,
) -> list[Signed]:
    plan = plan_signoffs(
        cl,
        [(i, answers.state(i.id)) for i in chosen],
        action=action,
        reviewer=reviewer,
        authors={i.id: answers.author(i.id) for i in chosen},
    )
    seq = answers.next_seq()  # one change: one undo reverts the whole batch
    return [
        Signed(
            s.ind,
            answers.sign(
                s.ind.id,
                action=action,
                reviewer=reviewer,
                comment=comment,
                signed_for=s.signed_for,
                seq=seq,
                explanation=(explained or {}).get(s.ind.id),
            ),
        )
        for s in plan
    ]


# ---------------------------------------------------------------- review workbooks


class ReviewBook(NamedTuple):
    """A leader's review workbook as read, and who signs its decisions."""

    result: ReviewResult
    reviewer: str  # --by, else the leader the workbook was written for


def read_review(ws: Workspace, path: Path, *, by: str | None) -> ReviewBook:
    """Read a review workbook back (nothing written); review must be on."""
    cl = ws.checklist
    if not cl.review:
        raise review_off_error(cl, ws.answers_path)
    result = read_review_workbook(path, cl)
    return ReviewBook(result, (by or "").strip() or result.leader)


def preview_review(ws: Workspace, book: ReviewBook) -> list[Planned]:
    """The decisions that would change something (`import --dry-run`)."""
    return _checked(ws.checklist, ws.answers(), book)


def apply_review_book(ws: Workspace, book: ReviewBook) -> list[Planned]:
    """Record the workbook's decisions as one change, checked again under the lock."""
    with ws.writing() as answers:
        planned = _checked(ws.checklist, answers, book)
        apply_review(answers, planned, book.reviewer)
    return planned


def _explained(
    cl: Checklist, answers: Answers, planned: list[Planned]
) -> tuple[list[Planned], list[str]]:
    """An approval of an answer that breaks an error-level rule needs a 说明, as `approve
    --explain` does: in a workbook it is the row's 审核意见 (kept as the 说明 too); without
    one the row is refused, located."""
    approving = [p.decision.ind for p in planned if p.decision.action == "approve"]
    breaks = {ind.id: found for ind, found in rule_breaks(cl, answers, approving).items()}
    out: list[Planned] = []
    refused: list[str] = []
    for p in planned:
        found = breaks.get(p.decision.ind.id)
        if found is None:
            out.append(p)
        elif p.decision.comment:
            out.append(replace(p, explanation=p.decision.comment))
        else:
            refused.append(
                f"{p.decision.where}：第{p.decision.ind.id}项{problems_text(found)}：审核通过需在"
                "“审核意见”中写明说明（为什么仍然接受），或选“退回”"
            )
    return out, refused


def _checked(cl: Checklist, answers: Answers, book: ReviewBook) -> list[Planned]:
    """All or nothing: any refused row (located) refuses the workbook."""
    planned, refused = plan_review(cl, answers, book.result, book.reviewer)
    planned, unexplained = _explained(cl, answers, planned)
    refused = book.result.refused + refused + unexplained
    if refused:
        raise InputError(
            f"有 {len(refused)} 行不能导入，未导入任何审核结论（请修改后重新导入）：",
            details=refused,
        )
    return planned
