"""Field checks for validating question content against the format in seed_data/README.md.

A leaf module (it imports only `shared`): every type's `validate` is built from these, so
messages read the same whatever the type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from app.questions.shared import ValidationError


def check_keys(data: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    # Refusing unknown keys catches typos such as "corect: true", which would otherwise
    # silently leave a question with no correct option.
    for key in data:
        if key not in allowed:
            field = f"{where}.{key}" if where else str(key)
            expected = ", ".join(sorted(allowed))
            raise ValidationError(field, f"is not a known field here (expected one of: {expected})")


def mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a set of named fields")
    return value


def text(value: Any, field: str, *, required: bool = True) -> str:
    if value is None:
        if required:
            raise ValidationError(field, "is missing")
        return ""
    # YAML turns unquoted yes/no/true/false into booleans; a bare year becomes a number.
    if isinstance(value, bool):
        raise ValidationError(field, "must be text; put yes/no/true/false in quotes")
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    value = value.strip()
    if required and not value:
        raise ValidationError(field, "is empty")
    return value


def flag(value: Any, field: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(field, "must be true or false")
    return value


def number(value: Any, field: str) -> int | float:
    if value is None:
        raise ValidationError(field, "is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, "must be a number")
    if not math.isfinite(value):
        raise ValidationError(field, "must be an ordinary finite number")
    return value


def credit(value: Any, field: str) -> float:
    if value is None:
        return 1.0
    credit_ = float(number(value, field))
    if not 0 <= credit_ <= 1:
        raise ValidationError(field, "must be between 0 and 1 (1 means full credit)")
    return credit_


def items(value: Any, field: str, *, minimum: int, noun: str) -> list[Any]:
    if value is None:
        raise ValidationError(field, "is missing")
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list")
    if len(value) < minimum:
        plural = noun if minimum == 1 else f"{noun}s"
        raise ValidationError(field, f"needs at least {minimum} {plural}")
    return value


def texts(value: Any, field: str, *, minimum: int, noun: str) -> list[str]:
    entries = items(value, field, minimum=minimum, noun=noun)
    return [text(entry, f"{field}[{i}]") for i, entry in enumerate(entries)]


def no_duplicates(values: list[str], field: str, noun: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValidationError(field, f"{noun} {value!r} appears more than once")
        seen.add(value)


def base(content: Mapping[str, Any], fields: set[str]) -> dict[str, Any]:
    """The prompt, after refusing any key that is neither the prompt nor one of `fields`."""
    check_keys(content, {"prompt"} | fields)
    return {"prompt": text(content.get("prompt"), "prompt")}


def require_full_credit(answers: list[dict[str, Any]]) -> None:
    # Moodle refuses the same: without a 100% answer nobody could ever get the question right.
    if not any(answer["credit"] >= 1 for answer in answers):
        raise ValidationError("answers", "at least one answer must give full credit (credit 1)")


def options(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The options of a choice question, each with text, correct flag and feedback."""
    raw = items(content.get("options"), "options", minimum=2, noun="option")
    result = []
    for i, option in enumerate(raw):
        where = f"options[{i}]"
        option = mapping(option, where)
        check_keys(option, {"text", "correct", "feedback"}, where)
        result.append(
            {
                "text": text(option.get("text"), f"{where}.text"),
                "correct": flag(option.get("correct"), f"{where}.correct"),
                "feedback": text(option.get("feedback"), f"{where}.feedback", required=False),
            }
        )
    return result
