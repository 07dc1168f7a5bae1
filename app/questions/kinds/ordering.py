"""Ordering: put the items in the right order."""

from __future__ import annotations

import random
from typing import Any

from app.questions import checks
from app.questions.layout import choices, form_value, permutation, to_int
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
    NO_ANSWER,
    Content,
    Form,
    GradeResult,
    Orders,
    PartFeedback,
    Presentation,
    Response,
    pick,
    read_index,
)

KIND = "ordering"
label = "Ordering"
description = "Put items in the right order."
self_graded = False


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"items"})
    items = checks.texts(content.get("items"), "items", minimum=2, noun="item")
    checks.no_duplicates(items, "items", "the item")
    result["items"] = items
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    items = content["items"]
    # Showing the items already in order would give the answer away.
    order = permutation("items", len(items), stored, rng, avoid_identity=True)
    return Presentation(
        KIND,
        render_markdown(content["prompt"]),
        items=choices(items, order),
        order={"items": order},
    )


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    positions = [to_int(form_value(form, f"position-{i}")) for i in range(len(content["items"]))]
    # A missing position, or two items given the same one, is not an order. Breaking such
    # ties by item index would rebuild the written order, which is the correct answer.
    if None in positions or len(set(positions)) != len(positions):
        return {"order": []}
    ranked = sorted(range(len(positions)), key=lambda i: (positions[i], i))
    return {"order": ranked}


def grade(content: Content, response: Response) -> GradeResult:
    items = content["items"]
    answer = " → ".join(render_plain(item) for item in items)
    raw = response.get("order")
    order = [read_index(value) for value in raw] if isinstance(raw, list | tuple) else []
    if None in order or sorted(order) != list(range(len(items))):
        return GradeResult(0.0, [PartFeedback("No answer", False, 0.0)], answer)
    # Moodle's "relative to the next item" rule: each neighbouring pair the student placed
    # in the right sequence earns 1/(n-1), so only the exact order scores 1.
    parts = []
    for first, second in zip(order, order[1:], strict=False):
        right = second == first + 1
        step = f"{render_plain(items[first])} → {render_plain(items[second])}"
        parts.append(PartFeedback(step, right, 1.0 if right else 0.0))
    fraction = sum(part.fraction for part in parts) / (len(items) - 1)
    return GradeResult(fraction, parts, answer)


def describe_response(content: Content, response: Response) -> str:
    raw = response.get("order")
    texts = [pick(content["items"], i) for i in raw] if isinstance(raw, list | tuple) else []
    return " → ".join(text for text in texts if text) or NO_ANSWER
