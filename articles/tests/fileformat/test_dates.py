"""Dates shown in the Moment.js notation article files carry."""

import datetime

import pytest

from articles.fileformat.dates import format_date

SEED_DATE = datetime.date(2024, 12, 7)


def test_it_shows_the_seed_date_in_the_seed_notation():
    assert format_date(SEED_DATE, "MMM DD, YYYY") == "Dec 07, 2024"


@pytest.mark.parametrize(
    ("notation", "shown"),
    [
        ("MMMM D, YYYY", "December 7, 2024"),
        ("DD/MM/YY", "07/12/24"),
        ("M/D/YYYY", "12/7/2024"),
        ("YYYY-MM-DD", "2024-12-07"),
        ("dddd, MMMM Do", "Saturday, December 7th"),
        ("ddd D MMM", "Sat 7 Dec"),
    ],
)
def test_it_shows_the_seed_date_in_other_notations(notation, shown):
    assert format_date(SEED_DATE, notation) == shown


@pytest.mark.parametrize(
    ("day", "ordinal"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (30, "30th"),
        (31, "31st"),
    ],
)
def test_it_shows_the_day_as_an_english_ordinal(day, ordinal):
    date = datetime.date(2024, 1, day)

    assert format_date(date, "Do MMMM YYYY") == f"{ordinal} January 2024"


def test_it_keeps_text_in_brackets_as_it_is():
    notation = "[Posted on] MMM D, YYYY"

    assert format_date(SEED_DATE, notation) == "Posted on Dec 7, 2024"


def test_it_does_not_read_tokens_inside_brackets():
    notation = "[Day] D [of] MMMM [YYYY]"

    assert format_date(SEED_DATE, notation) == "Day 7 of December YYYY"


def test_it_keeps_text_that_holds_no_token():
    assert format_date(SEED_DATE, "Posted: MMM DD") == "Posted: Dec 07"


def test_it_pads_early_years_and_months():
    date = datetime.date(5, 3, 9)

    assert format_date(date, "YYYY-MM-DD YY") == "0005-03-09 05"
