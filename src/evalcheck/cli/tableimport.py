"""checklist-import: next year's checklist from the bureau's own table."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand, usage_checked
from evalcheck.cli.shared import app, echo
from evalcheck.errors import InputError

TableArg = Annotated[
    Path,
    typer.Argument(
        help="局里的指标表：.xlsx、.xls、.ods，或文本（制表符/逗号分隔，"
        "UTF-8、GB18030、UTF-16 均可，例如 Excel 另存的“文本文件(制表符分隔)”）。"
    ),
]
OutputOpt = Annotated[
    Path, typer.Option("--output", "-o", help="生成的清单文件，例如 indicators.yaml。")
]
YearOpt = Annotated[
    int | None,
    typer.Option(
        "--year", help="清单的年份；默认从标题（或备注中的“20XX年测评指标”）读取，读不到时必填。"
    ),
]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="工作表名；默认自动找有指标表头的那个工作表。")
]
ColumnOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        callback=usage_checked(lambda v: _columns([v])),  # a wrong form: usage error (2)
        help="表中列名与本工具不同时指定，可重复，例如 --column 责任科室=责任股室。"
        "可用：二级指标、题号、三级指标、责任领导、责任科室、完成时限、任务类型。",
    ),
]
SupportOpt = Annotated[
    str | None,
    typer.Option(
        "--support",
        callback=usage_checked(lambda v: _support(v)),
        help="配合任务的题号，例如 116-144 或 116-140,143；其余为牵头。",
    ),
]
DueOpt = Annotated[
    str | None,
    typer.Option(
        "--due",
        callback=usage_checked(lambda v: _due(v)),
        help="表中没有完成时限的行用这个日期，例如 2022-09-30。",
    ),
]
KeepHiddenOpt = Annotated[
    bool, typer.Option("--keep-hidden", help="也读取隐藏的行和列（默认跳过并提示）。")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="覆盖已存在的输出文件。")]
FromChecklistOpt = Annotated[
    Path | None,
    typer.Option(
        "--from-checklist",
        help="上年的清单：按 carry 的方法对应指标，把规则、公式、选项（含不可同选）、"
        "人工确定的题型、单位汇总（units/collect/rollup）和佐证要求沿用到今年的题号。",
        show_default=False,
    ),
]


@app.command("checklist-import", cls=CliCommand)
def checklist_import(
    table: TableArg,
    output: OutputOpt,
    year: YearOpt = None,
    sheet: SheetOpt = None,
    column: ColumnOpt = None,
    support: SupportOpt = None,
    due: DueOpt = None,
    keep_hidden: KeepHiddenOpt = False,
    force: ForceOpt = False,
    from_checklist: FromChecklistOpt = None,
) -> None:
    """从局里的指标表生成清单 YAML：认得常见的列名、合并单元格、两行表头、分类行。

    年份、完成时限、牵头/配合都不靠猜：读不到就要求用选项指定。无法读取的行
    全部列出（文件、工作表、行、列），且不写文件；不能确定的题型、名称等推断列出，供人工复核。

    \b
    示例：evalcheck checklist-import 2022指标表.xlsx -o indicators-2022.yaml
    示例：evalcheck checklist-import 表.txt -o 2022.yaml --year 2022 --column 责任科室=承办股室
    示例：evalcheck checklist-import 2022指标表.xlsx -o 2022.yaml --from-checklist indicators.yaml
    """
    from evalcheck.infra.outputguard import refuse_folder
    from evalcheck.io.tableimport import Options, read_table

    refuse_folder(output, "indicators.yaml")
    if output.exists() and not force:
        raise InputError(f"{output} 已存在，未做修改；确认要覆盖请加 --force")
    opts = Options(year, sheet, _columns(column or []), _support(support), _due(due), keep_hidden)
    result = read_table(table, opts)
    if result.problems:
        raise InputError(
            f"{table} 中有 {len(result.problems)} 处无法读取，未生成清单"
            "（请修改表格或用选项说明后重试）：",
            details=result.problems,
        )
    checklist, carried = _write(table, output, result, from_checklist)
    _report(output, checklist, result)
    if carried is not None and from_checklist is not None:
        _carried(from_checklist, carried)


def _columns(raw: list[str]) -> dict[str, str]:
    from evalcheck.io.tableimport import LABELS

    keys = {label: key for key, label in LABELS.items()} | {k: k for k in LABELS}
    out: dict[str, str] = {}
    for item in raw:
        ours, sep, theirs = item.replace("＝", "=").partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise InputError(
                f"--column “{item}”应写成 本工具的列名=表中的列名，例如 责任科室=责任股室"
            )
        if ours not in keys:
            raise InputError(
                f"--column “{item}”：没有“{ours}”这一列（可用：{'、'.join(LABELS.values())}）"
            )
        out[keys[ours]] = theirs
    return out


def _support(raw: str | None) -> frozenset[int] | None:
    from evalcheck.io.tableimport import parse_ranges

    if raw is None:
        return None
    try:
        return parse_ranges(raw)
    except ValueError as exc:
        raise InputError(
            f"--support “{raw}”无法识别（“{exc}”）：应为题号或范围，例如 116-144 或 116-140,143"
        ) from None


def _due(raw: str | None) -> dt.date | None:
    if raw is None:
        return None
    try:
        from evalcheck.infra.clock import parse_iso_date

        return parse_iso_date(raw)
    except ValueError:
        raise InputError(f"--due “{raw}”不是日期：应写成 YYYY-MM-DD，例如 2022-09-30") from None


def _write(table: Path, output: Path, result: Any, last: Path | None) -> tuple[Any, Any]:
    """Write the checklist; the file written is the document validated (its own text).
    With last year's checklist, what it adds is carried over first."""
    from evalcheck.infra.fileio import atomic_write_text
    from evalcheck.io.tableimport import checklist_document, checklist_yaml
    from evalcheck.model.validation import validate_text

    doc = checklist_document(result)
    carried = None
    if last is not None:
        from evalcheck.services.nextyear import carry_from_checklist

        doc, carried = carry_from_checklist(doc, last)
    header = [
        f"{doc['title']}（{doc['year']}年）",
        f"由 evalcheck checklist-import {table.name} 生成；请核对后运行 evalcheck validate。",
    ]
    if result.review:
        header += ["", "待复核的推断：", *(f"  {line}" for line in result.review)]
    text = checklist_yaml(doc, header)
    checklist, problems = validate_text(text, output)
    errors = [p.text for p in problems if p.level == "error"]
    if checklist is None or errors:
        raise InputError("生成的清单未通过检查，未写入：", details=errors)
    atomic_write_text(output, text)
    return checklist, carried


