"""The commands: parse options, call the core, render."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import render
from ..checklist import (
    KIND_NAMES,
    ROLE_NAMES,
    UNASSIGNED,
    Checklist,
    Indicator,
    resolve_checklist_path,
)
from ..errors import EXIT_DATA, EXIT_FINDINGS, InputError
from ..store import ACTIONS, STATUS_NAMES, Answers, State, current_user, describe_state
from .app import (
    ByOpt,
    Fmt,
    FormatOpt,
    OwnerOpt,
    SectionOpt,
    ShowFmt,
    TodayOpt,
    _complete,
    _echo,
    _env,
    _parse_id,
    app,
)
from .frame import _Command


def _display_answer(ind: Indicator, answers: Answers, derived: dict[int, Any]) -> str:
    from ..derived import display_derived

    st = answers.state(ind.id)
    if st is not None:
        return describe_state(ind, st)
    shown = display_derived(ind, derived.get(ind.id))
    return shown or ""


def _derived(cl: Checklist, answers: Answers) -> dict[int, Any]:
    if not any(i.formula for i in cl.indicators):
        return {}
    from ..derived import compute_derived

    return dict(compute_derived(cl, answers.numeric_values()))


def _answer_dict(ind: Indicator, answers: Answers, derived: dict[int, Any]) -> dict[str, Any]:
    st = answers.state(ind.id)
    d = derived.get(ind.id)
    out: dict[str, Any] = {
        "status": answers.status(ind.id),
        "value": st.value if st else None,
        "na": st.na if st else None,
        "display": _display_answer(ind, answers, derived),
        "computed": None if d is None else d.value,
    }
    if st is not None:
        out.update(note=st.note, evidence=list(st.evidence), by=st.by, at=st.at)
    return out


# ---------------------------------------------------------------- list / show / validate


@app.command("list", cls=_Command)
def list_cmd(
    ctx: typer.Context,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            help="二级指标：名称、序号 一…五 或 1…5，可重复。",
            autocompletion=_complete("categories"),
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="题型：yesno、count、percent、choice、multi、text，可重复。"),
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="任务类型：lead（牵头）或 support（配合）。")
    ] = None,
    search: Annotated[
        list[str] | None, typer.Option("--search", "-q", help="在指标内容中查找文字，可重复。")
    ] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="只看未指定责任科室的指标（如第82项）。")
    ] = False,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status", help="填报状态：answered（已填报）、unanswered（未填报）、na（不适用）。"
        ),
    ] = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """列出指标，可按科室、领导、二级指标、题型、状态筛选。

    不同选项之间为“且”，同一选项重复为“或”。

    \b
    示例：evalcheck list --section 审批监管科
    """
    from ..select import Filters, resolve_filters, select

    env = _env(ctx)
    cl = env.checklist
    filters = resolve_filters(
        cl,
        Filters(
            sections=tuple(section or ()),
            owners=tuple(owner or ()),
            categories=tuple(category or ()),
            kinds=tuple(kind or ()),
            roles=tuple(role or ()),
            search=tuple(search or ()),
            statuses=tuple(status or ()),
            unassigned=unassigned,
        ),
    )
    answers = env.answers()
    chosen = select(cl, filters, answers)
    derived = _derived(cl, answers)
    if fmt.value == "json":
        _echo(
            render.to_json(
                [
                    {
                        **i.to_dict(),
                        "category_label": cl.category_label(i.category),
                        "answer": _answer_dict(i, answers, derived),
                    }
                    for i in chosen
                ]
            )
        )
        return
    if fmt.value == "csv":
        headers = [
            "题号", "二级指标", "三级指标", "责任领导", "责任科室", "完成时限", "任务类型",
            "题型", "单位", "选项", "范围", "公式", "填报状态", "填报值", "备注", "佐证材料",
            "填报人", "填报时间",
        ]  # fmt: skip
        rows = []
        for i in chosen:
            a = _answer_dict(i, answers, derived)
            rng = _range_text(i)
            rows.append(
                [
                    i.id, cl.category_label(i.category), i.text, i.owner, i.section,
                    i.due.isoformat(), ROLE_NAMES[i.role], i.kind, i.unit,
                    "；".join(i.option_texts), rng, i.formula,
                    STATUS_NAMES[a["status"]], a["display"], a.get("note"),
                    "；".join(a.get("evidence") or []), a.get("by"), a.get("at"),
                ]
            )  # fmt: skip
        sys.stdout.write(render.to_csv(headers, rows))
        return
    rows = [
        [
            i.id,
            i.category,
            i.text,
            i.owner or "",
            i.section or UNASSIGNED,
            i.due.isoformat(),
            _display_answer(i, answers, derived),
        ]
        for i in chosen
    ]
    _echo(
        render.table(
            ["题号", "二级指标", "三级指标", "责任领导", "责任科室", "完成时限", "填报值"],
            rows,
            footer=f"共 {len(chosen)} 项",
            wide=("三级指标", "填报值"),
        )
    )


def _range_text(ind: Indicator) -> str:
    """'0–100', '≥0', '≥-100' for numeric kinds; '' otherwise."""
    if ind.kind not in ("count", "percent"):
        return ""

    def num(v: float | None) -> str:
        return "" if v is None else f"{v:g}"

    if ind.high is None:
        return f"≥{num(ind.low)}" if ind.low is not None else "不限"
    return f"{num(ind.low)}–{num(ind.high)}"


@app.command(cls=_Command)
def show(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(metavar="ID", help="题号，例如 47。")],
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """显示一项指标的全部信息和当前答案。

    \b
    示例：evalcheck show 47
    """
    from .. import expr
    from ..values import example

    env = _env(ctx)
    cl = env.checklist
    ind = cl.get(_parse_id(ident))
    answers = env.answers()
    derived = _derived(cl, answers)
    if fmt.value == "json":
        data = {**ind.to_dict(), "category_label": cl.category_label(ind.category)}
        data["answer"] = _answer_dict(ind, answers, derived)
        _echo(render.to_json(data))
        return
    lines = [
        ("题号", str(ind.id)),
        ("二级指标", cl.category_label(ind.category)),
        ("三级指标", ind.text),
        ("责任领导", ind.owner or "未指定"),
        ("责任科室", ind.section or UNASSIGNED),
        ("完成时限", ind.due.isoformat()),
        ("任务类型", ROLE_NAMES[ind.role]),
        (
            "题型",
            f"{KIND_NAMES[ind.kind]}（{ind.kind}）" + (f"，单位：{ind.unit}" if ind.unit else ""),
        ),
    ]
    if ind.options:
        opts = "；".join(
            f"{n}.{o.text}" + ("（不可与其他选项同选）" if o.exclusive else "")
            for n, o in enumerate(ind.options, start=1)
        )
        lines.append(("选项", opts))
    if ind.formula:
        from ..derived import display_derived

        lines.append(("计算公式", expr.describe(ind.formula)))
        computed = display_derived(ind, derived.get(ind.id), verbose=True)
        if computed:
            lines.append(("按公式计算", computed))
    lines.append(("填写示例", example(ind)))
    st = answers.state(ind.id)
    lines.append(("填报状态", STATUS_NAMES[answers.status(ind.id)]))
    lines.append(("填报值", _display_answer(ind, answers, derived) or "（未填报）"))
    if st is not None:
        if st.note:
            lines.append(("备注", st.note))
        if st.evidence:
            lines.append(("佐证材料", "；".join(st.evidence)))
        lines.append(("填报人", st.by))
        lines.append(("填报时间", st.at))
    _echo("\n".join(f"{k}：{v}" for k, v in lines))


@app.command(cls=_Command)
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="要检查的清单文件；默认为当前使用的清单。", show_default=False),
    ] = None,
) -> None:
    """检查清单文件：一次列出全部错误和警告，有错误时以退出码 4 结束。

    \b
    示例：evalcheck validate data/indicators.yaml
    """
    from ..validation import read_checklist

    env = _env(ctx)
    target = path or resolve_checklist_path(env.checklist_option)
    checklist, problems = read_checklist(target)
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    for p in errors:
        _echo(f"错误：{p.text}")
    for p in warnings:
        _echo(f"警告：{p.text}")
    count = f"共 {len(checklist.indicators)} 项指标，" if checklist else ""
    _echo(f"{target}：{count}{len(errors)} 个错误，{len(warnings)} 个警告")
    if errors:
        raise typer.Exit(EXIT_DATA)


# ---------------------------------------------------------------- answers


@app.command(cls=_Command)
def answer(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(metavar="ID", help="题号，例如 47。")],
    value: Annotated[
        list[str] | None,
        typer.Option("--value", "-v", help="填报值；多选题可重复或用、分隔。", show_default=False),
    ] = None,
    na: Annotated[
        str | None, typer.Option("--na", help="标记为不适用，并写明原因。", show_default=False)
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="备注（不写则保留原备注）。", show_default=False)
    ] = None,
    evidence: Annotated[
        list[str] | None,
        typer.Option("--evidence", "-e", help="佐证材料的路径或网址，可重复。", show_default=False),
    ] = None,
    by: ByOpt = None,
    clear: Annotated[
        bool, typer.Option("--clear", help="清除该项答案（旧值保留在历史中）。")
    ] = False,
) -> None:
    """填报一项指标的答案（按题型检查后才写入）。

    \b
    示例：evalcheck answer 47 --value 312
    示例：evalcheck answer 16 --value 是 --evidence 文件/对接说明.pdf
    示例：evalcheck answer 109 --na 本年度无其他创新举措
    """
    from ..values import format_value, parse

    env = _env(ctx)
    cl = env.checklist
    ind = cl.get(_parse_id(ident))
    given = sum([bool(value), na is not None, clear])
    if given != 1:
        raise InputError("请在 --value、--na、--clear 中指定且只指定一个（例如 --value 312）")
    if na is not None and not na.strip():
        raise InputError("--na 需要写明不适用的原因，例如 --na 本地无此业务")
    parsed = parse(ind, value) if value else None  # refused values stop here: nothing written
    who = by or current_user()
    with env.writing() as answers:
        if clear:
            st = answers.clear(ind, by=who)
            if st is None:
                _echo(f"第{ind.id}项 本来就没有答案，未做修改")
            else:
                _echo(f"第{ind.id}项 已清除答案（旧值保留在历史中，可用 evalcheck undo 恢复）")
            return
        st = answers.apply(
            ind,
            value=parsed,
            na=na.strip() if na is not None else None,
            note=note,
            evidence=evidence,
            by=who,
            action="na" if na is not None else "set",
        )
        values = _effective(cl, answers)
    if st is None:
        _echo(f"第{ind.id}项 未变化：已是 {describe_state(ind, answers.records[ind.id].current)}")
        return
    if st.na is not None:
        _echo(f"第{ind.id}项 已记录：不适用（{st.na}）")
    else:
        stored = render.to_json(st.value, inline=True)
        _echo(f"第{ind.id}项 已记录：{format_value(ind, st.value)}（存为 {stored}）")
    _warn_rules(cl, values, ind.id)


def _effective(cl: Checklist, answers: Answers) -> dict[int, float]:
    if not cl.rules:
        return {}
    from ..rules import effective_values

    return effective_values(cl, answers)


def _warn_rules(cl: Checklist, values: dict[int, float], ident: int) -> None:
    if not cl.rules:
        return
    from ..rules import violations_for

    for f in violations_for(cl, values, ident):
        level = "错误" if f.severity == "error" else "提醒"
        others = "；".join(f"第{i.id}项 = {i.value}" for i in f.involved)
        typer.echo(f"注意（{level}，规则 {f.rule}）：{f.message}：{others}", err=True)


@app.command(cls=_Command)
def history(
    ctx: typer.Context,
    ident: Annotated[str, typer.Argument(metavar="ID", help="题号，例如 47。")],
) -> None:
    """显示一项指标答案的全部修改记录（值、填报人、时间）。

    \b
    示例：evalcheck history 47
    """
    env = _env(ctx)
    cl = env.checklist
    n = _parse_id(ident)
    answers = env.answers()
    ind = cl.get(n) if cl.has(n) or n not in answers.records else None
    rec = answers.records.get(n)
    if rec is None:
        _echo(f"第{n}项 还没有任何填报记录")
        return
    rows = [_history_row(ind, st) for st in rec.timeline]
    _echo(
        render.table(
            ["序号", "时间", "填报人", "操作", "值", "备注"],
            rows,
            title=f"第{n}项 修改记录" + ("" if ind else "（该题已不在当前清单中）"),
            footer=f"共 {len(rows)} 次修改",
            wide=("值", "备注"),
        )
    )


def _history_row(ind: Indicator | None, st: State) -> list[Any]:
    action = ACTIONS.get(st.action, st.action)
    if st.reverts is not None:
        action += f"（撤销第{st.reverts}次修改）"
    return [st.seq, st.at, st.by, action, describe_state(ind, st), st.note or ""]


@app.command(cls=_Command)
def undo(ctx: typer.Context, by: ByOpt = None) -> None:
    """撤销最近一次修改（填报、清除或一次导入）；撤销本身也记入历史。

    再次执行会继续撤销更早的修改。

    \b
    示例：evalcheck undo
    """
    env = _env(ctx)
    cl = env.checklist
    with env.writing() as answers:
        done = answers.undo(by=by or current_user())
    for ident, change, current, restored in done:
        ind = cl.get(ident) if cl.has(ident) else None
        what = ACTIONS.get(change.action, change.action)
        _echo(
            f"已撤销第{ident}项的{what}（第{change.seq}次修改，{change.by}，{change.at}）："
            f"{describe_state(ind, current)} → {describe_state(ind, restored)}"
        )


# ---------------------------------------------------------------- deadlines and progress


def _computed_ids(cl: Checklist, answers: Answers) -> set[int]:
    from ..derived import computed_ids

    return computed_ids(cl, answers)


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
) -> None:
    """列出已逾期未填报的指标（按科室分组，逾期最久的在前），以及即将到期的指标。

    \b
    示例：evalcheck overdue --today 2021-09-16 --within 3
    """
    from ..deadlines import due_within, group_by_section, open_items, parse_today
    from ..deadlines import overdue as overdue_of
    from ..select import Filters, resolve_filters, select

    env = _env(ctx)
    cl = env.checklist
    day = parse_today(today)
    filters = resolve_filters(cl, Filters(sections=tuple(section or ()), owners=tuple(owner or ())))
    answers = env.answers()
    items = open_items(cl, answers, day, _computed_ids(cl, answers), select(cl, filters))
    late = overdue_of(items)
    soon = due_within(items, within)
    if fmt.value == "json":
        groups = group_by_section(cl, late)
        _echo(
            render.to_json(
                {
                    "today": day.isoformat(),
                    "within": within,
                    "overdue_count": len(late),
                    "overdue": [
                        {"section": name, "count": len(g), "items": [_open_dict(o) for o in g]}
                        for name, g in groups
                    ],
                    "due_soon": [_open_dict(o) for o in soon],
                }
            )
        )
    elif fmt.value == "csv":
        headers = [
            "状态",
            "责任科室",
            "题号",
            "三级指标",
            "责任领导",
            "完成时限",
            "逾期天数",
            "剩余天数",
        ]
        rows = [
            ["逾期" if o.overdue else "即将到期", o.ind.section or UNASSIGNED, o.ind.id,
             o.ind.text, o.ind.owner, o.ind.due.isoformat(),
             o.days if o.overdue else "", "" if o.overdue else o.days_left]
            for o in [*late, *soon]
        ]  # fmt: skip
        sys.stdout.write(render.to_csv(headers, rows))
    else:
        _echo(_overdue_text(cl, late, soon, day, within))
    if fail and late:
        raise typer.Exit(EXIT_FINDINGS)


def _open_dict(o: Any) -> dict[str, Any]:
    return {
        "id": o.ind.id,
        "text": o.ind.text,
        "section": o.ind.section,
        "owner": o.ind.owner,
        "due": o.ind.due.isoformat(),
        "days_overdue": max(o.days, 0),
        "days_left": max(o.days_left, 0),
    }


def _open_table(items: list[Any], title: str, third: str, last: str) -> str:
    """One table of open items: 题号, 三级指标, `third` (领导 or 科室), 完成时限, `last` (days)."""
    rows = [
        [
            o.ind.id,
            o.ind.text,
            (o.ind.owner or "") if third == "责任领导" else (o.ind.section or UNASSIGNED),
            o.ind.due.isoformat(),
            o.days if o.overdue else o.days_left,
        ]
        for o in items
    ]
    headers = ["题号", "三级指标", third, "完成时限", last]
    return render.table(headers, rows, title=title, wide=("三级指标",))


def _overdue_text(cl: Checklist, late: list[Any], soon: list[Any], day: Any, within: int) -> str:
    from ..deadlines import group_by_section

    parts: list[str] = []
    if late:
        parts.append(f"截至 {day.isoformat()}，共 {len(late)} 项已逾期未填报：")
        for name, group in group_by_section(cl, late):
            title = f"{name}（逾期 {len(group)} 项）"
            parts.append(_open_table(group, title, "责任领导", "逾期天数"))
    else:
        parts.append(f"截至 {day.isoformat()}，没有逾期未填报的指标。")
    if soon:
        title = f"{within} 天内到期（{len(soon)} 项）"
        parts.append(_open_table(soon, title, "责任科室", "剩余天数"))
    else:
        parts.append(f"{within} 天内没有到期的未填报指标。")
    return "\n\n".join(parts)


@app.command(cls=_Command)
def status(
    ctx: typer.Context,
    today: TodayOpt = None,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """填报进度：按科室、领导、二级指标统计总数、已填报、不适用、逾期和完成率。

    \b
    示例：evalcheck status --today 2021-09-16
    """
    from ..deadlines import GROUPINGS, parse_today, progress

    env = _env(ctx)
    cl = env.checklist
    day = parse_today(today)
    answers = env.answers()
    groups = progress(cl, answers, day, _computed_ids(cl, answers))
    if fmt.value == "json":
        data: dict[str, Any] = {"today": day.isoformat(), "total": groups["all"][0].to_dict()}
        data.update({key: [p.to_dict() for p in groups[key]] for key in GROUPINGS})
        _echo(render.to_json(data))
        return
    total = groups["all"][0]
    parts = []
    for key, (label, _) in GROUPINGS.items():
        rows = [
            [p.name, p.total, p.answered, p.na, p.computed, p.overdue, f"{p.percent:g}%",
             render.bar(p.fraction)]
            for p in groups[key]
        ]  # fmt: skip
        parts.append(
            render.table(
                [label, "总数", "已填报", "不适用", "自动计算", "逾期", "完成率", "进度"],
                rows,
                title=f"按{label}",
            )
        )
    left = total.total - total.done
    parts.append(
        f"合计：{total.total} 项，已完成 {total.done} 项（{total.percent:g}%）"
        f"{render.bar(total.fraction)}，未完成 {left} 项，其中逾期 {total.overdue} 项"
        f"（截至 {day.isoformat()}）"
    )
    _echo("\n\n".join(parts))


@app.command(cls=_Command)
def remind(
    ctx: typer.Context,
    section: SectionOpt = None,
    today: TodayOpt = None,
) -> None:
    """为每个还有未填报指标的科室生成一段可直接发送的提醒文字（粘贴到工作群或邮件）。

    \b
    示例：evalcheck remind --section 审批监管科 --today 2021-09-20
    """
    from ..deadlines import group_by_section, open_items, parse_today, reminder
    from ..select import Filters, resolve_filters, select

    env = _env(ctx)
    cl = env.checklist
    day = parse_today(today)
    filters = resolve_filters(cl, Filters(sections=tuple(section or ())))
    answers = env.answers()
    items = open_items(cl, answers, day, _computed_ids(cl, answers), select(cl, filters))
    items.sort(key=lambda o: o.ind.id)
    groups = group_by_section(cl, items)
    if not groups:
        _echo("所选科室的指标都已填报，无需提醒。")
        return
    _echo(("\n\n" + "-" * 40 + "\n\n").join(reminder(cl, name, g, day) for name, g in groups))


# ---------------------------------------------------------------- consistency


@app.command(cls=_Command)
def check(
    ctx: typer.Context,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """检查答案之间是否一致（如 第132项 ≤ 第131项）以及自动计算的值；有错误级问题时退出码为 1。

    \b
    示例：evalcheck check
    """
    from ..rules import run_checks

    env = _env(ctx)
    cl = env.checklist
    report = run_checks(cl, env.answers())
    if fmt.value == "json":
        _echo(
            render.to_json(
                {
                    "errors": len(report.errors),
                    "warnings": len(report.findings) - len(report.errors),
                    "findings": [f.to_dict() for f in report.findings],
                    "unchecked_rules": report.unchecked,
                }
            )
        )
    else:
        lines: list[str] = []
        for f in report.findings:
            level = "错误" if f.severity == "error" else "提醒"
            lines.append(f"{level}（{f.rule}）：{f.message}")
            for i in f.involved:
                who = f"{i.section or UNASSIGNED}，{i.owner or '未指定领导'}"
                lines.append(f"    第{i.id}项 = {i.value}（{who}）")
        n_err = len(report.errors)
        n_warn = len(report.findings) - n_err
        checked = len(cl.rules) - len(report.unchecked)
        lines.append(
            f"共检查 {checked} 条规则（另有 {len(report.unchecked)} 条因相关指标未填报而未检查），"
            f"{n_err} 个错误，{n_warn} 个提醒"
        )
        _echo("\n".join(lines))
    if report.errors:
        raise typer.Exit(EXIT_FINDINGS)


# ---------------------------------------------------------------- Excel


@app.command(cls=_Command)
def export(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="导出的 .xlsx 文件，例如 report.xlsx。", show_default=False),
    ] = None,
    split: Annotated[
        Path | None,
        typer.Option("--split", help="改为按科室各导出一份填报表到此文件夹。", show_default=False),
    ] = None,
    section: SectionOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="用 --split 时覆盖已存在的科室填报表。")
    ] = False,
    today: TodayOpt = None,
) -> None:
    """导出 Excel：按局里附件格式的填报总表（含进度页），或用 --split 为每个科室生成填报表。

    \b
    示例：evalcheck export report.xlsx
    示例：evalcheck export --split 科室表格/
    """
    from ..deadlines import parse_today
    from ..excel import export_forms, export_workbook
    from ..select import Filters, resolve_filters, select

    if (path is None) == (split is None):
        raise InputError(
            "请给出导出文件名（例如 evalcheck export report.xlsx）或 --split 文件夹，二选一"
        )
    env = _env(ctx)
    cl = env.checklist
    day = parse_today(today)
    filters = resolve_filters(cl, Filters(sections=tuple(section or ())))
    answers = env.answers()
    if split is not None:
        chosen = None
        if section:
            chosen = filters.sections
        written = export_forms(split, cl, answers, day, sections=chosen, force=force)
        for target, n in written:
            _echo(f"已生成 {target}（{n} 项）")
        _echo(f"共 {len(written)} 份科室填报表。填好后用 evalcheck import 文件名 导入。")
        return
    assert path is not None
    indicators = select(cl, filters)
    n = export_workbook(path, cl, answers, indicators, day)
    answered = sum(1 for i in indicators if answers.state(i.id) is not None)
    _echo(f"已导出 {path}：{n} 项指标，其中已填报 {answered} 项（另含“填报进度”工作表）")


@app.command("import", cls=_Command)
def import_cmd(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="填好的 .xlsx（科室填报表或导出的总表）。")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="只显示将要修改的内容，不写入。")
    ] = False,
    by: ByOpt = None,
) -> None:
    """导入填好的 Excel：逐格重新检查，先列出 旧值 → 新值，再全部写入（有一格不合格则全部不写入）。

    填报值为空的行保持原答案不变。整次导入可用 evalcheck undo 一次撤销。

    \b
    示例：evalcheck import 科室表格/2021测评填报_审批监管科.xlsx --dry-run
    """
    from ..excel import apply_changes, pending, read_workbook

    env = _env(ctx)
    cl = env.checklist
    result = read_workbook(path, cl)
    sheets = "、".join(f"“{s}”" for s in result.sheets)
    _echo(f"读取 {path}：工作表 {sheets}，共 {result.rows} 行")
    if result.refused:
        raise InputError(
            f"有 {len(result.refused)} 个单元格不合格，未导入任何内容（请修改后重新导入）：",
            details=result.refused,
        )
    who = by or current_user()
    if dry_run:
        todo = pending(cl, env.answers(), result.changes)
        _print_changes([(ch.ind, old, new) for ch, old, new in todo])
        _echo(f"共 {len(todo)} 项将被修改（--dry-run：未写入）")
        return
    with env.writing() as answers:
        done = apply_changes(cl, answers, result.changes, by=who)
    _print_changes([(ch.ind, old, new) for ch, old, new in done])
    if done:
        _echo(f"已导入 {len(done)} 项修改（填报人：{who}）。如需整体撤销：evalcheck undo")
    else:
        _echo("表格中的答案与现有答案相同，没有需要修改的内容")


def _print_changes(rows: list[tuple[Indicator, State | None, State]]) -> None:
    for ind, old, new in rows:
        before = describe_state(ind, old) if old is not None else "（无）"
        after = describe_state(ind, new)
        extra = "（备注/佐证材料）" if before == after else ""
        _echo(f"  第{ind.id}项：{before} → {after}{extra}")


# ---------------------------------------------------------------- next year's list


@app.command("checklist-import", cls=_Command)
def checklist_import(
    table: Annotated[
        Path, typer.Argument(help="局里的指标表：制表符分隔的文本（从 Word 复制）或 .xlsx。")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="生成的清单文件，例如 indicators.yaml。")
    ],
    year: Annotated[
        int | None,
        typer.Option("--year", help="“9月15日前”之类的时限属于哪一年；默认从表中备注读取。"),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help=".xlsx 中的工作表名，默认第一个。")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")] = False,
) -> None:
    """从局里的指标表生成清单 YAML：按表头找列，沿用上行的二级指标，推断题型和单位。

    无法读取的行（无题号、题号重复、缺内容或责任领导）全部列出，且不写文件；
    题型不能确定的指标会列出，供人工复核。

    \b
    示例：evalcheck checklist-import 2022指标表.txt --year 2022 -o indicators-2022.yaml
    """
    from ..fileio import atomic_write_text
    from ..tableimport import checklist_document, checklist_yaml, read_table
    from ..validation import build_checklist

    if output.exists() and not force:
        raise InputError(f"{output} 已存在，未做修改；确认要覆盖请加 --force")
    result = read_table(table, year=year, sheet=sheet)
    if result.problems:
        raise InputError(
            f"{table} 中有 {len(result.problems)} 行无法读取，未生成清单（请修改表格后重试）：",
            details=result.problems,
        )
    doc = checklist_document(result)
    checklist, problems = build_checklist(doc, str(output))
    errors = [p.text for p in problems if p.level == "error"]
    if checklist is None or errors:
        raise InputError("生成的清单未通过检查，未写入：", details=errors)
    header = [
        f"{doc['title']}（{doc['year']}年）",
        f"Generated by `evalcheck checklist-import {table.name}`;"
        " review it, then run `evalcheck validate`.",
    ]
    if result.review:
        header += ["", "Kinds inferred without certainty (review these):"]
        header += [f"  {line}" for line in result.review]
    atomic_write_text(output, checklist_yaml(doc, header))
    _echo(
        f"已生成 {output}：{len(checklist.indicators)} 项指标，"
        f"{len(checklist.categories)} 个二级指标，{len(checklist.sections)} 个科室"
    )
    for w in checklist.warnings:
        _echo(f"警告：{w}")
    if result.review:
        _echo(f"以下 {len(result.review)} 项的题型未能确定，请人工复核：")
        for line in result.review:
            _echo(f"  {line}")
