"""Year over year: `carry` (match last year's list, prefill) and `compare`."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand
from evalcheck.cli.shared import ByOpt, Fmt, FormatOpt, SectionOpt, UnitsFlag, app, ctx_env, echo
from evalcheck.errors import InputError
from evalcheck.model.checklist import Checklist, id_ranges
from evalcheck.views import render

FromChecklistOpt = Annotated[
    Path | None,
    typer.Option("--from-checklist", help="上年的清单文件（YAML）。", show_default=False),
]
FromAnswersOpt = Annotated[
    Path | None, typer.Option("--from-answers", help="上年的答案文件。", show_default=False)
]
PrefillOpt = Annotated[
    bool,
    typer.Option(
        "--prefill",
        help="把文字相同（或已人工确认）且题型未变的指标的上年答案填为今年的答案"
        "（不覆盖今年已填的答案）。",
    ),
]


@app.command(cls=CliCommand)
def carry(
    ctx: typer.Context,
    from_checklist: FromChecklistOpt = None,
    from_answers: FromAnswersOpt = None,
    prefill: PrefillOpt = False,
    by: ByOpt = None,
) -> None:
    """把上年的指标对应到今年的清单，上年答案作为参考值（上年值）。

    先按文字相同对应，再按文字相似（相似度 0–100 分），其余列为未对应。
    对应关系写入答案文件旁的同名 .previous.yaml（answers.yaml 的是 answers.previous.yaml），
    可手工改正（how 改为 manual），
    重新运行时保留手工改正。上年值不计入今年的填报。

    \b
    示例：evalcheck carry --from-checklist 2021清单.yaml --from-answers 2021答案.yaml
    示例：evalcheck carry --prefill
    """
    from evalcheck.services.carrying import carry as run

    env = ctx_env(ctx)
    cl = env.checklist
    done = run(
        env,
        from_checklist=from_checklist,
        from_answers=from_answers,
        prefill_answers=prefill,
        by=by,
    )
    if done.rematched is not None:
        for o, n in done.rematched.edited.items():
            echo(f"上年第{o}项 → 今年第{n}项：new 已被手工修改，按人工指定（manual）保留")
        _report(done.rematched.old, cl, done.rematched.matching, done.target)
        _units_report(done.rematched.units, done.target)
    if done.prefilled is not None:
        _prefilled(done.prefilled)


def _units_report(units: tuple[str, ...], target: Path) -> None:
    if units:
        from evalcheck.answers.units import UNITS_DIR

        echo(
            f"各单位的上年值（{'、'.join(units)}）已按同样的对应写入"
            f" {UNITS_DIR}/单位名/{target.name}，单位填报表列出各单位自己的上年值"
        )


def _report(old: Checklist, cl: Checklist, matching: Any, target: Path) -> None:
    from evalcheck.year.carry import EXACT, FUZZY, MANUAL, NONE

    kinds = sum(1 for m in matching.matches if m.kind_change)
    echo(
        f"上年（{old.year}年）{len(matching.matches)} 项 → 今年（{cl.year}年）"
        f"{len(cl.indicators)} 项：文字相同 {matching.count(EXACT)} 项，"
        f"文字相似 {matching.count(FUZZY)} 项，人工指定 {matching.count(MANUAL)} 项，"
        f"上年未对应 {matching.count(NONE)} 项，今年新增 {len(matching.new_unmatched)} 项"
        + (f"；另有 {kinds} 项题型改变" if kinds else "")
    )
    echo(f"对应关系已写入 {target}（可手工改正：把 new 改为正确题号，how 改为 manual）")
    review = matching.to_review
    if review:
        echo(f"\n请核对以下 {len(review)} 项：")
        for m in review:
            to = f"今年第{m.new}项" if m.new is not None else "（无）"
            echo(f"  上年第{m.old}项 → {to}：{'；'.join(m.review)}")
            echo(f"      上年：{old.get(m.old).text}")
            if m.new is not None:
                echo(f"      今年：{cl.get(m.new).text}")
    gone = [m.old for m in matching.matches if m.new is None]
    if gone:
        echo(f"\n上年未对应（今年没有这些指标）：第{id_ranges(gone)}项")
    if matching.new_unmatched:
        echo(f"今年新增（上年没有对应项）：第{id_ranges(matching.new_unmatched)}项")
    _near_misses(old, cl, matching, target)


def _near_misses(old: Checklist, cl: Checklist, matching: Any, target: Path) -> None:
    """Unmatched pairs that scored just too low: likely a rewording, fixed with one line."""
    from evalcheck.year.carry import MIN_SCORE, shown_score

    if not matching.near:
        return
    echo(f"\n可能是改了措辞的同一指标（相似度低于对应所需的 {MIN_SCORE:.0f} 分，未自动对应）：")
    for n in matching.near:
        echo(f"  上年第{n.old}项 ↔ 今年第{n.new}项：相似度 {shown_score(n.score)} 分")
        echo(f"      上年：{old.get(n.old).text}")
        echo(f"      今年：{cl.get(n.new).text}")
        echo(
            f"      如是同一指标：在 {target.name} 中 old: {n.old} 的条目里把 new: null 改为"
            f" new: {n.new}，再运行 evalcheck carry"
        )


def _prefilled(filled: Any) -> None:
    from evalcheck.year.prefill import COLLECTED, NOT_CONFIRMED

    done, skipped, who, withdrawn = filled
    if withdrawn:
        echo(
            f"撤回此前沿用的上年答案 {len(withdrawn)} 项（第{id_ranges(withdrawn)}项）："
            "上年的答案已被退回、改为待审核或对应已改变，请今年重新填报"
        )
    if done:
        echo(
            f"已沿用上年答案 {len(done)} 项（第{id_ranges(done)}项，填报人：{who}），"
            "修改记录中记为“沿用上年”；请各科室核对。整体撤销：evalcheck undo"
        )
    else:
        echo("没有可沿用的上年答案")
    for reason, ids in skipped.items():
        echo(f"  未沿用 {len(ids)} 项（{reason}）：第{id_ranges(ids)}项")
    if NOT_CONFIRMED in skipped:
        echo("  相似项核对无误后：在对照文件中把 how 改为 manual，再运行 carry --prefill")
    if COLLECTED in skipped:
        echo("  各单位报送后：evalcheck rollup --apply 把汇总写为市级答案")


@app.command(cls=CliCommand)
def compare(
    ctx: typer.Context,
    section: SectionOpt = None,
    fmt: FormatOpt = Fmt.table,
    units: UnitsFlag = False,
) -> None:
    """同比：按科室列出与上年对应的指标，上年值、今年值和变化；--units 为各单位对比表（含排名）。

    需要先用 evalcheck carry 生成上年对照。

    \b
    示例：evalcheck compare --section 审批监管科
    """
    from evalcheck.state.compare import compare_rows
    from evalcheck.state.select import Filters, resolve_filters, select_rows
    from evalcheck.views.columns import COMPARE
    from evalcheck.year.prefill import NO_MAPPING

    env = ctx_env(ctx)
    if units:  # indicator x unit, with ranking
        from evalcheck.cli.units import refuse_with_units

        refuse_with_units(ctx, "section")
        return echo(_compare_units(env, fmt.value))
    cl = env.checklist
    snap = env.snapshot()
    years = {r.previous.year for r in snap.rows if r.previous is not None}
    if not years:
        raise InputError(NO_MAPPING)
    filters = resolve_filters(cl, Filters(sections=tuple(section or ())))
    rows = compare_rows(snap, select_rows(snap, filters))
    year = years.pop()
    if fmt.value == "json":
        data = {"year": cl.year, "previous_year": year, "rows": [r.to_dict() for r in rows]}
        echo(render.to_json(data))
        return
    if fmt.value == "csv":
        sys.stdout.write(render.view(COMPARE, rows, "csv"))
        return
    echo(_compare_text(rows, f"{cl.year}年与{year}年对比"))


def _compare_units(env: Any, fmt: str) -> str:
    from evalcheck.cli.units import compare_units

    return compare_units(env, fmt)


def _compare_text(rows: list[Any], heading: str) -> str:
    """One table per section (the section is the title), then a total line."""
    from evalcheck.views.columns import COMPARE

    groups: dict[str, list[Any]] = {}
    for r in rows:
        groups.setdefault(r.section, []).append(r)
    parts = []
    for name, group in groups.items():
        same = sum(1 for r in group if r.change == "不变")
        title = f"{name}（{len(group)} 项，{same} 项不变）"
        parts.append(render.view(COMPARE[1:], group, title=title, hint=None))
    parts.append(f"{heading}：共 {len(rows)} 项（上年或今年已填报的对应指标）")
    hidden = render.hidden_note(render.CSV_HINT)
    if hidden:
        parts[-1] += "\n" + render.paragraph(hidden)
    return "\n\n".join(parts)
