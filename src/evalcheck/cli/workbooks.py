"""Excel commands: export (the official table, section forms) and import."""

from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.answers.store import describe_state
from evalcheck.cli.frame import CliCommand
from evalcheck.cli.shared import (
    OwnerOpt,
    SectionOpt,
    TodayOpt,
    app,
    by_note,
    ctx_env,
    echo,
    filters_of,
    writer_name,
)
from evalcheck.errors import UsageProblem

ExportPathArg = Annotated[
    Path | None,
    typer.Argument(
        help="导出的文件：.xlsx（Excel 总表）或 .docx（Word 附件），例如 report.xlsx。",
        show_default=False,
    ),
]
SplitOpt = Annotated[
    Path | None,
    typer.Option("--split", help="改为按科室各导出一份填报表到此文件夹。", show_default=False),
]
ReviewDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--review",
        help="改为给每位责任领导各导出一份审核表到此文件夹（可用 --owner 只导出部分领导）。",
        metavar="文件夹",
        show_default=False,
    ),
]
UnitsDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--units",
        help="改为给每个填报单位（区县、市本级）各导出一份填报表到此文件夹，只含由各单位填报的指标。",
        metavar="文件夹",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="覆盖已存在的表格：--split/--units/--review 的表格，或有人填写过的总表（未改动过的总表"
        "无需此选项即可覆盖）。",
    ),
]
FinalOpt = Annotated[
    bool,
    typer.Option(
        "--final",
        help="导出定稿（上交用）：只含已审核的值（未开启审核时为已填报的），其余留空；"
        "有未定稿的指标时拒绝导出并列出它们。",
    ),
]
AllowIncompleteOpt = Annotated[
    bool,
    typer.Option("--allow-incomplete", help="与 --final 一起用：有未定稿的指标也导出（留空）。"),
]
DueAsWrittenOpt = Annotated[
    bool,
    typer.Option("--due-as-written", help="完成时限按原表写法（如“9月15日前”），而不是日期。"),
]


@app.command(cls=CliCommand)
def export(
    ctx: typer.Context,
    path: ExportPathArg = None,
    split: SplitOpt = None,
    review: ReviewDirOpt = None,
    units: UnitsDirOpt = None,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    force: ForceOpt = False,
    today: TodayOpt = None,
    due_as_written: DueAsWrittenOpt = False,
    final: FinalOpt = False,
    allow_incomplete: AllowIncompleteOpt = False,
) -> None:
    """导出局里附件格式的填报总表：Excel（含进度页）或 Word；或用 --split 为每个科室生成填报表，
    用 --units 为每个填报单位生成填报表，或用 --review 为每位责任领导生成审核表。

    总表中未定稿的值注明“（待审核）”“（已退回）”；--final 只含定稿的值（上交用）。

    \b
    示例：evalcheck export report.xlsx
    示例：evalcheck export 附件1.docx --final
    示例：evalcheck export --split 科室表格/
    示例：evalcheck export --units 单位表格/
    示例：evalcheck export --review 审核表/
    """
    from evalcheck.services import exporting

    _one_target(ctx, path, split, review, units)
    env = ctx_env(ctx)
    if units is not None or review is not None:
        return _export_folder(env, units, review, owner or [], today, force, due_as_written)
    filters = filters_of(env.checklist, sections=section)
    common: dict[str, Any] = {"today": today, "force": force, "due_as_written": due_as_written}
    if split is not None:
        return _forms_written(exporting.export_forms(env, split, filters, **common))
    assert path is not None
    common.update(final=final, allow_incomplete=allow_incomplete)
    _table_written(exporting.export_table(env, path, filters, **common))


# what each kind of export has no use for: given, a usage error rather than ignored
_UNUSED = {
    "--units": (("section", "owner", "final", "allow_incomplete"),
                "每个单位一份，含由各单位填报的全部指标"),
    "--review": (("section", "final", "allow_incomplete"),
                 "每位领导一份，含其待审核的全部答案（只导出部分领导用 --owner）"),
    "--split": (("owner", "final", "allow_incomplete"),
                "每个科室一份填报表（只导出部分科室用 --section）"),
    "table": (("owner",), "总表只按科室筛选（--section）"),
}  # fmt: skip


