"""Answers a form cannot mean: two items given one position, one answer matched twice.

A widget in the browser prevents both; without JavaScript the lists allow them, so the
server says what is wrong instead of grading the answer as blank.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from app.questions import render_plain


def _value(form: Mapping[str, Any], key: str) -> str | None:
    getlist = getattr(form, "getlist", None)
    values = getlist(key) if callable(getlist) else [form.get(key)]
    values = [value.strip() for value in values if isinstance(value, str) and value.strip()]
    return values[0] if values else None


def _twice(values: list[str]) -> list[str]:
    counts = Counter(values)
    return [value for value in dict.fromkeys(values) if counts[value] > 1]


def answer_problem(kind: str, content: Mapping[str, Any], form: Mapping[str, Any]) -> str | None:
    """A message when the submitted form gives one position or one answer twice, else None."""
    if kind == "ordering":
        positions = [_value(form, f"position-{i}") for i in range(len(content["items"]))]
        twice = _twice([value for value in positions if value is not None])
        if twice:
            listed = ", ".join(twice)
            noun = "Position" if len(twice) == 1 else "Positions"
            verb = "is" if len(twice) == 1 else "are"
            return (
                f"{noun} {listed} {verb} given to more than one item: "
                "give each item its own position."
            )
    if kind == "matching":
        rights = [pair["right"] for pair in content["pairs"]] + list(
            content.get("distractors") or []
        )
        chosen = [_value(form, f"match-{i}") for i in range(len(content["pairs"]))]
        twice = _twice([value for value in chosen if value is not None])
        # Each left-hand item has its own right-hand answer, so none is needed twice.
        if twice and len(rights) >= len(content["pairs"]):
            names = []
            for value in twice:
                try:
                    names.append(f"“{render_plain(rights[int(value)])}”")
                except (ValueError, IndexError):
                    names.append(f"“{value}”")
            return (
                f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} chosen for more than one "
                "item: each answer can be used once."
            )
    return None
