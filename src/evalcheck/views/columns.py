"""Columns as data: every column any view shows is declared once here.

A column has a key (JSON/CSV), a Chinese header, how to get its value from a row, how
to show it as text (terminal, CSV), and how it sits in a spreadsheet (width, number
format, centred). A view is a list of columns; `render.view` writes it as a terminal
table or CSV, and io/xlsx_write.py writes the same columns into a workbook. Adding a column
to `list` and to the export is one line in each view below.

`keep` orders what a narrow terminal gives up first: columns with a lower `keep` are
dropped first; `keep=KEEP_ALWAYS` columns (题号, 三级指标, 填报值) never are.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from evalcheck.answers.review import Review, short_time, signed_by
from evalcheck.answers.store import ACTIONS, REVIEW_ACTIONS, State, describe_state
from evalcheck.model.checklist import ROLE_NAMES, Checklist, Indicator
from evalcheck.model.kinds import REGISTRY, cell_value, is_numeric, number_format
from evalcheck.state.lifecycle import Stage, mark
from evalcheck.state.snapshot import Progress, Row, Status

if TYPE_CHECKING:
    from evalcheck.answers.evidence import Evidence
    from evalcheck.answers.tiers import Thresholds

R = TypeVar("R")
KEEP_ALWAYS = 100


class Column(NamedTuple, Generic[R]):
    key: str
    header: str
    get: Callable[[R], Any]  # the value: plain data (numbers, text, dates) for JSON/CSV/Excel
    text: Callable[[Any], str] | None = None  # as text for a terminal or CSV; default str()
    keep: int = 50  # narrow terminals drop low `keep` first; KEEP_ALWAYS never
    wide: bool = False  # wraps (and takes the room) in a terminal table
    width: float = 10  # spreadsheet column width (characters)
    center: bool = False  # centred in a spreadsheet
    number_format: str | Callable[[R], str] = "General"  # spreadsheet number format
    numeric: bool = False  # right-aligned, never cut in a terminal
    # a wrapping column's narrowest on a narrow terminal; 0: render.min_width's rule (the
    # indicator text 20, a value its longest up to 20)
    narrow: int = 0
    # the narrowest it gets only rather than go, once the columns less important than it
    # have gone (render.fit_columns); 0: never
    stay_narrow: int = 0
    # (key, get): when a narrow terminal drops the column `key`, this one's cells come from
    # `get` instead (填报值 says its stage in the cell when 审核状态 is not shown)
    standin: "tuple[str, Callable[[R], Any]] | None" = None

    def as_text(self, row: R) -> str:
        v = self.get(row)
        if self.text is not None:
            return self.text(v)
        return plain(v)

    def format_for(self, row: R) -> str:
        fmt = self.number_format
        return fmt if isinstance(fmt, str) else fmt(row)


def plain(v: Any) -> str:
    if type(v) is str:  # most cells
        return v
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ", timespec="minutes")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# ---------------------------------------------------------------- indicator rows


def _range_text(ind: Indicator) -> str:
    """'0–100', '≥0', '≥-100' for numeric kinds; '' otherwise."""
    from evalcheck.model.kinds import REGISTRY

    if not REGISTRY[ind.kind].numeric:
        return ""

    def num(v: float | None) -> str:
        return "" if v is None else f"{v:g}"

    if ind.high is None:
        return f"≥{num(ind.low)}" if ind.low is not None else "不限"
    return f"{num(ind.low)}–{num(ind.high)}"


def local_time(at: str | None) -> dt.datetime | str | None:
    """An answer's ISO timestamp as a local datetime (spreadsheets show it as a date), in
    this machine's time zone; text that is not a timestamp as it is."""
    from evalcheck.infra.clock import local_datetime

    if not at:
        return None
    return local_datetime(at) or at


def _value_cell(r: Row) -> Any:
    """填报值 in a spreadsheet: the recorded value (typed), or the derived one; not-applicable
    has its own column (不适用原因)."""
    if r.state is not None:
        return None if r.state.value is None else cell_value(r.ind, r.state.value)
    return r.computed_value


