"""Progress commands over the snapshot: overdue, status, remind, check."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.answers.review import ESCALATE_DAYS, REVIEW_DAYS, SOON_DAYS
from evalcheck.cli.frame import CliCommand, usage_checked
from evalcheck.cli.shared import (
    ForceOutOpt,
    ListFormatOpt,
    OwnerOpt,
    SectionOpt,
    ShowFmt,
    TodayOpt,
    ToFileOpt,
    UnitsFlag,
    app,
    completer,
    ctx_env,
    echo,
    emit_output,
    filters_of,
    parse_days,
    warn,
)
from evalcheck.errors import EXIT_FINDINGS
from evalcheck.views import render

ShowFormatOpt = Annotated[ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")]


class StatusFmt(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


StatusFormatOpt = Annotated[
    StatusFmt | None,
    typer.Option(
        "--format",
        "-f",
        help="输出格式：text（默认）、json 或 csv。",
        show_default=False,
    ),
]


@app.command(cls=CliCommand)
def overdue(
    ctx: typer.Context,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    within: Annotated[
        int,
        typer.Option("--within", "-w", parser=parse_days, help="同时列出 N 天内到期的未填报指标。"),
    ] = 7,
    today: TodayOpt = None,
    fail: Annotated[
        bool, typer.Option("--fail", help="有逾期指标时以退出码 1 结束（用于定时任务）。")
    ] = False,
    fmt: ListFormatOpt = None,
    output: ToFileOpt = None,
    force: ForceOutOpt = False,
) -> None:
    """列出已逾期未填报的指标（按科室分组），以及即将到期的；“级别”为 remind 的分级。

    \b
    示例：evalcheck overdue --today 2021-09-16 --within 3
    """
    from evalcheck.state.deadlines import due_within, returned_late
    from evalcheck.state.deadlines import overdue as overdue_of
    from evalcheck.state.select import select_rows
    from evalcheck.views.columns import overdue_csv

    env, kind = ctx_env(ctx), render.output_kind(fmt, output, example="逾期.txt")
    snap = env.snapshot(today)
    rows = select_rows(snap, filters_of(env.checklist, sections=section, owners=owner))
    late, soon, back = overdue_of(rows), due_within(rows, within), returned_late(rows)
    if kind == "json":
        data = render.to_json(_overdue_json(snap, late, soon, within, back))
    elif kind == "csv":
        columns = overdue_csv(snap.today, review=env.checklist.review)
        data = render.view(columns, [*late, *back, *soon], "csv")
    else:
        data = _overdue_text(snap, late, soon, within, back)
    emit_output(data, kind=kind, output=output, force=force)
    if fail and (late or back):
        raise typer.Exit(EXIT_FINDINGS)


def _open_dict(r: Any, today: Any) -> dict[str, Any]:
    from evalcheck.views.columns import tier_column

    return {
        "id": r.id,
        "text": r.ind.text,
        "section": r.ind.section,
        "owner": r.ind.owner,
        "sections": list(r.ind.sections),
        "owners": list(r.ind.owners),
        "due": r.ind.due.isoformat(),
        "days_overdue": r.days_overdue,
        "days_left": r.days_left,
        "tier": tier_column(today).get(r) or None,
    }


def _overdue_json(
    snap: Any, late: list[Any], soon: list[Any], within: int, back: list[Any]
) -> dict[str, Any]:
    from evalcheck.state.lifecycle import overdue_rule_text
    from evalcheck.state.snapshot import group_rows

    def returned(r: Any) -> dict[str, Any]:
        from evalcheck.answers.review import signed_by

        st = r.state
        return {
            **_open_dict(r, snap.today),
            "value": r.display,
            "returned_by": signed_by(st),
            "returned_at": st.reviewed_at,
            "reason": st.comment,
        }

    return {
        "today": snap.today.isoformat(),
        "rule": overdue_rule_text(snap.checklist.review),
        "within": within,
        "overdue_count": len(late),
        "overdue": [
            {"section": name, "count": len(g), "items": [_open_dict(r, snap.today) for r in g]}
            for name, g in group_rows(snap, late, "section")
        ],
        "returned_count": len(back),
        "returned": [returned(r) for r in back],
        "due_soon": [_open_dict(r, snap.today) for r in soon],
    }


def _overdue_text(snap: Any, late: list[Any], soon: list[Any], within: int, back: list[Any]) -> str:
    from evalcheck.state.lifecycle import overdue_rule_text
    from evalcheck.state.snapshot import group_rows
    from evalcheck.views.columns import (
        DAYS_LATE,
        DAYS_LEFT,
        OWNER,
        RETURNED_LABEL,
        RETURNED_LATE,
        SECTION,
        overdue_columns,
        tier_column,
    )

    day = snap.today.isoformat()
    tier = tier_column(snap.today)
    parts: list[str] = []
    if late:
        parts.append(f"截至 {day}，共 {len(late)} 项已逾期未填报：")
        for name, group in group_rows(snap, late, "section"):
            title = f"{name}（逾期 {len(group)} 项）"
            columns = [*overdue_columns(OWNER, DAYS_LATE), tier]
            parts.append(render.view(columns, group, title=title, hint=None))
    else:
        parts.append(f"截至 {day}，没有逾期未填报的指标。")
    if back:
        title = f"{RETURNED_LABEL}（已过完成时限 {len(back)} 项）"
        parts.append(render.view(RETURNED_LATE, back, title=title, hint=None))
    if soon:
        title = f"{within} 天内到期（{len(soon)} 项）"
        columns = [*overdue_columns(SECTION, DAYS_LEFT), tier]
        parts.append(render.view(columns, soon, title=title, hint=None))
    else:
        parts.append(f"{within} 天内没有到期的未填报指标。")
    parts[-1] += "\n" + render.paragraph(overdue_rule_text(snap.checklist.review))
    hidden = render.hidden_note(render.CSV_HINT)
    if hidden:
        parts[-1] += "\n" + render.paragraph(hidden)
    return "\n\n".join(parts)


@app.command(cls=CliCommand)
def status(
    ctx: typer.Context,
    today: TodayOpt = None,
    fmt: StatusFormatOpt = None,
    output: ToFileOpt = None,
    force: ForceOutOpt = False,
    units: UnitsFlag = False,
) -> None:
    """填报进度：按科室、领导、二级指标统计总数、已填报、不适用、逾期、缺佐证和完成率。

    清单开启审核（review: true）时另有 待审核/已审核/已退回 三列，完成率只计已审核的
    （自动计算的值在其各项来源均已审核时才算已审核）；最后一行写明按什么计。
    --output 文件名以 .csv 或 .json 结尾时按 CSV 或 JSON 写出（同 -f csv / -f json）。

    \b
    示例：evalcheck status --today 2021-09-16
    示例：evalcheck status -f csv --output 进度.csv
    """
    kind, env = render.output_kind(fmt, output, example="进度.txt"), ctx_env(ctx)
    if units:  # progress per unit (区县、市本级) and who has not reported
        from evalcheck.cli.units import status_units

        text = status_units(env, kind)
    else:
        text = _status_body(env, env.snapshot(today), kind)
    emit_output(text, kind=kind, output=output, force=force)


def _status_body(env: Any, snap: Any, kind: str) -> str:
    """`status` as JSON, CSV or the text tables."""
    from evalcheck.state.snapshot import GROUPINGS, progress, shared

    groups = progress(snap)
    total = groups["all"][0]
    if kind == "json":
        from evalcheck.state.snapshot import counting_rule

        data: dict[str, Any] = {"today": snap.today.isoformat(), "total": total.to_dict()}
        data["review"] = snap.checklist.review
        data["rule"] = counting_rule(snap.checklist)
        data["shared"] = {key: shared(snap.rows, key) for key in ("section", "owner")}
        data.update({key: [p.to_dict() for p in groups[key]] for key in GROUPINGS})
        return render.to_json(data)
    if kind == "csv":
        return _status_csv(snap, groups)
    from evalcheck.model.loading import locate_checklist

    return _status_text(snap, groups, locate_checklist(env.checklist_option).describe())


def _status_csv(snap: Any, groups: dict[str, Any]) -> str:
    """One CSV table: 分组 (科室/领导/二级指标/合计), then the counts of `status`."""
    from evalcheck.state.snapshot import GROUPINGS
    from evalcheck.views.columns import progress_columns

    columns = [c for c in progress_columns("名称", render.bar, snap.checklist.review)
               if c.key != "bar"]  # fmt: skip
    headers = ["分组", *(c.header for c in columns)]
    rows = [
        [label, *(c.as_text(p) for c in columns)]
        for key, (label, _) in GROUPINGS.items()
        for p in groups[key]
    ]
    rows.append(["合计", *(c.as_text(groups["all"][0]) for c in columns)])
    return render.to_csv(headers, rows)


def _status_text(snap: Any, groups: dict[str, Any], where: str) -> str:
    """Which checklist, one table per grouping, then the overall line (with the review
    counts when review is on)."""
    from evalcheck.state.snapshot import GROUPINGS
    from evalcheck.views.columns import progress_columns

    total = groups["all"][0]
    on = snap.checklist.review
    parts = [where]
    parts += [
        render.view(
            progress_columns(label, render.bar, on), groups[key], title=f"按{label}", hint=None
        )
        for key, (label, _) in GROUPINGS.items()
    ]
    hidden = render.hidden_note(render.CSV_HINT)
    if hidden:
        parts[-1] += "\n" + render.paragraph(hidden)
    parts.append(_total_text(snap, total))
    return "\n\n".join(parts)


def _unit_letters(env: Any, today: Any) -> list[Any]:
    from evalcheck.cli.units import remind_units
    from evalcheck.services.reminding import Letter

    return [Letter(label, unit, text) for label, unit, text in remind_units(env, today)]


def _resolve_tier(raw: str) -> Any:
    from evalcheck.answers.tiers import resolve_tier

    return resolve_tier(raw)


ToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        help="只生成给某个收件人（科室、领导，或 --units 时的单位）的提醒，可重复。",
        show_default=False,
        autocompletion=completer("sections"),
    ),
]
LettersDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        help="每位收件人一个文件，写入此文件夹（如 提醒/2021测评提醒_审批监管科.txt），"
        "不打印到屏幕。",
        metavar="文件夹",
        show_default=False,
    ),
]
CopyOpt = Annotated[bool, typer.Option("--copy", help="同时复制到剪贴板，可直接粘贴到微信或邮件。")]
TierOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tier",
        "-t",
        help="只生成某一级：提醒、催办、退回重填、督办、待审核"
        "（或 remind、urge、redo、supervise、review），"
        "可重复。默认全部。",
        show_default=False,
        callback=usage_checked(lambda v: _resolve_tier(v)),
    ),
]
SoonOpt = Annotated[
    int,
    typer.Option("--soon", parser=parse_days, help="提醒：N 天内到期的未填报指标（发给科室）。"),
]
EscalateOpt = Annotated[
    int,
    typer.Option(
        "--escalate",
        parser=parse_days,
        help="督办：逾期超过 M 天（或被退回未重填）的指标发给领导。",
    ),
]
ReviewDaysOpt = Annotated[
    int,
    typer.Option(
        "--review-days", parser=parse_days, help="待审核：答案等待领导审核超过 K 天时提醒领导。"
    ),
]


def _total_text(snap: Any, total: Any) -> str:
    """The 合计 line, and what makes the groups add up to more (shared indicators)."""
    from evalcheck.state.snapshot import counting_rule, shared_note

    on = snap.checklist.review  # then done = final: approved, or derived over approved
    done = "已完成（已审核）" if on else "已完成"
    waiting = f"、待审核 {total.pending} 项、已退回 {total.returned} 项" if on else ""
    text = render.paragraph(
        f"合计：{total.total} 项，{done} {total.done} 项（{total.percent:g}%）"
        f"{render.bar(total.fraction)}，未完成 {total.remaining} 项，"
        f"其中逾期 {total.overdue} 项{waiting}（截至 {snap.today.isoformat()}）"
    )
    if total.lacking:  # 佐证材料: answered without the evidence the checklist requires
        lacking = f"已填报但缺佐证材料 {total.lacking} 项（详见 evalcheck evidence check）"
        text = f"{render.paragraph(lacking)}\n{text}"
    text = f"{render.paragraph(counting_rule(snap.checklist))}\n{text}"
    note = shared_note(snap.rows)
    return f"{text}\n{render.paragraph(note)}" if note else text


@app.command(cls=CliCommand)
def remind(
    ctx: typer.Context,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    tier: TierOpt = None,
    soon: SoonOpt = SOON_DAYS,
    escalate: EscalateOpt = ESCALATE_DAYS,
    review_days: ReviewDaysOpt = REVIEW_DAYS,
    today: TodayOpt = None,
    copy: CopyOpt = False,
    units: UnitsFlag = False,
    to: ToOpt = None,
    output: LettersDirOpt = None,
    force: ForceOutOpt = False,
) -> None:
    """生成分级提醒文字（可直接粘贴到工作群或邮件）：提醒、催办、退回重填发给科室，督办、待审核发给领导。

    \b
    提醒：N 天内到期、尚未填报（发给科室）；
    催办：已逾期、未超过 M 天（发给科室，写明领导）；
    退回重填：被退回、尚未重填（发给科室，附原因和退回人）；
    督办：逾期超过 M 天，或被退回后尚未重填（发给领导）；
    待审核：答案等待审核超过 K 天（发给领导）。

    \b
    示例：evalcheck remind --today 2021-09-20
    示例：evalcheck remind --tier 督办 --escalate 3 --copy
    示例：evalcheck remind --to 审批监管科
    示例：evalcheck remind --output 提醒
    """
    from evalcheck.answers.tiers import Thresholds

    env = ctx_env(ctx)
    if units:
        _refuse_sections_options(ctx)
    limits = Thresholds(soon, escalate, review_days)
    letters, found, valid = _letters(env, units, section, owner, tier, limits, today)
    letters, found = _addressed_to(to, letters, found, valid, units)
    whole = not (units or to or section or owner or tier)  # every recipient's letter
    _deliver(env, letters, found, units=units, output=output, force=force, copy=copy, whole=whole)


def _refuse_sections_options(ctx: typer.Context) -> None:
    """remind --units writes each unit its letter: the options that pick sections, leaders
    or tiers have nothing to act on, and are refused rather than ignored."""
    from evalcheck.cli.units import refuse_with_units

    names = ("section", "owner", "tier", "soon", "escalate", "review_days")
    refuse_with_units(ctx, *names, tip="；只给某个单位请用 --to 单位名")


def _addressed_to(
    to: list[str] | None, letters: list[Any], found: list[Any], valid: list[str], units: bool
) -> tuple[list[Any], list[Any]]:
    """The letters (and their messages) for the recipients named by --to; all without it."""
    if not to:
        return letters, found
    chosen = {_recipient(name, valid, units) for name in to}
    return [x for x in letters if x.to in chosen], [m for m in found if m.addressee in chosen]


def _deliver(
    env: Any, letters: list[Any], found: list[Any], *, units: bool, output: Any, force: bool,
    copy: bool, whole: bool = False,
) -> None:  # fmt: skip
    """Print the letters (and copy them), or write one file per recipient (`whole`: every
    recipient's, so a letter of the folder this run did not write is out of date)."""
    # for the coordinator, like the shared note: after the letters, never copied or filed
    rule = "" if units else "\n\n" + render.paragraph(_remind_rule(env))
    if not letters:
        done = "各单位均已报送全部指标" if units else "所选范围内没有需要提醒的事项"
        return echo(f"{done}，无需提醒。{rule}")
    if output is not None:
        _write_letters(env, output, letters, force, whole)
        return echo(rule.lstrip("\n")) if rule else None
    text = ("\n\n" + "-" * 40 + "\n\n").join(x.text for x in letters)
    echo(text + _shared_note(found) + rule)
    if copy:
        _copy(text)


def _letters(
    env: Any,
    units: bool,
    section: list[str] | None,
    owner: list[str] | None,
    tier: list[str] | None,
    limits: Any,
    today: Any,
) -> tuple[list[Any], list[Any], list[str]]:
    """(the letters, the tier messages they come from, the valid recipients)."""
    from evalcheck.answers.tiers import Tier, resolve_tier
    from evalcheck.services.reminding import Letter
    from evalcheck.state.reminders import messages
    from evalcheck.state.select import select_rows

    if units:  # each unit its letter: what it has not reported
        names = list(env.checklist.units.names) if env.checklist.units else []
        return _unit_letters(env, today), [], names
    tiers = [resolve_tier(t) for t in tier or ()] or list(Tier)
    filters, snap = filters_of(env.checklist, sections=section, owners=owner), env.snapshot(today)
    found = messages(snap.checklist, select_rows(snap, filters), snap.today, limits, tiers)
    letters = [Letter(m.tier.label, m.addressee, m.text) for m in found]
    return letters, found, [*env.checklist.sections, *env.checklist.owners]


def _recipient(name: str, valid: list[str], units: bool) -> str:
    """A --to name: a section or a leader (未指定科室 too), or with --units a unit only."""
    from evalcheck.model.checklist import UNASSIGNED
    from evalcheck.state.select import resolve

    if units:
        return resolve("填报单位", name, valid)
    return resolve("收件人", name, [*dict.fromkeys([*valid, UNASSIGNED])])


def _write_letters(
    env: Any, folder: Path, letters: list[Any], force: bool, whole: bool = False
) -> None:
    from evalcheck.services.reminding import stale_letters, write_letters

    written = write_letters(folder, env.checklist.year, letters, force=force)
    for w in written:
        echo(f"已生成 {w.path}（收件人：{w.to}；{'、'.join(w.labels)}）")
    echo(f"共 {len(written)} 份提醒文件，每位收件人一份。")
    stale = stale_letters(folder, env.checklist.year, written) if whole else []
    if stale:
        warn(
            f"文件夹中还有 {len(stale)} 份以前生成的提醒，这次没有更新（收件人现在没有要提醒的"
            "事项），内容已过时，可以删除：" + "、".join(p.name for p in stale)
        )


def _remind_rule(env: Any) -> str:
    """For the coordinator (not copied): what the tiers count by, as every view says."""
    from evalcheck.state.lifecycle import remind_rule_text

    return remind_rule_text(env.checklist.review)


def _shared_note(found: list[Any]) -> str:
    """For the coordinator (not part of the copied text): items sent to several sections."""
    from evalcheck.state.reminders import SECTION_TIERS

    rows = {r.id: r for m in found if m.tier in SECTION_TIERS for r in m.rows}
    n = sum(1 for r in rows.values() if len(r.sections) > 1)
    if n and len({m.addressee for m in found if m.tier in SECTION_TIERS}) > 1:
        return f"\n\n（其中 {n} 项由多个科室共同负责，已在每个科室的提醒中列出）"
    return ""


def _copy(text: str) -> None:
    from evalcheck.errors import WriteError
    from evalcheck.infra.oscompat import clipboard_command, copy_to_clipboard

    clipboard = clipboard_command()
    if clipboard is None:
        raise WriteError(
            "找不到剪贴板程序（Windows 的 clip.exe、macOS 的 pbcopy、Linux 的 wl-copy、xclip "
            "或 xsel），未复制；提醒文字已在上面显示，也可以存到文件，"
            "例如 evalcheck remind > 提醒.txt"
        )
    problem = copy_to_clipboard(text, clipboard)
    if problem:
        raise WriteError(f"未能复制到剪贴板：{problem}；提醒文字已在上面显示")
    typer.echo(f"已复制到剪贴板（{len(text)} 字），可直接粘贴到微信或邮件。", err=True)


def _check_lines(snap: Any, report: Any) -> list[str]:
    """Each finding's lines, then the approvals that accepted it with a 说明."""
    from evalcheck.state.rules import explained

    lines: list[str] = []
    for f in report.findings:
        lines += f.lines()
        for e in explained(snap, f):
            lines.append(f"  已说明（第{e['id']}项，{e['by']}）：{e['text']}")
    return lines


@app.command(cls=CliCommand)
def check(ctx: typer.Context, fmt: ShowFormatOpt = ShowFmt.text) -> None:
    """检查答案之间是否一致（如 第132项 ≤ 第131项）以及自动计算的值；有错误级问题时退出码为 1。

    \b
    示例：evalcheck check
    """
    from evalcheck.state.rules import check_snapshot, explained, finding_json

    snap = ctx_env(ctx).snapshot()
    # text: a value not final says so in itself; json: the value as is, with its stage
    report = check_snapshot(snap, marked=fmt.value != "json")
    n_err = len(report.errors)
    n_warn = len(report.findings) - n_err
    if fmt.value == "json":
        data = {
            "errors": n_err,
            "warnings": n_warn,
            "findings": [
                {**finding_json(snap, f), "explained": explained(snap, f)} for f in report.findings
            ],
            "unchecked_rules": report.unchecked,
        }
        echo(render.to_json(data))
    else:
        lines = _check_lines(snap, report)
        checked = len(snap.checklist.rules) - len(report.unchecked)
        lines.append(
            f"共检查 {checked} 条规则（另有 {len(report.unchecked)} 条因相关指标未填报而未检查），"
            f"{n_err} 个错误，{n_warn} 个提醒"
        )
        echo("\n".join(lines))
    if report.errors:
        raise typer.Exit(EXIT_FINDINGS)
