"""Dates and times as people type them: read strictly, never guessed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screenings.errors import InvalidInput
from screenings.timeparse import (
    Change,
    DateRange,
    InEdition,
    When,
    parse_range,
    parse_time,
    parse_when,
    read_change,
    read_when,
    resolve_local,
)

TODAY = dt.date(2013, 6, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-06-11 18:00", When(dt.date(2013, 6, 11), dt.time(18, 0))),
        ("2013-06-11T18:00:30", When(dt.date(2013, 6, 11), dt.time(18, 0, 30))),
        ("11 June 2013 6pm", When(dt.date(2013, 6, 11), dt.time(18, 0))),
        ("June 11, 2013 18:00", When(dt.date(2013, 6, 11), dt.time(18, 0))),
        ("11 Jun 2013", When(dt.date(2013, 6, 11))),
        (
            "2013-10-27 01:30+01:00",
            When(dt.date(2013, 10, 27), dt.time(1, 30), dt.timedelta(hours=1)),
        ),
        ("2013-10-27 01:30Z", When(dt.date(2013, 10, 27), dt.time(1, 30), dt.timedelta(0))),
        ("2013/06/11", When(dt.date(2013, 6, 11))),
        ("13/06/2013", When(dt.date(2013, 6, 13))),  # reads one way only
        ("06/06/2013", When(dt.date(2013, 6, 6))),
        ("today", When(TODAY)),
        ("Tomorrow", When(dt.date(2013, 6, 6))),
        ("yesterday", When(dt.date(2013, 6, 4))),
        (
            "friday",
            When(dt.date(2013, 6, 7), note="'friday' read as the next Friday, 07 June 2013"),
        ),
        ("wednesday", When(TODAY, note="'wednesday' read as the next Wednesday, 05 June 2013")),
        (
            "monday",
            When(dt.date(2013, 6, 10), note="'monday' read as the next Monday, 10 June 2013"),
        ),
        ("+3d", When(dt.date(2013, 6, 8))),
        ("-2w", When(dt.date(2013, 5, 22))),
    ],
)
def test_forms_that_read(text: str, expected: When) -> None:
    assert parse_when(text, today=TODAY) == expected


def test_a_weekday_alone_is_that_day_of_the_edition_it_is_read_in() -> None:
    days = DateRange(dt.date(2026, 2, 3), dt.date(2026, 2, 8))  # Tuesday to Sunday
    docpoint = InEdition(2026, "DocPoint 2026", days)
    assert read_when("Sunday", "18:00", dayfirst=None, edition=docpoint, today=TODAY) == When(
        dt.date(2026, 2, 8), dt.time(18), note="'Sunday' read as Sunday 08 February 2026, in "
        "DocPoint 2026"
    )  # fmt: skip
    # None of that name in the edition, or no days known: refused, not a day far away.
    with pytest.raises(InvalidInput, match="'Monday': DocPoint 2026 \\(03 February to 08 "
                       "February 2026\\) has no Monday"):  # fmt: skip
        read_change("Monday", None, dayfirst=None, edition=docpoint, today=TODAY)
    with pytest.raises(InvalidInput, match="'friday': X 2026 has no dates yet; give the date"):
        read_when("friday", None, dayfirst=None, edition=InEdition(2026, "X 2026"), today=TODAY)
    # Several of that name: all are said, and which one is not guessed.
    long = InEdition(2028, "Y 2028", DateRange(dt.date(2028, 1, 1), dt.date(2028, 2, 15)))
    with pytest.raises(InvalidInput, match="'friday' in Y 2028 is 07 January 2028, 14 January "
                       "2028, 21 January 2028, 28 January 2028, 04 February 2028 or 11 "
                       "February 2028; give the date"):  # fmt: skip
        read_when("friday", None, dayfirst=None, edition=long, today=TODAY)
    # No edition: the next one, today included, said so.
    assert read_when("friday", None, dayfirst=None, edition=None, today=TODAY) == When(
        dt.date(2013, 6, 7), note="'friday' read as the next Friday, 07 June 2013"
    )


def test_iso_dates_never_read_day_first() -> None:
    # dateutil with dayfirst=True reads this as 5 March (dateutil #268, #402, #1448).
    assert parse_when("2005-05-03 09:00", dayfirst=True).day == dt.date(2005, 5, 3)


def test_the_date_order_setting_decides_numeric_dates() -> None:
    assert parse_when("11/06/2013", dayfirst=True).day == dt.date(2013, 6, 11)
    assert parse_when("11/06/2013", dayfirst=False).day == dt.date(2013, 11, 6)
    assert parse_when("11.06.2013 18:00", dayfirst=True) == When(dt.date(2013, 6, 11), dt.time(18))


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        (
            "11/06/2013",
            {},
            "date: '11/06/2013' reads as 11 June or November 6; pass --dayfirst "
            "or --monthfirst, or set SCREENINGS_DATE_ORDER",
        ),
        (
            "11/13/2013",
            {"dayfirst": True},
            "date: '11/13/2013' is not a date in the "
            "day/month/year order set here (month 13, day 11); nothing is swapped",
        ),
        (
            "13/11/2013",
            {"dayfirst": False},
            "date: '13/11/2013' is not a date in the "
            "month/day/year order set here (month 13, day 11); nothing is swapped",
        ),
        (
            "11/06/13",
            {"dayfirst": True},
            "date: '11/06/13' has a two-digit year; write the year in full",
        ),
        ("11 June", {}, "date: '11 June' has no year; expected e.g. 11 June 2013"),
        ("June 2013", {}, "date: 'June 2013' has no day of the month; expected e.g. 11 June 2013"),
        ("2013-02-30", {}, "date: '2013-02-30' is not a date (year 2013, month 2, day 30)"),
        (
            "31 June 2013",
            {},
            "date: '31 June 2013' is not a date (year 2013, month 6, day 31)",
        ),
        (
            "soon",
            {},
            "date: cannot read 'soon' as a date; expected e.g. 2013-06-11, 11 June 2013 "
            "or June 11, 2013",
        ),
        (
            "tomorrow",
            {"today": None},
            "date: 'tomorrow' needs a current date, and none is known here",
        ),
        ("2013-06-11+01:00", {}, "date: '2013-06-11+01:00' has an offset but no time"),
        ("", {}, "date: empty; expected a date such as 2013-06-11"),
    ],
)
def test_forms_that_are_refused(text: str, options: dict[str, object], message: str) -> None:
    options = {"today": TODAY, **options}
    with pytest.raises(InvalidInput) as caught:
        parse_when(text, **options)  # type: ignore[arg-type]
    assert caught.value.message == message


def test_a_context_supplies_a_missing_year_and_says_so() -> None:
    when = parse_when("14 June", year=2013)
    assert when.day == dt.date(2013, 6, 14)
    assert when.note == "'14 June' read as 14 June 2013, the year of the edition"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00", dt.time(18, 0)),
        ("18.30", dt.time(18, 30)),
        ("18h30", dt.time(18, 30)),
        ("6pm", dt.time(18, 0)),
        ("6:30 pm", dt.time(18, 30)),
        ("12am", dt.time(0, 0)),
        ("12pm", dt.time(12, 0)),
    ],
)
def test_times(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["18", "25:00", "13pm", "noonish", "18:60"])
def test_times_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="time: "):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2013", dt.date(2013, 1, 1), dt.date(2013, 12, 31)),
        ("June 2013", dt.date(2013, 6, 1), dt.date(2013, 6, 30)),
        ("feb 2012", dt.date(2012, 2, 1), dt.date(2012, 2, 29)),
        ("December 2013", dt.date(2013, 12, 1), dt.date(2013, 12, 31)),
        ("this week", dt.date(2013, 6, 3), dt.date(2013, 6, 9)),
        ("next week", dt.date(2013, 6, 10), dt.date(2013, 6, 16)),
        ("last week", dt.date(2013, 5, 27), dt.date(2013, 6, 2)),
        ("this month", dt.date(2013, 6, 1), dt.date(2013, 6, 30)),
        ("next month", dt.date(2013, 7, 1), dt.date(2013, 7, 31)),
        ("2013-06-11", dt.date(2013, 6, 11), dt.date(2013, 6, 11)),
        ("tomorrow", dt.date(2013, 6, 6), dt.date(2013, 6, 6)),
    ],
)
def test_ranges(text: str, first: dt.date, last: dt.date) -> None:
    assert parse_range(text, today=TODAY) == DateRange(first, last)


def test_next_month_in_december_is_january() -> None:
    assert parse_range("next month", today=dt.date(2013, 12, 20)) == DateRange(
        dt.date(2014, 1, 1), dt.date(2014, 1, 31)
    )


def test_a_time_that_happens_twice_is_refused_unless_an_offset_picks_one() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_local(parse_when("2013-10-27 01:30"), "Europe/London")
    assert caught.value.message == (
        "time: 2013-10-27 01:30 happens twice in Europe/London, at 01:30+0100 (00:30 UTC) and "
        "at 01:30+0000 (01:30 UTC); give the offset, e.g. '2013-10-27 01:30+01:00'"
    )
    first = resolve_local(parse_when("2013-10-27 01:30+01:00"), "Europe/London")
    second = resolve_local(parse_when("2013-10-27 01:30+00:00"), "Europe/London")
    assert second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(hours=1)


def test_a_time_that_does_not_exist_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve_local(parse_when("2013-03-10 02:30"), "America/Toronto")
    assert caught.value.message == (
        "time: 2013-03-10 02:30 does not exist in America/Toronto: the clocks go forward from "
        "-05:00 to -04:00 then; did you mean 01:30 (-05:00) or 03:30 (-04:00)?"
    )


def test_an_offset_the_zone_does_not_use_is_refused() -> None:
    with pytest.raises(
        InvalidInput, match=r"is not a time in Europe/London \(its offset then is \+01:00\)"
    ):
        resolve_local(parse_when("2013-06-11 18:00+02:00"), "Europe/London")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_iso_date_reads_back_whatever_the_order_setting(day: dt.date) -> None:
    for dayfirst in (None, True, False):
        assert parse_when(day.isoformat(), dayfirst=dayfirst).day == day


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_numeric_date_is_read_or_refused_never_swapped(day: dt.date) -> None:
    text = f"{day.day:02d}/{day.month:02d}/{day.year}"
    assert parse_when(text, dayfirst=True).day == day
    try:
        read = parse_when(text, dayfirst=None).day
    except InvalidInput:
        assert day.day <= 12 and day.day != day.month  # truly ambiguous
    else:
        assert read == day


@pytest.mark.parametrize(
    ("on", "at", "field", "mentions"),
    [
        (None, None, "on", ("on", "at")),
        (None, "18:00", "at", ("on",)),
        (None, "TBA", "at", ("on",)),
        (None, "14 June 2013", "at", ("on",)),
        ("2013-06-14 18:00", "19:00", "at", ("on",)),
        ("2013-06-14", "25:00", "at", ()),
        ("14 June", "18:00", "on", ()),  # no edition, so no year to take
    ],
)
def test_the_words_of_a_screening_s_time_are_refused_about_their_field(
    on: str | None, at: str | None, field: str, mentions: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_when(on, at, dayfirst=None, edition=None)
    assert (refused.value.field, refused.value.mentions) == (field, mentions)


def test_an_edit_s_words_say_what_changes_and_what_stays() -> None:
    assert read_change(None, "20:30", dayfirst=None, edition=None) == Change(
        None, dt.time(20, 30), True
    )
    assert read_change(None, "TBA", dayfirst=None, edition=None) == Change(None, None, True)
    moved = read_change("15 June", None, dayfirst=None, edition=InEdition(2013, "Doc/Fest 2013"))
    assert (moved.day, moved.time_given) == (dt.date(2013, 6, 15), False)  # the time stays
    assert moved.note == "'15 June' read as 15 June 2013, the year of the edition"
    both = read_change("2013-06-15", "18:00", dayfirst=None, edition=None)
    assert (both.day, both.time, both.time_given) == (dt.date(2013, 6, 15), dt.time(18), True)
