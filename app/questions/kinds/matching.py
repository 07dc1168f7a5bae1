"""Matching: pair each left-hand stem with one of the right-hand answers."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from app.questions import checks
from app.questions.layout import choices, form_value, permutation, to_int
from app.questions.rendering import render_markdown, render_plain
from app.questions.shared import (
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

KIND = "matching"
label = "Matching"
description = "Pair each item on the left with one on the right."
self_graded = False


def matching_rights(content: Mapping[str, Any]) -> list[str]:
    """Every right-hand choice: the pairs' rights in pair order, then the distractors."""
    return [pair["right"] for pair in content["pairs"]] + list(content["distractors"])


def validate(content: Content) -> dict[str, Any]:
    result = checks.base(content, {"pairs", "distractors"})
    pairs = []
    raw = checks.items(content.get("pairs"), "pairs", minimum=2, noun="pair")
    for i, pair in enumerate(raw):
        where = f"pairs[{i}]"
        pair = checks.mapping(pair, where)
        checks.check_keys(pair, {"left", "right"}, where)
        pairs.append(
            {
                "left": checks.text(pair.get("left"), f"{where}.left"),
                "right": checks.text(pair.get("right"), f"{where}.right"),
            }
        )
    checks.no_duplicates([pair["left"] for pair in pairs], "pairs", "the left-hand text")
    distractors = content.get("distractors")
    distractors = (
        []
        if distractors is None
        else checks.texts(distractors, "distractors", minimum=0, noun="distractor")
    )
    rights = {pair["right"] for pair in pairs}
    for i, distractor in enumerate(distractors):
        if distractor in rights:
            raise ValidationError(f"distractors[{i}]", "is also a right-hand answer of a pair")
    checks.no_duplicates(distractors, "distractors", "the distractor")
    result["pairs"] = pairs
    result["distractors"] = distractors
    return result


def present(content: Content, stored: Orders, rng: random.Random) -> Presentation:
    # As in Moodle, the left-hand stems keep their written order and the answers are shuffled.
    lefts = [pair["left"] for pair in content["pairs"]]
    rights = matching_rights(content)
    order = permutation("rights", len(rights), stored, rng)
    return Presentation(
        KIND,
        render_markdown(content["prompt"]),
        lefts=choices(lefts, list(range(len(lefts)))),
        rights=choices(rights, order),
        order={"rights": order},
    )


def parse_response(content: Content, form: Form) -> dict[str, Any]:
    pairs = {}
    for i in range(len(content["pairs"])):
        chosen = to_int(form_value(form, f"match-{i}"))
        if chosen is not None:
            pairs[str(i)] = chosen
    return {"pairs": pairs}


def grade(content: Content, response: Response) -> GradeResult:
    pairs = content["pairs"]
    rights = matching_rights(content)
    raw = response.get("pairs")
    chosen_by_left = raw if isinstance(raw, Mapping) else {}
    parts = []
    for i, pair in enumerate(pairs):
        chosen = read_index(chosen_by_left.get(str(i), chosen_by_left.get(i)))
        # Compared by text: two pairs may share a right-hand answer, and either copy is right.
        right = chosen is not None and 0 <= chosen < len(rights) and rights[chosen] == pair["right"]
        message = "" if right else f"Answer: {render_plain(pair['right'])}"
        parts.append(
            PartFeedback(render_plain(pair["left"]), right, 1.0 if right else 0.0, message)
        )
    answer = "; ".join(f"{render_plain(p['left'])} → {render_plain(p['right'])}" for p in pairs)
    return GradeResult(sum(part.fraction for part in parts) / len(pairs), parts, answer)


def describe_response(content: Content, response: Response) -> str:
    rights = matching_rights(content)
    chosen = response.get("pairs")
    lines = []
    for i, pair in enumerate(content["pairs"]):
        picked = chosen.get(str(i)) if isinstance(chosen, Mapping) else None
        lines.append(f"{render_plain(pair['left'])} → {pick(rights, picked) or '(none)'}")
    return "; ".join(lines)