def _st(r: Row) -> State | None:
    return r.state


CATEGORY = Column[Row]("category", "二级指标", lambda r: r.category_label, width=14)
ID = Column[Row]("id", "题号", lambda r: r.id, keep=KEEP_ALWAYS, width=6, center=True, numeric=True)
TEXT = Column[Row]("text", "三级指标", lambda r: r.ind.text, keep=KEEP_ALWAYS, wide=True, width=48)
OWNER = Column[Row]("owner", "责任领导", lambda r: "、".join(r.ind.owners), keep=30, width=9)
SECTION = Column[Row]("section", "责任科室", lambda r: "、".join(r.sections), keep=40, width=13)
DUE = Column[Row](
    "due",
    "完成时限",
    lambda r: r.ind.due,
    keep=35,
    width=12,
    center=True,
    number_format="yyyy-mm-dd",
)
DUE_AS_WRITTEN = Column[Row](
    "due",
    "完成时限",
    lambda r: r.ind.due_text or r.ind.due,  # the bureau's wording ("9月15日前"), else the date
    keep=35,
    width=12,
    center=True,
    number_format="yyyy-mm-dd",
)
STATUS = Column[Row]("status", "状态", lambda r: r.status_text, keep=60, width=10, center=True)
ANSWER = Column[Row](
    "display",
    "填报值",
    lambda r: r.display,
    keep=KEEP_ALWAYS,
    wide=True,
    width=22,
    standin=("review", lambda r: r.marked_display),  # '12 个（已退回）' without 审核状态
)
UNIT = Column[Row]("unit", "单位", lambda r: r.ind.unit or "", width=6, center=True)
NOTE = Column[Row]("note", "备注", lambda r: (r.state.note if r.state else None) or "", width=20)
EVIDENCE = Column[Row](
    "evidence", "佐证材料", lambda r: "\n".join(e.name for e in r.evidence.items), width=20
)
EVIDENCE_SUMMARY = Column[Row]("evidence", "佐证材料", lambda r: r.evidence.summary, keep=25)
BY = Column[Row]("by", "填报人", lambda r: r.author if r.state else "", width=9, center=True)
AT = Column[Row](
    "at",
    "填报时间",
    lambda r: local_time(r.authored_at) if r.state else None,
    width=19,  # room for 2021-09-15 10:30 in 仿宋 or a wider substitute (else ####)
    number_format="yyyy-mm-dd hh:mm",
)


def _previous_cell(r: Row) -> Any:
    """上年值 in a spreadsheet: a number for a number of the same kind, else the text."""
    p = r.previous
    if p is None:
        return ""
    typed = p.na is None and p.value is not None and p.final
    if typed and p.kind == r.ind.kind and is_numeric(p.kind):
        return p.value
    return p.display


PREVIOUS = Column[Row](
    "previous",
    "上年值",
    lambda r: r.previous.display if r.previous is not None else "",
    keep=95,  # shown only when asked for (list --previous): the last to give way
    width=16,
    wide=True,  # wraps rather than go: on a narrow terminal it is what was asked for
    narrow=6,  # as narrow as its header
)
"""Last year's value (after `carry`): a reference beside this year's answer, read-only."""
PREVIOUS_CELL = PREVIOUS._replace(get=_previous_cell, number_format=lambda r: number_format(r.ind))
DAYS_LATE = Column[Row]("days_overdue", "逾期天数", lambda r: r.days_overdue, keep=70, numeric=True)
DAYS_LEFT = Column[Row]("days_left", "剩余天数", lambda r: r.days_left, keep=70, numeric=True)


def review_note(st: State) -> str:
    """审核意见 as exported: the note, and an approval's 说明 ('已说明：…')."""
    parts = [st.comment or ""]
    if st.explanation and st.review == "approved":
        parts.append(f"已说明：{st.explanation}")
    return "；".join(p for p in parts if p)


