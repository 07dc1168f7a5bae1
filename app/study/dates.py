"""Dates as the student reads them: the browser's preferred language picks the pattern.

A small table instead of a locale library: the languages listed get their own day and
month names and order; any other language gets the English day-month-year form.
"""

from __future__ import annotations

from datetime import date

_EN_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# language -> (day names, month names, pattern)
_LOCALES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "en": (_EN_DAYS, _EN_MONTHS, "{wd} {d} {mon} {y}"),
    "en-us": (_EN_DAYS, _EN_MONTHS, "{wd}, {mon} {d}, {y}"),
    "de": (
        ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So."),
        (
            "Jan.",
            "Feb.",
            "März",
            "Apr.",
            "Mai",
            "Juni",
            "Juli",
            "Aug.",
            "Sept.",
            "Okt.",
            "Nov.",
            "Dez.",
        ),
        "{wd}, {d}. {mon} {y}",
    ),
    "fr": (
        ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
        (
            "janv.",
            "févr.",
            "mars",
            "avr.",
            "mai",
            "juin",
            "juil.",
            "août",
            "sept.",
            "oct.",
            "nov.",
            "déc.",
        ),
        "{wd} {d} {mon} {y}",
    ),
    "es": (
        ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"),
        "{wd}, {d} {mon} {y}",
    ),
    "nl": (
        ("ma", "di", "wo", "do", "vr", "za", "zo"),
        ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
        "{wd} {d} {mon} {y}",
    ),
}
SUPPORTED = tuple(_LOCALES)


def best_locale(accept_language: list[tuple[str, float]] | None) -> str:
    """The first language of an Accept-Language list (value, quality) that has a pattern."""
    for value, _quality in accept_language or []:
        tag = value.lower().replace("_", "-")
        if tag in _LOCALES:
            return tag
        language = tag.split("-")[0]
        if language in _LOCALES:
            return language
    return "en"


def format_day(day: date, locale: str = "en") -> str:
    """ "Thu 10 Dec 2026" (en), "Thu, Dec 10, 2026" (en-us), "Do., 10. Dez. 2026" (de)."""
    days, months, pattern = _LOCALES.get(locale, _LOCALES["en"])
    return pattern.format(wd=days[day.weekday()], d=day.day, mon=months[day.month - 1], y=day.year)
