"""The study page's cost: its SQL statements, and one request per self-graded answer."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event, func, select

from app.extensions import db
from app.models import ExamDate, ReviewLog
from tests.factories import make_bank, make_question


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


def test_the_study_page_runs_at_most_five_statements(app, student_client):
    bank = _flashcards()
    student_client.post("/study/add", data={"bank_id": bank.id})
    student_client.get("/study/")  # warm: templates, compiled statements
    with counted_statements() as statements:
        page = student_client.get("/study/")
    assert "Capital number 0" in page.get_data(as_text=True)
    assert len(statements) <= 5, "\n\n".join(statements)
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