def _signed(r: Row) -> State | None:
    """The answer's sign-off, when a leader approved or returned it."""
    if r.state is None or r.review is None or r.state.review is None:
        return None
    return r.state


REVIEW_STATE = Column[Row]("review", "审核状态", lambda r: r.review_text, keep=45, width=10,
                           center=True)  # fmt: skip
REVIEWER = Column[Row](
    "reviewer",
    "审核人",
    lambda r: signed_by(st) if (st := _signed(r)) else "",
    keep=25,
    width=12,
    center=True,
)
REVIEWED_AT = Column[Row](
    "reviewed_at",
    "审核时间",
    lambda r: local_time(st.reviewed_at) if (st := _signed(r)) else None,
    keep=15,
    width=17,
    number_format="yyyy-mm-dd hh:mm",
)
REVIEW_NOTE = Column[Row](
    "review_comment",
    "审核意见",
    lambda r: review_note(st) if (st := _signed(r)) else "",
    keep=15,
    width=20,
)
REVIEW_COLUMNS = [REVIEW_STATE, REVIEWER, REVIEWED_AT, REVIEW_NOTE]
"""审核状态 / 审核人 / 审核时间 / 审核意见: shown only when the checklist has review on."""


def with_review(cl: Checklist, columns: list[Column[Row]]) -> list[Column[Row]]:
    return [*columns, *REVIEW_COLUMNS] if cl.review else columns


def tier_column(today: dt.date, limits: "Thresholds | None" = None) -> Column[Row]:
    """级别: the reminder tier of a row (提醒, 催办, 督办, 待审核), with `remind`'s defaults."""
    from evalcheck.answers.tiers import Thresholds  # only where tiers are shown: start-up time
    from evalcheck.state.deadlines import row_tier

    chosen = limits or Thresholds()

    def label(r: Row) -> str:
        tier = row_tier(r, today, chosen)
        return tier.label if tier else ""

    return Column[Row]("tier", "级别", label, keep=75, width=8, center=True)


def pending_columns(findings: Callable[[Row], str]) -> list[Column[Row]]:
    """`review`: an answer waiting for its leader, with its evidence count and rule findings."""
    return [
        ID,
        TEXT,
        ANSWER,
        BY,
        Column[Row](
            "at",
            "填报时间",
            lambda r: short_time(r.authored_at if r.state else None),
            keep=40,
        ),
        Column[Row](
            "evidence", "佐证", lambda r: len(r.state.evidence) if r.state else 0, numeric=True
        ),
        # before 填报人; at last wraps narrow rather than go: the leader must see why (R132)
        Column[Row]("findings", "规则提示", findings, keep=60, wide=True, stay_narrow=10),
    ]


def list_columns(cl: Checklist, *, previous: bool = False) -> list[Column[Row]]:
    """`list` on a terminal; `previous`: with 上年值 after 填报值, the two values wrapping
    tighter on a narrow terminal rather than lose 上年值 (list --previous)."""
    category = Column[Row]("category", "二级指标", lambda r: r.ind.category, keep=10)
    review = [REVIEW_STATE] if cl.review else []
    values = [ANSWER._replace(narrow=12), PREVIOUS] if previous else [ANSWER]
    return [ID, category, TEXT, OWNER, SECTION, DUE, EVIDENCE_SUMMARY, *review, STATUS, *values]


