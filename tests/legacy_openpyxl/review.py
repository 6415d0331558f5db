"""Review workbooks: one per leader, with a 审核结论 dropdown (通过 / 退回), read back by import.

A review workbook lists a leader's answered indicators with their values, notes and
evidence, protected like the section forms: only 审核结论 and 审核意见 can be edited.
Hidden columns keep each row's key (校验键, as in every export) and the version of the
answer it shows (答案版本, a digest of value, note and evidence), so that reading it back
can refuse a decision about an answer that changed after the workbook was written
(a stale form), and an untouched workbook changes nothing.

openpyxl is imported inside the functions (through the xlsx_* modules' helpers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from evalcheck.answers.review import Review, review_of, signed_by
from evalcheck.answers.store import Answers, State
from evalcheck.errors import InputError
from evalcheck.io.reviewbook import answer_version
from evalcheck.io.xlsx_format import META_SHEET, row_key
from evalcheck.model.checklist import UNASSIGNED, Checklist, Indicator
from evalcheck.model.kinds import cell_value, number_format
from evalcheck.views.attachment import fonts_of
from evalcheck.views.columns import local_time
from tests.legacy_openpyxl.styles import XLSX_SIZES, Styles, display_width, set_text, xlsx_font
from tests.legacy_openpyxl.write import save_workbook

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
    owners: Iterable[str] | None = None,
    force: bool = False,
) -> list[tuple[Path, int, int]]:
    """One review workbook per leader with answered items: (path, items, pending)."""
    from openpyxl import Workbook

    if folder.exists() and not folder.is_dir():
        raise InputError(f"“{folder}”不是文件夹")
    wanted = set(owners) if owners else None
    groups: dict[str, list[tuple[Indicator, State]]] = {}
    for ind in checklist.indicators:
        st = answers.state(ind.id)
        if st is None or ind.owner is None or (wanted is not None and ind.owner not in wanted):
            continue
        groups.setdefault(ind.owner, []).append((ind, st))
    order = [o for o in checklist.owners if o in groups]
    targets = [(name, folder / review_filename(checklist, name)) for name in order]
    existing = [str(p) for _, p in targets if p.exists()]
    if existing and not force:
        raise InputError(
            "以下审核表已存在，可能含有领导尚未导入的审核结论，未做任何修改；"
            "确认要覆盖请加 --force：" + "、".join(existing)
        )
    from evalcheck.infra.outputguard import refuse_onto_input

    for _, target in targets:
        refuse_onto_input(target)  # every workbook checked before the first is written
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, target in targets:
        wb = Workbook()
        ws = wb.active
        ws.title = REVIEW_SHEET
        _write_sheet(ws, checklist, name, groups[name])
        _write_review_meta(wb, checklist, name)
        save_workbook(wb, target)
        pending = sum(1 for _, st in groups[name] if review_of(checklist, st) is Review.PENDING)
        written.append((target, len(groups[name]), pending))
    return written


def _write_review_meta(wb: Any, checklist: Checklist, leader: str) -> None:
    from tests.legacy_openpyxl.styles import write_meta

    write_meta(wb, checklist, KIND, None)
    meta = wb[META_SHEET]
    row = meta.max_row + 1
    meta.cell(row, 1, "owner")
    meta.cell(row, 2, leader)


def _write_sheet(
    ws: Any, checklist: Checklist, leader: str, items: list[tuple[Indicator, State]]
) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    fonts = fonts_of(checklist, XLSX_SIZES)  # the same fonts as the bureau's table
    styles = Styles(ws.parent, fonts)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS) - 2)
    title = f"{checklist.title}（{checklist.year}年）— {leader} 审核表"
    ws.cell(1, 1, title).font = xlsx_font(fonts.title)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    for name, n in COL.items():
        ws.cell(HEADER_ROW, n, name).style = styles.get(header=True)
    centered = ("题号", "单位", "填报人", "审核状态", "审核人", "审核结论", "答案版本")
    r = FIRST_ROW
    for ind, st in items:
        values = _row_values(checklist, ind, st)
        number = number_format(ind)
        for name, n in COL.items():
            v = values.get(name)
            c = ws.cell(r, n)
            if isinstance(v, str):
                set_text(c, v)
            elif v is not None:
                c.value = v
            fmt = {"填报值": number, "填报时间": "yyyy-mm-dd hh:mm"}.get(name, "General")
            styles.apply(c, center=name in centered, answer=name in EDITABLE, fmt=fmt)
        lines = max(
            1,
            *(
                -(-display_width(str(values[k])) // (WIDTHS[k] - 2))
                for k in ("三级指标", "填报值", "备注", "审核意见")
                if values.get(k)
            ),
        )
        ws.row_dimensions[r].height = 16.5 * lines + 4
        r += 1
    last = max(r - 1, FIRST_ROW)
    _decision_dropdown(ws, last)
    for name, n in COL.items():
        ws.column_dimensions[get_column_letter(n)].width = WIDTHS[name]
    for name in HIDDEN:
        ws.column_dimensions[get_column_letter(COL[name])].hidden = True
    ws.freeze_panes = ws.cell(FIRST_ROW, COL["三级指标"])
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(COL['审核意见'])}{last}"
    ws.print_title_rows = f"1:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True  # no password: it guards against slips, not people
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def _row_values(checklist: Checklist, ind: Indicator, st: State) -> dict[str, Any]:
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
        "填报人": st.by,
        "填报时间": local_time(st.at),
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
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    dv = DataValidation(type="list", formula1=f'"{APPROVE},{RETURN}"', allow_blank=True)
    dv.error = f"请选择“{APPROVE}”或“{RETURN}”"
    dv.showErrorMessage = True
    dv.promptTitle = "审核结论"
    dv.prompt = f"选择“{APPROVE}”或“{RETURN}”；退回时必须在“审核意见”写明原因。不审核的行留空。"
    dv.showInputMessage = True
    ws.add_data_validation(dv)
    col = get_column_letter(COL["审核结论"])
    dv.add(f"{col}{FIRST_ROW}:{col}{last}")
