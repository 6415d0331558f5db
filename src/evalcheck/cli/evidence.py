"""`evidence`: add, remove, list, check, migrate and pack the 佐证材料."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand, CliGroup
from evalcheck.cli.shared import (
    ActorOpt,
    Env,
    SectionOpt,
    ShowFmt,
    app,
    by_note,
    ctx_env,
    echo,
    parse_id,
    writer_name,
)
from evalcheck.errors import EXIT_FINDINGS
from evalcheck.model.checklist import Indicator
from evalcheck.views import render

evidence_app = typer.Typer(
    cls=CliGroup,
    name="evidence",
    help="佐证材料：收入材料库、检查、打包交给测评方。",
    epilog="示例：evalcheck evidence add 47 汇总表.xlsx · evalcheck evidence check · "
    "evalcheck evidence pack 佐证材料包.zip",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(evidence_app, name="evidence")

IdArg = Annotated[str, typer.Argument(metavar="题号", help="题号，例如 47。")]
ForceOpt = Annotated[bool, typer.Option("--force", help="文件在登记后被修改过时也照样打包。")]
OverwriteOpt = Annotated[
    bool, typer.Option("--overwrite", help="覆盖已存在的输出（文件夹须是以前生成的材料包）。")
]


def store_root(env: Env) -> Path:
    from evalcheck.answers.paths import store_root as root_of

    return root_of(env.answers_path)


def _chosen(env: Env, section: list[str] | None) -> list[Indicator]:
    from evalcheck.state.select import Filters, resolve_filters, select

    cl = env.checklist
    return select(cl, resolve_filters(cl, Filters(sections=tuple(section or ()))))


def describe_added(ident: int, report: list[Any]) -> list[str]:
    """One line per source given to add (also used by `answer --evidence` and `import`)."""
    from evalcheck.answers.evidence import human_size

    lines = []
    for a in report:
        e = a.item
        if a.outcome == "added":
            lines.append(f"第{ident}项 已添加 {e.name}（{human_size(e.size)}）")
        elif a.outcome == "replaced":
            lines.append(
                f"第{ident}项 已用新版本替换 {e.name}（{human_size(e.size)}；"
                "旧版本可用 evalcheck undo 恢复）"
            )
        elif a.outcome == "duplicate":
            lines.append(f"第{ident}项 {a.source} 与已登记的 {a.other} 内容相同，未重复添加")
        elif a.outcome == "link":
            lines.append(f"第{ident}项 已记录链接 {e.name}")
        else:
            lines.append(f"第{ident}项 链接 {e.name} 已登记过，未重复添加")
    return lines


@evidence_app.command("add", cls=CliCommand)
def add_cmd(
    ctx: typer.Context,
    ident: IdArg,
    files: Annotated[
        list[str], typer.Argument(metavar="文件...", help="文件路径或网址（http:// 或 https://）。")
    ],
    by: ActorOpt = None,
) -> None:
    """把文件复制到佐证材料库（答案文件旁的“佐证材料/题号/”），登记名称、大小、sha256、时间和添加人。

    网址记为链接。内容相同的文件（sha256 相同）不会重复添加；同名但内容不同的文件替换旧版本。
    可用 evalcheck undo 撤销。

    \b
    示例：evalcheck evidence add 47 承诺时限汇总表.xlsx 政策文件.pdf
    示例：evalcheck evidence add 16 https://www.example.gov.cn/zwfw
    """
    from evalcheck.services.evidence import add_evidence

    env = ctx_env(ctx)
    n = parse_id(ident)
    who = writer_name(by)
    done = add_evidence(env, n, files, by=who)
    for line in describe_added(done.ind.id, done.report):
        echo(line)
    if done.state is not None:
        echo(by_note(who, by, "操作人"))
    _reopened_note(done)


def _reopened_note(done: Any) -> None:
    """An approved or returned answer whose evidence changed is pending again: said, as
    the leader must review it (again)."""
    if done.reopened:
        n = done.ind.id
        was = "审核通过" if done.reopened == "approved" else "被退回"
        echo(
            f"注意：第{n}项原已{was}；佐证材料变了，现为待审核，"
            f"需责任领导重新审核（evalcheck approve {n} --by 姓名）"
        )


@evidence_app.command("rm", cls=CliCommand)
def rm_cmd(
    ctx: typer.Context,
    ident: IdArg,
    name: Annotated[str, typer.Argument(metavar="名称", help="文件名或网址（见 evidence list）。")],
    by: ActorOpt = None,
) -> None:
    """从一项指标的佐证材料中移除一个文件或链接（可用 evalcheck undo 恢复）。

    \b
    示例：evalcheck evidence rm 47 旧版汇总表.xlsx
    """
    from evalcheck.services.evidence import remove_evidence

    env = ctx_env(ctx)
    n = parse_id(ident)
    who = writer_name(by)
    done = remove_evidence(env, n, name, by=who)
    gone, note = done.gone, by_note(who, by, "操作人")
    echo(f"第{done.ind.id}项 已移除{gone.label} {gone.name}（{note}；可用 evalcheck undo 恢复）")
    _reopened_note(done)


@evidence_app.command("list", cls=CliCommand)
def list_cmd(
    ctx: typer.Context,
    ident: Annotated[
        str | None,
        typer.Argument(metavar="[题号]", help="题号；不写则列出全部。", show_default=False),
    ] = None,
    section: SectionOpt = None,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """列出已登记的佐证材料：名称、类型、大小、添加人、时间，以及文件是否还在。

    \b
    示例：evalcheck evidence list 47
    示例：evalcheck evidence list --section 审批监管科
    """
    from evalcheck.answers.evidence import check_item
    from evalcheck.views.columns import EVIDENCE_LIST, EvidenceRow

    env = ctx_env(ctx)
    cl = env.checklist
    chosen = [cl.get(parse_id(ident))] if ident else _chosen(env, section)
    answers = env.answers()
    root = store_root(env)
    rows: list[EvidenceRow] = []
    for ind in chosen:
        for e in answers.evidence(ind.id):
            problem = check_item(root, ind.id, e, deep=False).problem
            rows.append(EvidenceRow(ind.id, e, "legacy" if e.kind == "path" else problem or "ok"))
    if fmt.value == "json":
        echo(render.to_json([{"id": r.ident, **r.item.to_dict(), "state": r.state} for r in rows]))
        return
    if not rows:
        where = f"第{chosen[0].id}项" if ident else "所选指标"
        echo(f"{where}还没有登记佐证材料（添加：evalcheck evidence add 题号 文件）")
        return
    footer = f"共 {len(rows)} 项佐证材料（存放在 {root}）"
    echo(render.view(EVIDENCE_LIST, rows, footer=footer, hint=render.JSON_HINT))


@evidence_app.command("check", cls=CliCommand)
def check_cmd(
    ctx: typer.Context,
    section: SectionOpt = None,
    fmt: Annotated[
        ShowFmt, typer.Option("--format", "-f", help="输出格式：text 或 json。")
    ] = ShowFmt.text,
) -> None:
    """按科室检查佐证材料：已填报却缺少佐证、文件缺失、文件登记后被修改（sha256）、
    未收入的旧版路径；另列出需人工核对的链接。发现问题时退出码为 1。

    \b
    示例：evalcheck evidence check
    示例：evalcheck evidence check --section 审批监管科
    """
    from evalcheck.services.evidence import check_evidence, report_data, report_lines

    env = ctx_env(ctx)
    chosen = _chosen(env, section)
    groups = check_evidence(env, chosen)
    if fmt.value == "json":
        echo(render.to_json(report_data(groups)))
    else:
        echo("\n".join(report_lines(groups, len(chosen))))
    if any(f.is_problem for _, fs in groups for f in fs):
        raise typer.Exit(EXIT_FINDINGS)


@evidence_app.command("migrate", cls=CliCommand)
def migrate_cmd(ctx: typer.Context, by: ActorOpt = None) -> None:
    """把 evalcheck 0.1 以路径登记的佐证材料复制进材料库（找不到的文件保留原记录并列出）。

    整次迁移可用 evalcheck undo 撤销。

    \b
    示例：evalcheck evidence migrate
    """
    from evalcheck.services.evidence import migrate_evidence

    env = ctx_env(ctx)
    done = migrate_evidence(env, by=writer_name(by))
    if not done:
        echo("没有需要迁移的旧版路径")
        return
    moved = [m for m in done if m.item is not None]
    for m in done:
        if m.item is not None:
            echo(f"第{m.ident}项 已收入 {m.path} → {m.item.name}")
        else:
            echo(f"第{m.ident}项 找不到 {m.path}：保留原记录，请找到文件后用 evidence add 添加")
    echo(f"共收入 {len(moved)} 个文件，{len(done) - len(moved)} 个找不到")


@evidence_app.command("pack", cls=CliCommand)
def pack_cmd(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(metavar="输出", help="输出的 .zip 文件，或一个新文件夹。")],
    section: SectionOpt = None,
    force: ForceOpt = False,
    overwrite: OverwriteOpt = False,
) -> None:
    """生成交给测评方的佐证材料包：每项指标一个文件夹（如 047_本地区行政许可事项承诺时限总数），
    外加目录.xlsx（题号、指标、科室、填报值、可点击打开的文件、链接、缺失情况）。

    同样的材料生成的 zip 逐字节相同。文件登记后被修改过时拒绝打包（--force 照样打包）。

    \b
    示例：evalcheck evidence pack 佐证材料包.zip
    示例：evalcheck evidence pack 审批监管科材料 --section 审批监管科
    """
    from evalcheck.io.pack import pack, summary

    env = ctx_env(ctx)
    rows = env.snapshot().where(i.id for i in _chosen(env, section))
    bar = _ProgressLine() if sys.stderr.isatty() else None
    try:
        result = pack(
            env.checklist,
            rows,
            store_root(env),
            out,
            force=force,
            overwrite=overwrite,
            progress=bar,
        )
    finally:
        if bar is not None:
            bar.close()
    done, notes = summary(result, rows, out, env.checklist.review)
    echo(done)
    for note in notes:
        typer.echo(f"注意：{note}", err=True)


class _ProgressLine:
    """'打包中 ████░░░░ 45%  90.0 MB / 200.0 MB' on stderr, redrawn in place (terminals only).

    Shown only for packs of more than 20 MB: a small pack is done before it could be read.
    """

    MIN_BYTES = 20 * 1024 * 1024

    def __init__(self) -> None:
        self.shown = False
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        from evalcheck.answers.evidence import human_size

        if total < self.MIN_BYTES:
            return
        pct = int(100 * done / total) if total else 100
        if pct == self.last:
            return
        self.last = pct
        self.shown = True
        sizes = f"{human_size(done)} / {human_size(total)}"
        line = f"\r打包中 {render.bar(done / total, 20)} {pct:3d}%  {sizes}"
        sys.stderr.write(line)
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()
