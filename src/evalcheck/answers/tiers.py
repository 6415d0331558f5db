"""Reminder tiers (督办): who is told about what, and `remind`'s limits (pure).

Apart from review.py so that a command that reminds nobody (list, show, status, check,
answer) does not define them.
"""

from enum import StrEnum

from evalcheck.answers.review import ESCALATE_DAYS, REVIEW_DAYS, SOON_DAYS, Review
from evalcheck.errors import InputError
from evalcheck.model.entity import Entity


class Tier(StrEnum):
    """Escalating reminders: who is told, about what. Order = escalation."""

    SOON = "remind"  # 提醒: due within N days, to the section
    LATE = "urge"  # 催办: overdue, to the section, naming the leader
    REDO = "redo"  # 退回重填: returned and not resubmitted, to the section (with the reason)
    ESCALATE = "supervise"  # 督办: long overdue or returned, to the leader
    REVIEW = "review"  # 待审核: answers waiting for the leader's sign-off for more than K days

    @property
    def label(self) -> str:
        return TIER_LABELS[self]


TIER_LABELS: dict[Tier, str] = {
    Tier.SOON: "提醒",
    Tier.LATE: "催办",
    Tier.REDO: "退回重填",
    Tier.ESCALATE: "督办",
    Tier.REVIEW: "待审核",
}
TIER_ALIASES: dict[str, Tier] = {
    **{label: t for t, label in TIER_LABELS.items()},
    **{t.value: t for t in Tier},
}


class Thresholds(Entity):
    """`remind`'s limits in days (a class of its own: never equal to checklist.Thresholds)."""

    soon: int = SOON_DAYS
    escalate: int = ESCALATE_DAYS
    review: int = REVIEW_DAYS


def tier_of(
    *,
    open_: bool,
    days: int,
    review: Review | None,
    waiting: int,
    limits: Thresholds,
) -> Tier | None:
    """The reminder tier of one indicator, or None when nobody needs reminding.

    A returned answer is the leader's 督办; its section is told too, in a 退回重填
    letter of its own (reminders.messages), never as the item's tier.

    `open_`: no answer yet; `days`: today - due (> 0 overdue); `review`: its review
    state; `waiting`: days since its answer was recorded.
    """
    if review is Review.RETURNED:
        return Tier.ESCALATE
    if review is Review.PENDING:
        return Tier.REVIEW if waiting > limits.review else None
    if not open_:
        return None
    if days > limits.escalate:
        return Tier.ESCALATE
    if days > 0:
        return Tier.LATE
    if -days <= limits.soon:
        return Tier.SOON
    return None


def resolve_tier(raw: str) -> Tier:
    tier = TIER_ALIASES.get(raw.strip())
    if tier is None:
        valid = "、".join(f"{t.label}（{t.value}）" for t in Tier)
        raise InputError(f"未知的提醒级别“{raw}”（可选：{valid}）")
    return tier