def _carried(last: Path, done: Any) -> None:
    """What came over from last year's checklist, and what could not (with the reason)."""
    from evalcheck.year.carry import EXACT, FUZZY, NONE

    m = done.matching
    echo(
        f"沿用上年清单 {last}：上年 {len(m.matches)} 项，对应到今年 "
        f"{m.count(EXACT) + m.count(FUZZY)} 项（文字相同 {m.count(EXACT)} 项，"
        f"文字相似 {m.count(FUZZY)} 项），上年未对应 {m.count(NONE)} 项；"
        f"沿用规则 {done.rules} 条、公式 {done.formulas} 个、选项 {done.options} 项、"
        f"人工确定的题型 {done.kinds} 项"
    )
    if done.carried:
        echo(f"已沿用（{len(done.carried)} 处）：")
        for line in done.carried:
            echo(f"  {line}")
    if done.not_carried:
        echo(f"未能沿用（{len(done.not_carried)} 处）：")
        for line in done.not_carried:
            echo(f"  {line}")


def _report(output: Path, checklist: Any, result: Any) -> None:
    """The summary line: count, year and its source, names, roles, inferences to review."""
    from evalcheck.model.checklist import ROLE_NAMES

    roles = [i.role for i in checklist.indicators]
    lead, sup = roles.count("lead"), roles.count("support")
    echo(
        f"已生成 {output}：{len(checklist.indicators)} 项指标；"
        f"{checklist.year} 年（{result.year_source}）；"
        f"{len(checklist.categories)} 个二级指标；"
        f"{len(checklist.sections)} 个科室（{'、'.join(checklist.sections) or '无'}）；"
        f"{len(checklist.owners)} 位责任领导（{'、'.join(checklist.owners) or '无'}）；"
        f"{ROLE_NAMES['lead']} {lead} 项、{ROLE_NAMES['support']} {sup} 项"
        f"（{result.role_source}）；待复核的推断 {len(result.review)} 处"
    )
    shared = sum(1 for i in checklist.indicators if len(i.sections) > 1 or len(i.owners) > 1)
    if shared:
        echo(f"其中 {shared} 项有多个责任科室或责任领导（第一个为牵头）")
    if result.due_source:
        echo(result.due_source)
    for w in [*result.warnings, *checklist.warnings]:
        echo(f"警告：{w}")
    if result.review:
        echo(f"以下 {len(result.review)} 处推断请人工复核：")
        for line in result.review:
            echo(f"  {line}")
