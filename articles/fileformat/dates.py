"""Dates shown in the notation article files use: `MMM DD, YYYY` -> `Dec 07, 2024`.

The files carry a `date_format` in the Moment.js style their original site used;
these are its tokens that make sense for a date. No Django here.
"""

from __future__ import annotations

import datetime
import functools
import re

MONTHS = (
    "January February March April May June July August September October "
    "November December"
).split()
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

_TOKENS = re.compile(r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|DD|Do|D|dddd|ddd")


@functools.lru_cache(maxsize=4096)  # pages show the same few dates again and again
def format_date(date: datetime.date, notation: str) -> str:
    """`date` written as `notation` asks; text in [brackets] is kept as it is."""
    return _TOKENS.sub(lambda match: _token(date, match.group(0)), notation)


def _token(date: datetime.date, token: str) -> str:
    if token.startswith("["):
        return token[1:-1]
    return {
        "YYYY": f"{date.year:04d}",
        "YY": f"{date.year % 100:02d}",
        "MMMM": MONTHS[date.month - 1],
        "MMM": MONTHS[date.month - 1][:3],
        "MM": f"{date.month:02d}",
        "M": str(date.month),
        "DD": f"{date.day:02d}",
        "Do": _ordinal(date.day),
        "D": str(date.day),
        "dddd": WEEKDAYS[date.weekday()],
        "ddd": WEEKDAYS[date.weekday()][:3],
    }[token]


def _ordinal(day: int) -> str:
    suffix = (
        "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    )
    return f"{day}{suffix}"
