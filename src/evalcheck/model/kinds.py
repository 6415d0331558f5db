"""Answer kinds: parse what a person typed, validate it, format it back.

One registry keyed by kind. `parse` is liberal (full-width digits, "312个", "95%",
是/否/yes/no) and refuses what is wrong or ambiguous with a `ValueRefused` that names
the indicator, its kind, what was wrong and an example of a valid value.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from evalcheck.errors import ValueRefused


class Spec(Protocol):
    """What a kind needs to know of an indicator (checklist.Indicator is one)."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...
    @property
    def options(self) -> Sequence[Any]: ...
    @property
    def option_texts(self) -> list[str]: ...


Value = bool | int | float | str | list[str]

SEPARATORS = r"\s*[、，,;；]\s*"  # between the options of a multi answer
YES = {"是", "yes", "y", "true", "1", "对", "有"}
NO = {"否", "no", "n", "false", "0", "无", "没有"}
COUNT_UNITS = ("个", "项", "次", "条", "人", "家", "件", "名", "天")
# Numbers beyond this are refused everywhere (answers, imports, checklist ranges, rule
# constants): every number we keep is then exact as a float, fits an Excel cell and
# prints as plain digits. No indicator counts or measures anything near it.
MAX_NUMBER = 10**15
MAX_NUMBER_TEXT = "10^15（1000 万亿）"
# What one Excel cell holds; longer text would come back shortened from a form.
MAX_TEXT = 32767
# control characters no document can hold (XML 1.0: worksheets, Word): only a hand-edited
# answers file has them; the writers leave them out, as `show` does
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def without_control(text: str) -> str:
    return CONTROL.sub("", text) if CONTROL.search(text) else text


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"  # zero-width characters: nothing a person reads


def visible_text(raw: Any) -> str | None:
    """A reason, 说明 or 审核意见 as text, or None when it says nothing a person can read
    (blank, spaces, full-width spaces, zero-width or control characters)."""
    if raw is None:
        return None
    text = without_control(str(raw)).strip(" \t\r\n\u3000" + INVISIBLE)
    return text or None


