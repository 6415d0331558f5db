"""YAML reading and writing: safe loading only (C loader when available), readable output."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import DataError

_Base: Any
_Dumper: Any
try:  # libyaml is ~4x faster on a large checklist
    _Base = yaml.CSafeLoader
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader
    _Dumper = yaml.SafeDumper


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader, except that an impossible date (2021-13-40) stays a string.

    PyYAML raises a bare ValueError there; keeping the text lets validation name the
    indicator and field instead.
    """


def _timestamp(loader: Any, node: Any) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML safely; a syntax error or an unsafe tag names the file, line and column."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name} 第{mark.line + 1}行第{mark.column + 1}列" if mark else name
        problem = exc.problem or exc.context or "格式错误"
        if "constructor" in problem and "tag" in problem:
            problem = f"不允许的 YAML 标签（只接受普通数据）：{problem}"
        raise DataError(f"{where}：YAML 格式错误：{problem}") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{name}：YAML 格式错误：{exc}") from None


def dump_yaml(data: Any) -> str:
    """Block-style YAML with Chinese written as Chinese, keys in the given order."""
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1000,
    )
