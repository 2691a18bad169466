"""Working days under the Ley Federal del Trabajo, art. 74 (core.working_days)."""

import datetime

import pytest

from core.working_days import (
    add_working_days,
    is_working_day,
    latest_filing_past_deadline,
    mexican_federal_holidays,
    working_days_between,
)

D = datetime.date


def test_the_rest_days_of_2025():
    assert mexican_federal_holidays(2025) == {
        D(2025, 1, 1),
        D(2025, 2, 3),  # first Monday of February
        D(2025, 3, 17),  # third Monday of March
        D(2025, 5, 1),
        D(2025, 9, 16),
        D(2025, 11, 17),  # third Monday of November
        D(2025, 12, 25),
    }


@pytest.mark.parametrize(
    ("year", "change_day", "absent"),
    [
        (2024, D(2024, 10, 1), D(2024, 12, 1)),
        (2030, D(2030, 10, 1), D(2030, 12, 1)),
        (2018, D(2018, 12, 1), D(2018, 10, 1)),
    ],
)
def test_the_change_of_the_federal_executive_every_six_years(year, change_day, absent):
    holidays = mexican_federal_holidays(year)
    assert change_day in holidays
    assert absent not in holidays
    assert D(year + 1, 10, 1) not in mexican_federal_holidays(year + 1)


def test_first_and_third_mondays_when_the_month_starts_on_a_monday():
    # February 2027 and March 2027 start on a Monday.
    assert D(2027, 2, 1) in mexican_federal_holidays(2027)
    assert D(2027, 3, 15) in mexican_federal_holidays(2027)


def test_weekends_holidays_and_extra_days_are_not_working_days():
    assert is_working_day(D(2025, 3, 18))  # a Tuesday
    assert not is_working_day(D(2025, 3, 15))  # Saturday
    assert not is_working_day(D(2025, 3, 16))  # Sunday
    assert not is_working_day(D(2025, 3, 17))  # Benito Juárez
    assert not is_working_day(D(2025, 3, 18), extra_holidays=[D(2025, 3, 18)])


def test_twenty_working_days_skip_weekends_and_rest_days():
    # Filed on Friday 7 March 2025: counted from Monday 10 March; Monday 17 March is a rest
    # day, so the 20th working day is Monday 7 April.
    assert add_working_days(D(2025, 3, 7), 20) == D(2025, 4, 7)
    assert add_working_days(D(2025, 3, 7), 0) == D(2025, 3, 7)
    # Across the new year: 24 Dec 2025 (Wed) → 26 (Fri) is the first, 1 Jan skipped.
    assert add_working_days(D(2025, 12, 24), 1) == D(2025, 12, 26)
    assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 2)
    with pytest.raises(ValueError):
        add_working_days(D(2025, 1, 1), -1)


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert working_days_between(D(2025, 3, 7), D(2025, 4, 7)) == 20
    assert working_days_between(D(2025, 3, 7), D(2025, 3, 7)) == 0
    assert working_days_between(D(2025, 3, 8), D(2025, 3, 1)) == 0


def test_latest_filing_past_deadline_bounds_the_overdue_requests():
    today = D(2025, 4, 9)
    cutoff = latest_filing_past_deadline(today, 20)
    assert add_working_days(cutoff, 20) < today
    # The next day's deadline is not yet past.
    assert add_working_days(cutoff + datetime.timedelta(days=1), 20) >= today
    # Filed 7 March: due 7 April, overdue on 8 April.
    assert cutoff >= D(2025, 3, 7)
    # Filed on the weekend after it: counted from the same Monday, so overdue too.
    assert latest_filing_past_deadline(D(2025, 4, 8), 20) == D(2025, 3, 9)
    assert latest_filing_past_deadline(D(2025, 4, 7), 20) < D(2025, 3, 7)
