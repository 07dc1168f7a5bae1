from __future__ import annotations

import copy
from typing import Any

import pytest

from app.questions import QUESTION_TYPES, ValidationError, validate_content
from tests.samples import SAMPLES

VALID = SAMPLES


def with_changes(kind: str, **changes: Any) -> dict[str, Any]:
    content = copy.deepcopy(VALID[kind])
    for key, value in changes.items():
        if value is None:
            content.pop(key, None)
        else:
            content[key] = value
    return content


def field_of(kind: str, content: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_content(kind, content)
    assert caught.value.message
    return caught.value.field


@pytest.mark.parametrize("kind", list(VALID))
def test_every_valid_example_passes(kind: str) -> None:
    normalized = validate_content(kind, VALID[kind])
    assert normalized["prompt"] == VALID[kind]["prompt"]


def test_every_type_has_an_example() -> None:
    assert list(VALID) == list(QUESTION_TYPES)


def test_validation_returns_a_copy() -> None:
    content = copy.deepcopy(VALID["multiple_choice"])
    normalized = validate_content("multiple_choice", content)
    normalized["options"][0]["text"] = "changed"
    assert content == VALID["multiple_choice"]


# Only the required fields, so that every optional one takes its default.
MINIMAL: dict[str, dict[str, Any]] = {
    "multiple_choice": {
        "prompt": "When was the Secret Speech?",
        "options": [{"text": "1953", "correct": False}, {"text": "1956", "correct": True}],
    },
    "true_false": {"prompt": "Stalin died in 1953.", "answer": True},
    "short_answer": {"prompt": "Who?", "answers": [{"text": "Khrushchev"}]},
    "numerical": {"prompt": "Which year?", "answers": [{"value": 1956}]},
    "matching": {
        "prompt": "Match.",
        "pairs": [{"left": "Secret Speech", "right": "1956"}, {"left": "Ousted", "right": "1964"}],
    },
    "essay": {"prompt": "Discuss.", "model_answer": "A good answer mentions the thaw."},
}


def test_defaults_are_filled_in() -> None:
    mc = validate_content("multiple_choice", MINIMAL["multiple_choice"])
    assert mc["pin_order"] is False
    assert mc["options"][0] == {"text": "1953", "correct": False, "feedback": ""}
    sa = validate_content("short_answer", MINIMAL["short_answer"])
    assert sa["answers"] == [{"text": "Khrushchev", "credit": 1.0, "feedback": ""}]
    num = validate_content("numerical", MINIMAL["numerical"])
    assert num["answers"] == [{"value": 1956, "tolerance": 0, "credit": 1.0, "feedback": ""}]
    assert num["unit"] == ""
    tf = validate_content("true_false", MINIMAL["true_false"])
    assert tf["feedback_true"] == "" and tf["feedback_false"] == ""
    assert validate_content("matching", MINIMAL["matching"])["distractors"] == []
    assert validate_content("essay", MINIMAL["essay"])["rubric"] == ""


def test_missing_correct_flag_means_a_wrong_option() -> None:
    content = with_changes(
        "multiple_choice", options=[{"text": "1953"}, {"text": "1956", "correct": True}]
    )
    assert validate_content("multiple_choice", content)["options"][0]["correct"] is False


def test_numbers_written_without_quotes_become_text() -> None:
    content = with_changes("ordering", items=[1953, 1956, 1964])
    assert validate_content("ordering", content)["items"] == ["1953", "1956", "1964"]


def test_text_is_trimmed() -> None:
    content = with_changes("flashcard", back="  Khrushchev\n")
    assert validate_content("flashcard", content)["back"] == "Khrushchev"


def test_numerical_range_and_unit_are_kept() -> None:
    content = with_changes(
        "numerical", answers=[{"min": 1953, "max": 1956, "credit": 0.5}, {"value": 3}], unit="km"
    )
    normalized = validate_content("numerical", content)
    assert normalized["answers"][0] == {"min": 1953, "max": 1956, "credit": 0.5, "feedback": ""}
    assert normalized["unit"] == "km"


def test_error_text_names_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_content("multiple_choice", with_changes("multiple_choice", options=[]))
    assert str(caught.value) == f"options: {caught.value.message}"
    assert isinstance(caught.value, ValueError)


def test_two_correct_options_message() -> None:
    options = [{"text": "a", "correct": True}, {"text": "b", "correct": True}]
    with pytest.raises(ValidationError) as caught:
        validate_content("multiple_choice", with_changes("multiple_choice", options=options))
    assert str(caught.value) == "options: exactly one option must be correct"


def test_unknown_type() -> None:
    assert field_of("dropdown", {"prompt": "x"}) == "type"


def test_content_must_be_a_mapping() -> None:
    assert field_of("flashcard", ["prompt"]) == "content"


OPTION_A = {"text": "a", "correct": True}
OPTION_B = {"text": "b", "correct": False}

INVALID: list[tuple[str, dict[str, Any], str]] = [
    # every type needs a prompt
    *[(kind, {"prompt": None}, "prompt") for kind in VALID],
    *[(kind, {"prompt": "   "}, "prompt") for kind in VALID],
    ("flashcard", {"prompt": ["x"]}, "prompt"),
    ("flashcard", {"prompt": True}, "prompt"),
    # unknown keys are refused, at any depth
    ("flashcard", {"answer": "x"}, "answer"),
    ("multiple_choice", {"explanation": "x"}, "explanation"),
    (
        "multiple_choice",
        {"options": [{"text": "a", "corect": True}, OPTION_B]},
        "options[0].corect",
    ),
    ("short_answer", {"answers": [{"text": "a", "score": 1}]}, "answers[0].score"),
    ("numerical", {"answers": [{"value": 1, "tol": 1}]}, "answers[0].tol"),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"]}, {"options": ["a", "b"], "correct": 0, "x": 1}]},
        "gaps[1].x",
    ),
    (
        "matching",
        {"pairs": [{"left": "a", "right": "b", "note": "c"}, {"left": "c", "right": "d"}]},
        "pairs[0].note",
    ),
    # flashcard and essay
    ("flashcard", {"back": None}, "back"),
    ("flashcard", {"back": ""}, "back"),
    ("essay", {"model_answer": None}, "model_answer"),
    ("essay", {"model_answer": " "}, "model_answer"),
    ("essay", {"rubric": ["a"]}, "rubric"),
    # multiple choice
    ("multiple_choice", {"options": None}, "options"),
    ("multiple_choice", {"options": "a, b"}, "options"),
    ("multiple_choice", {"options": [OPTION_A]}, "options"),
    ("multiple_choice", {"options": [OPTION_B, OPTION_B]}, "options"),
    ("multiple_choice", {"options": [OPTION_A, OPTION_A]}, "options"),
    ("multiple_choice", {"options": [OPTION_A, {"text": "", "correct": False}]}, "options[1].text"),
    ("multiple_choice", {"options": [OPTION_A, OPTION_B, {"correct": False}]}, "options[2].text"),
    ("multiple_choice", {"options": [OPTION_A, {"text": True}]}, "options[1].text"),
    (
        "multiple_choice",
        {"options": [OPTION_A, {"text": "b", "correct": "no"}]},
        "options[1].correct",
    ),
    ("multiple_choice", {"options": [OPTION_A, "b"]}, "options[1]"),
    (
        "multiple_choice",
        {"options": [OPTION_A, {"text": "b", "feedback": 3.5j}]},
        "options[1].feedback",
    ),
    ("multiple_choice", {"pin_order": "yes"}, "pin_order"),
    # multiple response
    ("multiple_response", {"options": [OPTION_B, {"text": "c"}]}, "options"),
    ("multiple_response", {"options": [OPTION_A]}, "options"),
    ("multiple_response", {"options": [OPTION_A, {"text": " "}]}, "options[1].text"),
    # true/false
    ("true_false", {"answer": None}, "answer"),
    ("true_false", {"answer": "true"}, "answer"),
    ("true_false", {"answer": 1}, "answer"),
    ("true_false", {"feedback_true": ["x"]}, "feedback_true"),
    # short answer
    ("short_answer", {"answers": None}, "answers"),
    ("short_answer", {"answers": []}, "answers"),
    ("short_answer", {"answers": [{"text": ""}]}, "answers[0].text"),
    ("short_answer", {"answers": [{"text": "?!"}]}, "answers[0].text"),
    ("short_answer", {"answers": [{"text": "a", "credit": 1.5}]}, "answers[0].credit"),
    ("short_answer", {"answers": [{"text": "a", "credit": -0.1}]}, "answers[0].credit"),
    ("short_answer", {"answers": [{"text": "a", "credit": "1"}]}, "answers[0].credit"),
    ("short_answer", {"answers": [{"text": "a", "credit": 0.5}]}, "answers"),
    # numerical
    ("numerical", {"answers": None}, "answers"),
    ("numerical", {"answers": []}, "answers"),
    ("numerical", {"answers": [{"credit": 1}]}, "answers"),
    ("numerical", {"answers": [{"value": 1, "min": 0, "max": 2}]}, "answers[0]"),
    ("numerical", {"answers": [{"value": "1956"}]}, "answers[0].value"),
    ("numerical", {"answers": [{"value": None}]}, "answers[0].value"),
    ("numerical", {"answers": [{"value": True}]}, "answers[0].value"),
    ("numerical", {"answers": [{"value": float("nan")}]}, "answers[0].value"),
    ("numerical", {"answers": [{"value": 1, "tolerance": -1}]}, "answers[0].tolerance"),
    ("numerical", {"answers": [{"value": 1, "tolerance": "1"}]}, "answers[0].tolerance"),
    ("numerical", {"answers": [{"min": 5, "max": 1}]}, "answers[0].min"),
    ("numerical", {"answers": [{"min": 5}]}, "answers[0].max"),
    ("numerical", {"answers": [{"max": 5}]}, "answers[0].min"),
    ("numerical", {"answers": [{"min": "a", "max": 5}]}, "answers[0].min"),
    ("numerical", {"answers": [{"min": 1, "max": 5, "tolerance": 1}]}, "answers[0].tolerance"),
    ("numerical", {"answers": [{"value": 1, "credit": 2}]}, "answers[0].credit"),
    ("numerical", {"answers": [{"value": 1, "credit": 0.5}]}, "answers"),
    ("numerical", {"unit": 5j}, "unit"),
    # cloze
    ("cloze", {"text": None}, "text"),
    ("cloze", {"text": "No gaps here."}, "text"),
    ("cloze", {"text": "In {{1}} and {{1}}."}, "text"),
    ("cloze", {"text": "In {{1}} and {{3}}."}, "text"),
    ("cloze", {"text": "In {{2}} and {{3}}."}, "text"),
    ("cloze", {"text": "In {{0}} and {{1}}."}, "text"),
    ("cloze", {"text": "In {{ 1 }} and {{2}}."}, "text"),
    ("cloze", {"text": "In {{1}} and {{two}}."}, "text"),
    ("cloze", {"text": "In {{1}} alone."}, "gaps"),
    ("cloze", {"text": "{{1}} {{2}} {{3}}"}, "gaps"),
    ("cloze", {"gaps": None}, "gaps"),
    ("cloze", {"gaps": []}, "gaps"),
    ("cloze", {"gaps": [{"answers": ["1956"]}, {}]}, "gaps[1]"),
    ("cloze", {"gaps": [{"answers": ["1956"]}, "secret"]}, "gaps[1]"),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"], "options": ["a", "b"], "correct": 0}, {"answers": ["x"]}]},
        "gaps[0]",
    ),
    ("cloze", {"gaps": [{"answers": []}, {"answers": ["x"]}]}, "gaps[0].answers"),
    ("cloze", {"gaps": [{"answers": [""]}, {"answers": ["x"]}]}, "gaps[0].answers[0]"),
    ("cloze", {"gaps": [{"answers": ["x"], "correct": 0}, {"answers": ["x"]}]}, "gaps[0].correct"),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"]}, {"options": ["a", "b"], "correct": 2}]},
        "gaps[1].correct",
    ),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"]}, {"options": ["a", "b"], "correct": -1}]},
        "gaps[1].correct",
    ),
    ("cloze", {"gaps": [{"answers": ["1956"]}, {"options": ["a", "b"]}]}, "gaps[1].correct"),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"]}, {"options": ["a", "b"], "correct": True}]},
        "gaps[1].correct",
    ),
    (
        "cloze",
        {"gaps": [{"answers": ["1956"]}, {"options": ["a"], "correct": 0}]},
        "gaps[1].options",
    ),
    # matching
    ("matching", {"pairs": None}, "pairs"),
    ("matching", {"pairs": [{"left": "a", "right": "b"}]}, "pairs"),
    ("matching", {"pairs": [{"left": "a", "right": "b"}, {"left": "a", "right": "c"}]}, "pairs"),
    ("matching", {"pairs": [{"left": "a", "right": "b"}, {"left": "c"}]}, "pairs[1].right"),
    (
        "matching",
        {"pairs": [{"left": "", "right": "b"}, {"left": "c", "right": "d"}]},
        "pairs[0].left",
    ),
    ("matching", {"distractors": "1970"}, "distractors"),
    ("matching", {"distractors": [""]}, "distractors[0]"),
    ("matching", {"distractors": ["1956"]}, "distractors[0]"),
    ("matching", {"distractors": ["1970", "1970"]}, "distractors"),
    # ordering
    ("ordering", {"items": None}, "items"),
    ("ordering", {"items": ["1953"]}, "items"),
    ("ordering", {"items": ["1953", "1956", "1953"]}, "items"),
    ("ordering", {"items": ["1953", ""]}, "items[1]"),
]


