from __future__ import annotations

from typing import Any

import pytest

from app.questions import GradeResult, ValidationError, grade, normalize_text, parse_number

MULTIPLE_CHOICE = {
    "prompt": "When was the Secret Speech?",
    "options": [
        {"text": "1953", "correct": False, "feedback": "Stalin died then."},
        {"text": "**1956**", "correct": True, "feedback": "Right: February 1956."},
        {"text": "1964", "correct": False},
    ],
}

MULTIPLE_RESPONSE = {
    "prompt": "Which did Khrushchev do?",
    "options": [
        {"text": "Secret Speech", "correct": True, "feedback": "Yes, 1956."},
        {"text": "Virgin Lands", "correct": True},
        {"text": "Prague Spring", "correct": False, "feedback": "That was Brezhnev's time."},
        {"text": "Perestroika", "correct": False},
    ],
}

SHORT_ANSWER = {
    "prompt": "Who gave the Secret Speech?",
    "answers": [
        {"text": "Nikita Khrushchev", "feedback": "Exactly."},
        {"text": "Khrushchev"},
        {"text": "Nikita", "credit": 0.5, "feedback": "Give the surname too."},
    ],
}

NUMERICAL = {
    "prompt": "In which year?",
    "answers": [
        {"value": 1956, "feedback": "Right."},
        {"min": 1953, "max": 1957, "credit": 0.25, "feedback": "Close."},
    ],
}

CLOZE = {
    "prompt": "Fill in the gaps.",
    "text": "In {{1}} Khrushchev gave a {{2}} speech to the {{3}} Congress.",
    "gaps": [
        {"answers": ["1956"]},
        {"options": ["public", "secret", "televised"], "correct": 1},
        {"answers": ["Twentieth", "20th"]},
    ],
}

MATCHING = {
    "prompt": "Match the event to the year.",
    "pairs": [
        {"left": "Stalin dies", "right": "1953"},
        {"left": "Secret Speech", "right": "1956"},
        {"left": "Khrushchev ousted", "right": "1964"},
    ],
    "distractors": ["1968"],
}

ORDERING = {"prompt": "Put in order.", "items": ["1953", "1956", "1961", "1964"]}


def test_result_is_clamped_and_marks_correct_from_the_fraction() -> None:
    assert GradeResult(1.7).fraction == 1.0
    assert GradeResult(-0.2).fraction == 0.0
    assert GradeResult(float("nan")).fraction == 0.0
    assert GradeResult(0.9995).correct is True
    assert GradeResult(0.99).correct is False


def test_unknown_type_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        grade("dropdown", {}, {})
    assert caught.value.field == "type"


def test_invalid_content_is_refused() -> None:
    with pytest.raises(ValidationError):
        grade("ordering", {"prompt": "x", "items": ["a"]}, {"order": [0]})


# -- multiple choice ---------------------------------------------------------------------------


def test_multiple_choice_correct() -> None:
    result = grade("multiple_choice", MULTIPLE_CHOICE, {"choice": 1})
    assert (result.fraction, result.correct) == (1.0, True)
    assert result.answer_text == "1956"
    assert [f.message for f in result.feedback] == ["Right: February 1956."]
    assert result.feedback[0].correct is True


def test_multiple_choice_wrong_shows_that_option_feedback() -> None:
    result = grade("multiple_choice", MULTIPLE_CHOICE, {"choice": 0})
    assert (result.fraction, result.correct) == (0.0, False)
    assert result.feedback[0].label == "1953"
    assert result.feedback[0].message == "Stalin died then."
    assert result.answer_text == "1956"


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"choice": 3},
        {"choice": -1},
        {"choice": "x"},
        {"choice": True},
        {"choice": None},
        {"choice": [1]},
    ],
)
def test_multiple_choice_unreadable_scores_zero(response: dict[str, Any]) -> None:
    assert grade("multiple_choice", MULTIPLE_CHOICE, response).fraction == 0.0


def test_multiple_choice_accepts_an_index_given_as_text() -> None:
    assert grade("multiple_choice", MULTIPLE_CHOICE, {"choice": "1"}).fraction == 1.0


# -- multiple response -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "fraction"),
    [
        ([0, 1], 1.0),
        ([0], 0.5),
        ([1], 0.5),
        ([0, 1, 2], 0.5),
        ([0, 2], 0.0),
        ([0, 1, 2, 3], 0.0),
        ([2, 3], 0.0),
        ([], 0.0),
        ([1, 1, 0], 1.0),
        ([0, 1, 9], 1.0),
    ],
)
def test_multiple_response_moodle_scoring(choices: list[int], fraction: float) -> None:
    assert grade("multiple_response", MULTIPLE_RESPONSE, {"choices": choices}).fraction == fraction


