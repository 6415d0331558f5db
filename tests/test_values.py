"""Answer kinds: accepted and refused inputs, and property tests of the parsers."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.errors import EvalcheckError, ValueRefused
from evalcheck.model import kinds as values
from evalcheck.model.checklist import Indicator, Option


def ind(kind: str, **kw) -> Indicator:
    base = dict(id=1, category="甲", text="?", due=date(2021, 9, 15))
    if kind == "count":
        kw.setdefault("low", 0)
        kw.setdefault("unit", "个")
    if kind == "percent":
        kw.setdefault("low", 0)
        kw.setdefault("high", 100)
    return Indicator(role="lead", kind=kind, **base, **kw)


COUNT = ind("count")
PERCENT = ind("percent")
GROWTH = ind("percent", low=-100, high=None)
YESNO = ind("yesno")
OPTS = (
    Option("甲方式"),
    Option("乙方式"),
    Option("丙方式"),
    Option("以上均未实现", exclusive=True),
)
CHOICE = ind("choice", options=OPTS[:3])
MULTI = ind("multi", options=OPTS)
FREE_MULTI = ind("multi")
TEXT = ind("text")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("312", 312), ("３１２", 312), ("312个", 312), (" 312 ", 312), ("0", 0), ("1,234", 1234),
     ("312 个", 312), ("+5", 5)],
)  # fmt: skip
def test_count_accepts(raw: str, expected: int) -> None:
    assert values.parse(COUNT, raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [("-3", "不能为负数"), ("3.5", "不能有小数"), ("abc", "不小于 0 的整数"),
     ("", "不小于 0 的整数"), ("1,2", "不小于 0 的整数"), ("三百", "不小于 0 的整数"),
     ("3 12", "不小于 0 的整数")],
)  # fmt: skip
def test_count_refuses(raw: str, why: str) -> None:
    with pytest.raises(ValueRefused) as exc:
        values.parse(COUNT, raw)
    assert why in exc.value.message
    assert "第1项（数量）" in exc.value.message and "例如：312" in exc.value.message


ITEMS = ind("count", unit="项")
DAYS = ind("number", unit="工作日", low=0)


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [(ITEMS, "300项", 300), (ITEMS, "３００ 项", 300), (ITEMS, "300个", 300),
     (ITEMS, "１２个", 12), (ind("count", unit="人"), "12个人", 12), (DAYS, "2.5工作日", 2.5),
     (DAYS, "3个工作日", 3), (ind("count", unit=None), "5人", 5)],
)  # fmt: skip
def test_a_unit_written_is_the_indicators_own_or_the_classifier_ge(spec, raw, expected) -> None:
    assert values.parse(spec, raw) == expected


@pytest.mark.parametrize(
    ("spec", "raw", "why"),
    [(ITEMS, "300人", "本项的单位是“项”，填写的是“人”（请填以“项”计的数；单位可不写，也可写“项”或“个”）"),
     (ITEMS, "１２次", "本项的单位是“项”，填写的是“次”"),
     (ITEMS, "300人次", "本项的单位是“项”，填写的是“人次”"),
     (COUNT, "312 项", "本项的单位是“个”，填写的是“项”（请填以“个”计的数；单位可不写，也可写“个”）"),
     (DAYS, "3天", "本项的单位是“工作日”，填写的是“天”（请填以“工作日”计的数；单位可不写，也可写“工作日”）"),
     (DAYS, "3个", "本项的单位是“工作日”，填写的是“个”"),
     (ITEMS, "5万次", "请写出完整的数字，不要用“万”（如 5万 写作 50000）"),
     (ITEMS, "5万", "请写出完整的数字，不要用“万”")],
)  # fmt: skip
def test_another_unit_is_refused_naming_the_indicators_unit(spec, raw, why) -> None:
    with pytest.raises(ValueRefused) as exc:
        values.parse(spec, raw)
    assert f"不接受“{raw}”：{why}" in exc.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("95", 95),
        ("95%", 95),
        ("９５％", 95),
        ("87.5", 87.5),
        ("0", 0),
        ("100", 100),
        ("99.9 %", 99.9),
    ],
)
def test_percent_accepts(raw: str, expected: float) -> None:
    assert values.parse(PERCENT, raw) == expected


@pytest.mark.parametrize(
    ("raw", "why"),
    [("150", "应在 0 到 100 之间"), ("-1", "应在 0 到 100 之间"), ("百分之九十", "应为数字"),
     ("", "应为数字"), ("9 5", "应为数字")],
)  # fmt: skip
def test_percent_refuses(raw: str, why: str) -> None:
    with pytest.raises(ValueRefused) as exc:
        values.parse(PERCENT, raw)
    assert why in exc.value.message


def test_growth_rate_may_exceed_100_or_be_negative() -> None:
    assert values.parse(GROWTH, "150") == 150
    assert values.parse(GROWTH, "-20%") == -20
    with pytest.raises(ValueRefused):
        values.parse(GROWTH, "-120")


@pytest.mark.parametrize("raw", ["是", "yes", "Y", "TRUE", "1", "ｙｅｓ"])
def test_yes(raw: str) -> None:
    assert values.parse(YESNO, raw) is True


@pytest.mark.parametrize("raw", ["否", "no", "n", "False", "0"])
def test_no(raw: str) -> None:
    assert values.parse(YESNO, raw) is False


@pytest.mark.parametrize("raw", ["maybe", "", "是否", "2"])
def test_yesno_refuses(raw: str) -> None:
    with pytest.raises(ValueRefused, match="应为 是 或 否"):
        values.parse(YESNO, raw)


def test_choice_by_number_or_text() -> None:
    assert values.parse(CHOICE, "2") == "乙方式"
    assert values.parse(CHOICE, "丙方式") == "丙方式"
    with pytest.raises(ValueRefused, match="单选题只能选一项"):
        values.parse(CHOICE, "1、2")
    with pytest.raises(ValueRefused, match="不是选项之一"):
        values.parse(CHOICE, "丁方式")
    with pytest.raises(ValueRefused, match="没有第 4 个选项"):
        values.parse(CHOICE, "4")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1,2", ["甲方式", "乙方式"]), ("2、1", ["甲方式", "乙方式"]), ("3；1", ["甲方式", "丙方式"]),
     (["1", "乙方式"], ["甲方式", "乙方式"]), ("1，1", ["甲方式"]), ("4", ["以上均未实现"])],
)  # fmt: skip
def test_multi_accepts(raw, expected: list[str]) -> None:
    assert values.parse(MULTI, raw) == expected


def test_multi_refuses_unknown_and_exclusive() -> None:
    with pytest.raises(ValueRefused, match="“戊”不是选项之一"):
        values.parse(MULTI, "1、戊")
    with pytest.raises(ValueRefused, match="“以上均未实现”不能与其他选项同时选择"):
        values.parse(MULTI, "1,4")


def test_multi_without_options_takes_free_items() -> None:
    assert values.parse(FREE_MULTI, "政府网站、政务服务平台") == ["政府网站", "政务服务平台"]
    with pytest.raises(ValueRefused, match="至少要有一项"):
        values.parse(FREE_MULTI, " 、 ")


def test_text() -> None:
    assert values.parse(TEXT, "  =1+1 ") == "=1+1"
    with pytest.raises(ValueRefused, match="内容不能为空"):
        values.parse(TEXT, "   ")


def test_formatting() -> None:
    assert values.format_value(COUNT, 312) == "312 个"
    assert values.format_value(PERCENT, 87.5) == "87.5%"
    assert values.format_value(PERCENT, 95) == "95%"
    assert values.format_value(YESNO, False) == "否"
    assert values.format_value(MULTI, ["甲方式", "乙方式"]) == "甲方式、乙方式"


# ---------------------------------------------------------------- properties

KINDS = [COUNT, PERCENT, GROWTH, YESNO, CHOICE, MULTI, FREE_MULTI, TEXT]


@settings(max_examples=300)
@given(st.sampled_from(KINDS), st.text(max_size=30))
def test_no_input_raises_anything_but_our_error(indicator: Indicator, raw: str) -> None:
    with contextlib.suppress(EvalcheckError):
        values.parse(indicator, raw)


@settings(max_examples=300)
@given(st.sampled_from(KINDS), st.text(max_size=30))
def test_every_accepted_value_formats_and_parses_back(indicator: Indicator, raw: str) -> None:
    try:
        v = values.parse(indicator, raw)
    except ValueRefused:
        return
    assert values.parse(indicator, values.format_value(indicator, v)) == v
    assert values.value_fits(indicator, v)


@given(st.integers(min_value=0, max_value=10**12))
def test_count_round_trip(n: int) -> None:
    assert values.parse(COUNT, values.format_value(COUNT, n)) == n


@given(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False))
def test_percent_round_trip(d) -> None:
    v = values.parse(PERCENT, str(d))
    assert values.parse(PERCENT, values.format_value(PERCENT, v)) == v
