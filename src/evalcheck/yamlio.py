"""YAML reading and writing: safe loading only (C loader when available), readable output."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .errors import DataError

# PyYAML is imported on first use: with the parse cache (cache.py) a read-only
# command usually never needs it.


@cache
def _yaml() -> tuple[Any, Any, Any]:
    """(yaml module, safe loader class, safe dumper class), C versions when available."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~4x faster
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Loader(base):  # type: ignore[misc, valid-type]
        """The safe loader, except that an impossible date (2021-13-40) stays a string.

        PyYAML raises a bare ValueError there; keeping the text lets validation name
        the indicator and field instead.
        """

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return yaml, Loader, dumper


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML safely; a syntax error or an unsafe tag names the file, line and column."""
    yaml, loader, _ = _yaml()
    try:
        return yaml.load(text, Loader=loader)
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
    yaml, _, dumper = _yaml()
    return str(
        yaml.dump(
            data,
            Dumper=dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=1000,
        )
    )


def load_yaml_file(path: Path, raw: bytes) -> Any:
    """Parse a file's bytes (already read), through the parse cache."""
    from .cache import parse_cached

    return parse_cached(path, raw, lambda text: load_yaml_text(text, str(path)))
