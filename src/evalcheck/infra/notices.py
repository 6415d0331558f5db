"""Warnings the core raises while it goes on (sync folder, conflict copies, long paths).

The core calls `warn(text)`; the CLI decides where the text goes (stderr, "注意：…").
Without a sink (a library caller), notices are kept in `pending` for the caller to read.
"""

from __future__ import annotations

from collections.abc import Callable

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