def number_ok(v: Any) -> bool:
    """A finite int or float within ±MAX_NUMBER (bool is not a number here)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    if isinstance(v, float) and not math.isfinite(v):
        return False
    return -MAX_NUMBER <= v <= MAX_NUMBER


def check_text_length(what: str, text: str) -> None:
    """Refuse text an Excel cell could not carry whole (what names the field, e.g. 备注)."""
    if len(text) > MAX_TEXT:
        raise ValueRefused(
            f"{what}有 {len(text)} 个字符，超过 Excel 单元格能容纳的 {MAX_TEXT} 个字符"
            "（导出后会被截断），请缩短或改为佐证材料文件"
        )


def normalize(raw: str) -> str:
    """NFKC folds full-width digits, letters, ％ and spaces; then trim."""
    return unicodedata.normalize("NFKC", raw).strip()


FULLWIDTH_DIGITS = frozenset("０１２３４５６７８９")


def foreign_digit(raw: str) -> str | None:
    """The first character of `raw` that reads as a digit but is not 0–9 (nor full-width
    ０–９, which a Chinese input method types): ٤ ① ² 𝟒 ፩ …. The one guard of every numeric
    path (ids, counts, numbers, percents, option numbers): such a digit is refused, not
    read as a number (int() takes some and raises on others; NFKC turns ① into 1)."""
    for ch in raw:
        if ch.isascii() or ch in FULLWIDTH_DIGITS:
            continue
        if ch.isdigit() or any(c.isdigit() for c in unicodedata.normalize("NFKC", ch)):
            return ch
    return None


FOREIGN_DIGIT = "“{}”不是 0–9 的数字：数字请用 0–9 书写（全角 ０–９ 也可以）"


def _numeric_text(ind: Spec, raw: str) -> str:
    """`raw` normalized for a numeric parse, refused when it holds a foreign digit."""
    ch = foreign_digit(raw)
    if ch is not None:
        raise _refuse(ind, raw, FOREIGN_DIGIT.format(ch))
    return normalize(raw)


def _refuse(ind: Spec, raw: str, why: str) -> ValueRefused:
    shown = raw if raw.strip() else "（空）"
    if len(shown) > 60:
        shown = f"{shown[:40]}……（共 {len(shown)} 个字符）"
    return ValueRefused(
        f"第{ind.id}项（{REGISTRY[ind.kind].label}）不接受“{shown}”：{why}。例如：{example(ind)}"
    )


def _range_text(ind: Spec) -> str:
    """'0 到 100', '不小于 0', '不大于 10', '任意数' (a bound that is open is left unsaid)."""
    if ind.low is not None and ind.high is not None:
        return f"{_num(ind.low)} 到 {_num(ind.high)}"
    if ind.low is not None:
        return f"不小于 {_num(ind.low)}"
    return f"不大于 {_num(ind.high)}" if ind.high is not None else "任意数"


def _within(ind: Spec) -> str:
    """'应在 0 到 100 之间', '应不小于 0'."""
    where = _range_text(ind)
    return f"应在 {where} 之间" if ind.low is not None and ind.high is not None else f"应{where}"


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# ---------------------------------------------------------------- parsers


# the 不适用 answer's word: the status label (state/snapshot.py's STATUS_LABELS takes it from
# here) and what no option may be called (validation.py)
NOT_APPLICABLE = "不适用"
GENERIC_UNIT = "个"  # the general classifier: "12个" is a count of anything
_MULTIPLIERS = "十百千万亿"


def _number_and_word(t: str) -> tuple[str, str] | None:
    """'300人' -> ('300', '人'), '2.5 天' -> ('2.5', '天'): a number and the word after it
    (letters or Chinese), or None. A loop, not a regular expression: no backtracking on a
    long cell."""
    start = len(t)
    while start > 0 and t[start - 1].isalpha():
        start -= 1
    number, word = t[:start].rstrip(), t[start:]
    if not word or not re.fullmatch(r"[+-]?[\d,.]+", number) or not any(map(str.isdigit, number)):
        return None
    return number, word


# unit characters in traditional script, as a table copied from elsewhere has them
_TRADITIONAL = str.maketrans("個項條張戶間臺處筆單萬億", "个项条张户间台处笔单万亿")
_ABOUT = re.compile(
    r"^(?:约|約|大约|大約|近|将近|將近|超过|超過|逾)\s*\d"  # 约300个
    r"|\d\s*(?:余|餘|多|来|來)"  # 300余个, 300多项, 300来项
    r"|(?:余|餘|多|左右|以上|以下)$"  # 300项多, 2天多, 300个左右, 95%以上
)


def _refuse_approximate(ind: Spec, raw: str, t: str) -> None:
    """'约300个', '300余个', '300个左右': a figure, not an estimate, is asked for."""
    if _ABOUT.search(t):
        raise _refuse(ind, raw, "请填确切的数，不要写“约”“余”“多”“左右”等")


def _without_unit(ind: Spec, raw: str, t: str) -> str:
    """`t` (normalized) without the unit written after the number. Taken: the indicator's
    own unit, with 个 before it or not ("3个工作日", "12个人"), and for a count 个 alone,
    the classifier people write for anything. Another unit is refused, naming the
    indicator's unit: "300人" for a count of 项 is not 300 项. An indicator without a unit
    takes the count units as before (there is nothing to tell them from)."""
    t = t.translate(_TRADITIONAL)  # 300項 copied from a traditional-script table
    own = normalize(ind.unit) if ind.unit else None
    # an estimate, looked for without the own unit (which may hold 来 or 多 itself)
    _refuse_approximate(ind, raw, t[: -len(own)] if own and t.endswith(own) else t)
    if own and t.endswith(own) and len(t) > len(own):
        t = t[: -len(own)].rstrip()
        if own != GENERIC_UNIT and t.endswith(GENERIC_UNIT) and len(t) > 1:
            t = t[:-1].rstrip()
        return t
    split = _number_and_word(t)
    if split is None:
        return t  # no unit written, or not a number at all: the parser says which
    number, unit = split
    if unit == GENERIC_UNIT and ind.kind == "count":
        return number
    if own is None and unit in COUNT_UNITS:
        return number
    if unit[0] in _MULTIPLIERS:
        raise _refuse(ind, raw, f"请写出完整的数字，不要用“{unit[0]}”（如 5万 写作 50000）")
    if own is None:
        return t  # a word after the number, and no unit to compare: the parser refuses
    generic = ind.kind == "count" and own != GENERIC_UNIT
    also = f"“{own}”或“{GENERIC_UNIT}”" if generic else f"“{own}”"
    why = f"本项的单位是“{own}”，填写的是“{unit}”（请填以“{own}”计的数；单位可不写，也可写{also}）"
    raise _refuse(ind, raw, why)


def _parse_count(ind: Spec, items: Sequence[str]) -> Value:
    raw = _single(ind, items)
    t = _without_unit(ind, raw, _numeric_text(ind, raw))
    if re.fullmatch(r"\d{1,3}(,\d{3})+", t):
        t = t.replace(",", "")
    if len(t) > 40:  # also keeps int() below Python's digit limit
        raise _refuse(ind, raw, f"数值过大（最大 {MAX_NUMBER_TEXT}）")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        raise _refuse(ind, raw, "应为不小于 0 的整数")
    if not re.fullmatch(r"\+?\d+", t):
        if t.startswith("-"):
            raise _refuse(ind, raw, "数量不能为负数")
        raise _refuse(ind, raw, "数量应为整数，不能有小数")
    value = int(t)
    if not number_ok(value):
        raise _refuse(ind, raw, f"数值过大（最大 {MAX_NUMBER_TEXT}）")
    _check_range(ind, raw, value)
    return value


def _parse_number(ind: Spec, items: Sequence[str]) -> Value:
    """A measured quantity that may have decimals, e.g. 平均用时 2.5 天."""
    raw = _single(ind, items)
    t = _without_unit(ind, raw, _numeric_text(ind, raw))
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", t):
        t = t.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
        raise _refuse(ind, raw, "应为数字（可有小数）")
    number = float(t)
    if not number_ok(number):
        raise _refuse(ind, raw, f"数值超出范围（绝对值最大 {MAX_NUMBER_TEXT}）")
    value: int | float = int(number) if number.is_integer() else number
    _check_range(ind, raw, value)
    return value


def _parse_percent(ind: Spec, items: Sequence[str]) -> Value:
    raw = _single(ind, items)
    t = _numeric_text(ind, raw)
    _refuse_approximate(ind, raw, t)  # 约95%, 95%以上
    if t.endswith("%"):
        t = t[:-1].rstrip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", t):
        raise _refuse(ind, raw, "应为数字（可带 %）")
    number = float(t)
    if not number_ok(number):
        raise _refuse(ind, raw, f"数值超出范围（绝对值最大 {MAX_NUMBER_TEXT}）")
    value: int | float = int(number) if number.is_integer() else number
    _check_range(ind, raw, value)
    return value


def _check_range(ind: Spec, raw: str, value: float) -> None:
    if (ind.low is not None and value < ind.low) or (ind.high is not None and value > ind.high):
        raise _refuse(ind, raw, _within(ind))


def _parse_yesno(ind: Spec, items: Sequence[str]) -> Value:
    raw = _single(ind, items)
    t = _numeric_text(ind, raw).lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise _refuse(ind, raw, "应为 是 或 否（也可写 有/无/没有、对、yes/no、y/n、true/false、1/0）")


def _parse_choice(ind: Spec, items: Sequence[str]) -> Value:
    picked = _pick(ind, items)
    if len(picked) != 1:
        raise _refuse(ind, "、".join(items), "单选题只能选一项")
    return picked[0]


def _parse_multi(ind: Spec, items: Sequence[str]) -> Value:
    picked = _pick(ind, items)
    if ind.options:
        exclusive = [o.text for o in ind.options if o.exclusive and o.text in picked]
        if exclusive and len(picked) > 1:
            raise _refuse(ind, "、".join(items), f"“{exclusive[0]}”不能与其他选项同时选择")
        order = ind.option_texts
        picked.sort(key=order.index)
    return picked


def _pick(ind: Spec, items: Sequence[str]) -> list[str]:
    """Options by number or text (when listed), else free items; duplicates dropped."""
    texts = ind.option_texts
    out: list[str] = []
    for raw in items:
        whole = normalize(raw)
        parts = [whole] if whole in texts else [p for p in re.split(SEPARATORS, whole) if p]
        for part in parts:
            item = _option(ind, part, raw) if texts else part
            if item not in out:
                out.append(item)
    if not out:
        raise _refuse(ind, "、".join(items), "至少要有一项")
    check_text_length(f"第{ind.id}项的填报值", "、".join(out))
    return out


def _option(ind: Spec, part: str, raw: str) -> str:
    texts = ind.option_texts
    t = part.strip().rstrip(".．、")
    ch = foreign_digit(raw)
    if ch is not None and not any(normalize(x) == t for x in texts):
        raise _refuse(ind, raw, FOREIGN_DIGIT.format(ch))
    if re.fullmatch(r"[0-9]{1,6}", t):
        n = int(t)
        if 1 <= n <= len(texts):
            return texts[n - 1]
        raise _refuse(ind, raw, f"没有第 {n} 个选项（共 {len(texts)} 个）")
    for text in texts:
        if normalize(text) == t:
            return text
    listing = "；".join(f"{n}.{x}" for n, x in enumerate(texts, start=1))
    raise _refuse(ind, raw, f"“{part}”不是选项之一（可选：{listing}）")


def _parse_text(ind: Spec, items: Sequence[str]) -> Value:
    text = "\n".join(i.strip() for i in items if i.strip())
    if not text:
        raise _refuse(ind, "", "内容不能为空")
    check_text_length(f"第{ind.id}项的填报值", text)
    return text


def _single(ind: Spec, items: Sequence[str]) -> str:
    if len(items) != 1:
        raise _refuse(ind, "、".join(items), "此题只能填一个值")
    return items[0]


# ---------------------------------------------------------------- formatting


def _fmt_count(ind: Spec, v: Any) -> str:
    return f"{v} {ind.unit}" if ind.unit else str(v)


def _fmt_number(ind: Spec, v: Any) -> str:
    shown = _num(float(v)) if isinstance(v, int | float) else str(v)
    return f"{shown} {ind.unit}" if ind.unit else shown


def _fmt_percent(ind: Spec, v: Any) -> str:
    return f"{_num(float(v)) if isinstance(v, int | float) else v}%"


def _fmt_yesno(ind: Spec, v: Any) -> str:
    return "是" if v else "否"


def _fmt_list(ind: Spec, v: Any) -> str:
    return "、".join(map(str, v)) if isinstance(v, list) else str(v)


def _fmt_text(ind: Spec, v: Any) -> str:
    return str(v)


def _ex_choice(ind: Spec) -> str:
    if ind.options:
        return f"1 或 “{ind.options[0].text}”"
    return "一项文字"


def _ex_multi(ind: Spec) -> str:
    if len(ind.options) >= 2:
        return "1、2（或选项文字，可用、分隔）"
    return "甲、乙（多项用、分隔）"


def _first_option(ind: Spec) -> str | None:
    return "1" if ind.options else None  # option 1, by its number


def _cell_number(ind: Spec, v: Any) -> Any:
    return v  # numbers stay numbers in a spreadsheet


def _cell_text(ind: Spec, v: Any) -> Any:
    return format_value(ind, v)


def _no_dropdown(ind: Spec) -> list[str] | None:
    return None


def _choice_dropdown(ind: Spec) -> list[str] | None:
    return ind.option_texts or None


class Cue(NamedTuple):
    """A wording that suggests a kind, for building a checklist from a bureau's table.

    `checklist-import` tries the cues of every kind in `order` (lowest first) and takes
    the first that matches; `certain` False puts the guess on the list for review.
    """

    order: int
    pattern: str  # a regular expression, searched in the text (or its core, see `core`)
    reason: str  # what matched, as the review list names it
    certain: bool = True
    core: bool = False  # search the question without its trailing parentheticals
    needs_options: bool = False  # only when the cell lists options
    # the unit the wording implies: fixed, or (text, core, match) -> (unit, a guess note)
    unit: str | Callable[[str, str, re.Match[str]], tuple[str | None, str | None]] | None = None
    range: tuple[float | None, float | None] | None = None  # instead of the kind's default


class Kind(NamedTuple):  # a NamedTuple: cheaper to define at start-up than a dataclass
    """Everything the program knows about one answer kind (GUIDE §3).

    Nothing kind-specific lives anywhere else: a new kind is one entry in REGISTRY.
    """

    label: str  # 是否, 数量 … as users read it
    parse: Callable[[Spec, Sequence[str]], Value]
    format: Callable[[Spec, Any], str]
    example: Callable[[Spec], str]
    check: Callable[[Any], bool]  # is a stored value of the right type?
    cell: Callable[[Spec, Any], Any]  # the value as a spreadsheet cell
    dropdown: Callable[[Spec], list[str] | None]  # a form's dropdown list, if any
    number_format: str = "General"  # the spreadsheet cell's number format
    numeric: bool = False  # has a range and may be used in formulas and rules
    default_range: tuple[float | None, float | None] = (None, None)
    has_options: bool = False  # may list options in the checklist
    # `check`'s warning against last year: (last, now, thresholds) -> (rule, what) or None
    plausible: Callable[[Any, Any, Limits], tuple[str, str] | None] | None = None
    # how this year's value differs from last year's ('+12（+4%）'), None: 不变/有变化
    change: Callable[[Spec, Any, Any], str] | None = None
    cues: tuple[Cue, ...] = ()  # the wordings that suggest this kind (checklist-import)
    # one value as typed after `answer N --value` (init's next steps); None: no plain one
    sample: Callable[[Spec], str | None] = lambda i: None


class Limits(Protocol):
    """The year-over-year thresholds a plausibility hook reads (checklist.Thresholds)."""

    @property
    def count_factor(self) -> float | None: ...
    @property
    def percent_points(self) -> float | None: ...


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_text(v: Any) -> bool:
    return isinstance(v, str)


def _is_texts(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


# ---------------------------------------------------------------- against last year


def _count_moved(old: Any, new: Any, limits: Limits) -> tuple[str, str] | None:
    f = limits.count_factor
    if f is None or not (_is_number(old) and _is_number(new)):
        return None
    if abs(new - old) > f * old:
        return "上年对比:数量", f"数量比上年变化超过 {f:.0%}"
    return None


def _percent_moved(old: Any, new: Any, limits: Limits) -> tuple[str, str] | None:
    pts = limits.percent_points
    if pts is None or not (_is_number(old) and _is_number(new)):
        return None
    if abs(new - old) > pts:
        return "上年对比:百分比", f"比上年变化超过 {_num(pts)} 个百分点"
    return None


def _yes_to_no(old: Any, new: Any, limits: Limits) -> tuple[str, str] | None:
    if old is True and new is False:
        return "上年对比:是否", "上年为“是”，今年为“否”"
    return None


def _count_change(ind: Spec, old: Any, new: Any) -> str:
    if not (_is_number(old) and _is_number(new)):
        return "不变" if old == new else "有变化"
    if new == old:
        return "不变"
    diff = f"{float(new) - float(old):+g}"
    return f"{diff}（{(new - old) / old:+.0%}）" if old else diff


def _points_change(ind: Spec, old: Any, new: Any) -> str:
    if not (_is_number(old) and _is_number(new)):
        return "不变" if old == new else "有变化"
    return "不变" if new == old else f"{float(new) - float(old):+.4g} 个百分点"


def _shown_change(ind: Spec, old: Any, new: Any) -> str:
    return "不变" if old == new else f"{format_value(ind, old)}→{format_value(ind, new)}"


def change_text(ind: Spec, old: Any, new: Any) -> str:
    """How this year's value differs from last year's, both recorded values of this kind."""
    hook = REGISTRY[ind.kind].change
    if hook is not None:
        return hook(ind, old, new)
    return "不变" if old == new else "有变化"


def plausible(ind: Spec, old: Any, new: Any, limits: Limits) -> tuple[str, str] | None:
    """The rule and the words of `check`'s warning when the move from last year is large."""
    hook = REGISTRY[ind.kind].plausible
    return None if hook is None else hook(old, new, limits)


