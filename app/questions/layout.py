"""Laying questions out and reading forms back: permutations and form values.

A leaf module (it imports only `shared` and `rendering`). A presentation carries the
permutations it used (`order`); the caller stores them with the attempt and passes them back,
so a reload shows the same shuffle. Form values always carry original indices from the
content, so grading never needs the permutation.
"""

from __future__ import annotations

import math
import random
from typing import Any

from app.questions.rendering import render_inline
from app.questions.shared import Choice, Form, Orders


def is_permutation(value: Any, size: int) -> bool:
    return (
        isinstance(value, list | tuple)
        and all(isinstance(i, int) and not isinstance(i, bool) for i in value)
        and sorted(value) == list(range(size))
    )


def permutation(
    key: str,
    size: int,
    stored: Orders,
    rng: random.Random,
    *,
    pinned: bool = False,
    avoid_identity: bool = False,
) -> list[int]:
    identity = list(range(size))
    if pinned:
        return identity
    # An order stored before the question was edited may no longer fit; it is then replaced.
    previous = stored.get(key)
    if is_permutation(previous, size) and not (
        avoid_identity and size >= 2 and list(previous) == identity
    ):
        return list(previous)
    shuffled = identity[:]
    rng.shuffle(shuffled)
    if avoid_identity and size >= 2 and shuffled == identity:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


def choices(texts: list[str], order: list[int]) -> list[Choice]:
    return [Choice(i, render_inline(texts[i])) for i in order]


def form_values(form: Form, key: str) -> list[str]:
    # Werkzeug's MultiDict keeps repeated fields (checkboxes) behind getlist; a plain dict
    # may hold a list instead.
    getlist = getattr(form, "getlist", None)
    if callable(getlist):
        values = getlist(key)
    else:
        value = form.get(key)
        values = value if isinstance(value, list | tuple) else [value]
    return [value for value in values if isinstance(value, str)]


def form_value(form: Form, key: str) -> str | None:
    values = form_values(form, key)
    return values[0] if values else None


def to_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def to_float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def self_score_from(form: Form) -> float | None:
    """The self score a student posted, clamped to 0..1, or None."""
    score = to_float(form_value(form, "self_score"))
    return None if score is None else min(1.0, max(0.0, score))
