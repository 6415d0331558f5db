"""Due dates: overdue and due-soon selections over snapshot rows (pure: today is always
passed in). The reminder texts are reminders.py's.

Whether an indicator is open or overdue is decided once, in snapshot.py: open when it
has no answer (not applicable counts as an answer, and so does a derived value that
can be computed); overdue when open and today is after its due date (due 2021-09-15
means by the end of that day, so it is one day overdue on 2021-09-16).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from evalcheck.answers.review import Review, days_waiting
from evalcheck.answers.store import Answers
from evalcheck.errors import InputError
from evalcheck.infra import clock
from evalcheck.model.checklist import Checklist, Indicator
from evalcheck.state.snapshot import Row, take

if TYPE_CHECKING:
    from evalcheck.answers.tiers import Thresholds, Tier


def parse_today(raw: str | None) -> dt.date:
    if raw is None:
        return clock.today()
    try:
        return clock.parse_iso_date(raw)
    except ValueError as exc:
        shown = raw if len(raw) <= 30 else raw[:30] + "……"
        if str(exc).startswith("应为"):
            raise InputError(f"--today {exc}，而不是“{shown}”") from None
        raise InputError(f"--today “{shown}”：{exc}") from None


def open_items(
    checklist: Checklist,
    answers: Answers,
    today: dt.date,
    indicators: Iterable[Indicator] | None = None,
) -> list[Row]:
    """Every open indicator (from the snapshot) with its days against the deadline,
    most overdue first."""
    snap = take(checklist, answers, today)
    rows = snap.rows if indicators is None else snap.where(i.id for i in indicators)
    return sort_open([r for r in rows if not r.done])


def sort_open(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.days, r.id))


def overdue(rows: Iterable[Row]) -> list[Row]:
    return sort_open(r for r in rows if r.overdue)


def returned_late(rows: Iterable[Row]) -> list[Row]:
    """Answers returned by the leader and not refilled, past their deadline (已退回待重填):
    answered once, so not in `overdue`, but the section still owes an answer."""
    return sort_open(r for r in rows if r.review is Review.RETURNED and r.days > 0)


def due_within(rows: Iterable[Row], days: int) -> list[Row]:
    """Open items not yet overdue whose deadline is within `days` days (today included)."""
    soon = [r for r in rows if not r.done and not r.overdue and r.days_left <= days]
    soon.sort(key=lambda r: (r.days_left, r.id))
    return soon


def row_tier(row: Row, today: dt.date, limits: Thresholds) -> Tier | None:
    """A row's reminder tier (提醒, 催办, 督办, 待审核), or None: `overdue`'s 级别 and
    `remind`. The tiers are imported here, by the commands that show them (start-up time:
    reminders.py's messages are `remind`'s alone)."""
    from evalcheck.answers.tiers import tier_of

    waiting = days_waiting(row.authored_at, today) if row.state is not None else 0
    return tier_of(
        open_=not row.done, days=row.days, review=row.review, waiting=waiting, limits=limits
    )
