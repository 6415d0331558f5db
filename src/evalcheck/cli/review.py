"""Leaders sign off: `review` (what awaits them), `approve` and `return`."""

from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand
from evalcheck.cli.shared import (
    OwnerOpt,
    SectionOpt,
    ShowFmt,
    app,
    completer,
    ctx_env,
    echo,
    filters_of,
    parse_id,
)
from evalcheck.errors import UsageProblem
from evalcheck.model.checklist import Indicator
from evalcheck.views import render

REVIEWER_HELP = "审核人姓名（责任领导，或清单 deputies 中登记的代签人）。"


def _reviewer_opt(help_text: str) -> Any:
    return typer.Option(
        "--by",
        metavar="审核人",  # not the 填报人 --by means elsewhere
        help=help_text,
        show_default=False,
        autocompletion=completer("owners"),
    )


ReviewerOpt = Annotated[
    str | None, _reviewer_opt(REVIEWER_HELP + "与 --owner 一起用时默认为该领导。")
]
ReturnerOpt = Annotated[str | None, _reviewer_opt(REVIEWER_HELP)]  # return has no --owner


@app.command("review", cls=CliCommand)
def review_cmd(
    ctx: typer.Context,
    owner: OwnerOpt = None,
    section: SectionOpt = None,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """列出等待责任领导审核的答案（按领导分组）：值、填报人和时间、佐证材料数、规则提示。

    \b
    示例：evalcheck review --owner 万富春
    """
    from evalcheck.answers.review import Review, review_off_error
    from evalcheck.state.select import select_rows
    from evalcheck.state.snapshot import group_rows

    env = ctx_env(ctx)
    cl = env.checklist
    if not cl.review:
        raise review_off_error(cl, env.answers_path)
    snap = env.snapshot()
    filters = filters_of(cl, sections=section, owners=owner)
    rows = [r for r in select_rows(snap, filters) if r.review is Review.PENDING]
    values = snap.effective_values()
    groups = group_rows(snap, rows, "owner")
    if fmt.value == "json":
        echo(render.to_json([_group_dict(snap, name, g, values) for name, g in groups]))
    elif not rows:
        echo("没有等待审核的答案。")
    else:
        echo(_review_text(snap, groups, values))


def _group_dict(snap: Any, name: str, group: list[Any], values: dict[int, float]) -> Any:
    items = [_pending_dict(snap, r, values) for r in group]
    return {"owner": name, "count": len(group), "items": items}


def _review_text(snap: Any, groups: list[Any], values: dict[int, float]) -> str:
    """One table per leader, then how to approve or return."""
    from evalcheck.views.columns import pending_columns

    brief = render.narrow_terminal()  # '错误（R132）': the rule, not its sentence
    parts = []
    for name, group in groups:
        columns = pending_columns(lambda r: "；".join(_findings(snap, r.id, values, brief)))
        title = f"{name}：待审核 {len(group)} 项"
        parts.append(render.view(columns, group, title=title, hint=None))
    hidden = render.hidden_note(render.JSON_HINT)
    if hidden:
        parts[-1] += "\n" + render.paragraph(hidden)
    if brief and any(_findings(snap, r.id, values) for _, g in groups for r in g):
        parts[-1] += "\n" + render.paragraph(
            "规则提示只写了规则，全文见 evalcheck check 或加宽窗口"
        )
    n = sum(len(g) for _, g in groups)
    parts.append(
        render.paragraph(
            f"共 {n} 项待审核。通过：evalcheck approve 题号 --by 姓名"
            "（或 --owner 姓名 --all）；退回：evalcheck return 题号 --reason 原因 --by 姓名"
        )
    )
    return "\n\n".join(parts)


def _findings(snap: Any, ident: int, values: dict[int, float], brief: bool = False) -> list[str]:
    """The 规则提示 of an answer awaiting review: what `check` says of it (`brief`: which
    rule only, for a narrow terminal)."""
    from evalcheck.state.rules import answer_findings

    found = answer_findings(snap, ident, values)
    if brief:
        return list(dict.fromkeys(f"{f.level}（{f.label}）" for f in found))
    return [f"{f.level}（{f.label}）：{f.message}" for f in found]


def _pending_dict(snap: Any, r: Any, values: dict[int, float]) -> dict[str, Any]:
    st = r.state
    return {
        "id": r.id,
        "text": r.ind.text,
        "section": r.ind.section,
        "owner": r.ind.owner,
        "display": r.display,
        "value": st.value,
        "na": st.na,
        "note": st.note,
        "by": r.author,
        "at": r.authored_at,
        "evidence": len(st.evidence),
        "findings": _findings(snap, r.id, values),
    }


IdsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="题号...", help="题号，可写多个。", show_default=False),
]
NoteOpt = Annotated[
    str | None, typer.Option("--note", help="审核意见（可不写）。", show_default=False)
]
LeaderOpt = Annotated[
    str | None,
    typer.Option(
        "--owner",
        "-o",
        help="与 --all 一起用：该领导的全部待审核答案。",
        show_default=False,
        autocompletion=completer("owners"),
    ),
]
ExplainOpt = Annotated[
    str | None,
    typer.Option(
        "--explain",
        help="说明：答案违反错误级规则而仍审核通过时必须写明原因（填写说明后强制上报）。",
        show_default=False,
    ),
]
AllOpt = Annotated[bool, typer.Option("--all", help="审核通过 --owner 领导的全部待审核答案。")]
ReasonOpt = Annotated[
    str | None,
    typer.Option("--reason", help="退回原因（必填），会转告责任科室。", show_default=False),
]


