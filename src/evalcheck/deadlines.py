"""Due dates, overdue items, progress per group (pure: today is always passed in).

An indicator is open when it has no answer (not applicable counts as an answer, and
so does a derived value that can be computed). It is overdue when it is open and
today is after its due date: due 2021-09-15 means by the end of that day, so it is
overdue from 2021-09-16, one day overdue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from .checklist import UNASSIGNED, Checklist, Indicator
from .errors import InputError
from .store import Answers


def parse_today(raw: str | None) -> dt.date:
    if raw is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(f"--today 应为日期 YYYY-MM-DD，例如 2021-09-16，而不是“{raw}”") from None


class Open(NamedTuple):
    """An unanswered indicator and where it stands against its deadline."""

    ind: Indicator
    days: int  # > 0: days overdue; <= 0: days left (0 = due today)

    @property
    def overdue(self) -> bool:
        return self.days > 0

    @property
    def days_left(self) -> int:
        return -self.days


def open_items(
    checklist: Checklist,
    answers: Answers,
    today: dt.date,
    computed: Iterable[int] = (),
    indicators: Iterable[Indicator] | None = None,
) -> list[Open]:
    """Every open indicator with its days against the deadline, most overdue first."""
    done = set(computed)
    items = [
        Open(ind, (today - ind.due).days)
        for ind in (checklist.indicators if indicators is None else indicators)
        if answers.status(ind.id) == "unanswered" and ind.id not in done
    ]
    items.sort(key=lambda o: (-o.days, o.ind.id))
    return items


def overdue(items: Iterable[Open]) -> list[Open]:
    return [o for o in items if o.overdue]


def due_within(items: Iterable[Open], days: int) -> list[Open]:
    """Open items not yet overdue whose deadline is within `days` days (today included)."""
    soon = [o for o in items if not o.overdue and o.days_left <= days]
    soon.sort(key=lambda o: (o.days_left, o.ind.id))
    return soon


def section_name(ind: Indicator) -> str:
    return ind.section or UNASSIGNED


def group_by_section(checklist: Checklist, items: Iterable[Open]) -> list[tuple[str, list[Open]]]:
    """Sections in checklist order, unassigned last; items keep their order."""
    groups: dict[str, list[Open]] = {}
    for o in items:
        groups.setdefault(section_name(o.ind), []).append(o)
    order = [*checklist.sections, UNASSIGNED]
    return [(name, groups[name]) for name in order if name in groups]


class Progress(NamedTuple):
    name: str
    total: int
    answered: int
    na: int
    computed: int
    overdue: int

    @property
    def done(self) -> int:
        return self.answered + self.na + self.computed

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def percent(self) -> float:
        return round(100 * self.fraction, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "total": self.total,
            "answered": self.answered,
            "na": self.na,
            "computed": self.computed,
            "overdue": self.overdue,
            "open": self.total - self.done,
            "percent": self.percent,
        }


GROUPINGS: dict[str, tuple[str, Callable[[Checklist, Indicator], str]]] = {
    "section": ("责任科室", lambda cl, i: section_name(i)),
    "owner": ("责任领导", lambda cl, i: i.owner or "未指定领导"),
    "category": ("二级指标", lambda cl, i: cl.category_label(i.category)),
}


def progress(
    checklist: Checklist,
    answers: Answers,
    today: dt.date,
    computed: Iterable[int] = (),
) -> dict[str, list[Progress]]:
    """Progress per section, per leader and per category, plus "all" (one row)."""
    done_by_formula = set(computed)
    late = {o.ind.id for o in overdue(open_items(checklist, answers, today, done_by_formula))}
    out: dict[str, list[Progress]] = {}
    for key, (_, name_of) in GROUPINGS.items():
        counts: dict[str, list[int]] = {}
        for ind in checklist.indicators:
            c = counts.setdefault(name_of(checklist, ind), [0, 0, 0, 0, 0])
            _count(c, ind, answers, done_by_formula, late)
        out[key] = [Progress(name, *c) for name, c in counts.items()]
    total = [0, 0, 0, 0, 0]
    for ind in checklist.indicators:
        _count(total, ind, answers, done_by_formula, late)
    out["all"] = [Progress("合计", *total)]
    return out


def _count(
    c: list[int], ind: Indicator, answers: Answers, computed: set[int], late: set[int]
) -> None:
    status = answers.status(ind.id)
    c[0] += 1
    if status == "answered":
        c[1] += 1
    elif status == "na":
        c[2] += 1
    elif ind.id in computed:
        c[3] += 1
    if ind.id in late:
        c[4] += 1


def reminder(checklist: Checklist, section: str, items: list[Open], today: dt.date) -> str:
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
        owner = f"责任领导：{o.ind.owner}，" if o.ind.owner else ""
        lines.append(f"{n}. 第{o.ind.id}项 {o.ind.text}（{owner}完成时限：{when}，{state}）")
    lines.append("请尽快填报（evalcheck answer 题号 --value 值，或填写科室表格后交回）。谢谢！")
    return "\n".join(lines)
