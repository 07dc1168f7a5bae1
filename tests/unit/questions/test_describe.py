"""describe_response: a student's answer as one readable line, for every type."""

from __future__ import annotations

from typing import Any

import pytest

from app.questions import QUESTION_TYPES, ValidationError, describe_response

from .samples import CONTENT

CASES = [
    ("flashcard", {"self_score": 1.0}, "You said: Yes"),
    ("flashcard", {"self_score": 0.5}, "You said: Partly"),
    ("flashcard", {"self_score": 0.25}, "You said: 25%"),
    ("flashcard", {}, "Not rated"),
    ("flashcard", {"self_score": True}, "Not rated"),
    ("multiple_choice", {"choice": 1}, "Nikita Khrushchev"),
    ("multiple_choice", {"choice": 7}, "No answer"),
    ("multiple_choice", {"choice": True}, "No answer"),
    ("multiple_choice", {}, "No answer"),
    ("multiple_response", {"choices": [0, 2]}, "X; Z"),
    ("multiple_response", {"choices": [9, "x"]}, "No answer"),
    ("multiple_response", {"choices": "01"}, "No answer"),
    ("multiple_response", {}, "No answer"),
    ("true_false", {"answer": False}, "False"),
    ("true_false", {"answer": True}, "True"),
    ("true_false", {"answer": "yes"}, "No answer"),
    ("short_answer", {"text": "  moscow "}, "moscow"),
    ("short_answer", {"text": "   "}, "No answer"),
    ("short_answer", {}, "No answer"),
    ("numerical", {"value": " 1956 "}, "1956"),
    ("numerical", {"value": 1956}, "No answer"),
    ("numerical", {}, "No answer"),
    ("cloze", {"gaps": ["x", "1"]}, "x / q"),
    ("cloze", {"gaps": ["x", "5"]}, "x / 5"),
    ("cloze", {"gaps": ["", "0"]}, "(blank) / p"),
    ("cloze", {"gaps": ["", " "]}, "No answer"),
    ("cloze", {"gaps": "x"}, "No answer"),
    ("matching", {"pairs": {"0": 2, "1": 1}}, "1 → three; 2 → two"),
    ("matching", {"pairs": {"0": 9}}, "1 → (none); 2 → (none)"),
    ("matching", {"pairs": [1, 0]}, "1 → (none); 2 → (none)"),
    ("ordering", {"order": [2, 0, 1]}, "c → a → b"),
    ("ordering", {"order": [5]}, "No answer"),
    ("ordering", {}, "No answer"),
    ("essay", {"text": " My essay. ", "self_score": 0.0}, "My essay. (You said: No)"),
    ("essay", {"self_score": 1}, "You said: Yes"),
    ("essay", {}, "Not rated"),
]


@pytest.mark.parametrize(("kind", "response", "summary"), CASES)
def test_describe_response(kind: str, response: dict[str, Any], summary: str) -> None:
    assert describe_response(kind, CONTENT[kind], response) == summary


def test_every_type_is_described() -> None:
    assert {kind for kind, _, _ in CASES} == set(QUESTION_TYPES)
    assert set(CONTENT) == set(QUESTION_TYPES)


@pytest.mark.parametrize("kind", sorted(CONTENT))
def test_a_response_that_is_not_a_mapping_is_no_answer(kind: str) -> None:
    assert describe_response(kind, CONTENT[kind], ["junk"]) in {
        "No answer",
        "Not rated",
        "1 → (none); 2 → (none)",
    }


def test_describe_response_validates_the_content() -> None:
    with pytest.raises(ValidationError):
        describe_response("multiple_choice", {"prompt": "No options"}, {"choice": 0})
    with pytest.raises(ValidationError):
        describe_response("no_such_kind", {}, {})
