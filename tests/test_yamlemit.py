"""infra/yamlemit.py writes what PyYAML writes (both its emitters), or leaves it to PyYAML."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from evalcheck.infra.yamlemit import emit
from evalcheck.infra.yamlio import dump_yaml, pyyaml_text


class Pure(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


DUMPERS = [Pure]
if hasattr(yaml, "CSafeDumper"):

    class C(yaml.CSafeDumper):  # type: ignore[misc, name-defined]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    DUMPERS.append(C)


def pyyaml(data: Any, dumper: Any) -> str:
    return pyyaml_text(data, dumper)


# characters where quoting, indicators, implicit types and printability are decided
TRICKY = " -?:#,[]{}&*!|>'\"%@`.+_~=<0123456789eExXbyYnNtTfFoOlLuU中文：（）\t\n\r\x85\u2028\ufeff\x7f\xa0\U0001f600"
texts = st.text(alphabet=TRICKY, max_size=12) | st.sampled_from(
    ["yes", "No", "null", "~", "0x1F", "012", "1_000", "1:20", ".5", "-.inf", "2026-01-01",
     "2026-12-07T12:08:15+08:00", "---", "...", "- a", "a: b", "a #b", "<<", "="]
)  # fmt: skip
scalars = (
    texts
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.none()
)
keys = st.integers(min_value=-(10**6), max_value=10**6) | texts
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=20,
).filter(lambda d: isinstance(d, dict | list))


@settings(max_examples=400, deadline=None)
@given(documents)
def test_emit_writes_what_pyyaml_writes_or_nothing(data: Any) -> None:
    ours = emit(data)
    if ours is not None:
        for dumper in DUMPERS:
            assert ours == pyyaml(data, dumper), dumper


@pytest.mark.parametrize("dumper", DUMPERS)
def test_an_answers_file_is_written_without_pyyaml(dumper: Any) -> None:
    """The shapes `answer`, review and evidence write: emit takes them all."""
    state = {"value": 312, "by": "张三", "at": "2026-12-07T20:08:15+08:00", "seq": 2}
    data = {
        "format": 1,
        "checklist": {"title": "中卫市审批服务管理局营商环境测评指标责任清单", "year": 2021},
        "answers": {
            47: {
                **state,
                "note": "见附件：表 1（2026 年）",
                "evidence": [
                    {"file": "证据/批复 1.pdf", "size": 1024, "sha256": "0" * 64},
                    {"url": "https://example.gov.cn/a?b=1#c", "at": "2026-12-07", "by": "李四"},
                    "旧的说明.pdf",
                ],
                "action": "approve",
                "review": "approved",
                "reviewer": "王五",
                "history": [{**state, "value": 95.5, "action": "set"}, {"na": "本地无此业务"}],
            },
            142: {"value": ["选项一", "选项二"], "by": "x", "at": "2026-12-07T20:08:15+08:00"},
            99: {"value": True, "comment": "it's fine", "by": "yes", "at": ""},
        },
    }
    ours = emit(data)
    assert ours is not None
    assert ours == pyyaml(data, dumper)
    assert yaml.safe_load(ours) == data


@pytest.mark.parametrize(
    "data",
    [
        {"note": "第一行\n第二行"},  # a line break: PyYAML chooses the style
        {"note": "表情 \U0001f600"},  # outside the BMP: the emitters differ
        {"note": "x" * 2000},  # PyYAML folds a long line
        {"value": float("nan")},
        [[1, 2]],
        {"k": (1, 2)},
        {("a", "b"): 1},
    ],
)
def test_emit_leaves_what_it_is_unsure_of_to_pyyaml(data: Any) -> None:
    assert emit(data) is None


def test_dump_yaml_still_writes_what_emit_leaves() -> None:
    data = {"note": "第一行\n第二行", "value": float("inf")}
    assert yaml.safe_load(dump_yaml(data)) == data


@pytest.mark.parametrize("dumper", DUMPERS)
@pytest.mark.parametrize("n", [30, 33, 34, 42, 43, 60, 127, 128])
def test_a_long_key_is_written_as_pyyaml_writes_it(dumper: Any, n: int) -> None:
    """libyaml counts a simple key's 128 in UTF-8 bytes, the pure emitter in characters."""
    for key in ("中" * n, "k" * n):
        data = {key: 1}
        ours = emit(data)
        assert ours is None or ours == pyyaml(data, dumper), (key, ours)


def test_a_cycle_or_a_deep_nesting_is_left_to_pyyaml() -> None:
    loop: dict[str, Any] = {}
    loop["x"] = loop
    deep: Any = 1
    for _ in range(5000):
        deep = {"a": deep}
    assert emit(loop) is None
    assert emit(deep) is None