@pytest.mark.parametrize(
    ("kind", "changes", "field"),
    INVALID,
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_invalid_content_names_the_field(kind: str, changes: dict[str, Any], field: str) -> None:
    assert field_of(kind, with_changes(kind, **copy.deepcopy(changes))) == field


def test_a_number_as_prompt_is_accepted_as_text() -> None:
    assert validate_content("flashcard", with_changes("flashcard", prompt=12))["prompt"] == "12"


@pytest.mark.parametrize(
    ("kind", "changes", "expected"),
    [
        ("multiple_response", {"options": [OPTION_B, OPTION_B]}, "at least one option"),
        ("multiple_choice", {"options": [OPTION_A]}, "at least 2 options"),
        ("short_answer", {"answers": [{"text": "a", "credit": 0.5}]}, "full credit"),
        ("numerical", {"answers": [{"value": 1, "tolerance": -1}]}, "must not be negative"),
        ("numerical", {"answers": [{"value": "x"}]}, "must be a number"),
        ("cloze", {"text": "In {{1}} alone."}, "the text has 1 gaps but 2"),
        ("cloze", {"text": "None."}, "has no gaps"),
        ("cloze", {"text": "In {{1}} and {{1}}."}, "{{1}} appears more than once"),
        ("cloze", {"text": "In {{1}} and {{3}}."}, "numbered {{1}} to {{2}}"),
        ("cloze", {"text": "In {{ 1 }} and {{2}}."}, "{{ 1 }} is not a gap marker"),
        ("ordering", {"items": ["a", "a"]}, "appears more than once"),
        ("multiple_choice", {"optoins": []}, "is not a known field"),
    ],
)
def test_messages_speak_plainly(kind: str, changes: dict[str, Any], expected: str) -> None:
    content = copy.deepcopy(VALID[kind])
    content.update(changes)
    with pytest.raises(ValidationError) as caught:
        validate_content(kind, content)
    assert expected in caught.value.message
