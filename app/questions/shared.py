"""What every question type shares: result and layout shapes, errors, reading text and numbers.

A leaf module: it imports nothing from app.questions but the rendering leaf, so any type
module, the registry and the engine can import it without a cycle.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.questions.rendering import render_plain

Content = Mapping[str, Any]
Response = Mapping[str, Any]
Form = Mapping[str, Any]
Orders = Mapping[str, list[int]]

# Below this a fraction is not "correct"; it absorbs float error in sums such as 3 × 1/3.
CORRECT_THRESHOLD = 0.999
SLACK = 1e-9

# How a student's own verdict on a self-graded answer reads back.
SELF_SCORES = {1.0: "Yes", 0.5: "Partly", 0.0: "No"}
NO_ANSWER = "No answer"


class ValidationError(ValueError):
    """Content that cannot be used as a question, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# -- grading results ---------------------------------------------------------------------------


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


# -- presentations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One thing to pick: `index` is its position in the content, `html` is how it reads."""

    index: int
    html: str


# ("text", html) or ("gap", gap number from 1, options to pick from or None for a text box).
Segment = tuple[str, str] | tuple[str, int, list[Choice] | None]


@dataclass
class Presentation:
    kind: str
    prompt_html: str
    options: list[Choice] = field(default_factory=list)
    lefts: list[Choice] = field(default_factory=list)
    rights: list[Choice] = field(default_factory=list)
    items: list[Choice] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    back_html: str = ""
    model_answer_html: str = ""
    rubric_html: str = ""
    order: dict[str, list[int]] = field(default_factory=dict)
    unit: str = ""  # numerical: the unit shown next to the input


# -- reading text and numbers ------------------------------------------------------------------


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


def read_index(value: Any) -> int | None:
    """An index from a response: an int or a string of digits, never a bool."""
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


# -- self-graded types -------------------------------------------------------------------------


def self_score(response: Response) -> float:
    """The student's own score of a self-graded answer; anything unreadable is 0."""
    score = response.get("self_score", 0)
    if isinstance(score, bool):
        return 0.0
    try:
        return float(score)
    except (TypeError, ValueError):
        return 0.0


def self_score_text(response: Response) -> str:
    """The verdict in words ("You said: Partly"), or "Not rated" before there is one."""
    score = response.get("self_score")
    if not isinstance(score, int | float) or isinstance(score, bool):
        return "Not rated"
    label = SELF_SCORES.get(float(score), f"{round(float(score) * 100)}%")
    return f"You said: {label}"


def pick(texts: Sequence[str], index: Any) -> str | None:
    """The plain text of `texts[index]` when `index` is a real index into `texts`, else None."""
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(texts):
        return render_plain(texts[index])
    return None


# -- types with a list of accepted answers -----------------------------------------------------


def best_answer(answers: list[dict[str, Any]], matches: list[bool]) -> dict[str, Any] | None:
    """The matching accepted answer that gives the most credit, or None."""
    candidates = [answer for answer, hit in zip(answers, matches, strict=True) if hit]
    return max(candidates, key=lambda answer: answer["credit"], default=None)


def single_part(best: dict[str, Any] | None, given: str) -> list[PartFeedback]:
    if best is None:
        return [PartFeedback(given or "No answer", False, 0.0)]
    return [PartFeedback(given, best["credit"] >= 1, best["credit"], best["feedback"])]


def typed_text(value: Any) -> str:
    """A typed answer, trimmed, or "No answer" when there is none."""
    return value.strip() if isinstance(value, str) and value.strip() else NO_ANSWER


# -- typed answers: spelling slips and articles ------------------------------------------------

# Credit for an answer within a spelling slip of an accepted one, unless the question says
# otherwise (`typo_credit`): a typo is not a wrong answer.
DEFAULT_TYPO_CREDIT = 1.0
_ARTICLES = frozenset({"the", "a", "an"})


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
    substitutions and swaps of two neighbouring characters each count one."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def typo_allowance(accepted: str) -> int:
    """How many slips an accepted answer (already normalized) tolerates: none for numbers or
    answers of four characters or fewer, one up to eight characters, two above."""
    if any(char.isdigit() for char in accepted):
        return 0
    length = len(accepted.replace(" ", ""))
    if length <= 4:
        return 0
    return 1 if length <= 8 else 2


def _without_one_article(words: list[str]) -> list[list[str]]:
    return [words[:i] + words[i + 1 :] for i, word in enumerate(words) if word in _ARTICLES]


def text_match(given: str, accepted: str) -> str | None:
    """How a typed answer matches an accepted one: "exact" (ignoring case, accents,
    punctuation and one extra article), "close" (a spelling slip) or None."""
    given_norm, accepted_norm = normalize_text(given), normalize_text(accepted)
    if not given_norm or not accepted_norm:
        return None
    if given_norm == accepted_norm:
        return "exact"
    accepted_words = accepted_norm.split()
    if any(words == accepted_words for words in _without_one_article(given_norm.split())):
        return "exact"
    allowance = typo_allowance(accepted_norm)
    if allowance:
        candidates = [given_norm.split()] + _without_one_article(given_norm.split())
        if any(edit_distance(" ".join(w), accepted_norm) <= allowance for w in candidates):
            return "close"
    return None


def almost_message(accepted: str) -> str:
    return f"Almost: check the spelling ({render_plain(accepted)})"


def best_text_match(
    given: Any, answers: list[dict[str, Any]], typo_credit: float
) -> tuple[dict[str, Any] | None, bool]:
    """The accepted answer a typed text earns most from, and whether it was a spelling slip.

    An exact match always wins over a slip; a slip counts only towards answers that give
    credit, at most `typo_credit`.
    """
    if not isinstance(given, str):
        return None, False
    exact = [a for a in answers if text_match(given, a["text"]) == "exact"]
    if exact:
        return max(exact, key=lambda a: a["credit"]), False
    close = [a for a in answers if a["credit"] > 0 and text_match(given, a["text"]) == "close"]
    if not close:
        return None, False
    best = max(close, key=lambda a: a["credit"])
    return {**best, "credit": min(best["credit"], typo_credit)}, True


def accepted_list(texts: Sequence[str]) -> str:
    """All accepted answers in one line: "Khrushchev or Nikita Khrushchev"."""
    plain = [render_plain(text) for text in texts]
    return ", ".join(plain[:-1]) + " or " + plain[-1] if len(plain) > 1 else "".join(plain)