def _one_target(ctx: typer.Context, path: Any, split: Any, review: Any, units: Any) -> None:
    """Exactly one of a file, --split, --review and --units, without the options it has
    no use for."""
    from evalcheck.cli.shared import refuse_unused

    if sum(x is not None for x in (path, split, review, units)) != 1:
        raise UsageProblem(ONE_TARGET)
    kind = "table" if path is not None else "--split" if split else "--review" if review else ""
    names, why = _UNUSED[kind or "--units"]
    target = f"总表 {path}" if path is not None else kind or "--units"
    refuse_unused(ctx, names, target, why + "，用不到{these}")


def _table_written(done: Any) -> None:
    if done.final:  # the values in the document: final ones only, not all answered
        head = f"已导出 {done.path}：{done.rows} 项指标，其中 {done.final_values} 项填入了定稿的值"
    else:
        na = f"、不适用 {done.na} 项" if done.na else ""  # as status counts them
        head = (
            f"已导出 {done.path}：{done.rows} 项指标，其中已填报 {done.answered - done.na} 项{na}"
        )
    if done.word:
        echo(f"{head}（Word 附件）")
    else:
        sheets = (
            "“填报进度”" + ("“同比”" if done.previous else "") + ("“汇总”" if done.rollup else "")
        )
        extra = f"{sheets}工作表" + ("和上年值列" if done.previous else "")
        echo(f"{head}（另含{extra}）")
    if done.final:
        left = f"，未定稿的 {done.not_final} 项留空" if done.not_final else ""
        echo(f"定稿：只含已定稿的值{left}。{done.counts}")
    else:
        marked = "；未定稿的值在单元格中注明（待审核）（已退回）" if done.not_final else ""
        echo(f"{done.counts}{marked}")


def _forms_written(forms: list[tuple[Path, int]]) -> None:
    for target, n in forms:
        echo(f"已生成 {target}（{n} 项）")
    echo(f"共 {len(forms)} 份科室填报表。填好后用 evalcheck import 文件名 导入。")


def _export_folder(
    env: Any,
    units: Path | None,
    review: Path | None,
    owners: list[str],
    today: str | None,
    force: bool,
    as_written: bool,
) -> None:
    """export --review (one workbook per leader) or --units (one form per unit)."""
    from evalcheck.services import exporting
    from evalcheck.services.units import export_unit_forms

    if review is not None:
        return _reviews_written(exporting.export_review_books(env, review, owners, force=force))
    assert units is not None
    forms = export_unit_forms(env, units, today=today, force=force, due_as_written=as_written)
    plan = env.checklist.units
    due = f"，报送时限 {plan.due.isoformat()}" if plan is not None and plan.due else ""
    for target, n in forms:
        echo(f"已生成 {target}（{n} 项{due}）")
    echo(
        f"共 {len(forms)} 份单位填报表。填好后用 evalcheck import 文件名 导入"
        "（记入 单位/单位名/answers.yaml），再用 evalcheck rollup 汇总。"
    )


ONE_TARGET = (
    "请给出导出文件名（例如 report.xlsx）、--split 文件夹、--units 文件夹或 --review 文件夹，四选一"
)


def _reviews_written(written: list[tuple[Path, int, int]]) -> None:
    if not written:
        echo("所选领导负责的指标还没有任何答案，没有生成审核表。")
        return
    for target, n, waiting in written:
        echo(f"已生成 {target}（{n} 项，其中待审核 {waiting} 项）")
    echo(
        f"共 {len(written)} 份审核表。领导在“审核结论”列选择 通过/退回（退回须写审核意见），"
        "交回后用 evalcheck import 文件名 导入。"
    )


WorkbookArg = Annotated[Path, typer.Argument(help="填好的 .xlsx（科室填报表或导出的总表）。")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="只显示将要修改的内容，不写入。")]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite-conflicts",
        help="表格导出后答案已被别人修改、表格中又改了同一格时，仍以表格为准写入。",
    ),
]


ImportByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="填报人，默认为环境变量 EVALCHECK_USER，未设置时为当前登录用户名；"
        "导入审核表时为审核人，默认为审核表所属的领导。",
        show_default=False,
    ),
]


