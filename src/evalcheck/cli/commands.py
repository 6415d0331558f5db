"""Commands over the snapshot: list, show, answer, history, undo, validate.

Each command parses its options, takes the snapshot (or writes through the store),
and renders declared columns; nothing here works out an indicator's state.
"""

from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.answers.review import short_time
from evalcheck.answers.store import ACTIONS, State, describe_state
from evalcheck.cli.frame import CliCommand, usage_checked
from evalcheck.cli.shared import (
    ActorOpt,
    ByOpt,
    ForceOutOpt,
    ListFormatOpt,
    OwnerOpt,
    SectionOpt,
    ShowFmt,
    ToFileOpt,
    app,
    by_note,
    completer,
    ctx_env,
    echo,
    emit_output,
    filters_of,
    parse_id,
    writer_name,
)
from evalcheck.errors import EXIT_DATA, InputError, UsageProblem
from evalcheck.model.checklist import ROLE_NAMES, UNASSIGNED, Checklist, Indicator
from evalcheck.model.kinds import kind_help
from evalcheck.model.loading import locate_checklist
from evalcheck.views import render

# ---------------------------------------------------------------- options


def _select() -> Any:
    from evalcheck.state import select

    return select


CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="二级指标：名称、序号 一…五 或 1…5，可重复。",
        autocompletion=completer("categories"),
    ),
]
KindOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        help=kind_help(),  # from the registry: every kind, with its label
        callback=usage_checked(lambda v: _select().resolve_kind(v)),
    ),
]
RoleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--role",
        help="任务类型：lead（牵头）或 support（配合）。",
        callback=usage_checked(lambda v: _select().resolve_role(v)),
    ),
]
SearchOpt = Annotated[
    list[str] | None, typer.Option("--search", "-q", help="在指标内容中查找文字，可重复。")
]
UnassignedOpt = Annotated[
    bool, typer.Option("--unassigned", help="只看未指定责任科室的指标（如第82项）。")
]
StatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        help="填报状态：answered（已填报）、na（不适用）、computed（自动计算）、"
        "open（未填报）、final（定稿：计入完成的）；开启审核时还有 pending（待审核）、"
        "approved（已审核，同 final）、returned（已退回）；自动计算的值按其来源计。可重复。",
        callback=usage_checked(lambda v: _select().resolve_status(v)),
    ),
]
ValueOpt = Annotated[
    list[str] | None,
    typer.Option("--value", "-v", help="填报值；多选题可重复或用、分隔。", show_default=False),
]
NaOpt = Annotated[
    str | None, typer.Option("--na", help="标记为不适用，并写明原因。", show_default=False)
]
NoteOpt = Annotated[
    str | None, typer.Option("--note", help="备注（不写则保留原备注）。", show_default=False)
]
EvidenceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--evidence",
        "-e",
        help="佐证材料：文件（复制进材料库，同 evidence add）或网址，可重复。",
        show_default=False,
    ),
]
ClearOpt = Annotated[bool, typer.Option("--clear", help="清除该项答案（旧值保留在历史中）。")]
PreviousOpt = Annotated[
    bool, typer.Option("--previous", help="加一列上年值（需先运行 evalcheck carry）。")
]
IdArg = Annotated[str, typer.Argument(metavar="题号", help="题号，例如 47。")]


# ---------------------------------------------------------------- list / show / validate


@app.command("list", cls=CliCommand)
def list_cmd(
    ctx: typer.Context,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    category: CategoryOpt = None,
    kind: KindOpt = None,
    role: RoleOpt = None,
    search: SearchOpt = None,
    unassigned: UnassignedOpt = False,
    status: StatusOpt = None,
    previous: PreviousOpt = False,
    fmt: ListFormatOpt = None,
    output: ToFileOpt = None,
    force: ForceOutOpt = False,
) -> None:
    """列出指标，可按科室、领导、二级指标、题型、状态筛选（不同选项为“且”，重复为“或”）。

    \b
    示例：evalcheck list --section 审批监管科
    示例：evalcheck list -s 审批监管科 --output 清单.csv
    """
    from evalcheck.state.select import select_rows

    render.plain_tables(on=output is not None)  # a file gets tab-separated text
    env = ctx_env(ctx)
    cl = env.checklist
    filters = filters_of(
        cl, sections=section, owners=owner, categories=category, kinds=kind, roles=role,
        search=search, statuses=status, unassigned=unassigned,
    )  # fmt: skip
    rows = select_rows(env.snapshot(), filters)
    staged = not {"final", "approved", "pending", "returned"}.isdisjoint(filters.statuses)
    _list_output(cl, rows, render.output_kind(fmt, output), output, previous, force, staged)


