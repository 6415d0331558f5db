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

    def integer(loader: Any, node: Any) -> Any:
        # an integer over Python's digit limit (4300) makes int() raise ValueError;
        # keep the text, so that the field is refused by whoever reads it, with its name
        try:
            return yaml.SafeLoader.construct_yaml_int(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:int", integer)

    def construct_object(self: Any, node: Any, deep: bool = False) -> Any:
        # A node met twice is an alias (*name): refused, so that a few hundred bytes
        # cannot expand into gigabytes (the "billion laughs") in whoever walks the data.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "不允许使用 YAML 锚点和别名（& 和 *），请写出完整内容", node.start_mark
            )
        return base.construct_object(self, node, deep)

    def construct_mapping(self: Any, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True) if _scalar(key_node) else None
                if key is None or isinstance(key, list | dict):
                    continue
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"键 {key} 重复（第{seen[key].start_mark.line + 1}行已有），"
                        "同一键只能写一次",
                        key_node.start_mark,
                    )
                seen[key] = key_node
                # constructed again below by PyYAML: forget it, it is not an alias
                self.constructed_objects.pop(key_node, None)
        return base.construct_mapping(self, node, deep)

    def _scalar(n: Any) -> bool:
        return isinstance(n, yaml.ScalarNode)

    Loader.construct_object = construct_object
    Loader.construct_mapping = construct_mapping

    class Dumper(dumper):  # type: ignore[misc, valid-type]
        """Never writes anchors: what we write must load back under the rule above."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml, Loader, Dumper


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
    except (RecursionError, MemoryError):
        raise DataError(f"{name}：YAML 嵌套过深或内容过大，无法读取") from None


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
