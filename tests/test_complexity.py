"""No function in src/evalcheck is over cyclomatic complexity 20 (radon's measure, as
`radon cc -s -n D src/evalcheck` reports it). Split a function that grows past it into
well-named helpers or a table instead of raising the limit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Function

SRC = Path(__file__).resolve().parents[1] / "src" / "evalcheck"
LIMIT = 20


def _functions(blocks: Iterable[object]) -> Iterable[Function]:
    for block in blocks:
        if isinstance(block, Function):
            yield block
            yield from _functions(block.closures)


def test_no_function_is_over_the_complexity_limit() -> None:
    over = []
    for path in sorted(SRC.rglob("*.py")):
        for f in _functions(cc_visit(path.read_text(encoding="utf-8"))):
            if f.complexity > LIMIT:
                over.append(f"{path.relative_to(SRC)}:{f.lineno} {f.fullname} {f.complexity}")
    assert not over, f"cyclomatic complexity over {LIMIT}:\n" + "\n".join(over)


def test_the_check_sees_a_complex_function() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(LIMIT + 1))
    (f,) = _functions(cc_visit(f"def f(x):\n{branches}    return -1\n"))
    assert f.complexity == LIMIT + 2
    method = "".join(f"        if x == {i}:\n            return {i}\n" for i in range(LIMIT + 1))
    (m,) = _functions(cc_visit(f"class C:\n    def m(self, x):\n{method}        return -1\n"))
    assert m.complexity == LIMIT + 2 and m.fullname == "C.m"