@app.command("import", cls=CliCommand)
def import_cmd(
    ctx: typer.Context,
    path: WorkbookArg,
    dry_run: DryRunOpt = False,
    by: ImportByOpt = None,
    overwrite_conflicts: OverwriteOpt = False,
) -> None:
    """导入填好的 Excel：逐格重新检查，先列出 旧值 → 新值，再全部写入（有一格不合格则全部不写入）。

    只导入导出后改动过的单元格；填报值为空的行保持原答案不变。整次导入可用 evalcheck undo 一次撤销。

    \b
    示例：evalcheck import 科室表格/2021测评填报_审批监管科.xlsx --dry-run
    """
    from evalcheck.io.reviewbook import KIND as REVIEW
    from evalcheck.services import importing

    env = ctx_env(ctx)
    filled = importing.read_filled(path)
    if filled.kind == REVIEW:  # a leader's 审核表: decisions, not answers
        return _import_review(env, path, dry_run, by)
    plan = importing.plan_import(env, filled)
    sheets = "、".join(f"“{s}”" for s in plan.sheets)
    echo(f"读取 {path}：工作表 {sheets}，共 {plan.rows} 行")
    _warn([], plan.notes)
    undo = _unit_target(env, plan.unit)
    if dry_run:
        preview = importing.preview_import(env, plan, overwrite=overwrite_conflicts)
        return _previewed(plan, preview)
    who = writer_name(by)
    result = importing.apply_import(env, plan, by=who, overwrite=overwrite_conflicts)
    _imported(result, who, by, undo)


def _unit_target(env: Any, unit: str | None) -> str:
    """Say which unit a unit's form is filed under; the command that undoes the import."""
    from evalcheck.services.importing import target_of

    if unit is None:
        return "evalcheck undo"
    target = target_of(env, unit).answers_path
    echo(f"单位填报表：{unit}，答案记入 {target}")
    return f"evalcheck --answers {target} undo"


def _previewed(plan: Any, preview: Any) -> None:
    _overridden(preview.overridden)
    _print_changes(preview.pending)
    from evalcheck.answers.evidence import is_url

    for ident, files in sorted(plan.sources.items()):  # a link whole, as the import says it
        shown = (f if is_url(f) else Path(f).name for f in files)
        renewed = plan.renewed.get(ident, ())
        echo(
            "\n".join(
                f"  第{ident}项 佐证材料 {name} 换为新版本" if name in renewed
                else f"  第{ident}项 佐证材料 +{name}"
                for name in shown
            )
        )  # fmt: skip
    echo(f"共 {len(preview.pending)} 项将被修改（--dry-run：未写入）")
    _warn(preview.findings, preview.notes)


def _imported(result: Any, who: str, by: str | None, undo: str) -> None:
    _overridden(result.overridden)
    _print_changes(result.done)
    for line in result.added:
        echo(f"  {line}")
    n = len(result.done)
    if n:
        echo(f"已导入 {n} 项修改（{by_note(who, by)}）。如需整体撤销：{undo}")
    else:
        echo("表格中的答案与现有答案相同，没有需要修改的内容")
    _warn(result.findings, result.notes)


def _warn(findings: list[Any], notes: list[str]) -> None:
    """The rules the imported answers break, as `answer` reports them, and the counts that
    look like dates (stderr)."""
    from evalcheck.cli.commands import warn_findings
    from evalcheck.cli.shared import warn

    warn_findings(findings)
    for note in notes:
        warn(note)


def _overridden(found: list[Any]) -> None:
    if found:
        echo(f"注意：{len(found)} 处冲突按 --overwrite-conflicts 以表格为准：")
        for c in found:
            echo(f"  {c.describe()}")


def _import_review(env: Any, path: Path, dry_run: bool, by: str | None) -> None:
    from evalcheck.cli.review import import_review_book

    import_review_book(env, path, dry_run, by)


def _print_changes(rows: list[Any]) -> None:
    """旧值 → 新值; an old value a leader approved or returned says so ('312 个（已审核） →
    320 个'): the import replaces it, and the new value waits for review again."""
    from evalcheck.answers.review import Review

    for ch, old, new in rows:
        before = describe_state(ch.ind, old) if old is not None else "（无）"
        after = describe_state(ch.ind, new)
        extra = "（备注/佐证材料）" if before == after else ""
        if old is not None and old.review is not None:
            before += f"（{Review(old.review).label}）"
        echo(f"  第{ch.ind.id}项：{before} → {after}{extra}")
