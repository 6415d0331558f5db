"""Helpers for the hostile-input tests (issue 25): the installed program as a process, and
what every refusal must look like."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest

BIN = Path(sys.executable).parent / ("evalcheck.exe" if os.name == "nt" else "evalcheck")
# the steps most of these tests start from (with the `prepared` fixture of conftest.py)
ANSWER_47 = ("answer", "47", "--value", "312", "--by", "张三")
FORMS = ("export", "--split", "forms")


@contextmanager
def held_lock(path: Path) -> Iterator[None]:
    """Someone else holding the answers file's lock: taken with zc.lockfile itself (the
    library evalcheck's own lock uses), in this process, released after the body."""
    import zc.lockfile  # type: ignore[import-untyped]

    lock = zc.lockfile.SimpleLockFile(str(path))
    try:
        yield
    finally:
        lock.close()


def slow_after(keep: int, values: Iterable[Any], *, unpack: bool = False) -> list[Any]:
    """Parametrize values of which the first `keep` run in every run and the rest are marked
    slow: each variant starts the installed program again (~0.3 s a process), so the fast
    run (`-m "not slow"`) tries each test with its first variants and CI tries them all.
    `unpack`: each value is a tuple of several arguments."""
    return [
        v if n < keep else pytest.param(*(v if unpack else (v,)), marks=pytest.mark.slow)
        for n, v in enumerate(values)
    ]


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed console script in `cwd` (the tests' EVALCHECK_* settings apply)."""
    return subprocess.run(
        [str(BIN), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "COLUMNS": "100", **env},
        check=False,
    )


def refused(done: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """A refusal: the exit code, one Chinese 错误 line naming `words`, no traceback."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    assert "错误：" in done.stderr, done.stderr
    for w in words:
        assert w in done.stderr, (w, done.stderr)
    return done.stderr


def fill(path: Path, cells: dict[int, dict[str, object]], sheet: str = "测评指标") -> None:
    """Type into a form's cells by 题号 and header, as a person does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = next(r for r in range(1, 9) if any(c.value == "题号" for c in ws[r]))
    col = {c.value: c.column for c in ws[header]}
    for r in range(header + 1, ws.max_row + 1):
        ident = ws.cell(r, col["题号"]).value
        for name, value in cells.get(ident, {}).items():  # type: ignore[call-overload]
            cell = ws.cell(r, col[name])
            if isinstance(value, tuple):  # (value, number format)
                cell.value, cell.number_format = value
            else:
                cell.value = value
    wb.save(path)