def list_csv_columns(cl: Checklist) -> list[Column[Row]]:
    """`list --format csv`: every field, for a spreadsheet or a script."""
    return [
        ID,
        CATEGORY,
        TEXT,
        OWNER,
        SECTION,
        DUE,
        Column[Row]("role", "任务类型", lambda r: ROLE_NAMES[r.ind.role]),
        Column[Row]("kind", "题型", lambda r: REGISTRY[r.ind.kind].label),  # 数量, as show
        UNIT,
        Column[Row]("options", "选项", lambda r: "；".join(r.ind.option_texts)),
        Column[Row]("range", "范围", lambda r: _range_text(r.ind)),
        Column[Row]("formula", "公式", lambda r: r.ind.formula or ""),
        Column[Row]("status", "填报状态", lambda r: r.status_text),
        ANSWER,
        NOTE,
        Column[Row]("evidence", "佐证材料", lambda r: r.evidence.text),
        Column[Row]("evidence_state", "佐证情况", lambda r: r.evidence.summary),
        BY,
        Column[Row]("at", "填报时间", lambda r: r.authored_at if r.state else ""),
        *(
            [
                REVIEW_STATE,
                REVIEWER,
                Column[Row](
                    "reviewed_at",
                    "审核时间",
                    lambda r: st.reviewed_at if (st := _signed(r)) else "",
                ),
                REVIEW_NOTE,
            ]
            if cl.review
            else []
        ),
    ]


def overdue_columns(third: Column[Row], days: Column[Row]) -> list[Column[Row]]:
    return [ID, TEXT, third, DUE, days]


# who returned an answer and why: what the 已退回待重填 group is for, so a narrow terminal
# drops 责任科室, 完成时限 and 逾期天数 before them
RETURNED_BY = REVIEWER._replace(key="returned_by", header="退回人", keep=75)
RETURN_REASON = REVIEW_NOTE._replace(key="return_reason", header="退回原因", keep=80)
RETURNED_LATE = [ID, TEXT, SECTION, DUE, DAYS_LATE, RETURNED_BY, RETURN_REASON]
"""`overdue`'s 已退回待重填 group: returned answers past their deadline, by whom, why."""

RETURNED_LABEL = "已退回待重填"


def _late_state(r: Row) -> str:
    if r.review is Review.RETURNED:
        return RETURNED_LABEL
    return "逾期" if r.overdue else "即将到期"


def _late(r: Row) -> bool:
    return r.overdue or (r.review is Review.RETURNED and r.days > 0)


OVERDUE_CSV = [
    Column[Row]("state", "状态", _late_state),
    SECTION,
    ID,
    TEXT,
    OWNER,
    DUE,
    Column[Row]("days_overdue", "逾期天数", lambda r: r.days_overdue if _late(r) else ""),
    Column[Row]("days_left", "剩余天数", lambda r: "" if _late(r) else r.days_left),
]


def overdue_csv(today: dt.date, *, review: bool) -> list[Column[Row]]:
    """`overdue -f csv`: every row's state, its 级别, and with review on who returned an
    answer and why (blank for the other rows), last so that earlier columns keep their
    places."""
    returns = [RETURNED_BY, RETURN_REASON] if review else []
    return [*OVERDUE_CSV, tier_column(today), *returns]


EXPORT: list[Column[Row]] = [
    CATEGORY,
    ID,
    TEXT,
    OWNER,
    SECTION,
    DUE,
    Column[Row](
        "value", "填报值", _value_cell, width=22, number_format=lambda r: number_format(r.ind)
    ),
    UNIT,
    Column[Row]("na", "不适用原因", lambda r: (r.state.na if r.state else None) or "", width=14),
    NOTE,
    EVIDENCE,
    BY,
    AT,
    Column[Row]("status", "状态", lambda r: r.status_text, width=10, center=True),
]
"""The official table (export and section forms), in the bureau's column order."""


def export_columns(
    rows: Sequence[Row], cl: Checklist | None = None, mode: str = "working"
) -> list[Column[Row]]:
    """EXPORT, plus 上年值 after the unit when any row has last year's value, plus the
    sign-off columns (审核状态 …) when the checklist has review on; `mode`: a working
    export marks values that are not final, a final one leaves them blank."""
    columns = EXPORT
    if any(r.previous is not None for r in rows):
        at = EXPORT.index(UNIT) + 1
        columns = [*EXPORT[:at], PREVIOUS_CELL, *EXPORT[at:]]
    columns = for_mode(columns, mode)
    return with_review(cl, columns) if cl is not None else columns


# ---------------------------------------------------------------- working and final exports