# ---------------------------------------------------------------- wording (checklist-import)

UNIT_GUESS = "数量题没有写明单位，按“个”处理"
COUNT_WORD_UNITS = "个|项|次|条|人|家|件|天|名"
BLANK_UNIT = rf"[（(]\s*[)）]\s*({COUNT_WORD_UNITS}|%|％)"  # "（ ）个", "（  ）%"
HOW_MANY_UNIT = r"(?:多少|几)\s*(项|次|条|人|家|件|名)"  # "多少个X": X decides
# counted nouns and their unit, tried in order when the wording gives no unit
_COUNTED = (
    (r"次数|调用量|访问", "次"),
    (r"人数|人员", "人"),
    (r"交换量", "条"),
    (r"企业数|户数|家数", "家"),
    (r"件数|办件量", "件"),
)


def count_unit(text: str, core: str) -> str:
    """The unit of a count from its wording: '（ ）家', '多少项', '企业数' …, else 个."""
    m = re.search(BLANK_UNIT, text) or re.search(HOW_MANY_UNIT, text)
    if m:
        return m.group(1)
    for pattern, unit in _COUNTED:
        if re.search(pattern, text):
            return unit
    if re.search(r"事项(总)?数|事项数量|事项[)）]?$|包含事项", core):
        return "项"
    return "个"


