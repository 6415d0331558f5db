"""Progress commands over the snapshot: overdue, status, remind, check."""

from typing import Annotated, Any

import typer

from .. import render
from ..errors import EXIT_FINDINGS
from .app import (
    Fmt,
    FormatOpt,
    OwnerOpt,
    SectionOpt,
    ShowFmt,
    TodayOpt,
    ToFileOpt,
    _echo,
    _emit,
    _env,
    _filters,
    app,
)
from .frame import _Command

ShowFormatOpt = Annotated[ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")]


@app.command(cls=_Command)
def overdue(
    ctx: typer.Context,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    within: Annotated[
        int, typer.Option("--within", "-w", min=0, help="同时列出 N 天内到期的未填报指标。")
    ] = 7,
    today: TodayOpt = None,
    fail: Annotated[
        bool, typer.Option("--fail", help="有逾期指标时以退出码 1 结束（用于定时任务）。")
    ] = False,
    fmt: FormatOpt = Fmt.table,
    output: ToFileOpt = None,
) -> None:
    """列出已逾期未填报的指标（按科室分组，逾期最久的在前），以及即将到期的指标。

    \b
    示例：evalcheck overdue --today 2021-09-16 --within 3
    """
    from ..columns import OVERDUE_CSV
    from ..deadlines import due_within
    from ..deadlines import overdue as overdue_of
    from ..select import select_rows

    env = _env(ctx)
    filters = _filters(env.checklist, sections=section, owners=owner)
    snap = env.snapshot(today)
    rows = select_rows(snap, filters)
    late, soon = overdue_of(rows), due_within(rows, within)
    if fmt.value == "json":
        _emit(render.to_json(_overdue_json(snap, late, soon, within)), kind="json", output=output)
    elif fmt.value == "csv":
        _emit(render.view(OVERDUE_CSV, [*late, *soon], "csv"), kind="csv", output=output)
    else:
        _emit(_overdue_text(snap, late, soon, within), output=output)
    if fail and late:
        raise typer.Exit(EXIT_FINDINGS)


def _open_dict(r: Any) -> dict[str, Any]:
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
    }


def _overdue_json(snap: Any, late: list[Any], soon: list[Any], within: int) -> dict[str, Any]:
    from ..snapshot import group_rows

    return {
        "today": snap.today.isoformat(),
        "within": within,
        "overdue_count": len(late),
        "overdue": [
            {"section": name, "count": len(g), "items": [_open_dict(r) for r in g]}
            for name, g in group_rows(snap, late, "section")
        ],
        "due_soon": [_open_dict(r) for r in soon],
    }


def _overdue_text(snap: Any, late: list[Any], soon: list[Any], within: int) -> str:
    from ..columns import DAYS_LATE, DAYS_LEFT, OWNER, SECTION, overdue_columns
    from ..snapshot import group_rows

    day = snap.today.isoformat()
    parts: list[str] = []
    if late:
        parts.append(f"截至 {day}，共 {len(late)} 项已逾期未填报：")
        for name, group in group_rows(snap, late, "section"):
            title = f"{name}（逾期 {len(group)} 项）"
            parts.append(render.view(overdue_columns(OWNER, DAYS_LATE), group, title=title))
    else:
        parts.append(f"截至 {day}，没有逾期未填报的指标。")
    if soon:
        title = f"{within} 天内到期（{len(soon)} 项）"
        parts.append(render.view(overdue_columns(SECTION, DAYS_LEFT), soon, title=title))
    else:
        parts.append(f"{within} 天内没有到期的未填报指标。")
    return "\n\n".join(parts)


