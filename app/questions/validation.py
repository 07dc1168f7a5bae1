"""Checking question content against the format in seed_data/README.md.

Each validator returns a normalized copy with every optional field filled in, so grading and
presentation never have to guess at defaults.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from app.questions.grading import normalize_text

# A gap marker is exactly {{n}}; anything else between double braces is a typo worth reporting.
GAP_MARKER = re.compile(r"\{\{(\d+)\}\}")
_BRACED = re.compile(r"\{\{[^{}]*\}\}")


class ValidationError(ValueError):
    """Content that cannot be used as a question, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_content(kind: str, content: Mapping[str, Any]) -> dict[str, Any]:
    """Return a normalized copy of `content` for a question of type `kind`."""
    # The registry names this module's validators, so it can only be looked up at call time.
    from app.questions.types import question_type

    question_type_ = question_type(kind)
    if not isinstance(content, Mapping):
        raise ValidationError("content", "must be a set of named fields")
    return question_type_.validate(content)


# -- field checks ------------------------------------------------------------------------------


def _check_keys(data: Mapping[str, Any], allowed: set[str], where: str = "") -> None:
    # Refusing unknown keys catches typos such as "corect: true", which would otherwise
    # silently leave a question with no correct option.
    for key in data:
        if key not in allowed:
            field = f"{where}.{key}" if where else str(key)
            expected = ", ".join(sorted(allowed))
            raise ValidationError(field, f"is not a known field here (expected one of: {expected})")


def _mapping(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValidationError(field, "must be a set of named fields")
    return value


def _text(value: Any, field: str, *, required: bool = True) -> str:
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


def _flag(value: Any, field: str, default: bool = False) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(field, "must be true or false")
    return value


def _number(value: Any, field: str) -> int | float:
    if value is None:
        raise ValidationError(field, "is missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(field, "must be a number")
    if not math.isfinite(value):
        raise ValidationError(field, "must be an ordinary finite number")
    return value


def _credit(value: Any, field: str) -> float:
    if value is None:
        return 1.0
    credit = float(_number(value, field))
    if not 0 <= credit <= 1:
        raise ValidationError(field, "must be between 0 and 1 (1 means full credit)")
    return credit


def _list(value: Any, field: str, *, minimum: int, noun: str) -> list[Any]:
    if value is None:
        raise ValidationError(field, "is missing")
    if not isinstance(value, list):
        raise ValidationError(field, "must be a list")
    if len(value) < minimum:
        plural = noun if minimum == 1 else f"{noun}s"
        raise ValidationError(field, f"needs at least {minimum} {plural}")
    return value


def _texts(value: Any, field: str, *, minimum: int, noun: str) -> list[str]:
    items = _list(value, field, minimum=minimum, noun=noun)
    return [_text(item, f"{field}[{i}]") for i, item in enumerate(items)]


def _no_duplicates(texts: list[str], field: str, noun: str) -> None:
    seen: set[str] = set()
    for text in texts:
        if text in seen:
            raise ValidationError(field, f"{noun} {text!r} appears more than once")
        seen.add(text)


def _base(content: Mapping[str, Any], fields: set[str]) -> dict[str, Any]:
    _check_keys(content, {"prompt"} | fields)
    return {"prompt": _text(content.get("prompt"), "prompt")}


# -- one validator per type --------------------------------------------------------------------


def validate_flashcard(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"back"})
    result["back"] = _text(content.get("back"), "back")
    return result


def _options(content: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = _list(content.get("options"), "options", minimum=2, noun="option")
    options = []
    for i, option in enumerate(raw):
        where = f"options[{i}]"
        option = _mapping(option, where)
        _check_keys(option, {"text", "correct", "feedback"}, where)
        options.append(
            {
                "text": _text(option.get("text"), f"{where}.text"),
                "correct": _flag(option.get("correct"), f"{where}.correct"),
                "feedback": _text(option.get("feedback"), f"{where}.feedback", required=False),
            }
        )
    return options


def validate_multiple_choice(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"options", "pin_order"})
    options = _options(content)
    if sum(option["correct"] for option in options) != 1:
        raise ValidationError("options", "exactly one option must be correct")
    result["options"] = options
    result["pin_order"] = _flag(content.get("pin_order"), "pin_order")
    return result


def validate_multiple_response(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"options", "pin_order"})
    options = _options(content)
    if not any(option["correct"] for option in options):
        raise ValidationError("options", "at least one option must be correct")
    result["options"] = options
    result["pin_order"] = _flag(content.get("pin_order"), "pin_order")
    return result


def validate_true_false(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"answer", "feedback_true", "feedback_false"})
    if not isinstance(content.get("answer"), bool):
        raise ValidationError("answer", "must be true or false")
    result["answer"] = content["answer"]
    for key in ("feedback_true", "feedback_false"):
        result[key] = _text(content.get(key), key, required=False)
    return result


def validate_short_answer(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"answers"})
    answers = []
    for i, answer in enumerate(_list(content.get("answers"), "answers", minimum=1, noun="answer")):
        where = f"answers[{i}]"
        answer = _mapping(answer, where)
        _check_keys(answer, {"text", "credit", "feedback"}, where)
        text = _text(answer.get("text"), f"{where}.text")
        # Matching ignores punctuation, so an answer made only of punctuation would match
        # an empty response.
        if not normalize_text(text):
            raise ValidationError(f"{where}.text", "must contain at least one letter or digit")
        answers.append(
            {
                "text": text,
                "credit": _credit(answer.get("credit"), f"{where}.credit"),
                "feedback": _text(answer.get("feedback"), f"{where}.feedback", required=False),
            }
        )
    _require_full_credit(answers)
    result["answers"] = answers
    return result