def _list_output(
    cl: Any,
    rows: Any,
    kind: str,
    output: Any,
    previous: bool,
    force: bool = False,
    staged: bool = False,
) -> None:
    """`list` as JSON, CSV or a table; with a 上年值 column when asked for (--previous);
    `staged`: filtered by a lifecycle stage, so the footer says what it counts by."""
    from evalcheck.state.snapshot import counting_rule
    from evalcheck.views.columns import PREVIOUS, list_columns, list_csv_columns

    extra = [PREVIOUS] if previous else []
    footer = f"共 {len(rows)} 项" + (f"；{counting_rule(cl)}" if staged else "")
    if kind == "json":
        data = render.to_json([r.to_dict(cl) for r in rows])
    elif kind == "csv":
        data = render.view(list_csv_columns(cl) + extra, rows, "csv")
    else:
        data = render.view(list_columns(cl, previous=previous), rows, footer=footer)
    emit_output(data, kind=kind, output=output, force=force)


@app.command(cls=CliCommand)
def show(
    ctx: typer.Context,
    ident: IdArg,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """显示一项指标的全部信息和当前答案。

    \b
    示例：evalcheck show 47
    """
    env = ctx_env(ctx)
    cl = env.checklist
    ind = cl.get(parse_id(ident))
    row = env.snapshot().row(ind.id)
    if fmt.value == "json":
        echo(render.to_json(row.to_dict(cl)))
    else:
        echo("\n".join(f"{k}：{v}" for k, v in _show_lines(cl, row)))


def _show_lines(cl: Any, row: Any) -> list[tuple[str, str]]:
    from evalcheck.model import expr
    from evalcheck.model.kinds import example, kind_text
    from evalcheck.state.snapshot import display_derived

    ind, st = row.ind, row.state
    lines = [
        ("题号", str(ind.id)),
        ("二级指标", cl.category_label(ind.category)),
        ("三级指标", ind.text),
        ("责任领导", "、".join(ind.owners) or "未指定"),
        ("责任科室", "、".join(ind.sections) or UNASSIGNED),
        ("完成时限", ind.due.isoformat()),
        ("任务类型", ROLE_NAMES[ind.role]),
        ("题型", kind_text(ind)),
    ]
    if ind.options:
        opts = "；".join(
            f"{n}.{o.text}" + ("（不可与其他选项同选）" if o.exclusive else "")
            for n, o in enumerate(ind.options, start=1)
        )
        lines.append(("选项", opts))
    if ind.formula:
        lines.append(("计算公式", expr.describe(ind.formula)))
        computed = display_derived(ind, row.derived, verbose=True)
        if computed:
            lines.append(("按公式计算", computed))
    lines.append(("填写示例", example(ind)))
    late = f"（已逾期 {row.days} 天）" if row.overdue else ""
    lines.append(("填报状态", row.status.label + late))
    lines.append(("填报值", row.display or "（未填报）"))
    if row.previous is not None:
        p = row.previous
        lines.append(("上年值", f"{p.display or '（上年未填报）'}（{p.source}；仅供参考）"))
    if st is not None and st.note:
        lines.append(("备注", st.note))
    lines.append(("佐证材料", _evidence_text(row.evidence)))
    if st is not None:
        lines.append(("填报人", row.author))  # who filled it (snapshot: Record.authorship)
        lines.append(("填报时间", short_time(row.authored_at)))
    if row.review is not None:
        lines.extend(_review_lines(row))
    elif st is None and ind.formula and row.review_text:
        lines.append(("审核状态", f"{row.review_text}（按各项来源计）"))
    return lines


def _review_lines(row: Any) -> list[tuple[str, str]]:
    """审核状态, and who signed, when, with what note (the full trail is in `history`)."""
    from evalcheck.answers.review import Review, signed_by

    st = row.state
    if row.review is Review.PENDING:
        return [("审核状态", f"{row.review.label}（责任领导：{row.ind.owner or '未指定'}）")]
    lines = [("审核状态", row.review.label), ("审核人", signed_by(st))]
    lines.append(("审核时间", short_time(st.reviewed_at)))
    if st.comment:
        lines.append(("审核意见" if row.review is Review.APPROVED else "退回原因", st.comment))
    if st.explanation and row.review is Review.APPROVED:
        lines.append(("已说明", st.explanation))
    return lines


def _evidence_text(ev: Any) -> str:
    """'对接说明.pdf（12.0 KB）；https://…（链接）', or why there is none (show)."""
    if not ev.items:
        need = "缺佐证材料（本项要求提供）" if ev.lacking else "（无）"
        return need + ("" if ev.lacking or not ev.required else "，本项要求提供")
    from evalcheck.answers.evidence import human_size  # only with evidence: start-up time

    parts = []
    for e in ev.items:
        if e.kind == "file":
            gone = "，材料库中缺失" if e.name in ev.missing else ""
            parts.append(f"{e.name}（{human_size(e.size)}{gone}）")
        else:
            parts.append(f"{e.name}（{e.label}）")
    return "；".join(parts)


# ---------------------------------------------------------------- answers


@app.command(cls=CliCommand)
def answer(
    ctx: typer.Context,
    ident: IdArg,
    value: ValueOpt = None,
    na: NaOpt = None,
    note: NoteOpt = None,
    evidence: EvidenceOpt = None,
    by: ByOpt = None,
    clear: ClearOpt = False,
) -> None:
    """填报一项指标的答案（按题型检查后才写入）。

    \b
    示例：evalcheck answer 47 --value 312
    示例：evalcheck answer 16 --value 是 --evidence 文件/对接说明.pdf
    示例：evalcheck answer 109 --na 本年度无其他创新举措
    """
    from evalcheck.services.answering import answer as record

    env = ctx_env(ctx)
    ind = env.checklist.get(parse_id(ident))
    _one_of(value, na, clear, evidence)
    if not value and na is None and not clear:  # only --evidence: the same as `evidence add`
        return _evidence_only(ctx, ident, evidence or [], by)
    who = writer_name(by)
    done = record(env, ind.id, value=value, na=na, note=note, sources=evidence, clear=clear, by=who)
    st = done.state
    message = _answer_message(done.ind, st, done.current, clear, by_note(who, by) if st else "")
    _say(done.ind, message, st, done.added)
    warn_findings(done.warnings)


def _evidence_only(ctx: typer.Context, ident: str, files: list[str], by: str | None) -> None:
    from evalcheck.cli.evidence import add_cmd  # imported only here: registering its commands costs

    add_cmd(ctx, ident, files, by)


def _say(ind: Indicator, message: str, st: State | None, added: list[Any]) -> None:
    """The answer's message (unless nothing but evidence changed), then each file's fate."""
    lines = [message] if st is not None or not added else []
    if added:
        from evalcheck.cli.evidence import describe_added

        lines += describe_added(ind.id, added)
    echo("\n".join(lines))


def _one_of(
    value: list[str] | None, na: str | None, clear: bool, evidence: list[str] | None
) -> None:
    """--value, --na or --clear, one of them; or --evidence alone (the same as evidence add)."""
    given = sum([bool(value), na is not None, clear])
    if given > 1 or (given == 0 and not evidence):
        raise UsageProblem("请在 --value、--na、--clear 中指定且只指定一个（例如 --value 312）")
    if clear and evidence:
        raise UsageProblem(
            "--clear 不能与 --evidence 同时使用（移除材料请用 evalcheck evidence rm）"
        )
    if na is not None and not na.strip():
        raise InputError("--na 需要写明不适用的原因，例如 --na 本地无此业务")


def _answer_message(
    ind: Indicator, st: State | None, current: State | None, clear: bool, by: str
) -> str:
    """What a write says, `by` ('填报人：张三') included whenever something was written."""
    if clear:
        if st is None:
            return f"第{ind.id}项 本来就没有答案，未做修改"
        return f"第{ind.id}项 已清除答案（{by}；旧值保留在历史中，可用 evalcheck undo 恢复）"
    if st is None:
        shown = describe_state(ind, current) if current else "（无）"
        return f"第{ind.id}项 未变化：已是 {shown}"
    if st.na is not None:
        return f"第{ind.id}项 已记录：不适用（{st.na}）（{by}）"
    stored = render.to_json(st.value, inline=True)
    return f"第{ind.id}项 已记录：{describe_state(ind, st)}（存为 {stored}，{by}）"


def warn_findings(findings: list[Any]) -> None:
    """After an answer: last year's comparison, then the rules it breaks (stderr)."""
    for f in findings:
        if f.kind == "rule":
            others = "；".join(f"第{i.id}项 = {i.value}" for i in f.involved)
            typer.echo(f"注意（{f.level}，规则 {f.rule}）：{f.message}：{others}", err=True)
        else:
            typer.echo(f"注意（{f.level}，{f.label}）：{f.message}", err=True)


@app.command(cls=CliCommand)
def history(
    ctx: typer.Context,
    ident: IdArg,
) -> None:
    """显示一项指标答案的全部修改记录（值、操作人、时间）。

    \b
    示例：evalcheck history 47
    """
    from evalcheck.views.columns import HISTORY, HistoryRow

    env = ctx_env(ctx)
    cl = env.checklist
    n = parse_id(ident)
    answers = env.answers()
    ind = cl.get(n) if cl.has(n) or n not in answers.records else None
    rec = answers.records.get(n)
    if rec is None:
        echo(f"第{n}项 还没有任何填报记录（填报：evalcheck answer {n} --value 值）")
        return
    timeline = rec.timeline  # each state beside the one it followed
    befores = [None, *timeline[:-1]]
    rows = [HistoryRow(ind, st, b) for b, st in zip(befores, timeline, strict=True)]
    title = f"第{n}项 修改记录" + ("" if ind else "（该题已不在当前清单中）")
    echo(
        render.view(
            HISTORY, rows, title=title, footer=f"共 {len(rows)} 次修改", hint=render.WIDER_HINT
        )
    )


@app.command(cls=CliCommand)
def undo(ctx: typer.Context, by: ActorOpt = None) -> None:
    """撤销最近一次修改（填报、清除或一次导入）；撤销本身也记入历史。

    再次执行会继续撤销更早的修改。

    \b
    示例：evalcheck undo
    """
    from evalcheck.services.answering import undo as revert

    env = ctx_env(ctx)
    cl = env.checklist
    who = writer_name(by)
    done, lost = revert(env, by=who)
    for ident, change, current, restored in done:
        ind = cl.get(ident) if cl.has(ident) else None
        what = ACTIONS.get(change.action, change.action)
        echo(
            f"已撤销第{ident}项的{what}（第{change.seq}次修改，{change.actor}，{short_time(change.acted_at)}）："
            + _undone_all(cl, ind, current, restored)
        )
    echo(by_note(who, by, "操作人"))
    for name in lost:
        typer.echo(f"注意：{name} 无法从材料库的删除记录中恢复，请重新添加", err=True)


def _undone_all(cl: Any, ind: Indicator | None, current: State, restored: State) -> str:
    """The answer's change (unless only the evidence changed), then the evidence's."""
    files = _evidence_change(current, restored)
    before, after = describe_state(ind, current), describe_state(ind, restored)
    text = _undone(cl, ind, current, restored)
    only_files = files and before == after and text == f"{before} → {after}"
    return "；".join(files if only_files else [text, *files])


def _evidence_change(before: State, after: State) -> list[str]:
    """['佐证材料 +说明.pdf −旧表.xlsx'] when an undo changed the evidence."""
    if before.evidence == after.evidence:
        return []
    old = {e.name for e in before.evidence}
    new = {e.name for e in after.evidence}
    parts = [f"+{n}" for n in sorted(new - old)] + [f"−{n}" for n in sorted(old - new)]
    return [f"佐证材料 {' '.join(parts) or '换回旧版本'}"]


def _undone(cl: Checklist, ind: Indicator | None, current: State, restored: State) -> str:
    """'320 个 → 312 个'; with the review states when those changed: '312 个（已审核 → 待审核）'."""
    from evalcheck.answers.review import review_of

    before, after = describe_state(ind, current), describe_state(ind, restored)
    r1, r2 = review_of(cl, current), review_of(cl, restored)
    if r1 is None or r2 is None or r1 == r2:
        return f"{before} → {after}"
    if before == after:
        return f"{before}（{r1.label} → {r2.label}）"
    return f"{before}（{r1.label}） → {after}（{r2.label}）"


@app.command(cls=CliCommand)
def validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(help="要检查的清单文件；默认为当前使用的清单。", show_default=False),
    ] = None,
) -> None:
    """检查清单文件：一次列出全部错误和警告，有错误时以退出码 4 结束。

    \b
    示例：evalcheck validate indicators.yaml
    """
    from evalcheck.model.loading import read_checklist

    env = ctx_env(ctx)
    if path is None:
        source = locate_checklist(env.checklist_option)
        echo(source.describe())
    target = path or source.path
    checklist, problems = read_checklist(target)
    errors = [p for p in problems if p.level == "error"]
    warnings = [p for p in problems if p.level == "warning"]
    for p in errors:
        echo(f"错误：{p.text}")
    for p in warnings:
        echo(f"警告：{p.text}")
    count = f"共 {len(checklist.indicators)} 项指标，" if checklist else ""
    echo(f"{target}：{count}{len(errors)} 个错误，{len(warnings)} 个警告")
    if errors:
        raise typer.Exit(EXIT_DATA)
