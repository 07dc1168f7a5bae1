"""How numbers and percentages read on every page, chart and table.

Plain functions, no Flask: the analytics charts use them, and templates get them as the
`number` and `percent` filters.
"""

from __future__ import annotations


def format_number(value: float, places: int = 2) -> str:
    """12 → "12", 1234 → "1,234", 0.126 → "0.13": exact for counts, short otherwise."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{places}f}".rstrip("0").rstrip(".")


def format_percent(fraction: float) -> str:
    """A share as a percentage to one decimal, without a useless ".0": 0.9 → "90%"."""
    return f"{format_number(round(fraction * 100, 1), places=1)}%"