def test_multiple_response_with_no_wrong_options_costs_nothing() -> None:
    content = {
        "prompt": "x",
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}],
    }
    assert grade("multiple_response", content, {"choices": [0]}).fraction == 0.5
    assert grade("multiple_response", content, {"choices": [0, 1]}).fraction == 1.0


def test_multiple_response_feedback_per_option() -> None:
    result = grade("multiple_response", MULTIPLE_RESPONSE, {"choices": [0, 2]})
    assert [f.label for f in result.feedback] == [
        "Secret Speech",
        "Virgin Lands",
        "Prague Spring",
        "Perestroika",
    ]
    assert [f.correct for f in result.feedback] == [True, False, False, True]
    assert [f.message for f in result.feedback] == [
        "Correct answer: you ticked it (right). Yes, 1956.",
        "Correct answer: you left it unticked (missed).",
        "Not an answer: you ticked it (wrong). That was Brezhnev's time.",
        "Not an answer: you left it unticked (right).",
    ]
    assert result.answer_text == "Secret Speech; Virgin Lands"


@pytest.mark.parametrize(
    "response", [{}, {"choices": "01"}, {"choices": None}, {"choices": [None, "x"]}]
)
def test_multiple_response_unreadable_scores_zero(response: dict[str, Any]) -> None:
    assert grade("multiple_response", MULTIPLE_RESPONSE, response).fraction == 0.0


# -- true/false --------------------------------------------------------------------------------

TRUE_FALSE = {
    "prompt": "Stalin died in 1953.",
    "answer": True,
    "feedback_true": "Yes, in March.",
    "feedback_false": "He did die in 1953.",
}


def test_true_false() -> None:
    right = grade("true_false", TRUE_FALSE, {"answer": True})
    assert (right.fraction, right.answer_text) == (1.0, "True")
    assert right.feedback[0].message == "Yes, in March."
    wrong = grade("true_false", TRUE_FALSE, {"answer": False})
    assert wrong.fraction == 0.0
    assert wrong.feedback[0].message == "He did die in 1953."


def test_true_false_answer_false() -> None:
    content = dict(TRUE_FALSE, answer=False)
    assert grade("true_false", content, {"answer": False}).fraction == 1.0
    assert grade("true_false", content, {"answer": True}).fraction == 0.0
    assert grade("true_false", content, {}).answer_text == "False"


@pytest.mark.parametrize("answer", ["true", 1, None])
def test_true_false_needs_a_boolean(answer: Any) -> None:
    assert grade("true_false", TRUE_FALSE, {"answer": answer}).fraction == 0.0


# -- short answer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fraction"),
    [
        ("Nikita Khrushchev", 1.0),
        ("  nikita   KHRUSHCHEV.  ", 1.0),
        ("Nikita Khrushchëv", 1.0),
        ("khrushchev!", 1.0),
        ("Nikita", 0.5),
        ("Stalin", 0.0),
        ("", 0.0),
        ("...", 0.0),
        ("Khrushchev Nikita", 0.0),
    ],
)
def test_short_answer_matching(text: str, fraction: float) -> None:
    assert grade("short_answer", SHORT_ANSWER, {"text": text}).fraction == fraction


def test_short_answer_feedback_comes_from_the_best_answer() -> None:
    result = grade("short_answer", SHORT_ANSWER, {"text": "nikita"})
    assert result.feedback[0].message == "Give the surname too."
    assert result.feedback[0].fraction == 0.5
    assert result.answer_text == "Nikita Khrushchev or Khrushchev"


def test_short_answer_best_credit_wins_over_order() -> None:
    content = {
        "prompt": "x",
        "answers": [{"text": "Tito", "credit": 0.3}, {"text": "tito", "credit": 1}],
    }
    assert grade("short_answer", content, {"text": "TITO"}).fraction == 1.0


@pytest.mark.parametrize("response", [{}, {"text": None}, {"text": 5}])
def test_short_answer_unreadable_scores_zero(response: dict[str, Any]) -> None:
    assert grade("short_answer", SHORT_ANSWER, response).fraction == 0.0


def test_normalize_text() -> None:
    assert normalize_text("  Ça  va,\tNIKITA! ") == "ca va nikita"
    assert normalize_text("ﬁnal") == "final"
    assert normalize_text("Khrushchev's") == normalize_text("khrushchev s")
    assert normalize_text("1953–1964") == "1953 1964"