def _count_cue_unit(text: str, core: str, m: re.Match[str]) -> tuple[str | None, str | None]:
    unit = count_unit(text, core)
    # neither "（ ）个" nor "多少个" nor a counted noun: the unit is a guess
    return unit, (UNIT_GUESS if unit == "个" and "个" not in core else None)


def _time_unit(text: str, core: str, m: re.Match[str]) -> tuple[str | None, str | None]:
    return {"个工作日": "工作日"}.get(m.group(1), m.group(1)), None


NO_CUE = ("text", "未能从措辞判断")  # the kind when no cue matches (always for review)


def cues() -> list[tuple[str, Cue]]:
    """Every kind's cues, in the order they are tried."""
    found = [(name, cue) for name, k in REGISTRY.items() for cue in k.cues]
    return sorted(found, key=lambda kc: kc[1].order)


# ---------------------------------------------------------------- the registry

REGISTRY: dict[str, Kind] = {
    "yesno": Kind(
        "是否", _parse_yesno, _fmt_yesno, lambda i: "是 或 否", lambda v: isinstance(v, bool),
        _cell_text, lambda i: ["是", "否"], plausible=_yes_to_no, change=_shown_change,
        sample=lambda i: "是",
        cues=(
            Cue(40, r"[（(]\s*是\s*[/／或]\s*否\s*[)）]|有没有|是不是", "（是/否）/有没有"),
            Cue(80, r"是否", "是否"),
        ),
    ),
    "count": Kind(
        "数量", _parse_count, _fmt_count, lambda i: f"312 或 312{i.unit or '个'}", _is_int,
        _cell_number, _no_dropdown, "0", numeric=True, default_range=(0, None),
        plausible=_count_moved, change=_count_change, sample=lambda i: "312",
        cues=(
            Cue(100, rf"{BLANK_UNIT}|{HOW_MANY_UNIT}", "数/数量/总数/（ ）个/多少家",
                unit=_count_cue_unit),
            Cue(101, r"(数|数量|总数|次数|多少个?.*)$", "数/数量/总数/（ ）个/多少家",
                core=True, unit=_count_cue_unit),
            Cue(110, r"数|数量|多少", "文中提到数量", certain=False, unit=_count_cue_unit),
            Cue(120, r"事项$", "以“事项”结尾，按数量处理", certain=False, core=True, unit="项"),
        ),
    ),
    "number": Kind(
        "数值", _parse_number, _fmt_number, lambda i: f"2.5 或 2.5{i.unit}" if i.unit else "2.5",
        _is_number,
        _cell_number, _no_dropdown, "0.##", numeric=True, default_range=(0, None),
        sample=lambda i: "2.5",
        cues=(
            Cue(70, r"(?:平均|用时|时长|耗时|时间).*?(?:多少|几)\s*(个工作日|工作日|天|小时)",
                "用时/时长（可有小数）", unit=_time_unit),
        ),
    ),
    # percent cells stay General: "95%" typed into one becomes Excel's and Calc's percent
    # cell (0.95 shown as 95%, read back as "95%"); in a "0.##" cell Calc shows the person
    # 0.95 (tests/test_spreadsheet.py)
    "percent": Kind(
        "百分比", _parse_percent, _fmt_percent, lambda i: "95 或 95% 或 87.5", _is_number,
        _cell_number, _no_dropdown, "General", numeric=True, default_range=(0, 100),
        plausible=_percent_moved, change=_points_change, sample=lambda i: "95",
        cues=(
            Cue(50, r"[（(]\s*[)）]\s*[%％]|百分比|百分之几", "率/比例/占比/百分比/%", unit="%"),
            Cue(51, r"(率|比例|占比|覆盖面)$", "率/比例/占比/百分比/%", core=True, unit="%"),
            # a growth rate may be negative or over 100; it cannot fall below -100
            Cue(60, r"(增速|增长率|增幅)$", "增速", core=True, unit="%", range=(-100, None)),
        ),
    ),
    "choice": Kind(
        "单选", _parse_choice, _fmt_list, _ex_choice, _is_text, _cell_text, _choice_dropdown,
        has_options=True, sample=_first_option,
        cues=(
            # 哪种 unless 多选 is written too: "哪种（多选）" is multi
            Cue(10, r"[（(]\s*单选\s*[)）]|^(?!.*多选).*哪种", "（单选）/哪种"),
            Cue(90, r"", "列出了选项但未注明单选或多选", certain=False, needs_options=True),
        ),
    ),
    "multi": Kind(
        "多选", _parse_multi, _fmt_list, _ex_multi, _is_texts, _cell_text, _no_dropdown,
        has_options=True, sample=_first_option,
        cues=(Cue(20, r"多选|哪些|以下", "（多选）/哪些/以下"),),
    ),
    "text": Kind(
        "文字", _parse_text, _fmt_text, lambda i: "一段文字", _is_text, _cell_text, _no_dropdown,
        cues=(
            Cue(30, r"请一一列举", "请一一列举"),
            Cue(35, r"请(?:填写|写明|列出).{0,40}?(?:名称|名字)|(?:名称|名字)是什么|叫什么",
                "请填写…的名称"),
        ),
    ),
}  # fmt: skip
# Read the registry through these (never copy it into a constant elsewhere): a kind
# registered later (a test's, a new kind) is then everywhere at once.


