"""Views read the time from app.clock: moving the configured clock moves what is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Question, QuestionBank, ReviewCard

START = datetime(2025, 3, 3, 12, tzinfo=UTC)


def test_a_card_comes_due_when_the_clock_moves(app, student_client):
    bank = QuestionBank(title="Clock", description="")
    db.session.add(bank)
    db.session.flush()
    db.session.add(
        Question(
            bank_id=bank.id,
            kind="flashcard",
            external_id="c1",
            content={"prompt": "Ticks", "back": "Tocks"},
        )
    )
    db.session.commit()
    moment = {"now": START}
    app.config["CLOCK"] = lambda: moment["now"]

    student_client.post("/study/add", data={"bank_id": bank.id})
    card = db.session.scalar(select(ReviewCard))
    assert card.due == START
    student_client.post(f"/study/cards/{card.id}/answer", data={"rating": 4, "version": 1})
    db.session.refresh(card)
    assert card.last_review == START and card.due > START + timedelta(days=1)
    assert "No cards due right now" in student_client.get("/study/").get_data(as_text=True)

    moment["now"] = card.due + timedelta(minutes=1)
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Ticks" in page and "Show answer" in page
