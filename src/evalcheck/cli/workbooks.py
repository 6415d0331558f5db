"""Excel commands: export (the official table, section forms) and import."""

from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.answers.store import describe_state
from evalcheck.cli.frame import _Command
from evalcheck.cli.shared import (
    ByOpt,
    OwnerOpt,
    SectionOpt,
    TodayOpt,
    _by_note,
    _echo,
    _env,
    _filters,
    _writer,
    app,
)
from evalcheck.errors import InputError
from evalcheck.model.checklist import UNASSIGNED

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
        show_default=False,
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="用 --split/--review 时覆盖已存在的表格。")]
DueAsWrittenOpt = Annotated[
    bool,
    typer.Option("--due-as-written", help="完成时限按原表写法（如“9月15日前”），而不是日期。"),
]


@app.command(cls=_Command)
def export(
    ctx: typer.Context,
    path: ExportPathArg = None,
    split: SplitOpt = None,
    review: ReviewDirOpt = None,
    section: SectionOpt = None,
    owner: OwnerOpt = None,
    force: ForceOpt = False,
    today: TodayOpt = None,
    due_as_written: DueAsWrittenOpt = False,
) -> None:
    """导出局里附件格式的填报总表：Excel（含进度页）或 Word；或用 --split 为每个科室生成填报表，
    或用 --review 为每位责任领导生成审核表。

    \b
    示例：evalcheck export report.xlsx
    示例：evalcheck export report.docx --due-as-written
    示例：evalcheck export --split 科室表格/
    示例：evalcheck export --review 审核表/
    """
    from evalcheck.cli.exports import export_section_forms, export_table
    from evalcheck.state.select import select_rows

    if sum(x is not None for x in (path, split, review)) != 1:
        raise InputError(ONE_TARGET)
    if review is not None:
        return _export_reviews(ctx, review, owner, force)
    env = _env(ctx)
    filters = _filters(env.checklist, sections=section)
    snap = env.snapshot(today)
    if split is not None:
        wanted = [*filters.sections, *([UNASSIGNED] if filters.unassigned else [])]
        export_section_forms(
            split, snap, wanted or None, force=force, due_as_written=due_as_written
        )
    else:
        assert path is not None
        export_table(path, snap, select_rows(snap, filters), due_as_written=due_as_written)


ONE_TARGET = "请给出导出文件名（例如 report.xlsx）、--split 文件夹或 --review 文件夹，三选一"


def _export_reviews(ctx: typer.Context, folder: Path, owner: list[str] | None, force: bool) -> None:
    from evalcheck.cli.review import export_review_books

    export_review_books(_env(ctx), folder, owner or [], force)


WorkbookArg = Annotated[Path, typer.Argument(help="填好的 .xlsx（科室填报表或导出的总表）。")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", "-n", help="只显示将要修改的内容，不写入。")]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite-conflicts",
        help="表格导出后答案已被别人修改、表格中又改了同一格时，仍以表格为准写入。",
    ),
]


@app.command("import", cls=_Command)
def import_cmd(
    ctx: typer.Context,
    path: WorkbookArg,
    dry_run: DryRunOpt = False,
    by: ByOpt = None,
    overwrite_conflicts: OverwriteOpt = False,
) -> None:
    """导入填好的 Excel：逐格重新检查，先列出 旧值 → 新值，再全部写入（有一格不合格则全部不写入）。

    只导入导出后改动过的单元格；填报值为空的行保持原答案不变。整次导入可用 evalcheck undo 一次撤销。

    \b
    示例：evalcheck import 科室表格/2021测评填报_审批监管科.xlsx --dry-run
    """
    from evalcheck.io.reviewbook import KIND as REVIEW
    from evalcheck.io.xlsx_format import workbook_kind
    from evalcheck.io.xlsx_read import read_grid
    from evalcheck.services.evidence_ops import store_changes

    env = _env(ctx)
    grid = read_grid(path)  # read once (the size guards run first)
    if workbook_kind(grid) == REVIEW:  # a leader's 审核表: decisions, not answers
        return _import_review(env, path, dry_run, by)
    changes, sources = _read_changes(path, env, grid)
    who = _writer(by)
    if dry_run:
        snap = env.snapshot()
        _check_conflicts(snap, changes, overwrite_conflicts)
        return _dry_run(snap, changes, sources)
    with store_changes() as ops, env.writing() as answers:
        done, added = _apply(env, answers, changes, sources, ops, who, overwrite_conflicts)
    _print_changes(done)
    for line in added:
        _echo(f"  {line}")
    if done:
        _echo(f"已导入 {len(done)} 项修改（{_by_note(who, by)}）。如需整体撤销：evalcheck undo")
    else:
        _echo("表格中的答案与现有答案相同，没有需要修改的内容")


