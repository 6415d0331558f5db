"""YAML reading and writing: safe loading only (C loader when available), readable output."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from evalcheck.errors import DataError

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

    def not_plain(loader: Any, node: Any) -> Any:
        # !!binary, !!set, !!omap, !!pairs: safe, but not plain data; written back they
        # would become Python text (b'hello', {'a': None}) or lose their order
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"不允许的 YAML 标签 !!{node.tag.rsplit(':', 1)[-1]}（只接受普通数据）",
            node.start_mark,
        )

    for tag in ("binary", "set", "omap", "pairs"):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", not_plain)
    INT, MERGE = "tag:yaml.org,2002:int", "tag:yaml.org,2002:merge"

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
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE:
                    continue
                # keys compared as text with their type; integers by value (47 == 0x2f)
                tag, text = key_node.tag, key_node.value
                key: Any = (tag, text)
                if tag == INT:  # a plain decimal (ids, seq) at C speed; 0x2f, 047, 1_000 by YAML
                    plain = text.isascii() and text.isdecimal() and text[0] != "0"
                    key = (INT, int(text) if plain else integer(self, key_node))
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"键 {key_node.value} 重复（第{seen[key].start_mark.line + 1}行已有），"
                        "同一键只能写一次",
                        key_node.start_mark,
                    )
                seen[key] = key_node
        return base.construct_mapping(self, node, deep)

    Loader.construct_object = construct_object
    Loader.construct_mapping = construct_mapping
    Loader.without_aliases = type(  # for a text with no "*": no alias can be in it
        "UnaliasedLoader", (Loader,), {"construct_object": base.construct_object}
    )

    class Dumper(dumper):  # type: ignore[misc, valid-type]
        """Never writes anchors: what we write must load back under the rule above."""

        def ignore_aliases(self, data: Any) -> bool:
            return True

    if dumper is yaml.SafeDumper:  # the pure emitter (no libyaml)

        def text(self: Any, data: str) -> Any:
            # it writes NEL and the Unicode line/paragraph separators raw in plain and
            # single-quoted text, where reading folds them into spaces: quote them instead
            if any(ch in data for ch in "\x85\u2028\u2029"):
                return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')
            return yaml.SafeDumper.represent_str(self, data)

        Dumper.add_representer(str, text)

    return yaml, Loader, Dumper


# Without libyaml (no C wheel for the CPU, e.g. LoongArch) PyYAML's pure loader is ~5x
# slower (≈ 0.2 MB/s here) and holds many more objects per node: cap what it is given, so
# that a huge file fails at once with a reason instead of running for minutes.
PURE_LOADER_MAX_BYTES = 16 * 1024 * 1024  # a checklist of 10,000 indicators is 2.7 MB


def c_loader() -> bool:
    """Whether PyYAML's C loader (libyaml) is in use."""
    yaml, _, _ = _yaml()
    return hasattr(yaml, "CSafeLoader")


def _guard_pure(text: str, name: str) -> None:
    if len(text) * 3 <= PURE_LOADER_MAX_BYTES or c_loader():
        return
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > PURE_LOADER_MAX_BYTES:
        from evalcheck.infra.optional import how_to_get

        raise DataError(
            f"{name} 有 {size / 1024 / 1024:.0f} MB：本机没有 PyYAML 的 C 加载器，纯 Python 解析"
            f"最多读取 {PURE_LOADER_MAX_BYTES // 1024 // 1024} MB（否则需要几分钟和大量内存）。"
            + how_to_get("yaml-c")
        )


MAX_DEPTH = 32  # levels of nesting; our files use under 10 (answers → id → history → …)


def too_deep(data: Any, limit: int = MAX_DEPTH) -> list[str] | None:
    """The path (keys and list positions) to where `data` nests deeper than `limit`, or
    None. Iterative: a structure a few thousand levels deep must not raise RecursionError
    here, nor later in whoever walks, prints or caches it."""
    stack: list[tuple[Any, int, list[str]]] = [(data, 0, [])]
    while stack:
        node, depth, where = stack.pop()
        if isinstance(node, dict | list):
            if depth >= limit:
                return where
            items = node.items() if isinstance(node, dict) else enumerate(node)
            for key, child in items:
                if isinstance(child, dict | list):
                    label = f"[{key + 1}]" if isinstance(node, list) else str(key)[:20]
                    stack.append((child, depth + 1, [*where, label] if depth < 6 else where))
    return None


def load_yaml_text(text: str, name: str) -> Any:
    """Parse YAML safely; a syntax error or an unsafe tag names the file, line and column.
    Nesting deeper than MAX_DEPTH is refused (naming where it starts)."""
    yaml, loader, _ = _yaml()
    _guard_pure(text, name)
    if "*" not in text:  # an alias is written *name: without one, no node is met twice
        loader = loader.without_aliases
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{name} 第{mark.line + 1}行第{mark.column + 1}列" if mark else name
        problem = yaml_problem(exc.problem or "", exc.context or "")
        raise DataError(f"{where}：YAML 格式错误：{problem}") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{name}：YAML 格式错误：{yaml_problem(str(exc))}") from None
    except RecursionError:
        raise DataError(f"{name}：YAML 嵌套过深，无法读取") from None
    # a MemoryError goes on up: the file is within its size limit and has no aliases
    # (refused), so it is the machine that is short of memory, not the file that is wrong
    deep = too_deep(data)
    if deep is not None:
        at = f"（在 {' → '.join(deep)} 处）" if deep else ""
        raise DataError(f"{name}：YAML 嵌套超过 {MAX_DEPTH} 层{at}，不是本工具的文件结构")
    return data


