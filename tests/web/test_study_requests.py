"""The study page's cost: its SQL statements, and one request per self-graded answer."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from app.extensions import db
from app.models import ExamDate, ReviewCard, ReviewLog
from app.scheduling import settings_for_update
from tests.factories import make_bank, make_document, make_question


def _flashcards(count: int = 3):
    bank = make_bank("Capitals", topics=("Europe",))
    for n in range(count):
        make_question(
            bank,
            "flashcard",
            topic="Europe",
            external_id=f"c{n}",
            content={"prompt": f"Capital number {n}", "back": f"City number {n}"},
        )
    return bank


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ARG001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_study_page_runs_four_statements(app, student_client):
    bank = _flashcards()
    student_client.post("/study/add", data={"bank_id": bank.id})
    student_client.get("/study/")  # warm: templates, compiled statements
    with counted_statements() as statements:
        page = student_client.get("/study/")
    assert "Capital number 0" in page.get_data(as_text=True)
    # The user, the context (two), the next card with the queue's counts.
    assert len(statements) <= 4, "\n\n".join(statements)
    # No exam date, no exam query; nor a second read of the user's time zone.
    assert not any("exam_dates" in s and "EXISTS" not in s.upper() for s in statements)
    assert not any("users.time_zone" in s for s in statements[1:])  # [0] loads the user


def test_an_exam_date_is_still_shown_on_the_study_page(app, clock, student, student_client):
    bank = _flashcards()
    student_client.post("/study/add", data={"bank_id": bank.id})
    db.session.add(
        ExamDate(user_id=student.id, bank_id=bank.id, exam_on=date(2025, 2, 1), label="Finals")
    )
    db.session.commit()
    assert "Finals" in student_client.get("/study/").get_data(as_text=True)


def test_a_flashcard_is_answered_in_one_request(app, student_client):
    bank = _flashcards()
    student_client.post("/study/add", data={"bank_id": bank.id})
    front = student_client.get("/study/").get_data(as_text=True)
    # The back and the rating form are in the page, hidden until revealed.
    assert re.search(r"<div data-back hidden>", front)
    assert "City number 0" in front and 'name="version" value="1"' in front
    action = re.search(r'action="(/study/cards/\d+/answer)"', front).group(1)
    answered = student_client.post(action, data={"rating": 3, "version": 1, "inline": "y"})
    # The response is the next card itself: no redirect, no second request.
    assert answered.status_code == 200
    page = answered.get_data(as_text=True)
    assert "Capital number 1" in page and 'data-study-url="/study/"' in page
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1
    # Sent again (a reload that resubmits): refused, recorded once.
    again = student_client.post(action, data={"rating": 3, "version": 1, "inline": "y"})
    assert again.status_code in (302, 303, 409)
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1


def test_without_script_the_reveal_link_and_redirect_still_work(app, student_client):
    bank = _flashcards()
    student_client.post("/study/add", data={"bank_id": bank.id})
    front = student_client.get("/study/").get_data(as_text=True)
    card_id = re.search(r'name="reveal" value="(\d+)"', front).group(1)
    revealed = student_client.get(f"/study/?reveal={card_id}").get_data(as_text=True)
    assert "<div data-back>" in revealed and "Show answer" not in revealed
    answered = student_client.post(
        f"/study/cards/{card_id}/answer", data={"rating": 3, "version": 1}
    )
    assert answered.status_code == 302 and answered.headers["Location"] == "/study/"


def _queue_and_undo(page: str) -> tuple[str, str]:
    queue = re.search(r'<p class="mb-0 small" aria-label="Queue">(.*?)</p>', page, re.S).group(1)
    undo = re.search(r'name="action_id" value="(\d+)"', page).group(1)
    return " ".join(queue.split()), undo


def _make_due_reviews(student, now) -> None:
    for card in db.session.scalars(select(ReviewCard).where(ReviewCard.user_id == student.id)):
        card.state, card.reps, card.stability, card.difficulty = 2, 1, 10.0, 5.0
        card.last_review, card.due = now - timedelta(days=11), now - timedelta(days=1)
    db.session.commit()


@pytest.mark.parametrize("kind", ["new", "review"])
def test_the_inline_answer_reads_the_study_context_once_and_counts_the_answer(
    app, clock, student, student_client, kind
):
    """The next card's page comes from the context read for the answer, with the answer
    counted in it: its queue and undo offer are those a fresh study page shows."""
    bank = _flashcards(4)
    student_client.post("/study/add", data={"bank_id": bank.id})
    settings = settings_for_update(db.session, student.id)
    # Limits the answer spends: the counts shown depend on it being counted.
    settings.new_per_day, settings.max_reviews_per_day = 2, 3
    db.session.commit()
    if kind == "review":
        _make_due_reviews(student, clock.now)
    front = student_client.get("/study/").get_data(as_text=True)
    action = re.search(r'action="(/study/cards/\d+/answer)"', front).group(1)
    with counted_statements() as statements:
        answered = student_client.post(action, data={"rating": 3, "version": 1, "inline": "y"})
    assert answered.status_code == 200
    # The user, the context (settings, exams, last action; today's answers), the card,
    # the update, the log, the undo action, then the next card with the counts.
    assert len(statements) <= 8, "\n\n".join(statements)
    assert sum(s.lstrip().startswith("SELECT users.id") for s in statements) == 1
    assert sum("study_settings" in s for s in statements) == 1
    assert sum("FROM review_logs" in s for s in statements) == 1
    inline = _queue_and_undo(answered.get_data(as_text=True))
    fresh = _queue_and_undo(student_client.get("/study/").get_data(as_text=True))
    assert inline == fresh
    expected = "1 new" if kind == "new" else "2 due"
    assert expected in inline[0]


def test_a_cited_card_shows_its_passage_link_without_reading_the_document_text(
    app, student_client
):
    document = make_document()
    bank = make_bank("Thaw")
    make_question(
        bank,
        "flashcard",
        content={"prompt": "When was the Secret Speech?", "back": "February 1956"},
        source_document_id=document.id,
        source_section="secret-speech",
        source_excerpt="The Secret Speech",
    )
    student_client.post("/study/add", data={"bank_id": bank.id})
    db.session.expunge_all()  # nothing of the document already loaded in this session
    with counted_statements() as statements:
        page = student_client.get("/study/").get_data(as_text=True)
    assert "Read the passage in context" in page and "/sources/thaw-notes" in page
    assert not any("source_documents_1.text" in s or "sections" in s for s in statements)
