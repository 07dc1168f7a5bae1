"""Cloze: a text with gaps to type into or to pick from a list.

A typed gap is matched like a short answer: one extra article is ignored and a spelling slip
earns `typo_credit` of the gap (full credit unless the question says otherwise).
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from app.questions import checks
from app.questions.layout import choices, form_value, permutation
from app.questions.rendering import render_inline, render_markdown, render_plain
from app.questions.shared import (
    NO_ANSWER,
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    Segment,
    ValidationError,
    accepted_list,
    almost_message,
    normalize_text,
    read_index,
    text_match,
)

KIND = "cloze"
label = "Cloze"
description = "A text with gaps to fill in or pick from a list."
self_graded = False

# A gap marker is exactly {{n}}; anything else between double braces is a typo worth reporting.
GAP_MARKER = re.compile(r"\{\{(\d+)\}\}")
_BRACED = re.compile(r"\{\{[^{}]*\}\}")


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"text", "gaps", "typo_credit"})
    text = checks.text(content.get("text"), "text")
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
    raw = checks.items(content.get("gaps"), "gaps", minimum=1, noun="gap")
    if len(raw) != len(numbers):
        raise ValidationError(
            "gaps", f"the text has {len(numbers)} gaps but {len(raw)} are described here"
        )
    result["text"] = text
    result["gaps"] = [_gap(gap, f"gaps[{i}]") for i, gap in enumerate(raw)]
    result["typo_credit"] = checks.credit(content.get("typo_credit"), "typo_credit")
    return result


def _gap(gap: Any, where: str) -> dict[str, Any]:
    gap = checks.mapping(gap, where)
    checks.check_keys(gap, {"answers", "options", "correct"}, where)
    if ("answers" in gap) == ("options" in gap):
        raise ValidationError(where, "needs either a list of answers or a list of options")
    if "answers" in gap:
        if "correct" in gap:
            raise ValidationError(f"{where}.correct", "only applies to a gap with options")
        return {
            "answers": checks.texts(gap["answers"], f"{where}.answers", minimum=1, noun="answer")
        }
    options = checks.texts(gap["options"], f"{where}.options", minimum=2, noun="option")
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


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    pieces = GAP_MARKER.split(content["text"])
    segments: list[Segment] = []
    orders: dict[str, list[int]] = {}
    # re.split with one group alternates text and gap number: text, n, text, n, ..., text.
    for position, piece in enumerate(pieces):
        if position % 2 == 0:
            if piece:
                segments.append(("text", render_inline(piece)))
            continue
        number = int(piece)
        gap = content["gaps"][number - 1]
        if "options" not in gap:
            segments.append(("gap", number, None))
            continue
        key = f"gap-{number}"
        orders[key] = permutation(key, len(gap["options"]), stored, rng)
        segments.append(("gap", number, choices(gap["options"], orders[key])))
    return Presentation(KIND, render_markdown(content["prompt"]), segments=segments, order=orders)


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    count = len(content["gaps"])
    return {"gaps": [form_value(form, f"gap-{n}") or "" for n in range(1, count + 1)]}


def _gap_match(gap: Mapping[str, Any], value: Any) -> tuple[bool, str | None]:
    """Whether a gap is right and, for a typed gap matched despite a slip, the answer meant."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False, None
    if "answers" in gap:
        matches = [text_match(str(value), answer) for answer in gap["answers"]]
        if "exact" in matches:
            return True, None
        if "close" in matches:
            return True, gap["answers"][matches.index("close")]
        return False, None
    # Forms send the option's index; an option's text is accepted too. An index in range wins,
    # since that is what the form posts even when option texts are themselves numbers.
    index = read_index(value)
    if index is not None and 0 <= index < len(gap["options"]):
        return index == gap["correct"], None
    given = normalize_text(str(value))
    return bool(given) and normalize_text(gap["options"][gap["correct"]]) == given, None


def _gap_answer(gap: Mapping[str, Any]) -> str:
    return gap["answers"][0] if "answers" in gap else gap["options"][gap["correct"]]


def answer_text(content: Content) -> str:
    """The cloze text with every gap filled by its first accepted answer."""
    gaps = content["gaps"]
    filled = GAP_MARKER.sub(lambda m: _gap_answer(gaps[int(m[1]) - 1]), content["text"])
    return render_plain(filled)


def grade(content: Content, response: Response) -> GradeResult:
    gaps = content["gaps"]
    raw = response.get("gaps")
    values = list(raw) if isinstance(raw, list | tuple) else []
    values += [""] * (len(gaps) - len(values))
    parts = []
    typo_credit = content.get("typo_credit", 1.0)
    for number, (gap, value) in enumerate(zip(gaps, values, strict=False), start=1):
        right, meant = _gap_match(gap, value)
        accepted = gap["answers"] if "answers" in gap else [gap["options"][gap["correct"]]]
        if meant is not None:
            part = PartFeedback(
                f"Gap {number}", typo_credit >= 1, typo_credit, almost_message(meant)
            )
        elif right:
            part = PartFeedback(f"Gap {number}", True, 1.0)
        else:
            part = PartFeedback(f"Gap {number}", False, 0.0, f"Answer: {accepted_list(accepted)}")
        parts.append(part)
    fraction = sum(part.fraction for part in parts) / len(gaps)
    return GradeResult(fraction, parts, answer_text(content))


def _gap_value(gap: Mapping[str, Any], value: Any) -> str:
    # A drop-down posts the option's index; show the option it stands for.
    if "options" in gap and isinstance(value, str) and value.strip().isdigit():
        index = int(value.strip())
        if 0 <= index < len(gap["options"]):
            return render_plain(gap["options"][index])
    return str(value).strip() if value not in (None, "") else "(blank)"


def describe_response(content: Content, response: Response) -> str:
    raw = response.get("gaps")
    values = list(raw) if isinstance(raw, list | tuple) else []
    if not any(str(value).strip() for value in values):
        return NO_ANSWER
    return " / ".join(
        _gap_value(gap, value) for gap, value in zip(content["gaps"], values, strict=False)
    )
