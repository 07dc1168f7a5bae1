"""The seeded questions accept the answers the documents and plain English support."""

from __future__ import annotations

import pytest

from app.questions import grade
from tests.unit.test_seed_banks import QUESTIONS, content_of

BY_ID = {q["id"]: q for _, q in QUESTIONS}


def score(question_id: str, response: dict) -> float:
    question = BY_ID[question_id]
    return grade(question["type"], content_of(question), response).fraction


@pytest.mark.parametrize(
    ("question_id", "gaps"),
    [
        ("explainer-secret-speech-010", ["Leninist", "distorted"]),
        ("explainer-secret-speech-010", ["Marxist-Leninist", "corrupted"]),
        ("explainer-definition-004", ["Marxist-Leninist", "living conditions", "control"]),
        ("explainer-faq-008", ["personality cult", "totalitarian"]),
    ],
)
def test_widened_cloze_gaps(question_id: str, gaps: list[str]) -> None:
    assert score(question_id, {"gaps": gaps}) == 1.0


@pytest.mark.parametrize(
    ("question_id", "text"),
    [
        ("explainer-faq-005", "Krushchev"),
        ("explainer-cultural-liberalization-005", "Shostakovitch"),
        ("explainer-foreign-policy-006", "a satellite"),
        ("article-legacy-008", "complex"),
    ],
)
def test_widened_short_answers(question_id: str, text: str) -> None:
    assert score(question_id, {"text": text}) == 1.0


@pytest.mark.parametrize(
    "typed", ["2.5", "2.5 million", "2,500,000", "2500000", "2.5 million prisoners"]
)
def test_gulag_figure_in_any_form(typed: str) -> None:
    assert score("explainer-rehabilitation-008", {"value": typed}) == 1.0


def test_year_questions_take_words_and_refuse_separators() -> None:
    year_questions = [q["id"] for _, q in QUESTIONS if q["type"] == "numerical" and q.get("year")]
    assert len(year_questions) == 7
    assert score("article-key-moments-005", {"value": "in 1956"}) == 1.0
    assert score("article-key-moments-005", {"value": "1956 AD"}) == 1.0
    assert score("article-key-moments-005", {"value": "1,956"}) == 0.0


def test_congress_number_takes_an_ordinal() -> None:
    assert score("article-introduction-005", {"value": "20th"}) == 1.0
    assert score("article-introduction-005", {"value": "20"}) == 1.0