def _read_changes(path: Path, env: Any, grid: Any) -> tuple[list[Any], dict[int, list[str]]]:
    """The workbook's changes and the files its 佐证材料 cells name (found beside the form);
    any refused cell, missing file, or indicator filled differently on two sheets refuses
    the whole import."""
    from evalcheck.io.import_plan import twice_filled
    from evalcheck.io.xlsx_read import read_workbook
    from evalcheck.services.evidence_ops import resolve_form_evidence

    result = read_workbook(path, env.checklist, grid)
    sheets = "、".join(f"“{s}”" for s in result.sheets)
    _echo(f"读取 {path}：工作表 {sheets}，共 {result.rows} 行")
    changes, twice = twice_filled(result.changes)
    named = any(ch.evidence for ch in changes)  # the answers are read only if a cell names files
    sources, missing = (
        resolve_form_evidence(changes, env.answers(), path.parent) if named else ({}, [])
    )
    refused = result.refused + twice + missing
    if refused:
        raise InputError(
            f"有 {len(refused)} 个单元格不合格，未导入任何内容（请修改后重新导入）：",
            details=refused,
        )
    return changes, sources


def _check_conflicts(snap: Any, changes: Any, overwrite: bool) -> None:
    """Stale cells (changed in the form and, since the export, in the answers too)."""
    from evalcheck.io.import_plan import conflicts

    found = conflicts(snap, changes)
    if not found:
        return
    if overwrite:
        _echo(f"注意：{len(found)} 处冲突按 --overwrite-conflicts 以表格为准：")
        for c in found:
            _echo(f"  {c.describe()}")
        return
    raise InputError(
        f"有 {len(found)} 处冲突：表格导出后这些答案已被修改，表格中又改了同一格。"
        "未导入任何内容。请核对后修改表格，或确认以表格为准时加 --overwrite-conflicts：",
        details=[c.describe() for c in found],
    )


def _import_review(env: Any, path: Path, dry_run: bool, by: str | None) -> None:
    from evalcheck.cli.review import import_review_book

    import_review_book(env, path, dry_run, by)


def _dry_run(snap: Any, changes: Any, sources: dict[int, list[str]]) -> None:
    from evalcheck.io.import_plan import pending

    todo = pending(snap, changes)
    _print_changes(todo)
    for ident, files in sorted(sources.items()):
        _echo("\n".join(f"  第{ident}项 佐证材料 +{Path(f).name}" for f in files))
    _echo(f"共 {len(todo)} 项将被修改（--dry-run：未写入）")


def _apply(
    env: Any, answers: Any, changes: Any, sources: Any, ops: Any, who: str, overwrite: bool
) -> tuple[list[Any], list[str]]:
    """Apply an import as one change, the files it carries copied into the evidence store."""
    from evalcheck.answers.evidence import sync
    from evalcheck.cli.evidence import store_root
    from evalcheck.services.evidence_ops import attach_evidence
    from evalcheck.services.importing import apply_changes
    from evalcheck.state.deadlines import parse_today
    from evalcheck.state.snapshot import take

    snap = take(env.checklist, answers, parse_today(None))
    _check_conflicts(snap, changes, overwrite)  # under the lock: nothing written
    root = store_root(env)
    changes, incoming, added = attach_evidence(changes, sources, answers, root, ops, by=who)
    done = apply_changes(snap, answers, changes, by=who)
    for ch, old, new in done:
        before = old.evidence if old is not None else ()
        sync(root, ch.ind.id, before, new.evidence, ops, incoming.get(ch.ind.id))
    return done, added


def _print_changes(rows: list[Any]) -> None:
    for ch, old, new in rows:
        before = describe_state(ch.ind, old) if old is not None else "（无）"
        after = describe_state(ch.ind, new)
        extra = "（备注/佐证材料）" if before == after else ""
        _echo(f"  第{ch.ind.id}项：{before} → {after}{extra}")
