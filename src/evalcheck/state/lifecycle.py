"""The lifecycle of an answer, defined once (pure): its stage, its label, and "final".

An indicator moves through these stages:

    未填报 --answer--> 待审核 --approve--> 已审核
                          |
                          +--return--> 已退回 --new answer--> 待审核

不适用 is an answer like a value: it is reviewed the same way. Where the checklist has
review off there is no sign-off, and an answer is final as soon as it is recorded (the
stage is then 已填报).

A derived value (自动计算, a formula over other indicators) is final exactly when every
input is final. Its stage is the least advanced stage of its inputs, and the inputs that
are not final are the ones that hold it up (`holdup`).

Every view counts by `Stage.FINAL`: status and its per-section and per-leader rows, `list
--status`, the progress sheet, the exports and their JSON; `rule_text` is the one line in
which a view says what it counts by.
"""

from collections.abc import Iterable, Mapping
from enum import StrEnum

from evalcheck.answers.review import Review


class Stage(StrEnum):
    """Where an indicator stands. Order = how far from final (OPEN the farthest)."""

    OPEN = "open"  # 未填报: nothing recorded (or a formula that cannot be computed yet)
    RETURNED = "returned"  # 已退回: the leader sent it back, waiting for a new answer
    PENDING = "pending"  # 待审核: recorded (or refilled), waiting for the leader
    FINAL = "final"  # 定稿: approved (review on), recorded (review off)

    def label(self, review: bool) -> str:
        """'已审核' for final with review on, '已填报' with review off; else the stage's name."""
        if self is Stage.FINAL:
            return FINAL_LABEL if review else FINAL_LABEL_NO_REVIEW
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.OPEN: "未填报",
    Stage.RETURNED: "已退回",
    Stage.PENDING: "待审核",
    Stage.FINAL: "已审核",
}
FINAL_LABEL = "已审核"
FINAL_LABEL_NO_REVIEW = "已填报"
FINAL_NAME = "定稿"  # the word for "final" whatever the review setting (list --status 定稿)
_RANK = {Stage.OPEN: 0, Stage.RETURNED: 1, Stage.PENDING: 2, Stage.FINAL: 3}

# what `list --status` accepts for the stages (with review on; final also with it off)
STAGE_ALIASES: dict[str, Stage] = {
    "final": Stage.FINAL,
    FINAL_NAME: Stage.FINAL,
    "已定稿": Stage.FINAL,
}


def recorded_stage(review_on: bool, review: Review | None) -> Stage:
    """The stage of a recorded answer (a value or 不适用)."""
    if not review_on:
        return Stage.FINAL
    if review is Review.APPROVED:
        return Stage.FINAL
    if review is Review.RETURNED:
        return Stage.RETURNED
    return Stage.PENDING


def least(stages: Iterable[Stage]) -> Stage:
    """The least advanced of these stages (FINAL when there are none)."""
    return min(stages, key=_RANK.__getitem__, default=Stage.FINAL)


def derived_stage(
    inputs: Iterable[int], stage_of: Mapping[int, Stage], computable: bool
) -> tuple[Stage, tuple[int, ...]]:
    """A derived value's stage and the inputs that hold it up (in formula order).

    A value that cannot be computed is open; otherwise it is as far as its least
    advanced input. An input not in `stage_of` counts as open.
    """
    ids = sorted(set(inputs))
    held = tuple(i for i in ids if stage_of.get(i, Stage.OPEN) is not Stage.FINAL)
    if not computable:
        return Stage.OPEN, held
    return least(stage_of.get(i, Stage.OPEN) for i in ids), held


def holdup_text(held: Iterable[int], stage_of: Mapping[int, Stage], review: bool) -> str:
    """'第134项待审核、第135项已退回': why a derived value is not final yet."""
    return "、".join(f"第{i}项{stage_of.get(i, Stage.OPEN).label(review)}" for i in held)


def rule_text(review: bool) -> str:
    """The one line every counting view prints: what it counts as done."""
    if review:
        return "完成按已审核计（自动计算的值在其各项来源均已审核时计入）"
    return "未启用审核：完成按已填报计"


def overdue_rule_text(review: bool) -> str:
    """The line `overdue` prints: the lifecycle's rule, and what it lists as overdue (an
    answer awaiting review is not: the section has done its part)."""
    return f"{rule_text(review)}；逾期只计未填报的" + (
        "（待审核的不算逾期，被退回未重填的另列）" if review else ""
    )


def remind_rule_text(review: bool) -> str:
    """The line `remind` prints for the coordinator: the rule, and what each tier counts."""
    if review:
        return (
            f"{rule_text(review)}；提醒、催办、督办计未填报的，退回重填计被退回未重填的，"
            "待审核计等待审核的天数"
        )
    return f"{rule_text(review)}；提醒、催办、督办计未填报的"


def mark(stage: Stage, review: bool) -> str:
    """What a working export appends to a value that is not final: '（待审核）', '（已退回）'."""
    if not review or stage is Stage.FINAL or stage is Stage.OPEN:
        return ""
    return f"（{stage.label(review)}）"
