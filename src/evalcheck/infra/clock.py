"""Today's date and the current time, in one place.

`EVALCHECK_TODAY=YYYY-MM-DD` pins the date the tool works with (what `--today` does for
one command), so a report, a test suite or the README's tour gives the same day counts
on any calendar date. Timestamps written while it is set carry that date with the
current time of day.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import suppress

ENV_TODAY = "EVALCHECK_TODAY"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９－", "0123456789-")


def parse_iso_date(raw: str) -> dt.date:
    """Exactly YYYY-MM-DD (full-width digits too), as documented: not 20210916, 2021-W37-4
    or 2021-09-16T08:00, which `date.fromisoformat` also takes. ValueError otherwise; the
    message says whether the form or the day itself is wrong (2021-02-30)."""
    t = raw.strip().translate(_FULL_WIDTH)
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", t):
        raise ValueError("应为日期 YYYY-MM-DD，例如 2021-09-16")
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        raise ValueError("日历上没有这一天") from None


def pinned() -> dt.date | None:
    """The date EVALCHECK_TODAY pins, or None when it is not set. A malformed value is
    refused (SettingProblem, exit 2), as `--today` is: ignoring it would report today's day
    counts as if they were that day's."""
    raw = os.environ.get(ENV_TODAY, "").strip()
    if not raw:
        return None
    try:
        return parse_iso_date(raw)
    except ValueError as exc:
        from evalcheck.errors import SettingProblem

        raise SettingProblem(
            f"环境变量 {ENV_TODAY} 的值“{raw[:40]}”无效：{exc}（或删除这个变量，按今天算）"
        ) from None


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


def local_datetime(iso: str | None) -> dt.datetime | None:
    """An ISO timestamp as this machine's local time, without a zone (what a spreadsheet
    cell holds); None for none or for text that is not a timestamp. A timestamp without a
    zone is taken as local already."""
    if not iso:
        return None
    try:
        at = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    if at.tzinfo is not None:
        # a hand-typed year 9999 near the calendar's end has no local time: as written
        with suppress(OverflowError, ValueError):
            at = at.astimezone()  # the machine's zone (TZ)
    return at.replace(tzinfo=None)


def local(iso: str | None) -> str:
    """'2026-12-02 14:54': an ISO timestamp as people read it, in this machine's time zone
    to the minute ('' for none; text that is not a timestamp is shown as it is). JSON and
    CSV keep the ISO text."""
    at = local_datetime(iso)
    if at is None:
        return iso or ""
    # not strftime: glibc writes the year 1 as '1', Windows as '0001'
    return f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
