"""Working days between two dates: Monday to Friday, or the official arrangements (statutory holidays off, make-up
working days on) from the chinese-calendar package where it covers the years. Used by the dataset (days filled in
from the on-site dates) and by the engagement facts (the days the dates allow)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Optional


def weekdays_between(start: dt.date, end: dt.date) -> int:
    """Mondays to Fridays from start to end, both included (0 when end is before start)."""
    n = (end - start).days + 1
    if n <= 0:
        return 0
    weeks, rest = divmod(n, 7)
    first = start.weekday()
    return weeks * 5 + sum(1 for k in range(rest) if (first + k) % 7 < 5)


HOLIDAY_PACKAGE = "chinese-calendar"


@functools.cache
def holiday_calendar_years() -> Optional[tuple[int, int]]:
    """The first and last year of the official holiday and 调休 arrangements (国务院办公厅 notices) that the installed
    chinese-calendar package holds, or None when it is not installed."""
    try:
        import chinese_calendar
    except ImportError:
        return None
    days = chinese_calendar.holidays
    return min(days).year, max(days).year


def official_working_days(start: dt.date, end: dt.date) -> Optional[int]:
    """Working days from start to end (both included) under the official arrangements: weekdays less statutory holidays,
    plus the weekend days worked in lieu (调休上班); None when a year of the span is outside the data (or none is installed)."""
    years = holiday_calendar_years()
    if years is None or not years[0] <= start.year <= end.year <= years[1]:
        return None
    import chinese_calendar

    return sum(1 for k in range((end - start).days + 1) if chinese_calendar.is_workday(start + dt.timedelta(k)))


def onsite_working_days(start: dt.date, end: dt.date) -> tuple[int, bool]:
    """The working days the on-site dates allow, and whether statutory holidays were deducted (else Monday to Friday)."""
    official = official_working_days(start, end)
    return (weekdays_between(start, end), False) if official is None else (official, True)
