"""Leaders sign off answers (审核): review states and transitions (pure); the reminder
tiers built on them are tiers.py's.

With `review: true` in the checklist every recorded answer (a value or not applicable)
is pending (待审核) until its responsible leader approves it (已审核) or returns it with
a reason (已退回). The marks live in the answers file's history (see store.State), so
`undo` reverts them like any other change. A new answer after a return, or any change
to an approved answer, is a version without a mark: pending again.

Transitions (anything else is refused with a reason):

    pending  --approve--> approved      pending  --return--> returned
    approved --return---> returned      (a leader may take back an approval)
    returned --new answer--> pending    approved --changed answer--> pending
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import NamedTuple

from evalcheck.answers.store import State
from evalcheck.errors import InputError
from evalcheck.model.checklist import Checklist, Indicator


class Review(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return REVIEW_LABELS[self]


REVIEW_LABELS: dict[Review, str] = {
    Review.PENDING: "待审核",
    Review.APPROVED: "已审核",
    Review.RETURNED: "已退回",
}
REVIEW_ALIASES: dict[str, Review] = {
    **{label: r for r, label in REVIEW_LABELS.items()},
    **{r.value: r for r in Review},
}


def review_of(checklist: Checklist, state: State | None) -> Review | None:
    """The review state of a recorded answer; None when review is off or nothing is recorded."""
    if not checklist.review or state is None or not state.recorded:
        return None
    return Review(state.review) if state.review else Review.PENDING


def review_off_error(checklist: Checklist, answers_path: Path | None = None) -> InputError:
    """Review is off: in the checklist, or for the answers file of a unit (a county's
    values are not signed by the city's leaders; the city's answers are)."""
    from evalcheck.answers.units import unit_of

    unit = unit_of(answers_path, checklist) if answers_path is not None else None
    if unit is not None:
        return InputError(
            f"{answers_path} 是单位“{unit}”的答案文件：单位报送的值不经领导审核，领导审核的是"
            "市级的答案（各单位汇总后由 evalcheck rollup --apply 写入）"
        )
    return InputError(
        f"当前清单未开启审核（{checklist.path} 中 review: false）：要让责任领导审核答案，"
        "请在清单中写 review: true"
    )


class Signoff(NamedTuple):
    """One approval or return to record."""

    ind: Indicator
    state: State  # the answer being signed
    signed_for: str | None  # the responsible leader, when someone else (a deputy) signs


def plan_signoffs(
    checklist: Checklist,
    states: Sequence[tuple[Indicator, State | None]],
    *,
    action: str,
    reviewer: str,
    authors: Mapping[int, str | None],
) -> list[Signoff]:
    """Check every item against who may sign and the transitions; refuse all if one is
    refused.

    `action` is "approve" or "return". Raises InputError listing every refused item.
    """
    if not checklist.review:
        raise review_off_error(checklist)
    problems: list[str] = []
    plan: list[Signoff] = []
    for ind, st in states:
        why = signer_refusal(checklist, ind, reviewer) or refusal(
            ind, st, review_of(checklist, st), action
        )
        why = why or own_refusal(ind, authors.get(ind.id), reviewer, action)
        if why:
            problems.append(why)
            continue
        assert st is not None
        plan.append(Signoff(ind, st, checklist.signs_for(ind, reviewer)[1]))
    if problems:
        what = "审核通过" if action == "approve" else "退回"
        if len(problems) == 1:
            raise InputError(f"未{what}任何指标：{problems[0]}")
        raise InputError(f"有 {len(problems)} 项不能{what}，未做任何修改：", details=problems)
    return plan


def signer_refusal(checklist: Checklist, ind: Indicator, reviewer: str) -> str:
    """Why `reviewer` may not sign this indicator ('' when a leader of it or a listed deputy
    of one may). Who may sign is the checklist's: the owners and their `deputies`."""
    if checklist.signs_for(ind, reviewer)[0]:
        return ""
    if not ind.owners:
        return f"第{ind.id}项没有责任领导，无人可以审核（请在清单中为该项写明 owner）"
    leaders = "、".join(ind.owners)
    deputies = [f"{d}（代{o}）" for o in ind.owners for d in checklist.deputies_of(o)]
    if deputies:
        who = f"责任领导{leaders}或登记的代签人{'、'.join(deputies)}"
    else:
        who = f"责任领导{leaders}（清单中没有为其登记代签人）"
    example = f"deputies: {{{ind.owners[0]}: [{reviewer}]}}"
    return (
        f"{reviewer}不能审核第{ind.id}项：只有{who}可以审核。"
        f"如需他人代签，请在清单的 deputies 中登记，例如 {example}"
    )


def own_refusal(ind: Indicator, author: str | None, reviewer: str, action: str) -> str:
    """Nobody signs an answer they filled or imported themselves ('' when not); `author`:
    the answer's 填报人 (Answers.author: evidence added or an undo does not change it)."""
    if author != reviewer:
        return ""
    what = "审核通过" if action == "approve" else "退回"
    return f"第{ind.id}项的当前答案是{reviewer}本人填报的，不能由本人{what}（请由其他审核人审核）"


def refusal(ind: Indicator, st: State | None, current: Review | None, action: str) -> str:
    """Why `action` (approve | return) cannot apply to this answer; '' when it can."""
    if current is None and ind.formula:
        from evalcheck.model import expr

        sources = "、".join(f"第{i}项" for i in expr.references(ind.formula))
        return (
            f"第{ind.id}项按公式由{sources}自动计算，不单独审核：审核{sources}即可"
            "（其各项来源都已审核时它即为已审核）"
        )
    if current is None:
        return f"第{ind.id}项还没有填报，没有可审核的答案"
    assert st is not None
    if action == "approve":
        if current is Review.APPROVED:
            return (
                f"第{ind.id}项已由{st.reviewer}于{short_time(st.reviewed_at)}审核通过，不能重复审核"
            )
        if current is Review.RETURNED:
            return (
                f"第{ind.id}项已被{st.reviewer}退回（{st.comment}），需责任科室重新填报后才能审核"
            )
    elif current is Review.RETURNED:
        return f"第{ind.id}项已被{st.reviewer}退回（{st.comment}），正等待重新填报"
    return ""


def signed_by(st: State) -> str:
    """'万富春' or '万富春（代高秀英）' for a deputy's signature."""
    if st.reviewer is None:
        return ""
    return f"{st.reviewer}（代{st.signed_for}）" if st.signed_for else st.reviewer


def short_time(at: str | None) -> str:
    """'2021-09-18 10:30' from an ISO timestamp, in this machine's time zone ('' when none)."""
    from evalcheck.infra.clock import local

    return local(at)


def answer_date(at: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(at[:10])
    except ValueError:
        return None


def days_waiting(authored_at: str, today: dt.date) -> int:
    """Whole days an answer has waited for review: since its value was entered (its 填报时间,
    Record.authorship), so that a sign-off undone or a file added does not restart the wait
    (0 on the day; 0 when the time is unreadable)."""
    day = answer_date(authored_at)
    return max((today - day).days, 0) if day else 0


# the defaults of `remind`: N (due within), M (overdue more than), K (waiting more than)
SOON_DAYS = 7
ESCALATE_DAYS = 7
REVIEW_DAYS = 3
