"""Build a checklist from the bureau's own table (tab-separated text or an .xlsx sheet).

Pure functions over rows of cells: find the header, carry blank categories down,
clean stray spaces, parse "9月15日前" deadlines, infer each indicator's answer kind
and unit from its wording. Every row that cannot be read is reported, none skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checklist import CN_NUMERALS
from .errors import DataError, InputError

HEADERS = {
    "category": ("二级指标",),
    "id": ("题号", "序号"),
    "text": ("三级指标", "指标", "测评指标"),
    "owner": ("责任领导",),
    "section": ("责任科室", "责任部门"),
    "due": ("完成时限", "时限"),
}
REQUIRED = ("id", "text")


@dataclass(frozen=True, slots=True)
class Inference:
    kind: str
    unit: str | None
    options: tuple[str, ...]
    certain: bool
    range: tuple[float | None, float | None] | None = None
    reason: str = ""


@dataclass
class TableResult:
    title: str | None
    year: int
    indicators: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rows that could not be read
    review: list[str] = field(default_factory=list)  # kinds not inferred for certain
    categories: list[str] = field(default_factory=list)
    label: str | None = None  # "附件 1" above the title, verbatim
    footnote: str | None = None  # the 备注 paragraph under the table, verbatim


# ---------------------------------------------------------------- kind inference

_PAREN_TAIL = re.compile(r"[（(][^（()）]*[)）]\s*$")
_BLANK_UNIT = re.compile(r"[（(]\s*[)）]\s*(个|项|次|条|人|家|%|％)")
_OPTION_LIST = re.compile(r"(?:^|[？?）)；;。\s])\s*1[.．、]\s*(.+)$")


def _core(text: str) -> str:
    """The question without trailing parentheticals and punctuation."""
    t = text.strip()
    for _ in range(3):
        t = re.sub(r"[？?。.\s]+$", "", t)
        t = _PAREN_TAIL.sub("", t)
    return re.sub(r"[？?。.\s]+$", "", t)


def split_options(text: str) -> tuple[str, ...]:
    """'…（多选）？1.甲；2.乙；3.丙' -> ('甲', '乙', '丙')."""
    m = _OPTION_LIST.search(text)
    if not m:
        return ()
    parts = re.split(r"[；;]\s*\d+[.．、]\s*", m.group(1))
    opts = tuple(p.strip(" ；;。") for p in parts if p.strip(" ；;。"))
    return opts if len(opts) >= 2 else ()


def _count_unit(text: str) -> str:
    m = _BLANK_UNIT.search(text)
    if m:
        return m.group(1)
    if re.search(r"次数|调用量|访问", text):
        return "次"
    if re.search(r"人数|人员", text):
        return "人"
    if re.search(r"交换量", text):
        return "条"
    if re.search(r"事项(总)?数|事项数量|事项[)）]?$|包含事项", _core(text)):
        return "项"
    return "个"


def infer_kind(text: str) -> Inference:
    """Answer kind from an indicator's wording (GUIDE §3); `certain` is False for guesses."""
    core = _core(text)
    options = split_options(text)
    if re.search(r"哪种", text):
        return Inference("choice", None, options, True, reason="哪种")
    if re.search(r"多选|哪些|以下", text):
        return Inference("multi", None, options, True, reason="多选/哪些/以下")
    if "请一一列举" in text:
        return Inference("text", None, (), True, reason="请一一列举")
    if re.search(r"[（(]\s*[)）]\s*[%％]", text) or re.search(r"(率|比例|占比|覆盖面)$", core):
        return Inference("percent", "%", (), True, reason="率/比例/占比/覆盖面/%")
    if re.search(r"(增速|增长率|增幅)$", core):
        # a growth rate may be negative or over 100; it cannot fall below -100
        return Inference("percent", "%", (), True, (-100, None), reason="增速")
    if "是否" in text:
        return Inference("yesno", None, (), True, reason="是否")
    if _BLANK_UNIT.search(text) or re.search(r"(数|数量|总数|次数|多少个?.*)$", core):
        return Inference("count", _count_unit(text), (), True, reason="数/数量/总数/次数/（ ）个")
    if re.search(r"数|数量|多少", text):
        return Inference("count", _count_unit(text), (), False, reason="文中提到数量")
    if re.search(r"事项$", core):
        return Inference("count", "项", (), False, reason="以“事项”结尾，按数量处理")
    return Inference("text", None, (), False, reason="未能从措辞判断")


# ---------------------------------------------------------------- cells and rows


def clean_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).replace("\u3000", " ").strip()


def normalize_category(name: str) -> tuple[int | None, str]:
    """'三、政务服务 创新举措' -> (3, '政务服务创新举措')."""
    t = re.sub(r"\s+", "", name)
    m = re.match(rf"^([{CN_NUMERALS}]+|\d+)[、.．]\s*(.+)$", t)
    if not m:
        return None, t
    num = m.group(1)
    n = int(num) if num.isdigit() else CN_NUMERALS.index(num[-1]) + 1
    return n, m.group(2)


