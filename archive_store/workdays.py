"""Working days: weekends and the settings' holidays skipped, make-up working days (调休)
counted. Loan periods (借阅期限) and the late-entry list (2个工作日内录入) count them."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from archive_store.models import utcnow


def today() -> date:
    """Today in China (UTC+8, no daylight saving), which is the calendar holidays are listed in."""
    return (utcnow() + timedelta(hours=8)).date()


def is_working_day(day: date, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> bool:
    if day in workdays:  # a make-up working day (调休) on a weekend
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> date:
    """The `days`-th working day after `start` (start itself is not counted: a loan taken
    on a Monday for 5 days is due the next Monday)."""
    holidays, workdays = frozenset(holidays), frozenset(workdays)
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            days -= 1
    return day


def working_days_between(start: date, end: date, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 if end is not after start)."""
    holidays, workdays = frozenset(holidays), frozenset(workdays)
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        n += is_working_day(day, holidays, workdays)
    return n


def between(settings, start: date, end: date) -> int:
    """Working days after `start` up to `end`, by the data folder's calendar."""
    return working_days_between(start, end, settings.holidays, settings.extra_workdays)
