"""Review workbooks: one per leader, with a 审核结论 dropdown (通过 / 退回), read back by import.

A review workbook lists a leader's answered indicators with their values, notes and
evidence, protected like the section forms: only 审核结论 and 审核意见 can be edited.
Hidden columns keep each row's key (校验键, as in every export) and the version of the
answer it shows (答案版本, a digest of value, note and evidence), so that reading it back
can refuse a decision about an answer that changed after the workbook was written
(a stale form), and an untouched workbook changes nothing.

Written through io/xlsx_book.py (XlsxWriter); read back with openpyxl (io/xlsx_read.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evalcheck.answers.review import Review, Signoff, review_of, signed_by
from evalcheck.answers.store import Answers, State, describe_state
from evalcheck.errors import DataError, InputError, ValueRefused
from evalcheck.infra.fileio import atomic_write_bytes
from evalcheck.io.xlsx_book import FORMULA_START, XLSX_SIZES, Book, Cell, display_width, font
from evalcheck.io.xlsx_format import (
    META_SHEET,
    check_meta,
    compact,
    comparable,
    row_key,
    state_stamp,
    write_meta,
)
from evalcheck.io.xlsx_read import EXCEL_ERRORS, cell_words, locate_row, read_cells
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.model.kinds import cell_text, cell_value, number_format, parse, visible_text
from evalcheck.views.attachment import fonts_of
from evalcheck.views.columns import local_time

REVIEW_SHEET = "审核"
KIND = "review"
APPROVE, RETURN = "通过", "退回"
DECISIONS = {APPROVE: "approve", RETURN: "return"}
COLUMNS = (
    "题号", "三级指标", "责任科室", "填报值", "单位", "备注", "佐证材料", "填报人", "填报时间",
    "审核状态", "审核人", "审核结论", "审核意见", "校验键", "答案版本",
)  # fmt: skip
COL = {name: n for n, name in enumerate(COLUMNS, start=1)}
EDITABLE = ("审核结论", "审核意见")
HIDDEN = ("校验键", "答案版本")
WIDTHS = {
    "题号": 6, "三级指标": 44, "责任科室": 12, "填报值": 18, "单位": 6, "备注": 18,
    "佐证材料": 18, "填报人": 9, "填报时间": 17, "审核状态": 10, "审核人": 10,
    "审核结论": 10, "审核意见": 24, "校验键": 14, "答案版本": 8,
}  # fmt: skip
HEADER_ROW = 2
FIRST_ROW = 3


def review_filename(checklist: Checklist, leader: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", leader)
    return f"{checklist.year}测评审核_{safe}.xlsx"


def export_reviews(
    folder: Path,
    checklist: Checklist,
    answers: Answers,
    *,
    today: dt.date,
    owners: Iterable[str] | None = None,
    force: bool = False,
    needs_note: Mapping[int, str] | None = None,
) -> list[tuple[Path, int, int]]:
    """One review workbook per leader with answered items: (path, items, pending);
    `today`: the day the workbooks are written as of (in their hidden metadata);
    `needs_note`: what is wrong with the answers approved only with a 说明, said in their
    审核状态."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"“{folder}”不是文件夹")
    groups = _answered_by_owner(checklist, answers, set(owners) if owners else None)
    order = [o for o in checklist.owners if o in groups]
    targets = [(name, folder / review_filename(checklist, name)) for name in order]
    from evalcheck.infra.fileio import check_batch

    check_batch(
        [p for _, p in targets], force=force, what="审核表",
        kept="可能含有领导尚未导入的审核结论，",
    )  # fmt: skip
    if targets:  # none to write: no empty folder left behind
        folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, target in targets:
        items = groups[name]
        stamp = state_stamp(today, [st for _, st in items])
        # rows top to bottom, the one merge in row 1: the rows are streamed
        with Book(stamp, fonts_of(checklist, XLSX_SIZES), streaming=True) as book:
            _write_sheet(book, checklist, name, items, answers, needs_note or {})
            write_meta(book, checklist, KIND, None, today, [("owner", name)])
            atomic_write_bytes(target, book.close())
        pending = sum(1 for _, st in items if review_of(checklist, st) is Review.PENDING)
        written.append((target, len(items), pending))
    return written


