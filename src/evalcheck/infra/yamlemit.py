"""PyYAML's block-style output for plain data, written without importing PyYAML.

Writing an answer needs YAML out but no YAML in (the answers are read through the parse
cache), and `import yaml` is ≈ 11 ms of a writing command's time. `emit` writes the text
`yamlio.dump_yaml` (PyYAML, allow_unicode, sort_keys=False, block style, width 1000) would
write, for the shapes the tool's files have: mappings with integer or text keys,
sequences, text, integers, floats, true/false and null. Where it cannot be sure to write
PyYAML's exact text it returns None, and PyYAML writes the whole document: text with a
line break, a tab or a character outside the Basic Multilingual Plane, a line that PyYAML
would fold, a long key, a sequence inside a sequence, any other type.

The rules below are PyYAML's (emitter.py `analyze_scalar` / `choose_scalar_style`,
resolver.py's implicit resolvers, representer.py `represent_float`), narrowed to the
characters where its pure and C (libyaml) emitters agree; tests/test_yamlemit.py compares
both emitters' output with this one on generated data.
"""

from __future__ import annotations

import re
from typing import Any

# PyYAML's implicit resolvers (resolver.py), by first character: a text that one of them
# matches would read back as something else, so PyYAML quotes it.
_RESOLVERS = [
    re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
        |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    re.compile(
        r"""^(?:[-+]?0b[0-1_]+
        |[-+]?0[0-7_]+
        |[-+]?(?:0|[1-9][0-9_]*)
        |[-+]?0x[0-9a-fA-F_]+
        |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        re.X,
    ),
    re.compile(r"^(?:<<|~|null|Null|NULL|=|!|&|\*)$"),
    re.compile(
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        re.X,
    ),
]
_RESOLVED_FIRST = set("yYnNtTfFoO-+0123456789.<~=!&*")
# Printable for both emitters with allow_unicode, and no line break or tab: U+0020–U+007E,
# U+00A0–U+D7FF and U+E000–U+FFFD without U+FEFF, U+2028, U+2029; anything else is unsure
# (listed as what is left out: a class of what is allowed takes ms to compile).
_UNSURE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]"
)
_INDICATOR_FIRST = set("#,[]{}&*!|>'\"%@`")
_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?$")
MAX_LINE = 900  # PyYAML folds a line past width 1000 at a space; stay clear of it
MAX_KEY = 100  # UTF-8 bytes: libyaml writes a key of 128 bytes or more as "? key"


class _Unsure(Exception):
    """PyYAML writes this document, not emit."""


def emit(data: Any) -> str | None:
    """PyYAML's text for `data` (a mapping or sequence), or None where PyYAML must write it."""
    lines: list[str] = []
    try:
        if isinstance(data, dict) and data:
            _mapping(data, 0, lines)
        elif isinstance(data, list) and data:
            _sequence(data, 0, lines)
        else:
            return None
    except (_Unsure, RecursionError):  # nested past the interpreter's limit, or a cycle
        return None
    return "\n".join(lines) + "\n"


def _mapping(node: dict[Any, Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key, value in node.items():
        head = f"{pad}{_key(key)}:"
        if isinstance(value, dict):
            if value:
                lines.append(head)
                _mapping(value, indent + 2, lines)
            else:
                lines.append(head + " {}")
        elif isinstance(value, list):
            if value:
                lines.append(head)
                _sequence(value, indent, lines)  # PyYAML does not indent a mapping's sequence
            else:
                lines.append(head + " []")
        else:
            _line(lines, f"{head} {_scalar(value)}")


def _sequence(node: list[Any], indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in node:
        if isinstance(item, dict) and item:
            first = len(lines)
            _mapping(item, indent + 2, lines)
            lines[first] = f"{pad}- {lines[first][indent + 2 :]}"
        elif isinstance(item, dict):
            lines.append(f"{pad}- {{}}")
        elif isinstance(item, list):
            if item:
                raise _Unsure  # "- - a": not a shape the tool writes
            lines.append(f"{pad}- []")
        else:
            _line(lines, f"{pad}- {_scalar(item)}")


def _line(lines: list[str], line: str) -> None:
    if len(line) > MAX_LINE:
        raise _Unsure
    lines.append(line)


def _key(key: Any) -> str:
    if isinstance(key, str):
        if not key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY:
            raise _Unsure
        return _text(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise _Unsure


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # over Python's 4,300 digits
            raise _Unsure from None
    if isinstance(value, float):
        text = repr(value).lower()
        if "." not in text and "e" in text:
            text = text.replace("e", ".0e", 1)
        if not _FLOAT.match(text):  # nan, inf
            raise _Unsure
        return text
    if isinstance(value, str):
        return _text(value)
    raise _Unsure


def _text(text: str) -> str:
    """Plain where PyYAML writes it plain, else single-quoted (as PyYAML does)."""
    if not text:
        return "''"
    if _UNSURE.search(text):
        raise _Unsure
    if _plain(text) and not (text[0] in _RESOLVED_FIRST and _resolves(text)):
        return text
    return "'" + text.replace("'", "''") + "'"


def _resolves(text: str) -> bool:
    return any(r.match(text) for r in _RESOLVERS)


def _plain(text: str) -> bool:
    """PyYAML's allow_block_plain for a one-line text of printable characters."""
    first = text[0]
    if first == " " or text[-1] == " " or first in _INDICATOR_FIRST:
        return False
    if text.startswith(("---", "...")):
        return False
    if first in "?:-" and (len(text) == 1 or text[1] == " "):
        return False
    return not (": " in text or " #" in text or text.endswith(":"))
