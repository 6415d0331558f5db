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
# Functions still over the limit after the parallel work of 0.3 was merged (the split of
# each one collided with features added to it at the same time). A ceiling, not an
# allowance to grow: each may only go down, and leaves this table when it is at 20 or
# below; any other function over 20 fails.
NOT_YET_SPLIT = {
    "io/xlsx_forms.py write_forms": 24,
}


def _functions(blocks: Iterable[object]) -> Iterable[Function]:
    for block in blocks:
        if isinstance(block, Function):
            yield block
            yield from _functions(block.closures)


def test_no_function_is_over_the_complexity_limit() -> None:
    over, seen = [], {}
    for path in sorted(SRC.rglob("*.py")):
        for f in _functions(cc_visit(path.read_text(encoding="utf-8"))):
            key = f"{path.relative_to(SRC).as_posix()} {f.fullname}"
            seen[key] = f.complexity
            if f.complexity > NOT_YET_SPLIT.get(key, LIMIT):
                over.append(f"{path.relative_to(SRC)}:{f.lineno} {f.fullname} {f.complexity}")
    assert not over, f"cyclomatic complexity over {LIMIT} (or over its ceiling):\n" + "\n".join(
        over
    )
    done = [k for k, ceiling in NOT_YET_SPLIT.items() if seen.get(k, 0) <= LIMIT]
    assert not done, "split (or gone): remove from NOT_YET_SPLIT: " + ", ".join(done)


def test_the_check_sees_a_complex_function() -> None:
    branches = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(LIMIT + 1))
    (f,) = _functions(cc_visit(f"def f(x):\n{branches}    return -1\n"))
    assert f.complexity == LIMIT + 2
