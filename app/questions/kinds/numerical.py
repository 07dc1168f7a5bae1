"""Numerical: a number, exact, within a tolerance or in a range, with an optional unit."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.questions import checks
from app.questions.layout import form_value
from app.questions.rendering import render_markdown
from app.questions.shared import (
    SLACK,
    Content,
    Form,
    GradeResult,
    Orders,
    Presentation,
    Response,
    ValidationError,
    best_answer,
    format_number,
    parse_number,
    single_part,
    typed_text,
)

KIND = "numerical"
label = "Numerical"
description = "A number, exact, within a tolerance or in a range."
self_graded = False


def _answer(answer: Any, i: int) -> dict[str, Any]:
    where = f"answers[{i}]"
    answer = checks.mapping(answer, where)
    checks.check_keys(answer, {"value", "tolerance", "min", "max", "credit", "feedback"}, where)
    has_value = "value" in answer
    has_range = "min" in answer or "max" in answer
    if not has_value and not has_range:
        raise ValidationError("answers", f"answer {i + 1} needs a value or a min and max")
    if has_value and has_range:
        raise ValidationError(where, "has both a value and a min/max; give only one")
    normalized: dict[str, Any]
    if has_value:
        tolerance = checks.number(answer.get("tolerance", 0), f"{where}.tolerance")
        if tolerance < 0:
            raise ValidationError(f"{where}.tolerance", "must not be negative")
        normalized = {
            "value": checks.number(answer["value"], f"{where}.value"),
            "tolerance": tolerance,
        }
    else:
        if "tolerance" in answer:
            raise ValidationError(f"{where}.tolerance", "only applies to a value, not a range")
        low = checks.number(answer.get("min"), f"{where}.min")
        high = checks.number(answer.get("max"), f"{where}.max")
        if low > high:
            raise ValidationError(f"{where}.min", f"is greater than max ({low} > {high})")
        normalized = {"min": low, "max": high}
    normalized["credit"] = checks.credit(answer.get("credit"), f"{where}.credit")
    normalized["feedback"] = checks.text(
        answer.get("feedback"), f"{where}.feedback", required=False
    )
    return normalized


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"answers", "unit"})
    raw = content.get("answers")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("answers", "needs at least one answer: a value or a min and max")
    answers = [_answer(answer, i) for i, answer in enumerate(raw)]
    checks.require_full_credit(answers)
    result["answers"] = answers
    result["unit"] = checks.text(content.get("unit"), "unit", required=False)
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(KIND, render_markdown(content["prompt"]))


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    value = form_value(form, "value")
    return {} if value is None else {"value": value}


def _matches(answer: Mapping[str, Any], number: float) -> bool:
    if "value" in answer:
        return abs(number - answer["value"]) <= answer["tolerance"] + SLACK
    return answer["min"] - SLACK <= number <= answer["max"] + SLACK


def _answer_text(answer: Mapping[str, Any], unit: str) -> str:
    if "value" in answer:
        text = format_number(answer["value"])
        if answer["tolerance"]:
            text += f" ± {format_number(answer['tolerance'])}"
    else:
        text = f"{format_number(answer['min'])}–{format_number(answer['max'])}"
    return f"{text} {unit}" if unit else text


def grade(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    raw = response.get("value")
    number = parse_number(raw, content["unit"])
    matches = [number is not None and _matches(a, number) for a in answers]
    best = best_answer(answers, matches)
    answer = next(_answer_text(a, content["unit"]) for a in answers if a["credit"] >= 1)
    label_ = str(raw).strip() if isinstance(raw, str | int | float) else ""
    return GradeResult(best["credit"] if best else 0.0, single_part(best, label_), answer)


def describe_response(content: Content, response: Response) -> str:
    return typed_text(response.get("value"))