def names() -> tuple[str, ...]:
    """Every kind's name, in the registry's order."""
    return tuple(REGISTRY)


def label(kind: str) -> str:
    """'数量' for count; an unknown name as it is (a mapping file's old kind)."""
    k = REGISTRY.get(kind)
    return k.label if k is not None else kind


def is_numeric(kind: str) -> bool:
    k = REGISTRY.get(kind)
    return k is not None and k.numeric


def has_options(kind: str) -> bool:
    k = REGISTRY.get(kind)
    return k is not None and k.has_options


def numeric_names() -> tuple[str, ...]:
    return tuple(name for name, k in REGISTRY.items() if k.numeric)


def option_names() -> tuple[str, ...]:
    return tuple(name for name, k in REGISTRY.items() if k.has_options)


def listing(kinds: Sequence[str] | None = None) -> str:
    """'yesno（是否）、count（数量）…': kinds as help texts and messages list them."""
    return "、".join(f"{n}（{REGISTRY[n].label}）" for n in (names() if kinds is None else kinds))


def kind_help() -> str:
    """The help of `--kind`."""
    return f"题型：{listing()}，可重复。"


def parse(ind: Spec, raw: str | Sequence[str]) -> Value:
    """Parse one typed value (or several, for multi/choice) for this indicator."""
    items = [raw] if isinstance(raw, str) else list(raw)
    if not items:
        raise _refuse(ind, "", "没有给出值")
    return REGISTRY[ind.kind].parse(ind, items)