# -- numerical ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fraction"),
    [
        ("1956", 1.0),
        (" 1956. ", 1.0),
        ("1956.0", 1.0),
        ("1.956e3", 1.0),
        (1956, 1.0),
        ("1955", 0.25),
        ("1953", 0.25),
        ("1957", 0.25),
        ("1958", 0.0),
        ("nineteen fifty-six", 0.0),
        ("", 0.0),
        (None, 0.0),
        (True, 0.0),
        ("1956 km", 0.0),
        ("nan", 0.0),
        ("inf", 0.0),
    ],
)
def test_numerical(value: Any, fraction: float) -> None:
    assert grade("numerical", NUMERICAL, {"value": value}).fraction == fraction


def test_numerical_feedback_and_answer_text() -> None:
    result = grade("numerical", NUMERICAL, {"value": "1954"})
    assert result.feedback[0].message == "Close."
    assert result.answer_text == "1956"


def test_numerical_tolerance() -> None:
    content = {"prompt": "pi?", "answers": [{"value": 3.14, "tolerance": 0.01}]}
    assert grade("numerical", content, {"value": "3.15"}).fraction == 1.0
    assert grade("numerical", content, {"value": "3.13"}).fraction == 1.0
    assert grade("numerical", content, {"value": "3.16"}).fraction == 0.0
    assert grade("numerical", content, {}).answer_text == "3.14 ± 0.01"


def test_numerical_range_is_inclusive() -> None:
    content = {"prompt": "x", "answers": [{"min": 1953, "max": 1964}]}
    assert grade("numerical", content, {"value": "1953"}).fraction == 1.0
    assert grade("numerical", content, {"value": "1964"}).fraction == 1.0
    assert grade("numerical", content, {"value": "1965"}).fraction == 0.0
    assert grade("numerical", content, {}).answer_text == "1953–1964"


def test_numerical_unit() -> None:
    content = {"prompt": "How far?", "answers": [{"value": 1000000}], "unit": "km"}
    for value in ("1000000 km", "1,000,000km", "1 000 000 km", "1e6", "1000000"):
        assert grade("numerical", content, {"value": value}).fraction == 1.0, value
    assert grade("numerical", content, {"value": "1000000 mi"}).fraction == 0.0
    assert grade("numerical", content, {}).answer_text == "1000000 km"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1,000,000", 1000000.0),
        ("1 000 000", 1000000.0),
        ("1\u202f000", 1000.0),
        ("1e6", 1000000.0),
        ("1956.", 1956.0),
        ("-3", -3.0),
        ("\u22123", -3.0),
        ("+.5", 0.5),
        ("3,5", 3.5),
        ("1,000.5", 1000.5),
        ("1,00,0", None),
        ("1_000", None),
        ("0x10", None),
        ("12 34 5", None),
        ("1 2", None),
        ("", None),
        ("e6", None),
    ],
)
def test_parse_number(text: str, number: float | None) -> None:
    assert parse_number(text) == number


# -- cloze -------------------------------------------------------------------------------------


def test_cloze_all_right() -> None:
    result = grade("cloze", CLOZE, {"gaps": ["1956", "1", "20th"]})
    assert result.fraction == 1.0
    assert [f.label for f in result.feedback] == ["Gap 1", "Gap 2", "Gap 3"]
    assert (
        result.answer_text == "In 1956 Khrushchev gave a secret speech to the Twentieth Congress."
    )


def test_cloze_gaps_weigh_equally() -> None:
    result = grade("cloze", CLOZE, {"gaps": ["1956", "0", "twentieth"]})
    assert result.fraction == pytest.approx(2 / 3, abs=1e-6)
    assert [f.correct for f in result.feedback] == [True, False, True]
    assert result.feedback[1].message == "Answer: secret"


def test_cloze_option_gap_accepts_the_option_text() -> None:
    assert grade("cloze", CLOZE, {"gaps": ["x", "Secret", "x"]}).fraction == pytest.approx(
        1 / 3, abs=1e-6
    )


def test_cloze_missing_gaps_score_zero() -> None:
    assert grade("cloze", CLOZE, {"gaps": ["1956"]}).fraction == pytest.approx(1 / 3, abs=1e-6)
    assert grade("cloze", CLOZE, {}).fraction == 0.0
    assert grade("cloze", CLOZE, {"gaps": "1956"}).fraction == 0.0
    assert grade("cloze", CLOZE, {"gaps": [None, 1, 7]}).fraction == pytest.approx(1 / 3, abs=1e-6)


def test_cloze_index_wins_when_options_are_numbers() -> None:
    content = {"prompt": "x", "text": "{{1}}", "gaps": [{"options": ["1", "0"], "correct": 1}]}
    assert grade("cloze", content, {"gaps": ["1"]}).fraction == 1.0
    assert grade("cloze", content, {"gaps": ["0"]}).fraction == 0.0


# -- matching ----------------------------------------------------------------------------------


def test_matching_all_right() -> None:
    result = grade("matching", MATCHING, {"pairs": {"0": 0, "1": 1, "2": 2}})
    assert result.fraction == 1.0
    assert (
        result.answer_text == "Stalin dies → 1953; Secret Speech → 1956; Khrushchev ousted → 1964"
    )


