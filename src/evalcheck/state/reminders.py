"""Escalating reminders (督办): which tier each indicator is in, and the texts (pure).

Tiers, each with its own wording and addressee (thresholds N, M, K in `Thresholds`):

- 提醒 (due within N days, not answered): to the section;
- 催办 (overdue, up to M days): to the section, naming the leader;
- 督办 (overdue by more than M days, or returned and not resubmitted): to the leader;
- 待审核 (an answer waiting for the leader's sign-off for more than K days): to the leader;
- 退回重填 (returned and not resubmitted): to the section, with the reason and who returned it.

An indicator is in at most one tier (a returned one is 督办); its section is told of a return
in addition, in its own 退回重填 letter. Today is always passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from evalcheck.answers.review import Review, days_waiting, signed_by
from evalcheck.answers.tiers import Thresholds, Tier
from evalcheck.model.checklist import UNASSIGNED, Checklist
from evalcheck.state.deadlines import row_tier
from evalcheck.state.snapshot import NO_OWNER, Row

if TYPE_CHECKING:
    from evalcheck.year.previous import Previous

# addressed to the section; the others to the leader
SECTION_TIERS = (Tier.SOON, Tier.LATE, Tier.REDO)


class Message(NamedTuple):
    tier: Tier
    addressee: str  # a section (提醒, 催办) or a leader (督办, 待审核)
    rows: list[Row]
    text: str


def messages(
    checklist: Checklist,
    rows: Iterable[Row],
    today: dt.date,
    limits: Thresholds,
    tiers: Sequence[Tier] = tuple(Tier),
) -> list[Message]:
    """One message per tier and addressee: tiers in escalation order, addressees in
    checklist order (unassigned last), items by id."""
    grouped: dict[tuple[Tier, str], list[Row]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        if r.review is Review.RETURNED and Tier.REDO in tiers:
            for to in r.sections:  # the section hears of the return itself, not only its leader
                grouped.setdefault((Tier.REDO, to), []).append(r)
        tier = row_tier(r, today, limits)
        if tier is None or tier not in tiers:
            continue
        # an indicator shared by several sections or leaders is sent to each of them
        for to in r.sections if tier in SECTION_TIERS else r.owners:
            grouped.setdefault((tier, to), []).append(r)
    sections = [*checklist.sections, UNASSIGNED]
    owners = [*checklist.owners, NO_OWNER]

    def order(key: tuple[Tier, str]) -> tuple[int, int, str]:
        tier, to = key
        names = sections if tier in SECTION_TIERS else owners
        return (list(Tier).index(tier), names.index(to) if to in names else len(names), to)

    out = []
    for key in sorted(grouped, key=order):
        tier, to = key
        items = grouped[key]
        out.append(Message(tier, to, items, _text(checklist, tier, to, items, today, limits)))
    return out


def _date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _text(
    checklist: Checklist, tier: Tier, to: str, items: list[Row], today: dt.date, limits: Thresholds
) -> str:
    head = f"【{checklist.title}·{tier.label}】"
    when = f"截至{today.year}年{today.month}月{today.day}日"
    n = len(items)
    lines = [head]
    if tier in SECTION_TIERS and to == UNASSIGNED:
        lines.append(f"{when}，以下 {n} 项指标尚未指定责任科室，也还没有填报，请协调明确负责科室：")
    elif tier is Tier.SOON:
        lines += [f"{to}：", f"{when}，贵科室负责的以下 {n} 项测评指标即将到期，尚未填报："]
    elif tier is Tier.REDO:
        lines += [
            f"{to}：",
            f"{when}，贵科室负责的以下 {n} 项测评指标的答案已被退回，请按退回意见核实后重新填报：",
        ]
    elif tier is Tier.LATE:
        leaders = "、".join(dict.fromkeys(o for r in items for o in r.owners))
        lines += [
            f"{to}：",
            f"{when}，贵科室负责的以下 {n} 项测评指标已逾期未填报（责任领导：{leaders}）：",
        ]
    elif tier is Tier.ESCALATE:
        lines += [
            f"{to}同志：",
            f"{when}，您负责的以下 {n} 项测评指标逾期超过 {limits.escalate} 天仍未填报，"
            "或被退回后尚未重新填报，请督促责任科室办理：",
        ]
    else:
        lines += [f"{to}同志：", f"{when}，以下 {n} 项答案等待您审核已超过 {limits.review} 天："]
    for k, r in enumerate(items, start=1):
        lines.append(f"{k}. 第{r.id}项 {r.ind.text}（{_detail(tier, r, today, to)}）")
    lines.append(_closing(tier, to))
    return "\n".join(lines)


def _detail(tier: Tier, r: Row, today: dt.date, to: str) -> str:
    due = f"完成时限：{_date(r.ind.due)}"
    if tier is Tier.REDO:
        st = r.state
        assert st is not None
        if r.days > 0:
            state = f"已逾期 {r.days} 天"
        elif r.days == 0:
            state = "今天到期"
        else:
            state = f"还剩 {-r.days} 天"
        return (
            f"原填报值：{r.display}；{signed_by(st)}于{_short_date(st.reviewed_at)}退回，"
            f"原因：{st.comment}；{due}，{state}{_previous(r)}"
        )
    if tier in SECTION_TIERS:
        owner = f"责任领导：{'、'.join(r.ind.owners)}，" if r.ind.owners else ""
        others = [s for s in r.ind.sections if s != to]
        if others:  # shared by several sections: each is told who else, and who leads
            lead = "本科室牵头" if r.ind.section == to else f"{r.ind.section}牵头"
            owner = f"与{'、'.join(others)}共同负责，{lead}；{owner}"
        if r.overdue:
            state = f"已逾期 {r.days} 天"
        elif r.days_left == 0:
            state = "今天到期"
        else:
            state = f"还剩 {r.days_left} 天"
        return f"{owner}{due}，{state}{_previous(r)}"
    st = r.state
    if tier is Tier.ESCALATE:
        if r.review is Review.RETURNED and st is not None:
            at = _short_date(st.reviewed_at)
            return f"{r.section}，{at}被退回：{st.comment}；尚未重新填报"
        return f"{r.section}，{due}，已逾期 {r.days} 天"
    assert st is not None
    return (
        f"填报值：{r.display}；{r.section} {r.author} {_short_date(r.authored_at)}填报，"
        f"已等待 {days_waiting(r.authored_at, today)} 天"
    )


def _previous(r: Row) -> str:
    """After `carry`, last year's value for whoever fills the indicator in (a reference,
    with last year's verdict when it was not final): '；上年值：312 个（上年已退回）'."""
    shown = r.previous.display if r.previous is not None else ""
    return f"；上年值：{shown}" if shown else ""


