"""GIFT: Moodle's documented examples, errors with their lines, escapes, and the writer."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.formats import FormatError, QuestionDraft, gift
from app.questions import validate_content

FIXTURES = Path(__file__).parents[2] / "fixtures" / "formats"


def drafts(text: str | bytes) -> list:
    return gift.read(text, "q.gift").drafts


def by_title(text: str | bytes) -> dict[str, QuestionDraft]:
    return {d.external_id: d for d in drafts(text) if isinstance(d, QuestionDraft)}


@pytest.fixture(scope="module")
def examples() -> dict[str, QuestionDraft]:
    result = gift.read((FIXTURES / "moodle_examples.gift").read_bytes(), "moodle_examples.gift")
    assert not result.errors
    assert len(result.notices) == 1 and "line 59" in result.notices[0]
    questions = {d.external_id: d for d in result.drafts}
    for draft in questions.values():  # every example is a valid question
        validate_content(draft.kind, draft.content)
    return questions


def test_documented_examples_get_their_types(examples):
    kinds = {title: d.kind for title, d in examples.items()}
    assert kinds == {
        "Q1": "multiple_choice", "Q2": "cloze", "Q3": "true_false", "Q4": "true_false",
        "Q5": "short_answer", "Q6": "numerical", "Q7": "cloze", "Q8": "matching",
        "Q9": "numerical", "Q10": "numerical", "Q11": "numerical", "Q12": "multiple_response",
        "Q13": "essay", "Q14": "multiple_choice", "Q15": "multiple_choice", "Q16": "short_answer",
        "Q17": "multiple_response", "Q18": "short_answer",
    }  # fmt: skip


def test_categories_become_topics_without_the_course_prefix(examples):
    assert {d.topic_path for d in examples.values()} == {"Literature/Grant"}


def test_multiple_choice_with_feedback(examples):
    options = examples["Q14"].content["options"]
    assert [o["correct"] for o in options] == [False, False, True]
    assert options[2]["feedback"] == "Very good!"
    assert options[0]["feedback"] == "feedback comment on the wrong answer"


def test_missing_word_becomes_a_cloze_with_one_gap(examples):
    q2 = examples["Q2"].content
    assert q2["text"] == "Grant is {{1}} in Grant's tomb."
    assert q2["gaps"] == [{"options": ["buried", "entombed", "living"], "correct": 1}]
    assert examples["Q7"].content["text"] == "Two plus two equals {{1}}."
    assert examples["Q7"].content["gaps"] == [{"answers": ["four", "4"]}]


def test_true_false_feedback_wrong_then_right(examples):
    q4 = examples["Q4"].content
    assert q4["answer"] is True
    assert q4["feedback_true"] == "Right." and q4["feedback_false"].startswith("Wrong")


def test_numerical_forms(examples):
    assert examples["Q6"].content["answers"][0]["value"] == 1822
    assert examples["Q9"].content["answers"][0] | {} == {
        "value": 3.14159, "tolerance": 0.0005, "credit": 1.0, "feedback": ""
    }  # fmt: skip
    assert examples["Q10"].content["answers"][0]["min"] == 3.141
    q11 = examples["Q11"].content["answers"]
    assert [(a["tolerance"], a["credit"]) for a in q11] == [(0, 1.0), (2, 0.5)]
    assert q11[1]["feedback"].startswith("He was born in 1822")


def test_weights_partial_and_negative(examples):
    assert [o["correct"] for o in examples["Q12"].content["options"]] == [False, True, True, False]
    assert [o["correct"] for o in examples["Q17"].content["options"]] == [False, True]
    assert [a["credit"] for a in examples["Q18"].content["answers"]] == [1.0, 0.5]


def test_matching_general_feedback_and_escapes(examples):
    q8 = examples["Q8"]
    assert q8.content["pairs"][3] == {"left": "India", "right": "New Delhi"}
    assert q8.explanation == "It's good to know the capitals"
    assert [o["text"] for o in examples["Q15"].content["options"]][1] == "= 2 + 3"
    assert examples["Q18"].explanation == "General feedback."


def test_html_is_sanitized_into_markdown_and_essay_has_a_model_answer(examples):
    assert examples["Q16"].content["prompt"] == "What is **bold**?"
    assert examples["Q13"].content["model_answer"]


def test_crlf_bom_and_questions_over_several_lines():
    result = gift.read((FIXTURES / "crlf_bom.gift").read_bytes())
    first, second = result.drafts
    assert (
        first.external_id == "Q1" and first.content["prompt"] == "A CRLF question\nover two lines"
    )
    assert second.location.line == 4


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("::a::Fine {T}\n\n::b:: Broken {=x", 3, "never closed"),
        ("// c\n::a::Q {=x -> y =z}\n", 2, "->"),
        ("Q {#abc}", 1, "not a number"),
        ("::t Q {T}", 1, "title"),
        ("Q {=a} more {=b}", 1, "one answer block"),
        ("Q {x}", 1, "must start with"),
    ],
)
def test_errors_name_their_line(text, line, words):
    errors = [d for d in drafts(text) if isinstance(d, FormatError)]
    assert len(errors) == 1
    assert errors[0].line == line and words in errors[0].message


def test_not_utf8_is_a_clean_error_with_its_line():
    with pytest.raises(FormatError) as caught:
        gift.read(b"Q {T}\n\nQ2 \xff {F}")
    assert caught.value.line == 3 and "UTF-8" in caught.value.message


def test_writer_lists_what_gift_cannot_hold():
    card = QuestionDraft("flashcard", {"prompt": "a", "back": "b"}, external_id="c1")
    order = QuestionDraft("ordering", {"prompt": "a", "items": ["x", "y"]}, external_id="o1")
    tf = QuestionDraft(
        "true_false", {"prompt": "Sky {blue}: yes?", "answer": True}, external_id="t"
    )
    result = gift.write([card, order, tf])
    assert result.written == 1 and len(result.left_out) == 2
    assert "c1 (flashcard)" in result.left_out[0] and "o1 (ordering)" in result.left_out[1]
    again = gift.read(result.data).drafts
    assert again[0].content["prompt"] == "Sky {blue}: yes?" and again[0].content["answer"] is True
