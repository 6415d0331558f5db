"""Sub-units: `rollup` (the city's values from its units), and the `--units` views of
status, remind and compare (see model/units.py, state/rollup.py, services/rollup.py)."""

from typing import Annotated, Any

import typer

from evalcheck.cli.frame import CliCommand
from evalcheck.cli.shared import (
    ByOpt,
    Env,
    Fmt,
    FormatOpt,
    app,
    by_note,
    ctx_env,
    echo,
    refuse_unused,
    writer_name,
)
from evalcheck.errors import EXIT_FINDINGS, InputError
from evalcheck.model.units import NO_UNITS
from evalcheck.views import render

IdsArg = Annotated[
    list[str] | None,
    typer.Argument(metavar="[题号]...", help="只看这些指标（默认：所有由各单位填报的指标）。"),
]
ApplyOpt = Annotated[
    bool, typer.Option("--apply", help="把完整的汇总值写为市级的答案（审核开启时为待审核）。")
]
IncompleteOpt = Annotated[
    bool,
    typer.Option("--include-incomplete", help="与 --apply 一起用：有单位未报送的也写入。"),
]
OverwriteOpt = Annotated[
    bool,
    typer.Option(
        "--overwrite-conflicts",
        help="与 --apply 一起用：市级已手工填写且与汇总值不同的，也用汇总值覆盖。",
    ),
]


def refuse_with_units(ctx: typer.Context, *names: str, tip: str = "") -> None:
    """Options of the sections' view that --units has no use for: given with --units, they
    are a usage error (exit 2), never silently ignored."""
    refuse_unused(
        ctx,
        names,
        "--units",
        "--units 按填报单位（区县、市本级）列出由各单位填报的指标，用不到{these}" + tip,
    )


def _plan_checked(env: Env) -> Any:
    if env.checklist.units is None:
        raise InputError(NO_UNITS)
    return env.checklist.units


def _ids(env: Env, raw: list[str] | None) -> list[int] | None:
    if not raw:
        return None
    from evalcheck.cli.shared import parse_id

    plan = _plan_checked(env)
    out = []
    for text in raw:
        ident = parse_id(text)
        env.checklist.get(ident)
        if not plan.is_collected(ident):
            raise InputError(f"第{ident}项不由各单位填报（清单中没有 collect: units）")
        out.append(ident)
    return out


@app.command(cls=CliCommand)
def rollup(
    ctx: typer.Context,
    ids: IdsArg = None,
    apply: ApplyOpt = False,
    include_incomplete: IncompleteOpt = False,
    overwrite_conflicts: OverwriteOpt = False,
    fmt: FormatOpt = Fmt.table,
    by: ByOpt = None,
) -> None:
    """单位汇总：各单位（区县、市本级）填报的指标，按规则汇总为市级的值。

    列出每项的汇总值、算式（各单位的值）和未报送单位；--apply 把完整的汇总写为市级答案，
    来源记入备注和历史。市级手工填写且与汇总值不同的，列为冲突，不会被覆盖（退出码 1）。

    \b
    示例：evalcheck rollup
    示例：evalcheck rollup --apply
    示例：evalcheck rollup 69 --format json
    """
    env = ctx_env(ctx)
    _plan_checked(env)
    chosen = _ids(env, ids)
    if apply:
        _apply(env, chosen, include_incomplete, overwrite_conflicts, by)
    else:
        echo(_rollup_text(env, chosen, fmt.value))


def _apply(env: Env, chosen: Any, incomplete: bool, overwrite: bool, by: str | None) -> None:
    from evalcheck.services.rollup import apply_rollups

    who = writer_name(by)
    done = apply_rollups(
        env.checklist,
        env.answers_path,
        by=who,
        ids=chosen,
        include_incomplete=incomplete,
        overwrite_conflicts=overwrite,
    )
    echo(_applied_text(env.checklist, done) + "\n" + by_note(who, by))
    if done.conflicts:
        raise typer.Exit(EXIT_FINDINGS)


def _rollup_text(env: Env, chosen: Any, fmt: str) -> str:
    from evalcheck.services.rollup import rollups
    from evalcheck.views.units import ROLLUP, RollupRow, city_answer

    cl = env.checklist
    found = [r for r in rollups(cl, env.answers_path) if chosen is None or r.id in chosen]
    snap = env.snapshot()
    rows = [RollupRow(cl.get(r.id), r, city_answer(snap.row(r.id), r)) for r in found]
    if fmt == "json":
        data = {
            "units": list(cl.units.names if cl.units else ()),
            "rollups": [{**r.rollup.to_dict(r.ind), "city": r.city} for r in rows],
        }
        return render.to_json(data)
    cols = _without_empty_city(ROLLUP, rows)
    if fmt == "csv":
        return render.view(cols, rows, "csv").rstrip("\n")
    incomplete = sum(1 for r in found if not r.complete)
    footer = f"共 {len(found)} 项由各单位填报，{incomplete} 项有单位未报送"
    return render.view(cols, rows, title="单位汇总") + "\n" + footer