def _require_full_credit(answers: list[dict[str, Any]]) -> None:
    # Moodle refuses the same: without a 100% answer nobody could ever get the question right.
    if not any(answer["credit"] >= 1 for answer in answers):
        raise ValidationError("answers", "at least one answer must give full credit (credit 1)")


def validate_numerical(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"answers", "unit"})
    raw = content.get("answers")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("answers", "needs at least one answer: a value or a min and max")
    answers = []
    for i, answer in enumerate(raw):
        where = f"answers[{i}]"
        answer = _mapping(answer, where)
        _check_keys(answer, {"value", "tolerance", "min", "max", "credit", "feedback"}, where)
        has_value = "value" in answer
        has_range = "min" in answer or "max" in answer
        if not has_value and not has_range:
            raise ValidationError("answers", f"answer {i + 1} needs a value or a min and max")
        if has_value and has_range:
            raise ValidationError(where, "has both a value and a min/max; give only one")
        normalized: dict[str, Any]
        if has_value:
            tolerance = answer.get("tolerance", 0)
            tolerance = _number(tolerance, f"{where}.tolerance")
            if tolerance < 0:
                raise ValidationError(f"{where}.tolerance", "must not be negative")
            normalized = {
                "value": _number(answer["value"], f"{where}.value"),
                "tolerance": tolerance,
            }
        else:
            if "tolerance" in answer:
                raise ValidationError(f"{where}.tolerance", "only applies to a value, not a range")
            low = _number(answer.get("min"), f"{where}.min")
            high = _number(answer.get("max"), f"{where}.max")
            if low > high:
                raise ValidationError(f"{where}.min", f"is greater than max ({low} > {high})")
            normalized = {"min": low, "max": high}
        normalized["credit"] = _credit(answer.get("credit"), f"{where}.credit")
        normalized["feedback"] = _text(answer.get("feedback"), f"{where}.feedback", required=False)
        answers.append(normalized)
    _require_full_credit(answers)
    result["answers"] = answers
    result["unit"] = _text(content.get("unit"), "unit", required=False)
    return result


def validate_cloze(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"text", "gaps"})
    text = _text(content.get("text"), "text")
    for braced in _BRACED.findall(text):
        if not GAP_MARKER.fullmatch(braced):
            raise ValidationError("text", f"{braced} is not a gap marker; write gaps as {{{{1}}}}")
    numbers = [int(n) for n in GAP_MARKER.findall(text)]
    if not numbers:
        raise ValidationError("text", "has no gaps; mark each one with {{1}}, {{2}} and so on")
    for number in numbers:
        if numbers.count(number) > 1:
            raise ValidationError("text", f"gap {{{{{number}}}}} appears more than once")
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        raise ValidationError(
            "text", f"gaps must be numbered {{{{1}}}} to {{{{{len(numbers)}}}}} with none skipped"
        )
    raw = _list(content.get("gaps"), "gaps", minimum=1, noun="gap")
    if len(raw) != len(numbers):
        raise ValidationError(
            "gaps", f"the text has {len(numbers)} gaps but {len(raw)} are described here"
        )
    result["text"] = text
    result["gaps"] = [_gap(gap, f"gaps[{i}]") for i, gap in enumerate(raw)]
    return result


def _gap(gap: Any, where: str) -> dict[str, Any]:
    gap = _mapping(gap, where)
    _check_keys(gap, {"answers", "options", "correct"}, where)
    if ("answers" in gap) == ("options" in gap):
        raise ValidationError(where, "needs either a list of answers or a list of options")
    if "answers" in gap:
        if "correct" in gap:
            raise ValidationError(f"{where}.correct", "only applies to a gap with options")
        return {"answers": _texts(gap["answers"], f"{where}.answers", minimum=1, noun="answer")}
    options = _texts(gap["options"], f"{where}.options", minimum=2, noun="option")
    correct = gap.get("correct")
    if isinstance(correct, bool) or not isinstance(correct, int):
        raise ValidationError(
            f"{where}.correct", "must be the number of the right option, counting from 0"
        )
    if not 0 <= correct < len(options):
        raise ValidationError(
            f"{where}.correct", f"must be between 0 and {len(options) - 1} (options count from 0)"
        )
    return {"options": options, "correct": correct}


def validate_matching(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"pairs", "distractors"})
    pairs = []
    for i, pair in enumerate(_list(content.get("pairs"), "pairs", minimum=2, noun="pair")):
        where = f"pairs[{i}]"
        pair = _mapping(pair, where)
        _check_keys(pair, {"left", "right"}, where)
        pairs.append(
            {
                "left": _text(pair.get("left"), f"{where}.left"),
                "right": _text(pair.get("right"), f"{where}.right"),
            }
        )
    _no_duplicates([pair["left"] for pair in pairs], "pairs", "the left-hand text")
    distractors = content.get("distractors")
    distractors = (
        []
        if distractors is None
        else _texts(distractors, "distractors", minimum=0, noun="distractor")
    )
    rights = {pair["right"] for pair in pairs}
    for i, distractor in enumerate(distractors):
        if distractor in rights:
            raise ValidationError(f"distractors[{i}]", "is also a right-hand answer of a pair")
    _no_duplicates(distractors, "distractors", "the distractor")
    result["pairs"] = pairs
    result["distractors"] = distractors
    return result


def validate_ordering(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"items"})
    items = _texts(content.get("items"), "items", minimum=2, noun="item")
    _no_duplicates(items, "items", "the item")
    result["items"] = items
    return result


def validate_essay(content: Mapping[str, Any]) -> dict[str, Any]:
    result = _base(content, {"model_answer", "rubric"})
    result["model_answer"] = _text(content.get("model_answer"), "model_answer")
    result["rubric"] = _text(content.get("rubric"), "rubric", required=False)
    return result
