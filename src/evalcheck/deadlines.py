"""Due dates: overdue and due-soon selections over snapshot rows, and reminders (pure:
today is always passed in).

Whether an indicator is open or overdue is decided once, in snapshot.py: open when it
has no answer (not applicable counts as an answer, and so does a derived value that
can be computed); overdue when open and today is after its due date (due 2021-09-15
means by the end of that day, so it is one day overdue on 2021-09-16).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .checklist import UNASSIGNED, Checklist, Indicator
from .errors import InputError
from .snapshot import Row, take
from .store import Answers


def parse_today(raw: str | None) -> dt.date:
    if raw is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(f"--today 应为日期 YYYY-MM-DD，例如 2021-09-16，而不是“{raw}”") from None


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


def due_within(rows: Iterable[Row], days: int) -> list[Row]:
    """Open items not yet overdue whose deadline is within `days` days (today included)."""
    soon = [r for r in rows if not r.done and not r.overdue and r.days_left <= days]
    soon.sort(key=lambda r: (r.days_left, r.id))
    return soon


def reminder(checklist: Checklist, section: str, items: list[Row], today: dt.date) -> str:
    """A ready-to-send Chinese message for one section's open items."""
    late = [o for o in items if o.overdue]
    head = f"【{checklist.title}·填报提醒】"
    date_text = f"{today.year}年{today.month}月{today.day}日"
    if section == UNASSIGNED:
        lines = [
            head,
            f"截至{date_text}，以下 {len(items)} 项指标尚未指定责任科室，也还没有填报，"
            "请协调明确负责科室：",
        ]
    else:
        tail = f"，其中 {len(late)} 项已逾期" if late else ""
        lines = [
            head,
            f"{section}：",
            f"截至{date_text}，贵科室负责的测评指标还有 {len(items)} 项未填报{tail}：",
        ]
    for n, o in enumerate(items, start=1):
        when = f"{o.ind.due.month}月{o.ind.due.day}日"
        if o.overdue:
            state = f"已逾期 {o.days} 天"
        elif o.days_left == 0:
            state = "今天到期"
        else:
            state = f"还剩 {o.days_left} 天"
        owner = f"责任领导：{'、'.join(o.ind.owners)}，" if o.ind.owners else ""
        others = [s for s in o.ind.sections if s != section]
        if others:
            lead = "本科室牵头" if o.ind.section == section else f"{o.ind.section}牵头"
            owner = f"与{'、'.join(others)}共同负责，{lead}；{owner}"
        lines.append(f"{n}. 第{o.ind.id}项 {o.ind.text}（{owner}完成时限：{when}，{state}）")
    lines.append("请尽快填报（evalcheck answer 题号 --value 值，或填写科室表格后交回）。谢谢！")
    return "\n".join(lines)
