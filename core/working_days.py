"""Working days under Mexican federal law: legal deadlines counted in días hábiles.

A working day is a Monday to Friday that is not a mandatory rest day of the Ley Federal del
Trabajo, art. 74: 1 January; the first Monday of February; the third Monday of March; 1 May;
16 September; the third Monday of November; 1 October every six years, when the federal
executive changes (from 2024; 1 December in the change years before the 2024 reform); and
25 December. A municipality may declare more (its own calendar, election days): pass them as
``extra_holidays``.

ARCO requests (20 working days to answer) and access-to-information requests use these
helpers; the deadline runs from the working day after filing, so a request filed on a Friday
evening is counted from Monday.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

# The rest day of the change of the federal executive: 1 October from 2024 (the 2024 reform of
# art. 74 moved it with the inauguration date), 1 December in earlier change years.
EXECUTIVE_CHANGE_OCTOBER_FROM = 2024


def _nth_monday(year: int, month: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    offset = (7 - first.weekday()) % 7  # days to the first Monday (weekday 0)
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


@lru_cache(maxsize=64)
def mexican_federal_holidays(year: int) -> frozenset[datetime.date]:
    """The mandatory rest days of ``year`` (LFT art. 74)."""
    days = {
        datetime.date(year, 1, 1),
        _nth_monday(year, 2, 1),
        _nth_monday(year, 3, 3),
        datetime.date(year, 5, 1),
        datetime.date(year, 9, 16),
        _nth_monday(year, 11, 3),
        datetime.date(year, 12, 25),
    }
    if year % 6 == EXECUTIVE_CHANGE_OCTOBER_FROM % 6:
        if year >= EXECUTIVE_CHANGE_OCTOBER_FROM:
            days.add(datetime.date(year, 10, 1))
        else:
            days.add(datetime.date(year, 12, 1))
    return frozenset(days)


def is_working_day(day: datetime.date, *, extra_holidays: Iterable[datetime.date] = ()) -> bool:
    """Monday to Friday, and neither a federal rest day nor one of ``extra_holidays``."""
    if day.weekday() >= 5:
        return False
    return day not in mexican_federal_holidays(day.year) and day not in set(extra_holidays)


def add_working_days(
    start: datetime.date, days: int, *, extra_holidays: Iterable[datetime.date] = ()
) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself is not counted): the
    legal deadline of something filed on ``start``. ``days`` must not be negative."""
    if days < 0:
        raise ValueError("days must not be negative")
    extra = frozenset(extra_holidays)
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, extra_holidays=extra):
            counted += 1
    return day


def working_days_between(
    start: datetime.date, end: datetime.date, *, extra_holidays: Iterable[datetime.date] = ()
) -> int:
    """The working days after ``start`` up to and including ``end`` (0 if ``end`` is not
    after ``start``): how many of a deadline's days have run."""
    extra = frozenset(extra_holidays)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day, extra_holidays=extra):
            count += 1
    return count


def latest_filing_past_deadline(
    today: datetime.date, days: int, *, extra_holidays: Iterable[datetime.date] = ()
) -> datetime.date:
    """The latest filing date whose deadline of ``days`` working days is already past on
    ``today`` (its deadline falls before ``today``): everything filed on or before it is
    overdue. Lets a query count the overdue items with one date comparison."""
    extra = frozenset(extra_holidays)
    filed = today - datetime.timedelta(days=1)
    while add_working_days(filed, days, extra_holidays=extra) >= today:
        filed -= datetime.timedelta(days=1)
    return filed
