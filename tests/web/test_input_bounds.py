"""Malformed input is refused with a message (or stripped), never a 500, and writes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import ExamDate, PracticeItem, PracticeSession, ReviewLog, StudySettings
from tests.factories import make_bank, make_card, make_question, make_topics


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_ids_and_integer_parameters_past_the_database_range(student_client):
    bank = make_bank("Range", topics=("T",))
    assert student_client.get("/banks/2147483648").status_code == 404
    assert student_client.get(f"/banks/{2**63}").status_code == 404
    assert student_client.get("/banks/" + "9" * 400).status_code == 404
    assert student_client.get(f"/banks/{bank.id}?topic=2147483648").status_code == 400
    assert student_client.get(f"/banks/{bank.id}?difficulty={10**30}").status_code == 400
    assert student_client.get(f"/banks/{bank.id}?topic=2147483647").status_code == 200
    assert student_client.get("/study/?reveal=99999999999").status_code == 400
    assert student_client.post("/study/undo", data={"action_id": str(2**40)}).status_code == 400


def test_nul_bytes_are_stripped_from_queries_and_refused_in_paths(admin_client):
    bank = make_bank("Nul")
    assert admin_client.get(f"/banks/{bank.id}?q=%00").status_code == 200
    assert admin_client.get("/admin/users?q=a%00b").status_code == 200
    assert admin_client.get("/sources/%00").status_code == 404


def test_a_typed_answer_with_a_nul_byte_is_kept_without_it(student_client, student, clock):
    bank = make_bank("Typed")
    question = make_question(bank, "short_answer")
    student_client.post(
        "/practice/", data={"banks": str(bank.id), "kinds": "short_answer", "count": "1"}
    )
    practice = db.session.scalar(select(PracticeSession))
    response = student_client.post(f"/practice/{practice.id}/1", data={"text": "Pa\x00ris"})
    assert response.status_code == 302
    item = db.session.scalar(select(PracticeItem))
    db.session.refresh(item)
    assert item.response == {"text": "Paris"}
    assert question.id == item.question_id


def test_a_blank_practice_answer_is_refused_with_a_message(student_client, clock):
    bank = make_bank("Blank")
    make_question(bank, "short_answer")
    student_client.post(
        "/practice/", data={"banks": str(bank.id), "kinds": "short_answer", "count": "1"}
    )
    practice = db.session.scalar(select(PracticeSession))
    page = student_client.post(
        f"/practice/{practice.id}/1", data={"text": "   "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Give an answer first" in page
    item = db.session.scalar(select(PracticeItem))
    db.session.refresh(item)
    assert item.answered_at is None
    db.session.refresh(practice)
    assert practice.finished_at is None


def test_a_file_posted_into_a_text_field_is_refused(student_client):
    before = count(ExamDate)
    response = student_client.post(
        "/study/exams",
        data={"scope": "bank:1", "exam_on": "2025-03-01", "label": (io.BytesIO(b"x"), "a.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "takes no files" in response.get_data(as_text=True)
    assert count(ExamDate) == before


def test_an_oversized_field_is_refused_with_a_message(teacher_client, teacher):
    bank = make_bank("Big", owner_id=teacher.id)
    response = teacher_client.post(
        f"/banks/{bank.id}/questions/new?type=flashcard",
        data={"prompt": "x" * 600_000, "answer": "a"},
    )
    assert response.status_code == 413
    assert "at most 100,000 characters" in response.get_data(as_text=True)


def test_non_finite_grades_and_hostile_answer_json_are_refused(student_client, student, clock):
    bank = make_bank("Json")
    card = make_card(student.id, make_question(bank), due=clock.now - timedelta(days=1))
    url = f"/study/cards/{card.id}/answer"
    for grade in ("sNaN", "NaN", "Infinity", "1e400"):
        response = student_client.post(
            url, data={"rating": "3", "version": str(card.version), "grade": grade}
        )
        assert response.status_code == 302
        assert count(ReviewLog) == 0
    for answer in ("[" * 5000 + "]" * 5000, '{"a": NaN}', '{"a": 1e400}'):
        response = student_client.post(
            url, data={"rating": "3", "version": str(card.version), "answer": answer}
        )
        assert response.status_code == 302
        log = db.session.scalars(select(ReviewLog).order_by(ReviewLog.id.desc())).first()
        assert log is not None and log.answer is None
        db.session.refresh(card)


def test_learning_steps_are_bounded(student_client, student):
    base = {
        "desired_retention": "0.90",
        "new_per_day": "20",
        "max_reviews_per_day": "200",
        "relearning_steps": "10m",
        "maximum_interval": "36500",
        "day_starts_at_hour": "4",
    }
    for steps in ("1" + "0" * 400 + "d", "99999999999999d", "36501d"):
        response = student_client.post("/study/settings", data={**base, "learning_steps": steps})
        assert response.status_code == 422
        assert "at most 36500 days" in response.get_data(as_text=True)
        assert count(StudySettings) == 0
    ok = student_client.post("/study/settings", data={**base, "learning_steps": "1m 36500d"})
    assert ok.status_code == 302


def test_an_exam_is_at_most_five_years_away_and_set_once(student_client, clock):
    bank = make_bank("Exam")
    make_topics(bank, "T")
    far = {"scope": f"bank:{bank.id}", "exam_on": "9999-12-31"}
    response = student_client.post("/study/exams", data=far)
    assert response.status_code == 422
    assert "more than 5 years away" in response.get_data(as_text=True)
    assert count(ExamDate) == 0
    soon = {
        "scope": f"bank:{bank.id}",
        "exam_on": (clock.now.date() + timedelta(days=30)).isoformat(),
    }
    assert student_client.post("/study/exams", data=soon).status_code == 302
    assert student_client.post("/study/exams", data=soon).status_code == 302
    assert count(ExamDate) == 1