def test_matching_partial_credit_and_feedback() -> None:
    result = grade("matching", MATCHING, {"pairs": {"0": 0, "1": 3, "2": 1}})
    assert result.fraction == pytest.approx(1 / 3, abs=1e-6)
    assert [f.label for f in result.feedback] == [
        "Stalin dies",
        "Secret Speech",
        "Khrushchev ousted",
    ]
    assert [f.correct for f in result.feedback] == [True, False, False]
    assert result.feedback[1].message == "Answer: 1956"


def test_matching_accepts_integer_keys_and_text_indices() -> None:
    assert grade("matching", MATCHING, {"pairs": {0: "0", 1: 1, 2: 2}}).fraction == 1.0


def test_matching_shared_right_answer_either_copy_counts() -> None:
    content = {
        "prompt": "x",
        "pairs": [{"left": "a", "right": "1956"}, {"left": "b", "right": "1956"}],
    }
    assert grade("matching", content, {"pairs": {"0": 1, "1": 0}}).fraction == 1.0


@pytest.mark.parametrize("pairs", [None, [0, 1, 2], {"0": 9, "1": -1}, {"x": 0}, {"0": True}])
def test_matching_unreadable_scores_zero(pairs: Any) -> None:
    assert grade("matching", MATCHING, {"pairs": pairs}).fraction == 0.0


# -- ordering ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "fraction"),
    [
        ([0, 1, 2, 3], 1.0),
        ([1, 2, 3, 0], 2 / 3),
        ([3, 0, 1, 2], 2 / 3),
        ([0, 1, 3, 2], 1 / 3),
        ([2, 3, 0, 1], 2 / 3),
        ([3, 2, 1, 0], 0.0),
        ([1, 0, 3, 2], 0.0),
        (["0", "1", "2", "3"], 1.0),
    ],
)
def test_ordering_relative_to_next_item(order: list[Any], fraction: float) -> None:
    result = grade("ordering", ORDERING, {"order": order})
    assert result.fraction == pytest.approx(fraction, abs=1e-6)


def test_ordering_feedback_and_answer_text() -> None:
    result = grade("ordering", ORDERING, {"order": [0, 1, 3, 2]})
    assert [f.label for f in result.feedback] == ["1953 → 1956", "1956 → 1964", "1964 → 1961"]
    assert [f.correct for f in result.feedback] == [True, False, False]
    assert result.answer_text == "1953 → 1956 → 1961 → 1964"


@pytest.mark.parametrize(
    "order",
    [[], [0, 1, 2], [0, 1, 2, 3, 3], [0, 0, 1, 2], [0, 1, 2, 4], None, "0123", [0, 1, 2, None]],
)
def test_ordering_needs_every_item_once(order: Any) -> None:
    assert grade("ordering", ORDERING, {"order": order}).fraction == 0.0


# -- self-graded -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "fraction"),
    [
        (1, 1.0),
        (0.5, 0.5),
        ("0.25", 0.25),
        (2, 1.0),
        (-1, 0.0),
        ("x", 0.0),
        (None, 0.0),
        (True, 0.0),
        (float("inf"), 0.0),
    ],
)
def test_self_graded_scores(score: Any, fraction: float) -> None:
    flashcard = {"prompt": "Who?", "back": "**Khrushchev**"}
    assert grade("flashcard", flashcard, {"self_score": score}).fraction == fraction
    essay = {"prompt": "Why?", "model_answer": "Because."}
    assert grade("essay", essay, {"text": "...", "self_score": score}).fraction == fraction


def test_self_graded_without_a_score_is_zero() -> None:
    assert grade("flashcard", {"prompt": "Who?", "back": "K"}, {}).fraction == 0.0


def test_flashcard_answer_text_is_plain() -> None:
    result = grade("flashcard", {"prompt": "Who?", "back": "**Khrushchev**"}, {"self_score": 1})
    assert result.answer_text == "Khrushchev"
    assert result.correct is True


def test_essay_feedback_shows_the_model_answer() -> None:
    essay = {"prompt": "Why?", "model_answer": "The *thaw* began."}
    result = grade("essay", essay, {"text": "...", "self_score": 0.5})
    assert result.feedback[0].message == "The thaw began."
    assert result.answer_text == "The thaw began."


def test_a_response_that_is_not_a_mapping_scores_zero() -> None:
    assert grade("multiple_choice", MULTIPLE_CHOICE, None).fraction == 0.0  # type: ignore[arg-type]
    assert grade("ordering", ORDERING, [0, 1, 2, 3]).fraction == 0.0  # type: ignore[arg-type]