WORKING, FINAL, FORM = "working", "final", "form"  # a section form keeps its cells typed
# the answer's own columns: blank in a final export while the answer is not final
ANSWER_KEYS = ("value", "display", "na", "note", "evidence", "by", "at")


def _marked_value(r: Row) -> Any:
    """填报值 in a working export: typed when final (or open), else the text with its
    stage in the cell itself: '95 条（已退回）', '80%（自动计算）（待审核）' (as Word shows it)."""
    v = _value_cell(r)
    m = mark(r.stage, r.review_on)
    if not m or v is None:
        return v
    return f"{r.display or plain(v)}{m}"


def _marked_na(r: Row) -> str:
    """不适用原因 in a working export: '无此业务（待审核）' while not final."""
    na = (r.state.na if r.state else None) or ""
    return f"{na}{mark(r.stage, r.review_on)}" if na else ""


def _blank_unless_final(col: Column[Row]) -> Column[Row]:
    get = col.get
    return col._replace(get=lambda r: get(r) if r.final else None)


def for_mode(columns: Sequence[Column[Row]], mode: str) -> list[Column[Row]]:
    """The columns of a working export (marks in the cell: '（待审核）', '（已退回）') or of a
    final one (answers that are not final left blank, 状态 says why)."""
    if mode == FORM:
        return list(columns)
    out: list[Column[Row]] = []
    for c in columns:
        if mode == FINAL:
            if c.key in ANSWER_KEYS:
                c = _blank_unless_final(c)
            elif c.key == "status":
                c = c._replace(get=lambda r: r.stage_text)
        elif c.key == "value":
            c = c._replace(get=_marked_value)
        elif c.key == "display":
            c = c._replace(get=lambda r: r.marked_display)
        elif c.key == "na":
            c = c._replace(get=_marked_na)
        out.append(c)
    return out


def with_due(columns: list[Column[Row]], *, due_as_written: bool) -> list[Column[Row]]:
    """`columns` with 完成时限 as the bureau wrote it (`export --due-as-written`)."""
    if not due_as_written:
        return columns
    return [DUE_AS_WRITTEN if c is DUE else c for c in columns]


def _note_explained(r: Row) -> str:
    """备注 in the Word attachment: the note, and an approval's 说明 ('已说明：…')."""
    note = (r.state.note if r.state else None) or ""
    st = _signed(r)
    if st is not None and st.review == "approved" and st.explanation:
        return "；".join(p for p in (note, f"已说明：{st.explanation}") if p)
    return note


DOC_NOTE = NOTE._replace(get=_note_explained)
# 责任科室 as the bureau's table has it: blank where it names none (item 82)
SOURCE_SECTION = Column[Row]("section", "责任科室", lambda r: "、".join(r.ind.sections), width=13)
DOCUMENT: list[Column[Row]] = [
    CATEGORY, ID, TEXT, OWNER, SOURCE_SECTION, DUE, ANSWER, DOC_NOTE, EVIDENCE,
]  # fmt: skip
"""The attachment as a Word document: the same rows as text; 填报值 as displayed
('312 个', '不适用（…）'), so it needs no 单位 or 不适用原因 column; 责任科室 blank where
the source is (no 未指定科室)."""


def document_columns(*, due_as_written: bool = False, mode: str = WORKING) -> list[Column[Row]]:
    return with_due(for_mode(DOCUMENT, mode), due_as_written=due_as_written)


# columns a section form leaves open for typing
FORM_INPUT_KEYS = ("value", "na", "note", "evidence")
# the leader's verdict as exported (review on): never imported from a table, so the hidden
# 原值 keeps it too, and a verdict typed over it is refused rather than silently dropped
VERDICT_KEYS = ("review", "reviewer", "review_comment")
# the cells whose exported text the hidden 原值 keeps
KEPT_KEYS = FORM_INPUT_KEYS + VERDICT_KEYS


# ---------------------------------------------------------------- year on year (compare, 同比)