def parse_due(text: str, year: int) -> dt.date | None:
    t = re.sub(r"\s+", "", text)
    if not t:
        return None
    try:
        return dt.date.fromisoformat(t[:10])
    except ValueError:
        pass
    m = re.match(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日(?:前|之前|以前)?$", t)
    if m:
        try:
            return dt.date(int(m.group(1) or year), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    m = re.match(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$", t)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    for n, row in enumerate(rows):
        cols: dict[str, int] = {}
        for i, cell in enumerate(row):
            name = re.sub(r"\s+", "", cell)
            for key, names in HEADERS.items():
                if key not in cols and name in names:
                    cols[key] = i
        if all(k in cols for k in REQUIRED) and len(cols) >= 4:
            return n, cols
    return None


def rows_from_text(text: str) -> list[tuple[int, list[str]]]:
    """Tab-separated lines -> (line number, cells)."""
    return [
        (n, [clean_cell(c) for c in line.split("\t")])
        for n, line in enumerate(text.splitlines(), start=1)
    ]


def build_from_rows(
    rows: Sequence[tuple[int, Sequence[str]]],
    *,
    year: int | None,
    where: str = "第{n}行",
) -> TableResult:
    """The indicators of a table. `where` formats a row's location for messages."""
    cells = [list(r) for _, r in rows]
    found = _find_header(cells)
    result = TableResult(title=None, year=year or 0)
    if found is None:
        result.problems.append(
            "找不到表头：需要“题号”“三级指标”等列（二级指标 · 题号 · 三级指标 · 责任领导 · "
            "责任科室 · 完成时限）"
        )
        return result
    hdr, cols = found
    for _, row in rows[:hdr]:
        line = " ".join(c for c in row if c)
        if line.startswith("附件") and result.label is None:
            result.label = line
        if line and re.search(r"清单|指标|测评", line) and not line.startswith("附件"):
            result.title = re.sub(r"\s+", "", line)
    notes = " ".join(" ".join(r) for _, r in rows[hdr + 1 :] if r and r[0].startswith("备注"))
    if notes:
        result.footnote = re.sub(r"^备注\s*[：:]?\s*", "", notes).strip() or None
    if year is None:
        m = re.search(r"(20\d\d)年", notes + " " + (result.title or ""))
        result.year = int(m.group(1)) if m else dt.date.today().year

    width = max(cols.values()) + 1
    category = ""
    cat_numbers: dict[str, int] = {}
    seen: dict[int, str] = {}
    for n, raw in rows[hdr + 1 :]:
        row = list(raw)
        while row and not row[-1]:
            row.pop()
        if not any(row) or row[0].startswith("备注"):
            continue
        loc = where.format(n=n)
        # A row whose category cell was lost entirely starts with the number (seed rows 72–99).
        if (
            "category" in cols
            and cols["category"] == 0
            and len(row) == width - 1
            and re.fullmatch(r"\d+", row[0])
        ):
            row.insert(0, "")
        row += [""] * (width - len(row))

        def get(key: str, row: list[str] = row) -> str:
            return row[cols[key]] if key in cols else ""

        if get("category"):
            num, category = normalize_category(get("category"))
            if num is not None:
                cat_numbers.setdefault(category, num)
        raw_id = get("id")
        if not re.fullmatch(r"\d+", raw_id):
            result.problems.append(
                f"{loc}：没有题号（{raw_id or '空'}），内容：{' '.join(row)[:40]}"
            )
            continue
        ident = int(raw_id)
        if ident in seen:
            result.problems.append(f"{loc}：题号 {ident} 重复（{seen[ident]}已有）")
            continue
        seen[ident] = loc
        text = get("text")
        if not text:
            result.problems.append(f"{loc}：第{ident}项没有指标内容")
            continue
        if not category:
            result.problems.append(f"{loc}：第{ident}项没有二级指标，上面也没有可沿用的")
            continue
        owner = re.sub(r"\s+", "", get("owner")) or None
        section = re.sub(r"\s+", "", get("section")) or None
        if "owner" in cols and owner is None:
            result.problems.append(f"{loc}：第{ident}项没有责任领导")
        due = parse_due(get("due"), result.year) if get("due") else None
        if get("due") and due is None:
            result.problems.append(f"{loc}：第{ident}项的完成时限“{get('due')}”无法识别")
            continue
        inf = infer_kind(text)
        if not inf.certain:
            result.review.append(f"第{ident}项：按 {inf.kind} 处理（{inf.reason}）：{text[:30]}")
        ind: dict[str, Any] = {
            "id": ident,
            "category": category,
            "text": text,
            "owner": owner,
            "section": section,
            "due": due,
            "due_text": get("due")
            if due is not None and not re.match(r"\d{4}-", get("due"))
            else None,
            "kind": inf.kind,
        }
        if inf.unit:
            ind["unit"] = inf.unit
        if inf.options:
            ind["options"] = list(inf.options)
        if inf.range is not None:
            ind["range"] = list(inf.range)
        result.indicators.append(ind)
        if category not in result.categories:
            result.categories.append(category)
    result.categories.sort(key=lambda c: cat_numbers.get(c, 99))
    _assign_roles(result, notes)
    return result


def _assign_roles(result: TableResult, notes: str) -> None:
    """'1-115项为我局牵头任务 … 116-144项为配合任务' in the footnote; lead otherwise."""
    support: set[int] = set()
    for a, b in re.findall(r"(\d+)\s*[-–~至]\s*(\d+)\s*项为配合", notes):
        support.update(range(int(a), int(b) + 1))
    for ind in result.indicators:
        ind["role"] = "support" if ind["id"] in support else "lead"


def checklist_document(result: TableResult, *, title: str | None = None) -> dict[str, Any]:
    """The checklist YAML document (as plain data) for an imported table."""
    inds = sorted(result.indicators, key=lambda i: i["id"])
    dues = [i["due"] for i in inds if i["due"] is not None]
    default_due = max(set(dues), key=dues.count) if dues else None
    doc: dict[str, Any] = {
        "title": title or result.title or "营商环境测评指标责任清单",
        "year": result.year,
    }
    if default_due is not None:
        doc["due"] = default_due
        # the wording of the default date ("9月15日前"), kept once instead of on every row
        words = [i["due_text"] for i in inds if i["due"] == default_due and i.get("due_text")]
        if words:
            doc["due_text"] = max(set(words), key=words.count)
            for i in inds:
                if i["due"] == default_due and i.get("due_text") == doc["due_text"]:
                    i["due_text"] = None
    if result.label:
        doc = {"label": result.label, **doc}
    if result.footnote:
        doc["footnote"] = result.footnote
    doc["categories"] = list(result.categories)
    doc["sections"] = _unique(i["section"] for i in inds)
    doc["owners"] = _unique(i["owner"] for i in inds)
    doc["indicators"] = [_indicator_doc(i) for i in inds]
    return doc


def _unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def _indicator_doc(ind: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "category", "text", "owner", "section", "due", "due_text", "role", "kind", "unit")
    out = {k: ind.get(k) for k in keys if ind.get(k) is not None or k in ("section", "owner")}
    for k in ("options", "range"):
        if k in ind:
            out[k] = ind[k]
    return out


# ---------------------------------------------------------------- reading files and writing YAML


def read_table(path: Path, *, year: int | None, sheet: str | None = None) -> TableResult:
    """A tab-separated text table (UTF-8, or GB18030 as Windows tools save it) or an .xlsx."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, year=year, sheet=sheet)
    from .safepath import read_regular
    from .workbook_guard import MAX_FILE_BYTES

    try:  # a regular file of sane size only: a FIFO would hang, /dev/zero fill memory
        raw = read_regular(path, "表格文件", limit=MAX_FILE_BYTES)
    except FileNotFoundError:
        raise InputError(f"找不到文件：{path}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise DataError(f"{path} 既不是 UTF-8 也不是 GB18030 编码的文本")
    return build_from_rows(rows_from_text(text), year=year, where=f"{path.name} 第{{n}}行")


def _read_xlsx(path: Path, *, year: int | None, sheet: str | None) -> TableResult:
    from .workbook_guard import open_workbook, sheet_rows

    wb = open_workbook(path, data_only=True)  # the size and zip-bomb guards of `import`
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(f"{path} 中没有工作表“{sheet}”（有：{'、'.join(wb.sheetnames)}）")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        rows = [
            (n, [_xlsx_cell(v) for v in row])
            for n, row in enumerate(sheet_rows(ws, path, values_only=True), start=1)
        ]
    finally:
        wb.close()
    return build_from_rows(rows, year=year, where=f"工作表“{ws.title}”第{{n}}行")


def _xlsx_cell(v: Any) -> str:
    if isinstance(v, dt.datetime):
        v = v.date()
    if isinstance(v, dt.date):
        return v.isoformat()
    return clean_cell(v)


def checklist_yaml(doc: dict[str, Any], header: Sequence[str] = ()) -> str:
    """The checklist as people read it: top-level fields, then one block per indicator."""
    from .yamlio import dump_yaml, load_yaml_text

    # a comment line ends at a line break: one inside a cell or a file name must not
    # start a line of YAML in the file
    lines = [" ".join(str(line).splitlines()) for line in header]
    head = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    top = {k: v for k, v in doc.items() if k not in ("rules", "indicators")}
    parts = [head, dump_yaml(top)]
    if doc.get("rules"):
        parts.append("\n" + dump_yaml({"rules": doc["rules"]}))
    parts.append("\nindicators:\n")
    for ind in doc.get("indicators", []):
        parts.append(dump_yaml([ind]) + "\n")
    text = "".join(parts).rstrip() + "\n"
    if load_yaml_text(text, "生成的清单") != doc:  # cells cannot add or change structure
        raise DataError("生成的清单与表格内容不一致（表格中可能有特殊字符），未写入")
    return text
