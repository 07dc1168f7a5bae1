"""Scoring a response against validated question content.

Responses use the original indices from the content (seed_data/README.md), never the shuffled
order a student saw, so a grade does not depend on how the question was presented. Every
grader tolerates malformed responses: anything it cannot read scores 0.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.questions.rendering import render_plain

# Below this a fraction is not "correct"; it absorbs float error in sums such as 3 × 1/3.
CORRECT_THRESHOLD = 0.999
_SLACK = 1e-9

Content = Mapping[str, Any]
Response = Mapping[str, Any]


@dataclass
class PartFeedback:
    """Feedback on one part of a response: an option, a gap, a pair or a step of an order."""

    label: str
    correct: bool | None
    fraction: float
    message: str = ""


@dataclass
class GradeResult:
    fraction: float
    feedback: list[PartFeedback] = field(default_factory=list)
    answer_text: str = ""
    correct: bool = field(init=False)

    def __post_init__(self) -> None:
        fraction = float(self.fraction)
        self.fraction = round(min(1.0, max(0.0, fraction)), 6) if math.isfinite(fraction) else 0.0
        self.correct = self.fraction >= CORRECT_THRESHOLD


def grade(kind: str, content: Mapping[str, Any], response: Any) -> GradeResult:
    """Grade `response` to a question of type `kind`; the content is validated first."""
    # The registry names this module's graders, so it can only be looked up at call time.
    from app.questions.types import question_type

    question_type_ = question_type(kind)
    normalized = question_type_.validate(content)
    return question_type_.grade(normalized, response if isinstance(response, Mapping) else {})


# -- reading responses -------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """Fold text for short-answer matching: case, accents, punctuation and spacing are ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            continue
        # Punctuation becomes a space so "Khrushchev's" and "Khrushchev s" agree and
        # "1953-1964" does not fuse into one number.
        kept.append(" " if category.startswith("P") else char)
    return " ".join("".join(kept).casefold().split())


def _index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:[, ]\d{3})+(?:\.\d*)?")


