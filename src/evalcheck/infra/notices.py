"""Warnings the core raises while it goes on (sync folder, conflict copies, long paths).

The core calls `warn(text)`; the CLI decides where the text goes (stderr, "注意：…").
Without a sink (a library caller), notices are kept in `pending` for the caller to read.
"""

from __future__ import annotations

from collections.abc import Callable

_sink: Callable[[str], None] | None = None
pending: list[str] = []


def set_sink(sink: Callable[[str], None] | None) -> None:
    global _sink
    _sink = sink


def warn(text: str) -> None:
    if _sink is None:
        pending.append(text)
    else:
        _sink(text)