@app.command(cls=CliCommand)
def approve(
    ctx: typer.Context,
    idents: IdsArg = None,
    by: ReviewerOpt = None,
    note: NoteOpt = None,
    owner: LeaderOpt = None,
    all_: AllOpt = False,
    explain: ExplainOpt = None,
) -> None:
    """责任领导审核通过答案（已审核）。清单 deputies 中登记的代签人可以代签，会记下两人姓名。

    只有该项的责任领导或其登记的代签人可以审核；谁都不能审核自己填报的答案。
    未填报、已审核或已退回（等待重新填报）的答案不能审核通过；有一项不能则全部不写入
    （--all 时跳过本人填报的答案并列出）。违反错误级规则的答案须用 --explain 写明说明才能审核通过
    （--all 时跳过并列出）。
    一次审核可用 evalcheck undo 整体撤销。

    \b
    示例：evalcheck approve 47 16 --by 万富春 --note 已核对台账
    示例：evalcheck approve --owner 高秀英 --all
    示例：evalcheck approve 132 --by 万富春 --explain 国家系统口径含个体工商户
    """
    from evalcheck.services.review import approve as sign

    env = ctx_env(ctx)
    leader, reviewer = _approve_args(env, idents, by, owner, all_)
    ids = [] if all_ else [parse_id(raw) for raw in idents or []]
    lead = leader if all_ else None
    result = sign(env, ids, reviewer=reviewer, note=note, leader=lead, explain=explain)
    _approved(result, leader, reviewer)


def _approved(result: Any, leader: str | None, reviewer: str) -> None:
    """What `approve` says: the items left out, those approved, deputies, rules explained."""
    from evalcheck.cli.commands import warn_findings

    done, skipped, found = result
    if skipped:
        echo(f"以下 {len(skipped)} 项未审核通过（未写入）：")
        for why in skipped:
            echo(f"  - {why}")
    if not done:
        echo(f"{leader} 没有其他可审核通过的答案。" if skipped else f"{leader} 没有待审核的答案。")
        return
    for ind, st in done:
        echo(f"第{ind.id}项 已审核通过（{reviewer}）：{_shown(ind, st)}")
        if st.explanation:
            echo(f"  已说明：{st.explanation}")
    _deputy_notes([(ind, st.signed_for) for ind, st in done], reviewer)
    warn_findings(found)
    echo(f"共审核通过 {len(done)} 项。如需撤销：evalcheck undo")