COMPARE: list[Column[Any]] = [
    Column[Any]("section", "责任科室", lambda c: c.section, keep=20, width=14),
    Column[Any]("id", "题号", lambda c: c.id, keep=KEEP_ALWAYS, width=6, numeric=True),
    # the two values are what a comparison is for: on a narrow terminal all three wrap
    # tighter rather than drop 今年值 (12 columns each at 60)
    Column[Any](
        "text", "三级指标", lambda c: c.text, keep=KEEP_ALWAYS, wide=True, width=48, narrow=12
    ),
    Column[Any]("previous_id", "上年题号", lambda c: c.previous_id, keep=30, width=8, numeric=True),
    *(
        Column[Any](key, header, get, keep=90, wide=True, width=18, narrow=12)
        for key, header, get in (
            ("previous", "上年值", lambda c: c.previous),
            ("current", "今年值", lambda c: c.current),
        )
    ),
    # 变化 is worked out from the two values: on a narrow terminal it gives way before them
    Column[Any]("change", "变化", lambda c: c.change, keep=85, width=16),
]
"""`compare` and the export's 同比 sheet (previous.CompareRow); the terminal drops 责任科室,
which titles each section's table."""


# ---------------------------------------------------------------- progress rows (status)


def progress_columns(
    label: str, bar: Callable[[float], str], review: bool = False
) -> list[Column[Progress]]:
    """`status` on a terminal; with review on, 待审核/已审核/已退回 before 逾期 (and 完成率
    counts approved answers and computed values)."""
    return [
        Column[Progress]("name", label, lambda p: p.name, keep=KEEP_ALWAYS),
        Column[Progress]("total", "总数", lambda p: p.total, keep=90, numeric=True),
        *_COUNTS[:-1],
        *(REVIEW_COUNTS if review else []),
        _COUNTS[-1],
        LACKING,
        Column[Progress]("percent", "完成率", lambda p: f"{p.percent:g}%", keep=95, numeric=True),
        Column[Progress]("bar", "进度", lambda p: bar(p.fraction), keep=20),
    ]


def _count_column(status: Status, keep: int) -> Column[Progress]:
    return Column[Progress](
        status.value, status.label, lambda p: p.count(status), keep=keep, numeric=True
    )


_COUNTS = [
    _count_column(Status.ANSWERED, 60),
    _count_column(Status.NA, 40),
    _count_column(Status.COMPUTED, 30),
    Column[Progress]("overdue", "逾期", lambda p: p.overdue, keep=80, numeric=True),
]
LACKING = Column[Progress]("lacking", "缺佐证", lambda p: p.lacking, keep=35, numeric=True)


REVIEW_COUNTS = [
    Column[Progress]("pending", "待审核", lambda p: p.pending, keep=58, width=8, numeric=True),
    Column[Progress]("approved", "已审核", lambda p: p.approved, keep=59, width=8, numeric=True),
    Column[Progress]("returned", "已退回", lambda p: p.returned, keep=57, width=8, numeric=True),
]
"""Review counts of `status` and the progress sheet: only with review on."""


def progress_sheet(cl: Checklist) -> list[Column[Progress]]:
    """The progress sheet's columns; the review counts follow 完成率 (the chart's column)."""
    return [*PROGRESS_SHEET, *REVIEW_COUNTS] if cl.review else PROGRESS_SHEET


PROGRESS_SHEET = [
    Column[Progress]("name", "名称", lambda p: p.name, width=16),
    Column[Progress]("total", "总数", lambda p: p.total, width=8),
    *[c._replace(width=10 if c.key == "computed" else 8) for c in _COUNTS],
    Column[Progress]("open", Status.OPEN.label, lambda p: p.open, width=8),
    # not done: unanswered, and with review on also not yet approved (as `status` counts it)
    Column[Progress]("remaining", "未完成", lambda p: p.remaining, width=8),
    Column[Progress]("fraction", "完成率", lambda p: p.fraction, width=10, number_format="0.0%"),
]
"""The export's 填报进度 sheet, one row per section, leader, and the total."""


# ---------------------------------------------------------------- evidence rows (evidence list)


