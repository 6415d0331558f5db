"""Derived values and cross-indicator consistency checks (pure).

Rules and formulas are data in the checklist YAML; expressions are evaluated by
`expr` (an AST whitelist), never by `eval`.
"""

from collections.abc import Mapping
from typing import Any

from evalcheck.answers.store import Answers
from evalcheck.infra import clock
from evalcheck.model import expr
from evalcheck.model.checklist import Checklist, Rule
from evalcheck.model.derived import TOLERANCE, as_number
from evalcheck.model.kinds import format_value
from evalcheck.state.findings import FORMULA_RULE, Finding, Involved, Report
from evalcheck.state.snapshot import Snapshot, Status

NOT_GIVEN = "（未填）"


def _involved(
    checklist: Checklist, values: Mapping[int, float], ids: list[int]
) -> tuple[Involved, ...]:
    out = []
    for ident in ids:
        ind = checklist.get(ident)
        v = values.get(ident)
        shown = (
            format_value(ind, int(v) if v is not None and v.is_integer() else v)
            if v is not None
            else NOT_GIVEN
        )
        out.append(Involved(ident, shown, ind.section, ind.owner))
    return tuple(out)


def check_rule(rule: Rule, values: Mapping[int, float]) -> bool | None:
    """True if it holds, False if violated, None if an input is missing or it cannot be
    computed (a division by zero: see `uncomputable`)."""
    try:
        return bool(expr.evaluate(rule.check, values))
    except expr.NotComputable:
        return None


def uncomputable(
    rule: Rule, values: Mapping[int, float], blocked: Mapping[int, str] | None = None
) -> str | None:
    """Why a rule whose inputs are all answered cannot be computed ("除数为 0"), or None.
    `blocked`: derived indicators whose own formula cannot be computed, with the reason."""
    try:
        expr.evaluate(rule.check, values)
    except expr.NotComputable as exc:
        if not exc.missing:
            return exc.reason
        if blocked and all(m in blocked for m in exc.missing):
            return "；".join(f"第{m}项无法计算（{blocked[m]}）" for m in exc.missing)
    return None


def run_checks(checklist: Checklist, answers: Answers) -> Report:
    from evalcheck.state.snapshot import take

    return check_snapshot(take(checklist, answers, clock.today()))


def check_snapshot(snap: Snapshot, *, marked: bool = False) -> Report:
    """The rules over the snapshot's values, and each derived value against what was recorded.

    `marked` (the `check` command): a value that is not final says so, as every working
    output does ('第14项 = 10 个（已退回）'); the warnings given while answering leave it
    out (the value just given is, of course, waiting for review)."""
    checklist = snap.checklist
    report = Report()
    values = snap.effective_values()
    blocked = {
        r.id: r.derived.reason
        for r in snap.rows
        if r.derived is not None and r.derived.value is None and r.derived.reason
        and not r.derived.missing
    }  # fmt: skip
    for rule in checklist.rules:
        ok = check_rule(rule, values)
        why = uncomputable(rule, values, blocked) if ok is None else None
        if why is not None:  # answered, but e.g. a division by zero: say so, never "未填报"
            report.findings.append(
                Finding(
                    "rule-uncomputable",
                    "warning",
                    rule.id,
                    f"无法检查：{why}（{expr.describe(rule.check)}）；{rule.message}",
                    _involved(checklist, values, rule.refs),
                )
            )
        elif ok is None:
            report.unchecked.append(rule.id)
        elif not ok:
            report.findings.append(
                Finding(
                    "rule",
                    rule.severity,
                    rule.id,
                    f"{rule.message}（{expr.describe(rule.check)}）",
                    _involved(checklist, values, rule.refs),
                )
            )
    report.findings.extend(_derived_findings(snap, values))
    if any(r.previous is not None for r in snap.rows):
        from evalcheck.state.plausibility import plausibility

        report.findings.extend(plausibility(checklist, snap.rows, marked=marked))
    if marked:
        report.findings = [_with_stages(f, snap) for f in report.findings]
    return report