def format_value(ind: Spec, value: Any) -> str:
    if _misfit_type(ind, value):
        return safe_text(value)  # a stored value that does not fit (see store.misfits)
    return REGISTRY[ind.kind].format(ind, value)


def _misfit_type(ind: Spec, value: Any) -> bool:
    """Not of the kind's type, or a number out of the representable range."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return not REGISTRY[ind.kind].check(value) or (numeric and not number_ok(value))


def safe_text(value: Any) -> str:
    """Any stored value as text, never raising (an int over the digit limit would)."""
    if isinstance(value, int) and not isinstance(value, bool) and not number_ok(value):
        return f"（超出范围的数值，共 {value.bit_length() * 30103 // 100000 + 1} 位）"
    if isinstance(value, list):
        return "、".join(safe_text(v) for v in value)
    return str(value)


def example(ind: Spec) -> str:
    return REGISTRY[ind.kind].example(ind)


def sample(ind: Spec) -> str | None:
    """A value for this indicator as typed on a command line ('312', '是'), one it accepts;
    None when its kind has no plain one (text) or the indicator's range refuses it."""
    text = REGISTRY[ind.kind].sample(ind)
    if text is None:
        return None
    try:
        parse(ind, text)
    except ValueRefused:
        return None
    return text


def value_fits(ind: Spec, value: Any) -> bool:
    """Is a stored value (from the answers file) of this indicator's kind and range?"""
    if not REGISTRY[ind.kind].check(value):
        return False
    if REGISTRY[ind.kind].numeric:
        if not number_ok(value):
            return False
        if ind.low is not None and value < ind.low:
            return False
        if ind.high is not None and value > ind.high:
            return False
    if ind.options and REGISTRY[ind.kind].has_options:
        picked = value if isinstance(value, list) else [value]
        return all(p in ind.option_texts for p in picked)
    return True