# The parser's messages (libyaml's and PyYAML's wording), most specific first.
_YAML_PROBLEMS = (
    (r"exceeded maximum nesting depth", "嵌套过深（本工具的文件不超过 32 层）"),
    (r"could not determine a constructor for the tag '?([^'\s]*)",
     "不允许的 YAML 标签 {0}（只接受普通数据）"),
    # PyYAML's pure loader (no libyaml) words a few problems differently
    (r"found character '\\t' that cannot start any token", "不能用 Tab 缩进，请改用空格"),
    (r"expected <block end>, but found '<block mapping start>'", "缩进不对齐，或缺少字段名"),
    (r"expected <block end>, but found '\?'", "列表项应以“- ”开头（检查缩进）"),
    (r"found character '?(.*?)'? that cannot start any token",
     "这里不能出现字符 {0}（文字中有特殊字符时请加引号）"),
    (r"found character that cannot start any token",
     "这里不能出现这个字符（文字中有特殊字符时请加引号）"),
    (r"found a tab character", "不能用 Tab 缩进，请改用空格"),
    (r"mapping values are not allowed", "这里不能出现“: ”（文字中有冒号时请加引号）"),
    (r"block sequence entries are not allowed", "这里不能开始“- ”列表项（检查缩进）"),
    (r"could not find expected ':'", "缺少“:”（字段名后应有冒号和空格）"),
    (r"did not find expected key", "缩进不对齐，或缺少字段名"),
    (r"did not find expected '-' indicator", "列表项应以“- ”开头（检查缩进）"),
    (r"did not find expected node content", "缺少内容（检查这一行的缩进和标点）"),
    (r"did not find expected ',' or '\]'", "方括号列表 [...] 没有正确结束"),
    (r"did not find expected ',' or '\}'", "花括号 {{...}} 没有正确结束"),
    (r"expected ',' or '\]'", "方括号列表 [...] 没有正确结束"),
    (r"expected ',' or '\}'", "花括号 {{...}} 没有正确结束"),
    (r"found unexpected end of stream", "文件在引号或括号结束之前就结束了"),
    (r"found unexpected ':'", "这里不能出现“:”（文字中有冒号时请加引号）"),
    (r"found unknown escape character", "双引号中有无法识别的转义符“\\”（改用单引号）"),
    (r"found undefined alias", "引用了未定义的锚点（*名称）"),
    (r"found duplicate anchor", "锚点（&名称）重复"),
    (r"expected a single document|found another document",
     "文件中只能有一个文档（不能有第二个“---”）"),
    (r"expected <block end>, but found", "缩进不对齐"),
    (r"expected (?:<document start>|'<document start>')", "文件结构不对（检查第一层的缩进）"),
    (r"(?:control|special) characters are not allowed", "文件中有不可见的控制字符"),
    (r"unacceptable character", "文件中有不可见的控制字符"),
    (r"found unexpected document", "文件结构不对（多余的“---”或“...”）"),
    (r"while scanning a quoted scalar", "引号没有配对"),
    (r"while scanning a simple key", "缺少“:”（字段名后应有冒号和空格）"),
    (r"while parsing a (?:block|flow) (?:mapping|sequence|collection)", "缩进或括号不匹配"),
)  # fmt: skip


def yaml_problem(*texts: str) -> str:
    """The YAML parser's English problem (then its context) in Chinese."""

    for text in texts:
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):  # our own message (duplicate key …)
            return text
        for pattern, chinese in _YAML_PROBLEMS:
            m = re.search(pattern, text)
            if m:
                return chinese.format(*m.groups())
    return "无法解析（检查这一行的缩进、引号和括号）"


def dump_yaml(data: Any) -> str:
    """Block-style YAML with Chinese written as Chinese, keys in the given order.

    PyYAML's text, written without importing PyYAML where yamlemit.py can (an answer's
    write, most often); PyYAML writes the rest.
    """
    from evalcheck.infra.yamlemit import emit

    text = emit(data)
    return text if text is not None else pyyaml_text(data)


def pyyaml_text(data: Any, dumper: Any = None) -> str:
    """What PyYAML writes for `data`: with `dumper`, else the tool's (libyaml's emitter
    where present). yamlemit.py writes the same text without PyYAML."""
    yaml, _, ours = _yaml()
    return str(
        yaml.dump(
            data,
            Dumper=dumper or ours,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=1000,
        )
    )


def load_yaml_file(path: Path, raw: bytes, proof: Callable[[Any], bool] | None = None) -> Any:
    """Parse a file's bytes (already read), through the parse cache (`proof`: see
    cache.parse_cached)."""
    from evalcheck.infra.cache import parse_cached

    return parse_cached(path, raw, lambda text: load_yaml_text(text, str(path)), proof=proof)
