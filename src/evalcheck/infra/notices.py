"""Warnings the core raises while it goes on (sync folder, conflict copies, long paths).

The core calls `warn(text)`; the CLI decides where the text goes (stderr, "注意：…").
Without a sink (a library caller), notices are kept in `pending` for the caller to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_sink: Callable[[str], None] | None = None
pending: list[str] = []
_said: set[str] = set()  # a notice is said once, however often the core meets its cause


def set_sink(sink: Callable[[str], None] | None) -> None:
    """Where notices go from now on (the CLI sets it as each command starts: what a
    command says once, the next may say again)."""
    global _sink
    _sink = sink
    _said.clear()


def warn(text: str) -> None:
    if text in _said:
        return
    _said.add(text)
    if _sink is None:
        pending.append(text)
    else:
        _sink(text)


@contextmanager
def kept() -> Iterator[list[str]]:
    """Notices of the block kept in the list it gives instead of said (and not counted as
    said): for a caller that says them later, in its own order, with `warn` (the pieces of
    work infra/forked.py shares out, said in the order one process would say them)."""
    global _sink
    saved_sink, saved_said = _sink, set(_said)
    got: list[str] = []
    _sink = got.append
    _said.clear()
    try:
        yield got
    finally:
        _sink = saved_sink
        _said.clear()
        _said.update(saved_said)