@app.command(cls=_Command)
def status(
    ctx: typer.Context,
    today: TodayOpt = None,
    fmt: ShowFormatOpt = ShowFmt.text,
    output: ToFileOpt = None,
) -> None:
    """填报进度：按科室、领导、二级指标统计总数、已填报、不适用、逾期和完成率。

    \b
    示例：evalcheck status --today 2021-09-16
    """
    from ..columns import progress_columns
    from ..snapshot import GROUPINGS, progress, shared

    snap = _env(ctx).snapshot(today)
    groups = progress(snap)
    total = groups["all"][0]
    if fmt.value == "json":
        data: dict[str, Any] = {"today": snap.today.isoformat(), "total": total.to_dict()}
        data["shared"] = {key: shared(snap.rows, key) for key in ("section", "owner")}
        data.update({key: [p.to_dict() for p in groups[key]] for key in GROUPINGS})
        _emit(render.to_json(data), kind="json", output=output)
        return
    from ..checklist import locate_checklist

    parts = [locate_checklist(_env(ctx).checklist_option).describe()]
    parts += [
        render.view(progress_columns(label, render.bar), groups[key], title=f"按{label}")
        for key, (label, _) in GROUPINGS.items()
    ]
    parts.append(_total_text(snap, total))
    _emit("\n\n".join(parts), output=output)


def _total_text(snap: Any, total: Any) -> str:
    """The 合计 line, and what makes the groups add up to more (shared indicators)."""
    from ..snapshot import shared_note

    text = render.paragraph(
        f"合计：{total.total} 项，已完成 {total.done} 项（{total.percent:g}%）"
        f"{render.bar(total.fraction)}，未完成 {total.open} 项，其中逾期 {total.overdue} 项"
        f"（截至 {snap.today.isoformat()}）"
    )
    note = shared_note(snap.rows)
    return f"{text}\n{render.paragraph(note)}" if note else text


@app.command(cls=_Command)
def remind(
    ctx: typer.Context,
    section: SectionOpt = None,
    today: TodayOpt = None,
    copy: Annotated[
        bool, typer.Option("--copy", help="同时复制到剪贴板，可直接粘贴到微信或邮件。")
    ] = False,
) -> None:
    """为每个还有未填报指标的科室生成一段可直接发送的提醒文字（粘贴到工作群或邮件）。

    \b
    示例：evalcheck remind --section 审批监管科 --today 2021-09-20
    示例：evalcheck remind --section 审批监管科 --copy
    """
    from ..deadlines import reminder
    from ..select import select_rows
    from ..snapshot import group_rows, shared

    env = _env(ctx)
    filters = _filters(env.checklist, sections=section)
    snap = env.snapshot(today)
    open_rows = [r for r in select_rows(snap, filters) if not r.done]
    groups = group_rows(snap, open_rows, "section")
    if not groups:
        _echo("所选科室的指标都已填报，无需提醒。")
        return
    texts = [reminder(snap.checklist, name, g, snap.today) for name, g in groups]
    text = ("\n\n" + "-" * 40 + "\n\n").join(texts)
    _echo(text)
    n_shared = shared(open_rows, "section")
    if n_shared and len(groups) > 1:  # for the coordinator, not part of the copied text
        _echo(f"\n（其中 {n_shared} 项由多个科室共同负责，已在每个科室的提醒中列出）")
    if copy:
        _copy(text)


def _copy(text: str) -> None:
    from ..errors import WriteError
    from ..oscompat import clipboard_command, copy_to_clipboard

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


@app.command(cls=_Command)
def check(ctx: typer.Context, fmt: ShowFormatOpt = ShowFmt.text) -> None:
    """检查答案之间是否一致（如 第132项 ≤ 第131项）以及自动计算的值；有错误级问题时退出码为 1。

    \b
    示例：evalcheck check
    """
    from ..rules import check_snapshot

    snap = _env(ctx).snapshot()
    report = check_snapshot(snap)
    n_err = len(report.errors)
    n_warn = len(report.findings) - n_err
    if fmt.value == "json":
        data = {
            "errors": n_err,
            "warnings": n_warn,
            "findings": [f.to_dict() for f in report.findings],
            "unchecked_rules": report.unchecked,
        }
        _echo(render.to_json(data))
    else:
        lines = [line for f in report.findings for line in f.lines()]
        checked = len(snap.checklist.rules) - len(report.unchecked)
        lines.append(
            f"共检查 {checked} 条规则（另有 {len(report.unchecked)} 条因相关指标未填报而未检查），"
            f"{n_err} 个错误，{n_warn} 个提醒"
        )
        _echo("\n".join(lines))
    if report.errors:
        raise typer.Exit(EXIT_FINDINGS)