def _approve_args(
    env: Any, idents: list[str] | None, by: str | None, owner: str | None, all_: bool
) -> tuple[str | None, str]:
    """(the leader of --all, the reviewer); usage mistakes refused before anything is read."""
    from evalcheck.services.review import check_reviewer
    from evalcheck.state.select import resolve

    cl = env.checklist

    leader = resolve("责任领导", owner, cl.owners) if owner else None
    if all_ and idents:
        raise UsageProblem("题号和 --all 只能二选一：evalcheck approve 47 16 --by 姓名，"
                         "或 evalcheck approve --owner 姓名 --all")  # fmt: skip
    if all_ and leader is None:
        raise UsageProblem(
            "--all 需要和 --owner 一起用，例如 evalcheck approve --owner 万富春 --all"
        )
    if not all_ and not idents:
        raise UsageProblem("请给出题号（例如 evalcheck approve 47 --by 万富春），"
                         "或用 --owner 姓名 --all 审核该领导的全部待审核答案")  # fmt: skip
    if leader is not None and not all_:
        raise UsageProblem("--owner 只和 --all 一起用；审核指定题号请写 --by 姓名")
    return leader, check_reviewer(cl, by or leader, env.answers_path)


@app.command("return", cls=CliCommand)
def return_cmd(
    ctx: typer.Context, idents: IdsArg = None, reason: ReasonOpt = None, by: ReturnerOpt = None
) -> None:
    """责任领导退回答案（已退回），写明原因；责任科室重新填报后变为待审核。

    已审核的答案也可以退回；未填报或已退回的不能。

    \b
    示例：evalcheck return 47 --reason 与台账数字不符，请核实 --by 万富春
    """
    from evalcheck.services.review import check_reviewer, return_answers

    env = ctx_env(ctx)
    if not idents:
        raise UsageProblem("请给出要退回的题号，例如 evalcheck return 47 --reason 原因 --by 万富春")
    if not reason or not reason.strip():
        raise UsageProblem("退回需要写明原因：--reason 原因（例如 --reason 与台账数字不符）")
    reviewer = check_reviewer(env.checklist, by, env.answers_path)
    ids = [parse_id(raw) for raw in idents]
    done = return_answers(env, ids, reviewer=reviewer, reason=reason)
    for ind, st in done:
        section = ind.section or "未指定科室"
        echo(f"第{ind.id}项 已退回（{reviewer}）：{_shown(ind, st)}；原因：{st.comment}"
              f"。请{section}重新填报")  # fmt: skip
    _deputy_notes([(ind, st.signed_for) for ind, st in done], reviewer)
    echo("如需撤销：evalcheck undo")


def _shown(ind: Indicator, st: Any) -> str:
    from evalcheck.answers.store import describe_state

    return describe_state(ind, st)


def _deputy_notes(done: list[tuple[Indicator, str | None]], reviewer: str) -> None:
    """Say which items a deputy signed, and for whom."""
    by_owner: dict[str, list[int]] = {}
    for ind, signed_for in done:
        if signed_for:
            by_owner.setdefault(signed_for, []).append(ind.id)
    for leader, ids in by_owner.items():
        items = "、".join(f"第{i}项" for i in ids)
        echo(f"注意：{items}的责任领导是{leader}，由{reviewer}代为审核（已同时记录两人姓名）")


# ---------------------------------------------------------------- review workbooks


def import_review_book(env: Any, path: Any, dry_run: bool, by: str | None) -> None:
    """`import` of a review workbook: all or nothing, located refusals, old -> new preview."""
    from evalcheck.io.reviewbook import describe_decision
    from evalcheck.services.review import apply_review_book, preview_review, read_review

    book = read_review(env, path, by=by)
    result, reviewer = book.result, book.reviewer
    n = result.decided
    echo(f"读取 {path}：{result.leader} 的审核表，共 {result.rows} 行，{n} 项有审核结论")
    if dry_run:
        planned = preview_review(env, book)
        for p in planned:
            echo("  " + describe_decision(p))
        echo(f"共 {len(planned)} 项将被审核（--dry-run：未写入）")
        return
    planned = apply_review_book(env, book)
    for p in planned:
        echo("  " + describe_decision(p))
    if not planned:
        echo("审核表中没有新的审核结论，没有需要修改的内容")
        return
    _deputy_notes([(p.decision.ind, p.signoff.signed_for) for p in planned], reviewer)
    echo(f"已导入 {len(planned)} 项审核结论（审核人：{reviewer}）。如需整体撤销：evalcheck undo")