def _short_date(at: str | None) -> str:
    try:
        d = dt.date.fromisoformat((at or "")[:10])
    except ValueError:
        return ""
    return _date(d)


def _closing(tier: Tier, to: str) -> str:
    if tier is Tier.SOON:
        return "请按时填报（evalcheck answer 题号 --value 值，或填写科室表格后交回）。谢谢！"
    if tier is Tier.REDO:
        return (
            "请核实后重新填报（evalcheck answer 题号 --value 值，或填写科室表格后交回），"
            "重新填报后交责任领导再次审核。谢谢！"
        )
    if tier is Tier.LATE:
        return (
            "请尽快填报，并向责任领导报告进度（evalcheck answer 题号 --value 值，"
            "或填写科室表格后交回）。谢谢！"
        )
    if tier is Tier.ESCALATE:
        return "请督促责任科室尽快办理（进度：evalcheck status；逾期：evalcheck overdue）。"
    return (
        f"请审核：evalcheck review --owner {to}；通过：evalcheck approve 题号 --by {to}；"
        f"退回：evalcheck return 题号 --reason 原因 --by {to}"
        "（也可用 evalcheck export --review 导出审核表）。"
    )


# ---------------------------------------------------------------- the units' letters


def unit_letter(
    checklist: Checklist,
    unit: str,
    asked: Sequence[int],
    follow: Sequence[int],
    due: dt.date | None,
    today: dt.date,
    previous: Mapping[int, Previous] | None = None,
) -> tuple[Tier, str]:
    """A unit's letter (`remind --units`): what it still has to report (`asked`), and the
    derived items that follow from them (`follow`, never asked of a person). Until the units'
    deadline a 提醒; after it a 催办 that says by how many days it is overdue. `previous`:
    after `carry`, the unit's own last-year values, given with each item as a reference."""
    n = len(asked)
    late = due is not None and today > due
    tier = Tier.LATE if late else Tier.SOON
    if due is None:
        head = f"【{tier.label}】{unit}：{checklist.title}中由各单位填报的指标，还有 {n} 项未报送："
    elif late:
        assert due is not None
        head = (
            f"【{tier.label}】{unit}：截至{today.year}年{today.month}月{today.day}日，"
            f"{checklist.title}中由各单位填报的指标还有 {n} 项未报送，"
            f"已逾期 {(today - due).days} 天（报送时限 {due.isoformat()}），请尽快报送："
        )
    else:
        head = (
            f"【{tier.label}】{unit}：{checklist.title}中由各单位填报的指标，"
            f"还有 {n} 项未报送，请于 {due.isoformat()} 前报送："
        )

    def last_year(i: int) -> str:
        p = previous.get(i) if previous is not None else None
        return f"（上年值：{p.display}）" if p is not None and p.display else ""

    lines = [head, *(f"  {i}. {checklist.get(i).text}{last_year(i)}" for i in asked)]
    if follow:
        shown = "、".join(f"第{i}项" for i in follow)
        lines.append(f"（{shown}按公式由以上指标自动计算，不需要填报）")
    return tier, "\n".join(lines)
