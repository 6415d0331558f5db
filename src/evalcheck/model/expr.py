"""Safe arithmetic expressions over indicator values, for rules and derived values.

`q120 / q119 * 100`, `q15 <= q14`, `q5 + q6 <= q4`: numbers, `qN` (the value of
indicator N), + - * /, parentheses, comparisons and `and`/`or`. The expression is
parsed with `ast` and walked over a whitelist of node types; it is never `eval`-ed.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

_REF = re.compile(r"^q([0-9]+)$")
MAX_LENGTH = 2000  # characters; the longest real formula is ~40
MAX_DEPTH = 50  # nesting of parentheses and operators
MAX_CONSTANT = 10**15  # as values.MAX_NUMBER (not imported: expr stays independent)


class ExprError(ValueError):
    """The expression is not in the allowed language."""


class NotComputable(Exception):
    """An input is missing, or a division by zero."""

    def __init__(self, reason: str, missing: tuple[int, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


_BINOPS: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


@lru_cache(maxsize=512)
def _parse(source: str) -> ast.expr:
    if len(source) > MAX_LENGTH:
        raise ExprError(f"表达式过长（{len(source)} 个字符，最多 {MAX_LENGTH}）")
    depth = max_depth = 0
    for ch in source:  # before ast.parse, which recurses in C on nesting
        depth += ch == "("
        depth -= ch == ")"
        max_depth = max(max_depth, depth)
    if max_depth > MAX_DEPTH:
        raise ExprError(f"括号嵌套过深（最多 {MAX_DEPTH} 层）")
    for ch in source:  # ast.parse NFKC-folds names: q① would silently mean q1
        if not ch.isascii() and (
            ch.isdigit() or any(c.isdigit() for c in unicodedata.normalize("NFKC", ch))
        ):
            raise ExprError(f"“{ch}”不是 0–9 的数字：题号和常数请用 0–9 书写")
    if re.search(r"\d{30}", source):
        raise ExprError("数字常量超出范围（绝对值最大 10^15）")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"语法错误（{exc.msg}）") from None
    except (ValueError, RecursionError, MemoryError):  # e.g. an integer over the digit limit
        raise ExprError("表达式无法解析（数字过长或嵌套过深）") from None
    _check(tree.body)
    return tree.body


def _check(node: ast.AST, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ExprError(f"表达式嵌套过深（最多 {MAX_DEPTH} 层）")
    depth += 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExprError(f"只能使用数字常量，不能用 {node.value!r}")
        if not math.isfinite(node.value) or abs(node.value) > MAX_CONSTANT:
            raise ExprError("数字常量超出范围（绝对值最大 10^15）")
    elif isinstance(node, ast.Name):
        if not _REF.match(node.id):
            raise ExprError(f"未知名称“{node.id}”（指标写作 q题号，例如 q120）")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINOPS:
            raise ExprError("只支持 + - * /")
        _check(node.left, depth)
        _check(node.right, depth)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExprError("只支持正负号")
        _check(node.operand, depth)
    elif isinstance(node, ast.Compare):
        if not all(type(op) in _CMPOPS for op in node.ops):
            raise ExprError("只支持 < <= > >= == !=")
        _check(node.left, depth)
        for comp in node.comparators:
            _check(comp, depth)
    elif isinstance(node, ast.BoolOp):
        for v in node.values:
            _check(v, depth)
    else:
        raise ExprError(f"不支持的写法：{type(node).__name__}")


def references(source: str) -> list[int]:
    """Indicator ids used, in order of first use. Raises ExprError if invalid."""
    out: list[int] = []
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Name):
            m = _REF.match(node.id)
            if m and int(m.group(1)) not in out:
                out.append(int(m.group(1)))
    return out


def is_condition(source: str) -> bool:
    return isinstance(_parse(source), ast.Compare | ast.BoolOp)


def evaluate(source: str, values: Mapping[int, float]) -> float | bool:
    """Evaluate with the given indicator values; NotComputable if one is missing or /0."""
    tree = _parse(source)
    missing = tuple(r for r in references(source) if r not in values)
    if missing:
        raise NotComputable("缺少" + "、".join(f"第{m}项" for m in missing), missing)
    result = _eval(tree, values)
    if not isinstance(result, bool) and not abs(result) <= MAX_CONSTANT:
        raise NotComputable("结果超出范围（绝对值最大 10^15）")
    return result


def _eval(node: ast.expr, values: Mapping[int, float]) -> float | bool:
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, int | float)  # guaranteed by _check
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values[int(node.id[1:])])
    if isinstance(node, ast.UnaryOp):
        v = float(_eval(node.operand, values))
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        left = float(_eval(node.left, values))
        right = float(_eval(node.right, values))
        if isinstance(node.op, ast.Div) and right == 0:
            raise NotComputable("除数为 0")
        result = _BINOPS[type(node.op)](left, right)
        if not math.isfinite(result):
            raise NotComputable("结果超出范围")
        return result
    if isinstance(node, ast.Compare):
        left = float(_eval(node.left, values))
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = float(_eval(comp, values))
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        results = [bool(_eval(v, values)) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    raise ExprError(type(node).__name__)  # pragma: no cover - rejected by _check


def describe(source: str) -> str:
    """'q132 <= q131' -> '第132项 ≤ 第131项' for messages."""
    text = re.sub(r"\bq(\d+)\b", r"第\1项", source)
    return text.replace("<=", "≤").replace(">=", "≥").replace("!=", "≠")