def parse_number(text: Any, unit: str = "") -> float | None:
    """Read a number typed by a student, or None.

    Accepts thousands separators ("1,000,000", "1 000 000"), exponents ("1e6"), a trailing
    point ("1956."), a typographic minus, a decimal comma when it cannot be a thousands
    separator ("3,5") and, as Moodle does, the question's unit after the number.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return float(text) if math.isfinite(text) else None
    if not isinstance(text, str):
        return None
    text = text.strip().replace("\u2212", "-")
    if unit and text.endswith(unit):
        text = text[: -len(unit)].rstrip()
    text = re.sub(r"[\u00a0\u2009\u202f]", " ", text)
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "").replace(" ", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def format_number(number: float) -> str:
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


# -- one grader per type -----------------------------------------------------------------------


def _self_graded(response: Mapping[str, Any]) -> float:
    score = response.get("self_score", 0)
    if isinstance(score, bool):
        return 0.0
    try:
        return float(score)
    except (TypeError, ValueError):
        return 0.0


def grade_flashcard(content: Content, response: Response) -> GradeResult:
    return GradeResult(_self_graded(response), [], render_plain(content["back"]))


def grade_essay(content: Content, response: Response) -> GradeResult:
    model = render_plain(content["model_answer"])
    fraction = _self_graded(response)
    return GradeResult(fraction, [PartFeedback("Model answer", None, fraction, model)], model)


def grade_multiple_choice(content: Content, response: Response) -> GradeResult:
    options = content["options"]
    answer = next(render_plain(o["text"]) for o in options if o["correct"])
    choice = _index(response.get("choice"))
    if choice is None or not 0 <= choice < len(options):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], answer)
    option = options[choice]
    fraction = 1.0 if option["correct"] else 0.0
    part = PartFeedback(
        render_plain(option["text"]), option["correct"], fraction, option["feedback"]
    )
    return GradeResult(fraction, [part], answer)


def grade_multiple_response(content: Content, response: Response) -> GradeResult:
    options = content["options"]
    raw = response.get("choices")
    picked = {_index(value) for value in raw} if isinstance(raw, list | tuple) else set()
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
        message = option["feedback"] if chosen else ""
        parts.append(
            PartFeedback(render_plain(option["text"]), handled, 1.0 if handled else 0.0, message)
        )
    answer = "; ".join(render_plain(o["text"]) for o in options if o["correct"])
    return GradeResult(fraction, parts, answer)


def grade_true_false(content: Content, response: Response) -> GradeResult:
    answer = response.get("answer")
    expected = "True" if content["answer"] else "False"
    if not isinstance(answer, bool):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], expected)
    fraction = 1.0 if answer is content["answer"] else 0.0
    message = content["feedback_true"] if answer else content["feedback_false"]
    label = "True" if answer else "False"
    return GradeResult(fraction, [PartFeedback(label, bool(fraction), fraction, message)], expected)


def _best(answers: list[dict[str, Any]], matches: list[bool]) -> dict[str, Any] | None:
    candidates = [answer for answer, hit in zip(answers, matches, strict=True) if hit]
    return max(candidates, key=lambda answer: answer["credit"], default=None)


def _single_part(best: dict[str, Any] | None, given: str) -> list[PartFeedback]:
    if best is None:
        return [PartFeedback(given or "No answer", False, 0.0)]
    return [PartFeedback(given, best["credit"] >= 1, best["credit"], best["feedback"])]


def grade_short_answer(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    text = response.get("text")
    given = normalize_text(text) if isinstance(text, str) else ""
    matches = [bool(given) and normalize_text(a["text"]) == given for a in answers]
    best = _best(answers, matches)
    answer = next(render_plain(a["text"]) for a in answers if a["credit"] >= 1)
    label = text.strip() if isinstance(text, str) else ""
    return GradeResult(best["credit"] if best else 0.0, _single_part(best, label), answer)


def _numeric_match(answer: Mapping[str, Any], number: float) -> bool:
    if "value" in answer:
        return abs(number - answer["value"]) <= answer["tolerance"] + _SLACK
    return answer["min"] - _SLACK <= number <= answer["max"] + _SLACK


def _numeric_text(answer: Mapping[str, Any], unit: str) -> str:
    if "value" in answer:
        text = format_number(answer["value"])
        if answer["tolerance"]:
            text += f" ± {format_number(answer['tolerance'])}"
    else:
        text = f"{format_number(answer['min'])}–{format_number(answer['max'])}"
    return f"{text} {unit}" if unit else text


def grade_numerical(content: Content, response: Response) -> GradeResult:
    answers = content["answers"]
    raw = response.get("value")
    number = parse_number(raw, content["unit"])
    matches = [number is not None and _numeric_match(a, number) for a in answers]
    best = _best(answers, matches)
    answer = next(_numeric_text(a, content["unit"]) for a in answers if a["credit"] >= 1)
    label = str(raw).strip() if isinstance(raw, str | int | float) else ""
    return GradeResult(best["credit"] if best else 0.0, _single_part(best, label), answer)


def _gap_correct(gap: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, str | int) or isinstance(value, bool):
        return False
    if "answers" in gap:
        given = normalize_text(str(value))
        return bool(given) and any(normalize_text(a) == given for a in gap["answers"])
    # Forms send the option's index; an option's text is accepted too. An index in range wins,
    # since that is what the form posts even when option texts are themselves numbers.
    index = _index(value)
    if index is not None and 0 <= index < len(gap["options"]):
        return index == gap["correct"]
    given = normalize_text(str(value))
    return bool(given) and normalize_text(gap["options"][gap["correct"]]) == given


def _gap_answer(gap: Mapping[str, Any]) -> str:
    return gap["answers"][0] if "answers" in gap else gap["options"][gap["correct"]]


def cloze_answer_text(content: Mapping[str, Any]) -> str:
    """The cloze text with every gap filled by its first accepted answer."""
    gaps = content["gaps"]
    filled = re.sub(r"\{\{(\d+)\}\}", lambda m: _gap_answer(gaps[int(m[1]) - 1]), content["text"])
    return render_plain(filled)


def grade_cloze(content: Content, response: Response) -> GradeResult:
    gaps = content["gaps"]
    raw = response.get("gaps")
    values = list(raw) if isinstance(raw, list | tuple) else []
    values += [""] * (len(gaps) - len(values))
    parts = []
    for number, (gap, value) in enumerate(zip(gaps, values, strict=False), start=1):
        right = _gap_correct(gap, value)
        message = "" if right else f"Answer: {render_plain(_gap_answer(gap))}"
        parts.append(PartFeedback(f"Gap {number}", right, 1.0 if right else 0.0, message))
    fraction = sum(part.fraction for part in parts) / len(gaps)
    return GradeResult(fraction, parts, cloze_answer_text(content))


def matching_rights(content: Mapping[str, Any]) -> list[str]:
    """Every right-hand choice: the pairs' rights in pair order, then the distractors."""
    return [pair["right"] for pair in content["pairs"]] + list(content["distractors"])


def grade_matching(content: Content, response: Response) -> GradeResult:
    pairs = content["pairs"]
    rights = matching_rights(content)
    raw = response.get("pairs")
    chosen_by_left = raw if isinstance(raw, Mapping) else {}
    parts = []
    for i, pair in enumerate(pairs):
        chosen = _index(chosen_by_left.get(str(i), chosen_by_left.get(i)))
        # Compared by text: two pairs may share a right-hand answer, and either copy is right.
        right = chosen is not None and 0 <= chosen < len(rights) and rights[chosen] == pair["right"]
        message = "" if right else f"Answer: {render_plain(pair['right'])}"
        parts.append(
            PartFeedback(render_plain(pair["left"]), right, 1.0 if right else 0.0, message)
        )
    answer = "; ".join(f"{render_plain(p['left'])} → {render_plain(p['right'])}" for p in pairs)
    return GradeResult(sum(part.fraction for part in parts) / len(pairs), parts, answer)


def grade_ordering(content: Content, response: Response) -> GradeResult:
    items = content["items"]
    answer = " → ".join(render_plain(item) for item in items)
    raw = response.get("order")
    order = [_index(value) for value in raw] if isinstance(raw, list | tuple) else []
    if None in order or sorted(order) != list(range(len(items))):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], answer)
    # Moodle's "relative to the next item" rule: each neighbouring pair the student placed
    # in the right sequence earns 1/(n-1), so only the exact order scores 1.
    parts = []
    for first, second in zip(order, order[1:], strict=False):
        right = second == first + 1
        label = f"{render_plain(items[first])} → {render_plain(items[second])}"
        parts.append(PartFeedback(label, right, 1.0 if right else 0.0))
    fraction = sum(part.fraction for part in parts) / (len(items) - 1)
    return GradeResult(fraction, parts, answer)