def _with_stages(finding: Finding, snap: Snapshot) -> Finding:
    """The finding with each involved value marked while it is not final ('（待审核）')."""
    from evalcheck.state.lifecycle import mark

    involved = []
    for item in finding.involved:
        row = snap.row(item.id) if item.value != NOT_GIVEN else None
        stage = mark(row.stage, row.review_on) if row is not None else ""
        involved.append(item._replace(value=item.value + stage) if stage else item)
    return finding._replace(involved=tuple(involved))


def _derived_findings(snap: Snapshot, values: Mapping[int, float]) -> list[Finding]:
    """Each derived value against what was recorded: computed for a blank, or disagreeing."""
    found = (_derived_finding(snap.checklist, row, values) for row in snap.rows)
    return [f for f in found if f is not None]


def _derived_finding(checklist: Checklist, row: Any, values: Mapping[int, float]) -> Finding | None:
    """The row's derived value against what was recorded, or None (nothing to say)."""
    d, ind = row.derived, row.ind
    if d is None or d.value is None or ind.formula is None:
        return None
    refs = expr.references(ind.formula)
    recorded = row.state.value if row.state is not None else None
    if row.status is Status.COMPUTED:
        return Finding(
            "derived-missing",
            "warning",
            f"{FORMULA_RULE}{ind.id}",
            f"第{ind.id}项未填报，按公式 {expr.describe(ind.formula)} 自动计算为 "
            f"{format_value(ind, d.value)}",
            _involved(checklist, values, [ind.id, *refs]),
        )
    if isinstance(recorded, int | float) and abs(recorded - d.value) > TOLERANCE:
        return Finding(
            "derived-mismatch",
            "error",
            f"{FORMULA_RULE}{ind.id}",
            f"第{ind.id}项填报为 {format_value(ind, as_number(float(recorded)))}，但按公式 "
            f"{expr.describe(ind.formula)} 应为 {format_value(ind, d.value)}",
            _involved(checklist, {**values, ind.id: float(recorded)}, [ind.id, *refs]),
        )
    return None


def answer_findings(
    snap: Snapshot, ident: int, values: Mapping[int, float] | None = None
) -> list[Finding]:
    """What `check` says of one indicator's answer, said when the answer is given (answer,
    import), shown beside it for review (规则提示) and weighed when it is approved (an
    error needs a 说明): the rules involving it that the values break; its recorded value
    against its formula's, for an indicator computed from others (the value is its own:
    approving a source of it needs no 说明); after `carry`, a value far from last year's."""
    checklist = snap.checklist
    values = snap.effective_values() if values is None else values
    row = snap.row(ident)
    out: list[Finding] = []
    if row.previous is not None:
        from evalcheck.state.plausibility import plausibility

        out += plausibility(checklist, [row])
    out += violations_for(checklist, values, ident)
    mismatch = _derived_finding(checklist, row, values)
    if mismatch is not None and mismatch.kind == "derived-mismatch":
        out.append(mismatch)
    return out


def violations_for(checklist: Checklist, values: Mapping[int, float], ident: int) -> list[Finding]:
    """Rules involving `ident` that the given values break (for warnings at answer time)."""
    out: list[Finding] = []
    for rule in checklist.rules:
        if ident in rule.refs and check_rule(rule, values) is False:
            others = [r for r in rule.refs if r != ident]
            out.append(
                Finding(
                    "rule",
                    rule.severity,
                    rule.id,
                    f"{rule.message}（{expr.describe(rule.check)}）",
                    _involved(checklist, values, [ident, *others]),
                )
            )
    return out


def explained(snap: Snapshot, finding: Finding) -> list[dict[str, Any]]:
    """The approvals that accepted this finding with a written 说明 (check shows them)."""
    from evalcheck.answers.review import Review, signed_by

    out = []
    for item in finding.involved:
        row = snap.row(item.id)
        st = row.state
        if row.review is Review.APPROVED and st is not None and st.explanation:
            out.append({"id": item.id, "by": signed_by(st), "text": st.explanation})
    return out


def finding_json(snap: Snapshot, finding: Finding) -> dict[str, Any]:
    """A finding as `check -f json` gives it: each involved indicator with its 审核状态
    (Row.review_text: '待审核'; '' when open or with review off)."""
    data = finding.to_dict()
    for item in data["involved"]:
        item["stage"] = snap.row(item["id"]).review_text
    return data
