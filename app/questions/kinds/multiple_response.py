"""Multiple response: options with one or more right answers; tick all that apply."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.kinds.multiple_choice import present_options
from app.questions.layout import form_values, to_int
from app.questions.rendering import render_plain
from app.questions.shared import (
    NO_ANSWER,
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    ValidationError,
    pick,
    read_index,
)

KIND = "multiple_response"
label = "Multiple response"
description = "Options with one or more right answers."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"options", "pin_order"})
    options = checks.options(content)
    if not any(option["correct"] for option in options):
        raise ValidationError("options", "at least one option must be correct")
    result["options"] = options
    result["pin_order"] = checks.flag(content.get("pin_order"), "pin_order")
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return present_options(KIND, content, stored, rng)


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    picked = {to_int(value) for value in form_values(form, "choices")}
    return {"choices": sorted(i for i in picked if i is not None)}


def grade(content: Content, response: Response) -> GradeResult:
    options = content["options"]
    raw = response.get("choices")
    picked = {read_index(value) for value in raw} if isinstance(raw, list | tuple) else set()
    correct_count = sum(1 for option in options if option["correct"])
    wrong_count = len(options) - correct_count
    # Moodle's multiple-answer scoring: right picks share full credit, wrong picks share a
    # full penalty, so ticking every box earns nothing when there are wrong options.
    fraction = 0.0
    parts = []
    for i, option in enumerate(options):
        chosen = i in picked
        if chosen:
            fraction += 1 / correct_count if option["correct"] else -1 / wrong_count
        handled = chosen == option["correct"]
        message = verdict(option["correct"], chosen)
        if chosen and option["feedback"]:
            message += f" {option['feedback']}"
        parts.append(
            PartFeedback(render_plain(option["text"]), handled, 1.0 if handled else 0.0, message)
        )
    answer = "; ".join(render_plain(o["text"]) for o in options if o["correct"])
    return GradeResult(fraction, parts, answer)


def verdict(correct: bool, chosen: bool) -> str:
    """One option's feedback in words: what the option is, then what the student did with it."""
    what = "Correct answer" if correct else "Not an answer"
    if correct:
        did = "you ticked it (right)." if chosen else "you left it unticked (missed)."
    else:
        did = "you ticked it (wrong)." if chosen else "you left it unticked (right)."
    return f"{what}: {did}"


def describe_response(content: Content, response: Response) -> str:
    texts = [option["text"] for option in content["options"]]
    raw = response.get("choices")
    chosen = [pick(texts, i) for i in raw] if isinstance(raw, list | tuple) else []
    return "; ".join(text for text in chosen if text) or NO_ANSWER