def _answered_by_owner(
    checklist: Checklist, answers: Answers, wanted: set[str] | None
) -> dict[str, list[tuple[Indicator, State]]]:
    """Each leader's (of `wanted`, or all) answered indicators with their answers."""
    groups: dict[str, list[tuple[Indicator, State]]] = {}
    for ind in checklist.indicators:
        st = answers.state(ind.id)
        if st is None or ind.owner is None or (wanted is not None and ind.owner not in wanted):
            continue
        groups.setdefault(ind.owner, []).append((ind, st))
    return groups


MAX_ROW_HEIGHT = 409  # points: Excel's largest row
CENTERED = ("题号", "单位", "填报人", "审核状态", "审核人", "审核结论", "答案版本")
FORMATS = {"填报时间": "yyyy-mm-dd hh:mm"}


def _write_sheet(
    book: Book,
    checklist: Checklist,
    leader: str,
    items: list[tuple[Indicator, State]],
    answers: Answers,
    needs_note: Mapping[int, str],
) -> None:
    ws = book.sheet(REVIEW_SHEET)
    assert book.fonts is not None  # the same fonts as the bureau's table
    title = f"{checklist.title}（{checklist.year}年）— {leader} 审核表"
    fmt = book.format(**font(book.fonts.title), align="center", valign="vcenter")
    book.merge(ws, (1, 1), (1, len(COLUMNS) - 2), title, fmt)
    Book.height(ws, 1, 28)
    header = book.cell(Cell(header=True))
    for name, n in COL.items():
        book.put(ws, HEADER_ROW, n, name, header)
    r = FIRST_ROW
    for ind, st in items:
        values = row_values(checklist, ind, st, answers.authorship(ind.id))
        hinted: tuple[str, ...] = ()
        if ind.id in needs_note:  # approved only with a 说明: the leader sees why here
            values["审核状态"] += f"（{needs_note[ind.id]}：通过须在审核意见中写明说明）"
            hinted = ("审核状态",)
        formats = {**FORMATS, "填报值": number_format(ind)}
        for name, n in COL.items():
            v = values.get(name)
            style = Cell(
                center=name in CENTERED, answer=name in EDITABLE, fmt=formats.get(name, "General")
            )
            book.put(
                ws, r, n, v, book.cell(style, isinstance(v, str) and v.startswith(FORMULA_START))
            )
        lines = max(
            1,
            *(
                -(-display_width(str(values[k])) // (WIDTHS[k] - 2))
                for k in ("三级指标", "填报值", "备注", "审核意见", *hinted)
                if values.get(k)
            ),
        )
        Book.height(ws, r, min(16.5 * lines + 4, MAX_ROW_HEIGHT))
        r += 1
    last = max(r - 1, FIRST_ROW)
    _decision_dropdown(ws, last)
    Book.widths(ws, [WIDTHS[name] for name in COL])
    Book.hide_columns(ws, {COL[name]: WIDTHS[name] for name in HIDDEN})
    Book.freeze(ws, FIRST_ROW, COL["三级指标"])
    Book.autofilter(ws, (HEADER_ROW, 1), (last, COL["审核意见"]))
    Book.landscape_a4(ws, repeat=(1, HEADER_ROW), fit_width=True)
    Book.protect(ws)


def row_values(
    checklist: Checklist, ind: Indicator, st: State, author: tuple[str, str] | None = None
) -> dict[str, Any]:
    """One indicator's cells, by column name."""
    review = review_of(checklist, st)
    return {
        "题号": ind.id,
        "三级指标": ind.text,
        "责任科室": ind.section or UNASSIGNED,
        "填报值": f"不适用：{st.na}" if st.na is not None else cell_value(ind, st.value),
        "单位": ind.unit or "",
        "备注": st.note or "",
        "佐证材料": "\n".join(e.name for e in st.evidence),
        "填报人": author[0] if author else st.by,
        "填报时间": local_time(author[1] if author else st.at),
        "审核状态": (review.label if review else "") + _explained(review, st),
        "审核人": signed_by(st) if review is not Review.PENDING else "",
        "审核意见": st.comment or "" if review is not Review.PENDING else "",
        "校验键": row_key(checklist, ind),
        "答案版本": answer_version(st),
    }


def _explained(review: Review | None, st: State) -> str:
    """An approval given with a written 说明 (an error-level rule broken): '（已说明：…）'."""
    if review is Review.APPROVED and st.explanation:
        return f"（已说明：{st.explanation}）"
    return ""


def _decision_dropdown(ws: Any, last: int) -> None:
    """The 审核结论 column offers 通过/退回, with a prompt, down to the last row."""
    col = COL["审核结论"] - 1
    ws.data_validation(
        FIRST_ROW - 1,
        col,
        last - 1,
        col,
        {
            "validate": "list",
            "source": [APPROVE, RETURN],
            "ignore_blank": True,
            "error_message": f"请选择“{APPROVE}”或“{RETURN}”",
            "show_error": True,
            "input_title": "审核结论",
            "input_message": PROMPT,
            "show_input": True,
        },
    )


# ---------------------------------------------------------------- reading back


@dataclass(frozen=True, slots=True)
class Decision:
    ind: Indicator
    action: str  # approve | return
    comment: str | None
    version: str | None  # the answer's version when the workbook was written
    where: str
    value: Any = None  # what the 填报值 cell says now (a leader may have typed over it)


@dataclass
class ReviewResult:
    leader: str
    decisions: list[Decision] = field(default_factory=list)
    # rows left without a 审核结论 (action ""): checked for a typed-over 填报值 or a new
    # 审核意见, which would otherwise be lost without a word
    blank: list[Decision] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    rows: int = 0
    decided: int = 0  # rows with a 审核结论, accepted or refused


def read_review_workbook(path: Path, checklist: Checklist) -> ReviewResult:
    """Every decision of a filled review workbook; refusals located by sheet and row."""
    grid = read_cells(path, data_only=False)  # formulas as formulas: see `get`
    check_meta(grid, checklist, path)
    meta = {str(r[0][0]): r[1][0] for r in grid[META_SHEET] if len(r) >= 2 and r[0][0]}
    leader = str(meta.get("owner") or "")
    rows = grid.get(REVIEW_SHEET)
    if not leader or rows is None:
        raise DataError(f"{path} 不是完整的审核表（缺少“{REVIEW_SHEET}”工作表或领导姓名）")
    header = _header(rows)
    if header is None:
        raise DataError(f"{path} 的“{REVIEW_SHEET}”工作表缺少表头（题号、审核结论、校验键）")
    result = ReviewResult(leader)
    seen: dict[int, int] = {}
    computed = _Computed(path)
    for r in range(HEADER_ROW + 1, len(rows) + 1):
        row = _ReviewRow(r, rows[r - 1], header, computed)
        key, ident_cell = row.get("校验键"), row.get("题号")
        if key is None and ident_cell is None:
            continue
        result.rows += 1
        located = locate_row(checklist, REVIEW_SHEET, r, key, ident_cell, seen, result.refused)
        if located is None:
            continue
        if _typed(row) or row.unsaved("审核结论"):
            result.decided += 1
        try:
            decision = _decision(row, *located)
        except ValueRefused as exc:
            result.refused.append(f"{located[1]}：{exc.message}")
            continue
        if decision is None:
            result.blank.append(_undecided(row, *located))
        else:
            result.decisions.append(decision)
    return result


def _decision(row: _ReviewRow, ind: Indicator, where: str) -> Decision | None:
    """The row's decision (None: left blank, not reviewed); ValueRefused says why not."""
    decision = _typed(row)
    comment = visible_text(cell_words(row.get("审核意见")))
    unsaved = [name for name in ("审核结论", "审核意见") if row.unsaved(name)]
    if unsaved:
        raise ValueRefused(
            f"{'、'.join(unsaved)}是公式且没有计算结果：请在 Excel 或 WPS 中打开并保存一次，"
            "或直接写成文字"
        )
    if not decision:
        return None
    if comment in EXCEL_ERRORS:
        raise ValueRefused(
            f"审核意见是公式算出的错误值“{comment}”，请直接写成文字（说明或退回原因）"
        )
    if decision not in DECISIONS:
        raise ValueRefused(
            f"审核结论“{decision}”无效，应为“{APPROVE}”或“{RETURN}”（或留空表示不审核）"
        )
    if decision == RETURN and not comment:
        raise ValueRefused(f"审核结论为“{RETURN}”时必须在“审核意见”中写明退回原因")
    version = row.get("答案版本")
    return Decision(ind, DECISIONS[decision], comment, None if version is None else str(version),
                    where, row.get("填报值"))  # fmt: skip


def _undecided(row: _ReviewRow, ind: Indicator, where: str) -> Decision:
    """A row left without a 审核结论, as it reads now (see plan_review)."""
    version = row.get("答案版本")
    comment = visible_text(cell_words(row.get("审核意见")))
    return Decision(ind, "", comment, None if version is None else str(version), where,
                    row.get("填报值"))  # fmt: skip


def _typed(row: _ReviewRow) -> str:
    """The row's 审核结论 as typed ('' when left blank)."""
    return cell_words(row.get("审核结论")) or ""


class _ReviewRow:
    """One row of the 审核 sheet, its cells by header; a formula as last saved."""

    def __init__(
        self, r: int, cells: list[tuple[Any, bool]], header: dict[str, int], computed: _Computed
    ) -> None:
        self.r, self.cells, self.header, self.computed = r, cells, header, computed

    def get(self, name: str) -> Any:
        n = self.header.get(name)
        if n is None or n > len(self.cells):
            return None
        value, formula = self.cells[n - 1]
        return self.computed.value(self.r, n) if formula else value

    def unsaved(self, name: str) -> bool:
        """A formula saved without its computed value (openpyxl, a script)."""
        self.get(name)  # a formula's value is looked up (and found missing) when read
        return (self.r, self.header.get(name)) in self.computed.missing


class _Computed:
    """A review workbook's formulas as the spreadsheet last computed them: the workbook is
    read a second time, for its saved values, only when a row holds a formula."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[list[tuple[Any, bool]]] | None = None
        self.missing: set[tuple[int, int]] = set()  # formulas saved without a value

    def value(self, r: int, n: int) -> Any:
        if self.rows is None:
            self.rows = read_cells(self.path, data_only=True).get(REVIEW_SHEET, [])
        row = self.rows[r - 1] if r <= len(self.rows) else []
        found = row[n - 1][0] if n <= len(row) else None
        if found is None:
            self.missing.add((r, n))
        return found


# the 审核结论 cell's prompt (tests/legacy_openpyxl/review.py, the equivalence oracle, uses it)
PROMPT = (
    f"选择“{APPROVE}”或“{RETURN}”；退回时必须在“审核意见”写明原因；"
    "通过一个违反错误级规则的答案时，在“审核意见”写明说明。不审核的行留空。"
)


def _header(rows: list[list[tuple[Any, bool]]]) -> dict[str, int] | None:
    for row in rows[:5]:
        names = {str(v).strip(): n for n, (v, _) in enumerate(row, start=1) if v is not None}
        if {"题号", "审核结论", "校验键"} <= set(names):
            return {n: names[n] for n in COLUMNS if n in names}
    return None


def answer_version(st: State) -> str:
    """A short digest of what was answered (not of its review): changes when the answer does."""
    from evalcheck.infra.digest import sha256_hex

    raw = repr((st.value, st.na, st.note, st.evidence)).encode("utf-8")
    return sha256_hex(raw)[:10]


@dataclass(frozen=True, slots=True)
class Planned:
    decision: Decision
    old: State
    signoff: Signoff
    explanation: str | None = None  # 说明: an approval that accepts an error-level rule break


def plan_review(
    checklist: Checklist, answers: Answers, result: ReviewResult, reviewer: str
) -> tuple[list[Planned], list[str]]:
    """The decisions that change something, and the refused ones (located).

    A decision equal to the current state (通过 on an approved answer, 退回 on a returned
    one) changes nothing, unless its 审核意见 is new (refused: it would be lost). A
    decision about an answer changed since the workbook was written is refused: the leader
    did not see the current answer. A row left without a decision is refused when its
    填报值 was typed over or a 审核意见 was written in it (the leader meant something the
    workbook does not record).
    """
    from evalcheck.answers.review import own_refusal, refusal, signer_refusal

    planned: list[Planned] = []
    refused = [f"{d.where}：{why}" for d in result.blank if (why := _blank(checklist, answers, d))]
    for d in result.decisions:
        st = answers.state(d.ind.id)
        if st is not None and d.version is not None and answer_version(st) != d.version:
            refused.append(
                f"{d.where}：导出审核表后答案已修改（现为 {describe_state(d.ind, st)}），"
                "请重新导出审核表（evalcheck export --review 文件夹 --force）后再审核"
            )
            continue
        edited = _edited_value(d, st)
        if edited:
            refused.append(f"{d.where}：{edited}")
            continue
        current = review_of(checklist, st)
        if (d.action, current) in (("approve", Review.APPROVED), ("return", Review.RETURNED)):
            assert st is not None and current is not None
            if d.comment and d.comment not in _recorded(checklist, st):
                refused.append(
                    f"{d.where}：第{d.ind.id}项已是“{current.label}”，不能重复审核，本行新写的"
                    f"审核意见“{d.comment[:40]}”不会记录；请清空本行的审核结论（或把审核意见改回原样）"
                )
            continue
        why = signer_refusal(checklist, d.ind, reviewer) or refusal(d.ind, st, current, d.action)
        why = why or own_refusal(d.ind, answers.author(d.ind.id), reviewer, d.action)
        if why:
            refused.append(f"{d.where}：{why}")
            continue
        assert st is not None
        deputy = checklist.signs_for(d.ind, reviewer)[1]
        planned.append(Planned(d, st, Signoff(d.ind, st, deputy)))
    return planned, refused


def _blank(checklist: Checklist, answers: Answers, d: Decision) -> str | None:
    """Why a row left without a 审核结论 is refused: its 填报值 typed over, or a 审核意见
    written (or changed) in it. Only where the answer is the one the workbook was written
    with: on a row written before the answer changed, the old value is no edit."""
    st = answers.state(d.ind.id)
    if st is None or (d.version is not None and answer_version(st) != d.version):
        return None
    edited = _edited_value(d, st)
    if edited:
        return edited
    if d.comment and d.comment not in _recorded(checklist, st):
        review = review_of(checklist, st)
        if review not in (None, Review.PENDING):  # 通过/退回 again would be refused too
            return (
                f"写了审核意见“{d.comment[:40]}”，但第{d.ind.id}项已是“{review.label}”，审核表"
                "不能给已有的审核结论补充意见；请把本行的审核意见改回原样（要改审核结论请先用 "
                "evalcheck undo 撤销）"
            )
        return (
            f"写了审核意见“{d.comment[:40]}”，但没有选择审核结论：请在“审核结论”中选择"
            f"“{APPROVE}”或“{RETURN}”（或清空本行的审核意见）"
        )
    return None


def _recorded(checklist: Checklist, st: State) -> set[str | None]:
    """The 审核意见 of the answer's verdict (the workbook shows it, row_values), as read back."""
    if review_of(checklist, st) in (None, Review.PENDING):
        return set()
    return {visible_text(st.comment), visible_text(st.explanation)}


def _edited_value(d: Decision, st: State | None) -> str | None:
    """Why a decision is refused when the leader typed over the 填报值 (the workbook only
    records decisions: approving would approve the old value, not the one shown)."""
    if st is None:
        return None
    written = f"不适用：{st.na}" if st.na is not None else cell_value(d.ind, st.value)
    if compact(comparable(d.value)) == compact(comparable(written)):
        return None
    if _same_answer(d, st):  # typed again as a spreadsheet keeps it: 87.5% as 0.875, "12个"
        return None
    now = "（空）" if d.value is None else str(d.value)[:40]
    if d.version is None:  # the hidden 答案版本 cleared: an edit, or an answer changed since?
        return (
            f"审核表中的填报值“{now}”与现在的答案（{describe_state(d.ind, st)}）不同，且本行"
            "隐藏的答案版本已被清除，无法判断是导出后答案被修改，还是表中改了填报值；"
            "请重新导出审核表（evalcheck export --review 文件夹 --force）后再审核"
        )
    return (
        f"审核表中的填报值被改成了“{now}”（答案是 {describe_state(d.ind, st)}）：审核表只记录"
        "审核结论，不能改填报值；请把填报值改回原样，要改答案请选“退回”并在审核意见中写明，"
        "由责任科室重新填报"
    )


def _same_answer(d: Decision, st: State) -> bool:
    """The 填报值 cell, read as its indicator's kind, is the answer's value (a percentage
    retyped and stored as 0.875 with a % format, a count typed "12个", digits typed
    full-width): not an edit."""
    from evalcheck.io.xlsx_read import unmarked
    from evalcheck.state.rollup import same_value

    if st.value is None or d.value is None:
        return False
    try:
        typed = parse(d.ind, unmarked(cell_text(d.value)))
    except ValueRefused:
        return False
    return same_value(d.ind, typed, st.value)


def apply_review(answers: Answers, planned: Sequence[Planned], reviewer: str) -> list[State]:
    """Record every decision as one change (one undo reverts the whole workbook)."""
    seq = answers.next_seq()
    return [
        answers.sign(
            p.decision.ind.id,
            action=p.decision.action,
            reviewer=reviewer,
            # a 审核意见 taken as the 说明 is kept once, as the 说明 (shown "已说明：…")
            comment=None if p.explanation else p.decision.comment,
            signed_for=p.signoff.signed_for,
            seq=seq,
            explanation=p.explanation,
        )
        for p in planned
    ]


def describe_decision(p: Planned) -> str:
    """'第47项：312 个（待审核） → 已审核（审核意见：…）' for the preview."""
    label = review_label(p.old)
    if p.decision.action == "approve" and p.explanation:
        after = f"已审核（已说明：{p.explanation}）"
    elif p.decision.action == "approve":
        after = "已审核" + (f"（审核意见：{p.decision.comment}）" if p.decision.comment else "")
    else:
        after = f"已退回（原因：{p.decision.comment}）"
    return f"第{p.decision.ind.id}项：{describe_state(p.decision.ind, p.old)}（{label}） → {after}"


def _review_state(review: Review | None, st: State) -> str:
    """'已审核（已说明：…）' for an approval that accepted a rule break with a 说明."""
    label = review.label if review else ""
    if review is Review.APPROVED and st.explanation:
        return f"{label}（已说明：{st.explanation}）"
    return label


def review_label(st: State) -> str:
    return {"approved": "已审核", "returned": "已退回"}.get(st.review or "", "待审核")
