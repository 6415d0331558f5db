"""Today's date and the current time, in one place.

`EVALCHECK_TODAY=YYYY-MM-DD` pins the date the tool works with (what `--today` does for
one command), so a report, a test suite or the README's tour gives the same day counts
on any calendar date. Timestamps written while it is set carry that date with the
current time of day.
"""

from __future__ import annotations

import datetime as dt
import os

ENV_TODAY = "EVALCHECK_TODAY"


def pinned() -> dt.date | None:
    """The date EVALCHECK_TODAY pins, or None (a malformed value is ignored)."""
    raw = os.environ.get(ENV_TODAY, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def today() -> dt.date:
    return pinned() or dt.date.today()


def now() -> dt.datetime:
    """The current local time, with its time zone."""
    current = dt.datetime.now().astimezone()
    day = pinned()
    if day is not None:
        current = current.replace(year=day.year, month=day.month, day=day.day)
    return current


def now_iso() -> str:
    return now().isoformat(timespec="seconds")