def kind_text(ind: Spec) -> str:
    """'数量（count），单位：个': an indicator's kind as `show` describes it."""
    return f"{REGISTRY[ind.kind].label}（{ind.kind}）" + (f"，单位：{ind.unit}" if ind.unit else "")


def cell_value(ind: Spec, value: Any) -> Any:
    """A recorded value as a spreadsheet cell: numbers as numbers, 是/否, lists joined."""
    if _misfit_type(ind, value):
        return safe_text(value)  # kept as text in the cell (see store.misfits)
    return REGISTRY[ind.kind].cell(ind, value)


def number_format(ind: Spec) -> str:
    return REGISTRY[ind.kind].number_format


def dropdown(ind: Spec) -> list[str] | None:
    """The values a form offers in a dropdown for this indicator, or None."""
    return REGISTRY[ind.kind].dropdown(ind)


def cell_text(raw: Any) -> str:
    """What a spreadsheet cell says, as typed text for `parse` (3.0 -> '3', True -> '是')."""
    import datetime as dt

    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, int | float) and not number_ok(raw):  # 1E+300 in a cell, as shown
        raise ValueRefused(f"填报值 {raw:.6G} 超出范围（绝对值最大 {MAX_NUMBER_TEXT}）")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        raise ValueRefused(f"填报值是日期（{date_text(raw)}），这一列需要数值或文字")
    return str(raw)


def date_text(v: Any) -> str:
    """A date a spreadsheet cell holds, as people write it: '2021-09-18' (a date, or a time
    of midnight: Excel makes one of '9月18日'), '2021-09-18 10:30' with a time of day."""
    import datetime as dt

    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def misfit_reason(ind: Spec, value: Any) -> str:
    """Why a stored value does not fit this indicator (for the warning that names it)."""
    if not REGISTRY[ind.kind].check(value):
        shown = safe_text(value)[:40]
        return f"值“{shown}”不是{REGISTRY[ind.kind].label}题的值（题型可能已在清单中修改）"
    if isinstance(value, int | float) and not number_ok(value):
        return f"数值超出范围（绝对值最大 {MAX_NUMBER_TEXT}）"
    if ind.options and REGISTRY[ind.kind].has_options:
        return f"“{safe_text(value)[:40]}”不在选项之中（选项可能已修改）"
    return f"{safe_text(value)[:40]} 超出范围（{_within(ind)}）"
