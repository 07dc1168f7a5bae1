"""Two requests at the same moment: no 500, nothing duplicated, finishing happens once.

Races need a database that runs transactions side by side, so these run on PostgreSQL.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.attempts.practice import (
    add_missed_to_reviews,
    answer_item,
    retry_missed,
)
from app.drafting import extract_pasted
from app.errors import Conflict
from app.extensions import db
from app.models import ExamDate, PendingDocument, PracticeSession, ReviewCard, SourceDocument, User
from app.scheduling import add_to_reviews, set_exam_date
from app.sources.pending import save_pending, start_pending
from tests.factories import make_bank, make_question


def utcnow() -> datetime:
    return datetime.now(UTC)


pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite runs one writer at a time: the race cannot happen there",
)

ROUNDS = 5


def at_once(*posts):
    """POST each (client, url, data) in threads released together; the responses, in order."""
    barrier = threading.Barrier(len(posts))
    results: list = [None] * len(posts)

    def run(index, client, url, data):
        barrier.wait()
        results[index] = client.post(url, data=data)

    threads = [threading.Thread(target=run, args=(i, *p)) for i, p in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def together(app, *calls):
    """Run each call(session) in its own thread, app context and transaction, released
    together and committed; what each returned (or raised), in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = call(db.session)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported to the test
                db.session.rollback()
                results[index] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def finished_practice(client, bank, wrong: bool = True) -> int:  # noqa: FBT001
    """A finished one-question true/false session, answered wrongly."""
    response = client.post(
        "/practice/", data={"banks": str(bank.id), "kinds": "true_false", "count": "1"}
    )
    assert response.status_code == 302
    practice = db.session.scalar(select(PracticeSession).order_by(PracticeSession.id.desc()))
    content = practice.items[0].content
    answer = "false" if content["answer"] == wrong else "true"
    assert client.post(f"/practice/{practice.id}/1", data={"answer": answer}).status_code == 302
    return practice.id


def test_adding_a_bank_twice_at_once_adds_each_card_once(app, student):
    for n in range(ROUNDS):
        bank = make_bank(f"Add {n}")
        for _ in range(3):
            make_question(bank)

        def add(session, bank_id=bank.id):
            return add_to_reviews(session, student.id, bank_id=bank_id, now=utcnow())

        added = together(app, add, add)
        assert sorted(added) == [0, 3], added
        assert count(ReviewCard) == 3 * (n + 1)


def test_registering_the_same_email_twice_at_once_makes_one_account(app):
    for n in range(ROUNDS):
        email = f"twin{n}@example.com"
        data = {
            "email": email,
            "display_name": "Twin",
            "password": "a long enough passphrase",
            "confirm": "a long enough passphrase",
            "time_zone": "UTC",
        }
        clients = app.test_client(), app.test_client()
        responses = at_once(*((c, "/auth/register", data) for c in clients))
        codes = sorted(r.status_code for r in responses)
        assert codes[-1] < 500, codes
        assert 302 in codes
        assert count(User, User.email == email) == 1


def test_sending_misses_to_reviews_twice_at_once_adds_them_once(app, student_client, student):
    for n in range(ROUNDS):
        bank = make_bank(f"Miss {n}")
        make_question(bank, "true_false")
        session_id = finished_practice(student_client, bank)

        def send(session, session_id=session_id):
            return add_missed_to_reviews(session, student.id, session_id, utcnow())

        assert sorted(together(app, send, send)) == [0, 1]
        assert count(ReviewCard) == n + 1


def test_a_double_clicked_retry_makes_one_session(app, student_client, student):
    for n in range(ROUNDS):
        bank = make_bank(f"Retry {n}")
        make_question(bank, "true_false")
        session_id = finished_practice(student_client, bank)

        def retry(session, session_id=session_id):
            return retry_missed(session, student.id, session_id, now=utcnow()).id

        first, second = together(app, retry, retry)
        assert first == second and isinstance(first, int)
        assert count(PracticeSession, PracticeSession.retry_of_id == session_id) == 1


def test_a_double_submitted_exam_date_is_stored_once(app, student):
    for n in range(ROUNDS):
        bank = make_bank(f"Exam {n}")
        day = date.today() + timedelta(days=20 + n)

        def set_exam(session, bank_id=bank.id, day=day):
            return set_exam_date(
                session, student.id, bank_id=bank_id, exam_on=day, today=date.today()
            ).id

        first, second = together(app, set_exam, set_exam)
        assert first == second and isinstance(first, int)
        assert count(ExamDate) == n + 1


def test_two_tabs_answering_the_last_two_items_finish_the_session_once(
    app, student_client, student
):
    bank = make_bank("Tabs")
    make_question(bank, "true_false")
    make_question(bank, "true_false")
    for _ in range(ROUNDS * 2):
        response = student_client.post(
            "/practice/", data={"banks": str(bank.id), "kinds": "true_false", "count": "2"}
        )
        assert response.status_code == 302
        practice = db.session.scalar(select(PracticeSession).order_by(PracticeSession.id.desc()))

        def answer(session, position, practice_id=practice.id):
            return answer_item(
                session, student.id, practice_id, position, {"answer": True}, utcnow()
            ).finished

        finished = together(app, lambda s: answer(s, 1), lambda s: answer(s, 2))
        assert sorted(finished) == [False, True], finished
        db.session.rollback()
        db.session.refresh(practice)
        assert practice.finished_at is not None
        assert practice.score is not None
        assert student_client.get(f"/practice/{practice.id}/results").status_code == 200


def test_saving_one_upload_from_two_tabs_at_once_makes_one_document(app, teacher):
    for n in range(ROUNDS):
        pending = start_pending(
            db.session,
            owner_id=teacher.id,
            title=f"Thaw {n}",
            extracted=extract_pasted("# The Thaw\n\n## The Speech\n\nKhrushchev spoke.\n"),
            file_name="",
            file_type="pasted",
            now=utcnow(),
        )
        db.session.commit()
        pending_id = pending.id

        def save(session, pending_id=pending_id, n=n):
            upload = session.get(PendingDocument, pending_id)
            if upload is None:  # the other tab had saved it before this one read it
                return "gone"
            return save_pending(session, upload, f"Thaw {n}", [(2, "Speech")], utcnow()).id

        saved = together(app, save, save)
        assert sum(isinstance(r, int) for r in saved) == 1, saved
        assert sum(isinstance(r, Conflict) or r == "gone" for r in saved) == 1, saved
        assert count(SourceDocument) == n + 1
        assert count(PendingDocument) == 0