def _without_empty_city(columns: list[Any], rows: list[Any]) -> list[Any]:
    """The 市级答案 column only when the city has answered one of the rows (a table view:
    the 汇总 sheet keeps its columns)."""
    if any(r.city for r in rows):
        return columns
    return [c for c in columns if c.key != "city"]


def _applied_text(cl: Any, done: Any) -> str:
    lines = [
        f"已写入 {len(done.written)} 项汇总值，{len(done.unchanged)} 项与市级答案一致，"
        f"{len(done.incomplete)} 项不完整未写入，{len(done.conflicts)} 项冲突未写入"
    ]
    for r in done.written:
        lines.append(f"  第{r.id}项：{r.formula}")
    for r in done.incomplete:
        lines.append(f"  不完整：第{r.id}项，未报送单位：{'、'.join(r.missing)}")
    for r, st in done.conflicts:
        from evalcheck.model.kinds import format_value
        from evalcheck.state.snapshot import Status

        ind = cl.get(r.id)
        lines.append(
            f"  冲突：第{r.id}项 市级答案 "
            f"{format_value(ind, st.value) if st.na is None else Status.NA.label}"
            f"（{st.by}）≠ 汇总 {format_value(ind, r.value)}；"
            "核实后用 evalcheck answer 改正，或 rollup --apply --overwrite-conflicts 覆盖"
        )
    for r in done.empty:  # no value: every unit 不适用, or weights adding up to 0
        lines.append(f"  不写入：第{r.id}项（{r.reason or '各单位均为不适用'}）")
    if done.manual:
        ids = "、".join(str(r.id) for r in done.manual)
        lines.append(f"  由市级填报或自动计算（不写入）：第 {ids} 项")
    return "\n".join(lines)


def status_units(env: Env, fmt: str) -> str:
    """`status --units`: progress per unit, and the units missing per indicator."""
    from evalcheck.answers.units import load_unit_answers
    from evalcheck.state.rollup import compute
    from evalcheck.views.units import UNIT_PROGRESS, unit_progress

    _plan_checked(env)
    cl = env.checklist
    found = compute(cl, load_unit_answers(env.answers_path, cl))
    rows = unit_progress(cl, found)
    missing = [(r.id, r.missing) for r in found if r.missing]
    if fmt == "json":
        return render.to_json(
            {
                "units": [p.to_dict() for p in rows],
                "missing": [{"id": i, "units": list(m)} for i, m in missing],
            }
        )
    if fmt == "csv":
        return render.view(UNIT_PROGRESS, rows, "csv")
    parts = [render.view(UNIT_PROGRESS, rows, title="按单位", hint=render.CSV_HINT)]
    if missing:
        parts.append("未报送单位：\n" + "\n".join(f"  第{i}项：{'、'.join(m)}" for i, m in missing))
    else:
        parts.append("各单位均已报送全部指标")
    return "\n\n".join(parts)


def remind_units(env: Env, today: str | None = None) -> list[tuple[str, str, str]]:
    """`remind --units`: (tier, unit, letter) per unit that has something left to report."""
    from evalcheck.services.rollup import rollups
    from evalcheck.services.units import unit_workspace
    from evalcheck.state.deadlines import parse_today
    from evalcheck.state.reminders import unit_letter
    from evalcheck.views.units import unit_progress

    plan = _plan_checked(env)
    cl = env.checklist
    due = plan.due or min((cl.get(i).due for i in plan.ids), default=None)
    day = parse_today(today)
    letters = []
    for p in unit_progress(cl, rollups(cl, env.answers_path)):
        if not p.asked:
            continue
        follow = [i for i in p.missing if i not in p.asked]
        previous = unit_workspace(env, p.unit).previous()
        tier, text = unit_letter(cl, p.unit, p.asked, follow, due, day, previous)
        letters.append((tier.label, p.unit, text))
    return letters


def compare_units(env: Env, fmt: str) -> str:
    """`compare --units`: indicator × unit, with ranking for numeric indicators."""
    from evalcheck.services.rollup import rollups
    from evalcheck.views.units import MatrixRow, city_answer, matrix_columns, ranks_of

    plan = _plan_checked(env)
    cl = env.checklist
    snap = env.snapshot()
    rows = [
        MatrixRow(cl.get(r.id), r, ranks_of(cl.get(r.id), r), city_answer(snap.row(r.id), r))
        for r in rollups(cl, env.answers_path)
    ]
    cols = _without_empty_city(matrix_columns(plan.names), rows)
    if fmt == "json":
        return render.to_json(
            {
                "units": list(plan.names),
                "rows": [
                    {
                        "id": r.ind.id,
                        "values": r.rollup.unit_values(),
                        "ranks": dict(r.ranks),
                        "total": r.rollup.value,
                        "rule": r.rollup.spec.text(),
                        "missing": list(r.rollup.missing),
                        "city": r.city,
                    }
                    for r in rows
                ],
            }
        )
    if fmt == "csv":
        return render.view(cols, rows, "csv").rstrip("\n")
    return render.view(cols, rows, title="各单位对比（数值指标括号内为排名）")
