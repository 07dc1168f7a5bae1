"""Numerical: a number, exact, within a tolerance or in a range, with optional units.

As in Moodle: `unit` is the base unit the answers are given in, shown next to the input;
`units` lists other units a student may type, each with the multiplier that turns a number in
it into the base unit ("million" = 1000000 when the base is people). A number typed with no
unit is read in the base unit or in any listed unit, whichever matches; an unknown unit gets
"unit not recognised", not a silent 0. Thousands separators ("2,500,000", "2 500 000") and a
decimal comma ("2,5") are read. A `year` question takes words around the year ("in 1956",
"1956 AD") and refuses separators ("1,956").
"""

from __future__ import annotations

import random
import re
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
    PartFeedback,
    Presentation,
    Response,
    ValidationError,
    best_answer,
    format_number,
    normalize_text,
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


def _units(raw: Any, base_unit: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    units = []
    seen = {normalize_text(base_unit)} if base_unit else set()
    for i, unit in enumerate(checks.items(raw, "units", minimum=0, noun="unit")):
        where = f"units[{i}]"
        unit = checks.mapping(unit, where)
        checks.check_keys(unit, {"unit", "multiplier"}, where)
        name = checks.text(unit.get("unit"), f"{where}.unit")
        if not normalize_text(name) or re.match(r"[\d.,+-]", name):
            raise ValidationError(f"{where}.unit", "must be a word, not a number")
        if normalize_text(name) in seen:
            raise ValidationError(f"{where}.unit", f"“{name}” is listed twice")
        seen.add(normalize_text(name))
        multiplier = checks.number(unit.get("multiplier"), f"{where}.multiplier")
        if multiplier <= 0:
            raise ValidationError(f"{where}.multiplier", "must be greater than 0")
        units.append({"unit": name, "multiplier": multiplier})
    return units


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"answers", "unit", "units", "year"})
    raw = content.get("answers")
    if not isinstance(raw, list) or not raw:
        raise ValidationError("answers", "needs at least one answer: a value or a min and max")
    answers = [_answer(answer, i) for i, answer in enumerate(raw)]
    checks.require_full_credit(answers)
    result["answers"] = answers
    result["unit"] = checks.text(content.get("unit"), "unit", required=False)
    result["units"] = _units(content.get("units"), result["unit"])
    result["year"] = checks.flag(content.get("year"), "year")
    if result["year"] and (result["unit"] or result["units"]):
        raise ValidationError("year", "a year question takes no units")
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(KIND, render_markdown(content["prompt"]), unit=content["unit"])


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


# A number, then whatever follows it (a unit). The number may hold separators and spaces.
_NUMBER_THEN_UNIT = re.compile(
    r"\s*([+\-\u2212]?[\d.,\s\u00a0\u2009\u202f]*\d\.?(?:[eE][+\-]?\d+)?)\s*(.*?)\s*"
)
_YEAR = re.compile(
    r"(?:in\s+|in\s+the\s+year\s+|the\s+year\s+|year\s+)?(.+?)\s*(?:a\.?d|c\.?e)?\.?", re.I
)


def read_value(content: Content, raw: Any) -> tuple[list[float], str]:
    """The values a typed answer can mean in the base unit, or [] and why it cannot be read."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = parse_number(raw)
        return ([number], "") if number is not None else ([], "Not a number")
    if not isinstance(raw, str) or not raw.strip():
        return [], ""
    if content.get("year"):
        match = _YEAR.fullmatch(raw.strip())
        year = match[1] if match else ""
        if re.fullmatch(r"\d{1,4}", year):
            return [float(year)], ""
        if re.fullmatch(r"\d{1,3}([,.\s]\d{3})+", year):
            return [], "Write a year as plain digits, without separators (for example 1917)"
        return [], "Not a year: write it in digits (for example 1917)"
    match = _NUMBER_THEN_UNIT.fullmatch(raw)
    number = parse_number(match[1]) if match else None
    if number is None:
        return [], "Not a number: type digits, for example 2.5 or 2,500,000"
    typed_unit = normalize_text(match[2]) if match else ""
    base = content.get("unit", "")
    units = [{"unit": base, "multiplier": 1}] if base else []
    units += content.get("units", [])
    if not typed_unit:
        return [number] + [number * unit["multiplier"] for unit in content.get("units", [])], ""
    for unit in units:
        name = normalize_text(unit["unit"])
        if typed_unit in (name, name + "s") or typed_unit + "s" == name:
            return [number * unit["multiplier"]], ""
    known = ", ".join(f"“{unit['unit']}”" for unit in units)
    message = f"Unit not recognised: “{match[2]}”"
    return [], message + (f". Use {known}, or no unit" if known else "; type the number alone")


def grade(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    raw = response.get("value")
    values, problem = read_value(content, raw)
    matches = [any(_matches(a, value) for value in values) for a in answers]
    best = best_answer(answers, matches)
    answer = next(_answer_text(a, content["unit"]) for a in answers if a["credit"] >= 1)
    label_ = str(raw).strip() if isinstance(raw, str | int | float) else ""
    parts = [PartFeedback(label_, False, 0.0, problem)] if problem else single_part(best, label_)
    return GradeResult(best["credit"] if best else 0.0, parts, answer)


def describe_response(content: Content, response: Response) -> str:
    return typed_text(response.get("value"))
