"""Output: rich tables on a terminal, plain tab-separated lines otherwise; JSON; CSV.

rich is imported only when a table is drawn on a terminal, so piped output and
scripts don't pay for it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

ENV_WIDTH = "EVALCHECK_WIDTH"  # pin the table width (tests, narrow terminals)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def to_json(data: Any, *, inline: bool = False) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=None if inline else 2, default=str)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a UTF-8 BOM so that Excel opens the Chinese intact."""
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return "\ufeff" + buf.getvalue()


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    title: str | None = None,
    footer: str | None = None,
    wide: Sequence[str] = (),
    rich: bool | None = None,
) -> str:
    """A table as text. `wide` names the columns that wrap (the rest keep their width)."""
    use_rich = stdout_is_terminal() if rich is None else rich
    if not use_rich:
        lines = []
        if title:
            lines.append(title)
        lines.append("\t".join(headers))
        lines.extend("\t".join(_cell(v).replace("\n", " ") for v in row) for row in rows)
        if footer:
            lines.append(footer)
        return "\n".join(lines)

    from rich.table import Table

    t = Table(title=title, caption=footer, caption_justify="left", show_lines=False)
    for h in headers:
        if h in wide:
            # the first wide column (the indicator text) gets most of the room
            ratio = 3 if h == wide[0] else 1
            t.add_column(h, overflow="fold", ratio=ratio, min_width=10)
        else:
            t.add_column(h, no_wrap=True)
    for row in rows:
        t.add_row(*(_cell(v) for v in row))
    return _capture(t)


def _capture(renderable: Any) -> str:
    from rich.console import Console

    width = int(os.environ.get(ENV_WIDTH, "0") or 0) or None
    console = Console(width=width, record=False, soft_wrap=False, highlight=False)
    with console.capture() as cap:
        console.print(renderable)
    return cap.get().rstrip("\n")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    return str(v)


def bar(fraction: float, width: int = 20) -> str:
    """A text progress bar: '██████░░░░░░░░░░░░░░'."""
    fraction = min(max(fraction, 0.0), 1.0)
    full = round(fraction * width)
    return "█" * full + "░" * (width - full)
