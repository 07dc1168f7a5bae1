from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionBank, SourceDocument
from app.seeding import load_seed_data


@pytest.fixture
def seeded(app):
    load_seed_data(db.session, Path(app.config["SEED_DATA_DIR"]))
    db.session.commit()


def first(kind: str) -> Question:
    return db.session.scalars(
        select(Question).where(Question.kind == kind).order_by(Question.id)
    ).first()


def test_banks_page_lists_counts_by_topic_and_type(seeded, student_client):
    page = student_client.get("/banks/").get_data(as_text=True)
    for bank in db.session.scalars(select(QuestionBank)):
        assert bank.title in page
    assert "By topic" in page and "Multiple choice" in page


def test_bank_page_filters_by_type_and_searches(seeded, student_client):
    bank = db.session.scalars(select(QuestionBank)).first()
    page = student_client.get(f"/banks/{bank.id}?type=numerical").get_data(as_text=True)
    numerical = db.session.scalars(
        select(Question).where(Question.bank_id == bank.id, Question.kind == "numerical")
    ).all()
    assert f"{len(numerical)} question" in page
    assert all(q.external_id in page for q in numerical[:25])
    nothing = student_client.get(f"/banks/{bank.id}?q=zzzqqq-no-such-text").get_data(as_text=True)
    assert "0 questions match" in nothing


def test_answering_a_multiple_choice_question_shows_grade_explanation_and_source(
    seeded, student_client
):
    question = first("multiple_choice")
    url = f"/banks/{question.bank_id}/questions/{question.id}"
    form = student_client.get(url).get_data(as_text=True)
    assert 'name="choice"' in form
    correct = next(i for i, o in enumerate(question.content["options"]) if o["correct"])
    page = student_client.post(url, data={"choice": str(correct)}).get_data(as_text=True)
    assert "Correct" in page
    assert "Read the passage in context" in page
    assert f"cite={question.id}" in page
    wrong = (correct + 1) % len(question.content["options"])
    page = student_client.post(url, data={"choice": str(wrong)}).get_data(as_text=True)
    assert "Not right" in page


def test_option_order_is_the_same_on_reload(seeded, student_client):
    question = first("multiple_choice")
    url = f"/banks/{question.bank_id}/questions/{question.id}"
    order = re.findall(r'name="choice"\s+id="opt-(\d+)"', student_client.get(url).get_data(True))
    again = re.findall(r'name="choice"\s+id="opt-(\d+)"', student_client.get(url).get_data(True))
    assert order == again and len(order) == len(question.content["options"])


def test_question_in_another_bank_is_404(seeded, student_client):
    question = first("multiple_choice")
    other = db.session.scalars(
        select(QuestionBank).where(QuestionBank.id != question.bank_id)
    ).first()
    assert student_client.get(f"/banks/{other.id}/questions/{question.id}").status_code == 404


def test_sources_list_and_document_sections(seeded, student_client):
    page = student_client.get("/sources/").get_data(as_text=True)
    docs = db.session.scalars(select(SourceDocument)).all()
    assert len(docs) == 2 and all(d.title in page for d in docs)
    for doc in docs:
        text = student_client.get(f"/sources/{doc.slug}").get_data(as_text=True)
        for section in doc.sections:
            assert f'id="{section["slug"]}"' in text
        assert "<p>cycivic</p>" not in text and "<p>Share this post</p>" not in text


def test_source_link_highlights_the_cited_passage(seeded, student_client):
    question = first("multiple_choice")
    doc = question.source_document
    page = student_client.get(f"/sources/{doc.slug}?cite={question.id}").get_data(as_text=True)
    marked = re.search(r'<mark id="cited" class="cited"[^>]*>(.*?)</mark>', page, re.S).group(1)
    assert " ".join(question.source_excerpt.split()).replace("'", "&#39;") == marked


def test_cite_of_a_question_from_another_document_is_404(seeded, student_client):
    question = first("multiple_choice")
    other = db.session.scalars(
        select(SourceDocument).where(SourceDocument.id != question.source_document_id)
    ).first()
    assert student_client.get(f"/sources/{other.slug}?cite={question.id}").status_code == 404


def test_pages_need_login(seeded, client):
    for url in ("/banks/", "/sources/"):
        assert client.get(url).status_code == 302


def test_excerpt_over_several_table_rows_is_highlighted_row_by_row(seeded, student_client):
    doc = db.session.scalar(
        select(SourceDocument).where(SourceDocument.slug == "destalinization-explainer")
    )
    rows = (
        "Political Liberalization Easing of political repression and allowing limited dissent. "
        "Economic Reforms Shifting from centralized planning to decentralized decision-making."
    )
    question = first("multiple_choice")
    question.source_document_id, question.source_section = doc.id, "characteristics"
    question.source_excerpt = rows
    db.session.commit()
    page = student_client.get(f"/sources/{doc.slug}?cite={question.id}").get_data(as_text=True)
    marks = re.findall(r"<mark[^>]*>(.*?)</mark>", page)
    assert len(marks) == 2 and page.count('id="cited"') == 1
    assert " ".join(marks) == rows


def test_bank_page_filters_by_topic(seeded, student_client):
    question = first("cloze")
    topic = question.topic
    page = student_client.get(f"/banks/{question.bank_id}?topic={topic.id}").get_data(True)
    in_topic = db.session.scalars(select(Question).where(Question.topic_id == topic.id)).all()
    assert f"{len(in_topic)} question" in page and question.external_id in page
    other = db.session.scalars(select(Question).where(Question.topic_id != topic.id)).first()
    assert other.external_id not in page


def test_a_very_long_search_is_cut_not_refused_by_the_database(student_client):
    from tests.factories import make_bank

    bank = make_bank("Searchable")
    response = student_client.get(f"/banks/{bank.id}", query_string={"q": "x" * 100_000})
    assert response.status_code == 200
