"""What a student sees, and reading back what they submitted.

A presentation carries the permutations it used (`order`). The caller stores them with the
attempt and passes them back, so a reload shows the same shuffle. Form values always carry
original indices from the content, so grading never needs the permutation.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.questions.grading import matching_rights
from app.questions.rendering import render_inline, render_markdown
from app.questions.validation import GAP_MARKER

Content = Mapping[str, Any]
Form = Mapping[str, Any]
Orders = Mapping[str, list[int]]


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


def present(
    kind: str,
    content: Content,
    order: Orders | None = None,
    rng: random.Random | None = None,
) -> Presentation:
    """Lay out a question, reusing `order` where it still fits the content."""
    # The registry names this module's presenters, so it can only be looked up at call time.
    from app.questions.types import question_type

    question_type_ = question_type(kind)
    normalized = question_type_.validate(content)
    stored = order if isinstance(order, Mapping) else {}
    return question_type_.present(normalized, stored, rng or random.Random())


def parse_response(kind: str, content: Content, form: Form) -> dict[str, Any]:
    """Turn submitted form fields into the response shape of seed_data/README.md."""
    from app.questions.types import question_type

    question_type_ = question_type(kind)
    return question_type_.parse_response(question_type_.validate(content), form)


# -- permutations ------------------------------------------------------------------------------


def _is_permutation(value: Any, size: int) -> bool:
    return (
        isinstance(value, list | tuple)
        and all(isinstance(i, int) and not isinstance(i, bool) for i in value)
        and sorted(value) == list(range(size))
    )


def _permutation(
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
    if _is_permutation(previous, size) and not (
        avoid_identity and size >= 2 and list(previous) == identity
    ):
        return list(previous)
    permutation = identity[:]
    rng.shuffle(permutation)
    if avoid_identity and size >= 2 and permutation == identity:
        permutation = permutation[1:] + permutation[:1]
    return permutation


def _choices(texts: list[str], permutation: list[int]) -> list[Choice]:
    return [Choice(i, render_inline(texts[i])) for i in permutation]


# -- one presenter per type --------------------------------------------------------------------


def present_flashcard(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(
        "flashcard", render_markdown(content["prompt"]), back_html=render_markdown(content["back"])
    )


def present_essay(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation(
        "essay",
        render_markdown(content["prompt"]),
        model_answer_html=render_markdown(content["model_answer"]),
        rubric_html=render_markdown(content["rubric"]),
    )


def _present_options(
    kind: str, content: Content, stored: Orders, rng: random.Random
) -> Presentation:
    texts = [option["text"] for option in content["options"]]
    permutation = _permutation("options", len(texts), stored, rng, pinned=content["pin_order"])
    return Presentation(
        kind,
        render_markdown(content["prompt"]),
        options=_choices(texts, permutation),
        order={"options": permutation},
    )


def present_multiple_choice(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return _present_options("multiple_choice", content, stored, rng)


def present_multiple_response(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return _present_options("multiple_response", content, stored, rng)


def present_true_false(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    # Always "True" then "False"; the index is the form value read by parse_response:
    # 1 stands for true and 0 for false.
    return Presentation(
        "true_false",
        render_markdown(content["prompt"]),
        options=[Choice(1, "True"), Choice(0, "False")],
    )


def present_short_answer(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation("short_answer", render_markdown(content["prompt"]))


def present_numerical(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    return Presentation("numerical", render_markdown(content["prompt"]))


def present_cloze(content: Content, stored: Orders, rng: random.Random) -> Presentation:
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
        orders[key] = _permutation(key, len(gap["options"]), stored, rng)
        segments.append(("gap", number, _choices(gap["options"], orders[key])))
    return Presentation(
        "cloze", render_markdown(content["prompt"]), segments=segments, order=orders
    )


def present_matching(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    # As in Moodle, the left-hand stems keep their written order and the answers are shuffled.
    lefts = [pair["left"] for pair in content["pairs"]]
    rights = matching_rights(content)
    permutation = _permutation("rights", len(rights), stored, rng)
    return Presentation(
        "matching",
        render_markdown(content["prompt"]),
        lefts=_choices(lefts, list(range(len(lefts)))),
        rights=_choices(rights, permutation),
        order={"rights": permutation},
    )


def present_ordering(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    items = content["items"]
    # Showing the items already in order would give the answer away.
    permutation = _permutation("items", len(items), stored, rng, avoid_identity=True)
    return Presentation(
        "ordering",
        render_markdown(content["prompt"]),
        items=_choices(items, permutation),
        order={"items": permutation},
    )


# -- reading forms -----------------------------------------------------------------------------


def _values(form: Form, key: str) -> list[str]:
    # Werkzeug's MultiDict keeps repeated fields (checkboxes) behind getlist; a plain dict
    # may hold a list instead.
    getlist = getattr(form, "getlist", None)
    if callable(getlist):
        values = getlist(key)
    else:
        value = form.get(key)
        values = value if isinstance(value, list | tuple) else [value]
    return [value for value in values if isinstance(value, str)]


def _value(form: Form, key: str) -> str | None:
    values = _values(form, key)
    return values[0] if values else None


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_flashcard(content: Content, form: Form) -> dict[str, Any]:
    score = _float(_value(form, "self_score"))
    return {} if score is None else {"self_score": min(1.0, max(0.0, score))}


def parse_essay(content: Content, form: Form) -> dict[str, Any]:
    response: dict[str, Any] = {}
    text = _value(form, "text")
    if text is not None:
        response["text"] = text
    score = _float(_value(form, "self_score"))
    if score is not None:
        response["self_score"] = min(1.0, max(0.0, score))
    return response


def parse_multiple_choice(content: Content, form: Form) -> dict[str, Any]:
    choice = _int(_value(form, "choice"))
    return {} if choice is None else {"choice": choice}


def parse_multiple_response(content: Content, form: Form) -> dict[str, Any]:
    picked = {_int(value) for value in _values(form, "choices")}
    return {"choices": sorted(i for i in picked if i is not None)}


def parse_true_false(content: Content, form: Form) -> dict[str, Any]:
    answer = (_value(form, "answer") or "").strip().lower()
    # "1"/"0" are the indices of the presented choices; "true"/"false" the documented values.
    if answer in ("true", "1"):
        return {"answer": True}
    if answer in ("false", "0"):
        return {"answer": False}
    return {}


def parse_short_answer(content: Content, form: Form) -> dict[str, Any]:
    text = _value(form, "text")
    return {} if text is None else {"text": text}


def parse_numerical(content: Content, form: Form) -> dict[str, Any]:
    value = _value(form, "value")
    return {} if value is None else {"value": value}


def parse_cloze(content: Content, form: Form) -> dict[str, Any]:
    count = len(content["gaps"])
    return {"gaps": [_value(form, f"gap-{n}") or "" for n in range(1, count + 1)]}


def parse_matching(content: Content, form: Form) -> dict[str, Any]:
    pairs = {}
    for i in range(len(content["pairs"])):
        chosen = _int(_value(form, f"match-{i}"))
        if chosen is not None:
            pairs[str(i)] = chosen
    return {"pairs": pairs}


def parse_ordering(content: Content, form: Form) -> dict[str, Any]:
    positions = [_int(_value(form, f"position-{i}")) for i in range(len(content["items"]))]
    # A missing position, or two items given the same one, is not an order. Breaking such
    # ties by item index would rebuild the written order, which is the correct answer.
    if None in positions or len(set(positions)) != len(positions):
        return {"order": []}
    ranked = sorted(range(len(positions)), key=lambda i: (positions[i], i))
    return {"order": ranked}