class EvidenceRow(NamedTuple):
    ident: int
    item: "Evidence"
    state: str  # "ok" | "missing" | "changed" | "legacy"


EVIDENCE_STATES = {"ok": "正常", "missing": "缺失", "changed": "已变化", "legacy": "未收入"}


def _human(n: int | None) -> str:
    from evalcheck.answers.evidence import human_size

    return human_size(n)


EVIDENCE_LIST = [
    Column[EvidenceRow]("id", "题号", lambda e: e.ident, keep=KEEP_ALWAYS, numeric=True),
    Column[EvidenceRow]("name", "名称", lambda e: e.item.name, keep=KEEP_ALWAYS, wide=True),
    Column[EvidenceRow]("kind", "类型", lambda e: e.item.label, keep=60),
    Column[EvidenceRow]("size", "大小", lambda e: _human(e.item.size), keep=40, numeric=True),
    Column[EvidenceRow]("by", "添加人", lambda e: e.item.by or "", keep=50),
    Column[EvidenceRow]("at", "添加时间", lambda e: local_time(e.item.at), keep=30),
    Column[EvidenceRow]("state", "状态", lambda e: EVIDENCE_STATES[e.state], keep=90),
]


# ---------------------------------------------------------------- history rows


class HistoryRow(NamedTuple):
    ind: Indicator | None
    state: State
    before: State | None = None  # the state this change followed (its verdict, if any)


def _action(st: State) -> str:
    action = ACTIONS.get(st.action, st.action)
    if st.reverts is not None:
        action += f"（撤销第{st.reverts}次修改）"
    if st.action in REVIEW_ACTIONS and st.signed_for:
        action += f"（代{st.signed_for}）"  # a deputy signed for the responsible leader
    return action


def _history_note(h: HistoryRow) -> str:
    """The answer's note; for a leader's sign-off, the approval note or the reason to return,
    and an approval's 说明; for a change that moved the verdict (a new value or evidence
    after one, a clear, an undo that takes one back or brings one back), what became of
    it: '审核状态：已审核 → 待审核'."""
    st, before = h.state, h.before
    parts: list[str] = []
    if st.action in REVIEW_ACTIONS:
        if st.comment:
            parts.append(("审核意见：" if st.action == "approve" else "退回原因：") + st.comment)
        if st.action == "approve" and st.explanation:
            parts.append(f"已说明：{st.explanation}")
    else:
        if st.note:
            parts.append(st.note)
        was, now = _review_stage(before), _review_stage(st)
        if before is not None and (before.review or st.review) and was != now:
            parts.append(f"审核状态：{was} → {now}")
    return "；".join(parts)


def _review_stage(st: State | None) -> str:
    """A state's review as history names it: 已审核/已退回, else 待审核 or 未填报."""
    if st is not None and st.review is not None:
        return Review(st.review).label
    answered = st is not None and (st.value is not None or st.na is not None)
    return (Stage.PENDING if answered else Stage.OPEN).label(True)


HISTORY = [
    Column[HistoryRow]("seq", "序号", lambda h: h.state.seq, keep=KEEP_ALWAYS, numeric=True),
    Column[HistoryRow]("at", "时间", lambda h: short_time(h.state.acted_at), keep=60),
    Column[HistoryRow]("by", "操作人", lambda h: h.state.actor, keep=70),
    Column[HistoryRow]("action", "操作", lambda h: _action(h.state), keep=80),
    # the values are mostly short ('7 个'): on a narrow terminal they and the notes wrap
    # tighter rather than push out 时间, 操作人 and 备注
    Column[HistoryRow](
        "value",
        "值",
        lambda h: describe_state(h.ind, h.state),
        keep=KEEP_ALWAYS,
        wide=True,
        narrow=10,
    ),
    Column[HistoryRow]("note", "备注", _history_note, keep=30, wide=True, narrow=10),
]


def headers(columns: Sequence[Column[Any]]) -> list[str]:
    return [c.header for c in columns]
