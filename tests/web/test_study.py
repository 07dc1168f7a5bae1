from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ExamDate,
    Question,
    QuestionBank,
    ReviewCard,
    ReviewLog,
    StudySettings,
)
from app.study.dates import format_day
from tests.factories import make_bank, make_question

MC = {
    "prompt": "Which congress heard the Secret Speech?",
    "options": [
        {"text": "The 20th", "correct": True},
        {"text": "The 22nd", "correct": False},
        {"text": "The 19th", "correct": False},
    ],
}


@pytest.fixture
def bank(app):
    bank = make_bank("Timeline", topics=("1950s",))
    make_question(
        bank,
        "flashcard",
        topic="1950s",
        external_id="f1",
        content={"prompt": "Thaw", "back": "The loosening after 1953"},
    )
    make_question(bank, "multiple_choice", topic="1950s", external_id="m1", content=MC)
    return bank


def logs() -> int:
    return db.session.scalar(select(func.count()).select_from(ReviewLog))


def add_bank(client, bank):
    return client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})


def card_for(kind: str) -> ReviewCard:
    return db.session.scalars(select(ReviewCard).join(Question).where(Question.kind == kind)).one()


def test_adding_a_bank_creates_cards_once(student_client, bank):
    assert add_bank(student_client, bank).headers["Location"] == "/study/"
    assert db.session.scalar(select(func.count()).select_from(ReviewCard)) == 2
    page = student_client.post(
        "/study/add", data={"bank_id": bank.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "already in your reviews" in page
    assert db.session.scalar(select(func.count()).select_from(ReviewCard)) == 2


def test_add_refuses_an_offsite_next(student_client, bank):
    response = student_client.post(
        "/study/add", data={"bank_id": bank.id, "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/study/"


def test_flashcard_reveal_shows_ratings_with_intervals(student_client, bank):
    add_bank(student_client, bank)
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Thaw" in page and "Show answer" in page
    card = card_for("flashcard")
    revealed = student_client.get(f"/study/?reveal={card.id}").get_data(as_text=True)
    assert "The loosening after 1953" in revealed
    for label, interval in (("Again", "1m"), ("Hard", "6m"), ("Good", "10m"), ("Easy", "")):
        assert label in revealed
        if interval:
            assert interval in revealed
    assert re.search(r'name="version" value="1"', revealed)


def test_answer_is_applied_once_even_when_submitted_twice(student_client, bank):
    add_bank(student_client, bank)
    card = card_for("flashcard")
    data = {"rating": 3, "version": card.version}
    assert student_client.post(f"/study/cards/{card.id}/answer", data=data).status_code == 302
    again = student_client.post(f"/study/cards/{card.id}/answer", data=data, follow_redirects=True)
    assert "already recorded" in again.get_data(as_text=True)
    assert logs() == 1
    db.session.refresh(card)
    assert card.reps == 1 and card.version == 2


def test_typed_answer_is_graded_and_rating_suggested(student_client, bank):
    add_bank(student_client, bank)
    card = card_for("multiple_choice")
    right = student_client.post(f"/study/cards/{card.id}/check", data={"choice": "0"})
    page = right.get_data(as_text=True)
    assert "Correct" in page and "Good (suggested)" in page
    wrong = student_client.post(f"/study/cards/{card.id}/check", data={"choice": "1"})
    assert "Again (suggested)" in wrong.get_data(as_text=True)
    answer_json = re.search(r'name="answer" value="([^"]+)"', page).group(1)
    student_client.post(
        f"/study/cards/{card.id}/answer",
        data={
            "rating": 3,
            "version": card.version,
            "answer": answer_json.replace("&#34;", '"'),
            "grade": "1.0",
        },
    )
    log = db.session.scalars(select(ReviewLog)).one()
    assert log.answer == {"choice": 0} and log.grade == 1.0 and log.rating == 3


def test_undo_restores_the_card(student_client, bank):
    add_bank(student_client, bank)
    card = card_for("flashcard")
    student_client.post(f"/study/cards/{card.id}/answer", data={"rating": 1, "version": 1})
    page = student_client.post("/study/undo", follow_redirects=True).get_data(as_text=True)
    assert "undone" in page and logs() == 0
    db.session.refresh(card)
    assert card.reps == 0 and card.stability is None
    nothing = student_client.post("/study/undo", follow_redirects=True).get_data(as_text=True)
    assert "no answer to undo" in nothing


def test_suspend_and_bury_take_the_card_out_of_the_queue(student_client, bank):
    add_bank(student_client, bank)
    flash_card, mc_card = card_for("flashcard"), card_for("multiple_choice")
    student_client.post(f"/study/cards/{flash_card.id}/suspend")
    student_client.post(f"/study/cards/{mc_card.id}/bury")
    page = student_client.get("/study/").get_data(as_text=True)
    assert "No cards due right now" in page
    settings = student_client.get("/study/settings").get_data(as_text=True)
    assert "Thaw" in settings and "Unsuspend" in settings


def test_other_students_card_is_404(app, auth, bank, make_user, client):
    owner = make_user()
    auth.login(owner)
    add_bank(client, bank)
    card = card_for("flashcard")
    auth.logout()
    with app.app_context():
        other = make_user()
        intruder = app.test_client()
        auth.login(other, client=intruder)
        assert (
            intruder.post(
                f"/study/cards/{card.id}/answer", data={"rating": 3, "version": 1}
            ).status_code
            == 404
        )
        assert intruder.post(f"/study/cards/{card.id}/suspend").status_code == 404
    assert logs() == 0


def test_empty_reviews_page_points_to_banks(student_client):
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Your reviews are empty" in page and "/banks/" in page


def test_settings_save_and_bad_values_are_refused(student_client, student):
    good = {
        "desired_retention": "0.85",
        "new_per_day": 5,
        "max_reviews_per_day": 50,
        "learning_steps": "1m 5m 30m",
        "relearning_steps": "10m",
        "maximum_interval": 365,
        "day_starts_at_hour": 3,
    }
    assert student_client.post("/study/settings", data=good).status_code == 302
    settings = db.session.get(StudySettings, student.id)
    assert (settings.desired_retention, settings.learning_steps) == (0.85, [60, 300, 1800])
    bad = student_client.post("/study/settings", data={**good, "desired_retention": "0.5"})
    assert bad.status_code == 422
    steps = student_client.post("/study/settings", data={**good, "learning_steps": "ten"})
    assert steps.status_code == 422 and "not a step" in steps.get_data(as_text=True)
    db.session.refresh(settings)
    assert settings.desired_retention == 0.85 and settings.learning_steps == [60, 300, 1800]


def test_optimize_without_the_extra_says_so(student_client):
    page = student_client.get("/study/settings").get_data(as_text=True)
    from app.scheduling import MIN_REVIEWS_TO_OPTIMIZE, optimizer_available

    if optimizer_available():
        assert "Optimize" in page
        result = student_client.post("/study/optimize", follow_redirects=True)
        assert f"need {MIN_REVIEWS_TO_OPTIMIZE} reviews" in result.get_data(as_text=True)
    else:
        assert "optimizer is not installed" in page


def test_exam_dates_set_list_and_refuse_the_past(student_client, bank):
    future = date.today() + timedelta(days=10)
    ok = student_client.post(
        "/study/exams", data={"scope": f"bank:{bank.id}", "exam_on": future.isoformat()}
    )
    assert ok.status_code == 302
    page = student_client.get("/study/exams").get_data(as_text=True)
    assert format_day(future, "en") in page and future.isoformat() not in page
    past = student_client.post(
        "/study/exams",
        data={
            "scope": f"bank:{bank.id}",
            "exam_on": (date.today() - timedelta(days=3)).isoformat(),
        },
    )
    assert past.status_code == 422 and "in the past" in past.get_data(as_text=True)


def test_exam_pages_show_the_exam_in_the_students_language(app, student_client, bank):
    app.config["CLOCK"] = lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    add_bank(student_client, bank)
    exam_on = date(2026, 12, 10)  # a Thursday
    student_client.post(
        "/study/exams",
        data={"scope": f"bank:{bank.id}", "exam_on": exam_on.isoformat(), "label": "Final"},
    )
    german = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    page = student_client.get("/study/exams", headers=german).get_data(as_text=True)
    assert "Do., 10. Dez. 2026" in page and "2026-12-10" not in page
    us = student_client.get("/progress/", headers={"Accept-Language": "en-US"})
    text = us.get_data(as_text=True)
    assert "Thu, Dec 10, 2026" in text and "in 9 days" in text and "Coming exams" in text
    study = student_client.get("/study/").get_data(as_text=True)
    assert "Thu 10 Dec 2026" in study and "Final" in study and "in 9 days" in study
    # Two new cards in scope, at 20 a day: no warning.
    assert "2 new cards in scope" in study and "cannot be learned" not in study


def test_the_exam_panel_shows_the_reviews_it_adds_per_day(app, student_client, bank):
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    app.config["CLOCK"] = lambda: now
    add_bank(student_client, bank)
    weak, fresh = card_for("flashcard"), card_for("multiple_choice")
    for card, stability, ago, due_in in ((weak, 30, 20, 12), (fresh, 300, 5, 290)):
        card.state, card.step, card.reps = 2, None, 3
        card.stability, card.difficulty = stability, 5.0
        card.last_review = now - timedelta(days=ago)
        card.due = now + timedelta(days=due_in)
    db.session.commit()
    student_client.post("/study/exams", data={"scope": f"bank:{bank.id}", "exam_on": "2026-12-10"})
    text = re.sub(r"\s+", " ", student_client.get("/study/").get_data(as_text=True))
    assert "1 at risk" in text
    eve = format_day(date(2026, 12, 9))
    assert re.search(
        r"<span data-added>1 review</span> for the most at risk: "
        rf"<span data-added-day>1 on {eve}</span>, for a predicted 9\d\.\d% on average on the day",
        text,
    )


def test_exam_target_is_editable_and_bad_targets_are_refused(student_client, bank):
    future = date.today() + timedelta(days=10)
    student_client.post(
        "/study/exams",
        data={
            "scope": f"bank:{bank.id}",
            "exam_on": future.isoformat(),
            "target_retention": "0.97",
        },
    )
    exam = db.session.scalar(select(ExamDate))
    assert exam.target_retention == 0.97
    low = student_client.post(
        "/study/exams",
        data={"scope": f"bank:{bank.id}", "exam_on": future.isoformat(), "target_retention": "0.8"},
    )
    assert low.status_code == 422 and "above your desired retention" in low.get_data(as_text=True)
    for bad in ("0.85", "abc", "2"):
        page = student_client.post(
            f"/study/exams/{exam.id}/target", data={"target_retention": bad}, follow_redirects=True
        )
        assert page.status_code == 200 and "target" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ExamDate)) == 1
    assert db.session.get(ExamDate, exam.id).target_retention == 0.97
    student_client.post(f"/study/exams/{exam.id}/target", data={"target_retention": "0.96"})
    db.session.expire_all()
    assert db.session.get(ExamDate, exam.id).target_retention == 0.96
    assert (
        student_client.post(
            "/study/exams/999/target", data={"target_retention": "0.96"}
        ).status_code
        == 404
    )


def test_home_tells_the_student_what_is_due(student_client, bank):
    add_bank(student_client, bank)
    page = student_client.get("/").get_data(as_text=True)
    assert "Study now" in page and "2 new cards" in page


def test_study_needs_login(client):
    assert client.get("/study/").status_code == 302


def test_reveal_shows_the_card_asked_for_and_only_ones_own(app, auth, bank, make_user, client):
    owner = make_user()
    auth.login(owner)
    add_bank(client, bank)
    mc_card = card_for("multiple_choice")
    page = client.get(f"/study/?reveal={mc_card.id}").get_data(as_text=True)
    assert "Which congress heard the Secret Speech?" in page
    with app.app_context():
        other = make_user()
        intruder = app.test_client()
        auth.login(other, client=intruder)
        stranger = intruder.get(f"/study/?reveal={mc_card.id}").get_data(as_text=True)
        assert "Which congress" not in stranger and "Your reviews are empty" in stranger


def test_add_with_a_malformed_id_says_so_and_writes_nothing(student_client):
    page = student_client.post("/study/add", data={"bank_id": "abc"}, follow_redirects=True)
    assert "not a bank, topic or question" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ReviewCard)) == 0


# The study day, undo by action, decks, settings ----------------------------------------


def test_a_visit_to_study_pages_writes_no_settings_row(student_client, bank):
    for url in ("/study/", "/study/settings", "/study/exams", "/progress/", "/"):
        assert student_client.get(url).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(StudySettings)) == 0


def test_home_study_and_progress_show_the_same_due_count(app, student_client, student, bank):
    from datetime import UTC, datetime

    import fsrs

    student.time_zone = "America/Los_Angeles"
    add_bank(student_client, bank)
    card = card_for("flashcard")
    card.state, card.reps, card.stability, card.difficulty = fsrs.State.Review.value, 3, 5.0, 5.0
    card.last_review = datetime(2026, 6, 6, 6, 0, tzinfo=UTC)
    card.due = datetime(2026, 6, 11, 6, 0, tzinfo=UTC)  # 23:00 on 10 June in Los Angeles
    db.session.delete(card_for("multiple_choice"))
    db.session.commit()
    app.config["CLOCK"] = lambda: datetime(2026, 6, 10, 19, 0, tzinfo=UTC)  # 12:00 local
    study = student_client.get("/study/").get_data(as_text=True)
    assert "1 due</span>" in study and "Thaw" in study
    assert "1 review due" in student_client.get("/").get_data(as_text=True)
    progress = student_client.get("/progress/").get_data(as_text=True)
    assert re.search(r'id="fig-due-today">1<', progress)


def test_a_double_click_on_undo_undoes_one_answer(student_client, bank):
    add_bank(student_client, bank)
    flash_card, mc_card = card_for("flashcard"), card_for("multiple_choice")
    student_client.post(f"/study/cards/{flash_card.id}/answer", data={"rating": 3, "version": 1})
    student_client.post(f"/study/cards/{mc_card.id}/answer", data={"rating": 3, "version": 1})
    page = student_client.get("/study/").get_data(as_text=True)
    action_id = re.search(r'name="action_id" value="(\d+)"', page).group(1)
    assert "Undo answer" in page
    student_client.post("/study/undo", data={"action_id": action_id})
    second = student_client.post(
        "/study/undo", data={"action_id": action_id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "already undone" in second
    assert logs() == 1


def test_undo_after_suspend_takes_back_the_suspend(student_client, bank):
    add_bank(student_client, bank)
    flash_card, mc_card = card_for("flashcard"), card_for("multiple_choice")
    student_client.post(f"/study/cards/{flash_card.id}/answer", data={"rating": 3, "version": 1})
    student_client.post(f"/study/cards/{mc_card.id}/suspend")
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Undo suspend" in page
    action_id = re.search(r'name="action_id" value="(\d+)"', page).group(1)
    done = student_client.post("/study/undo", data={"action_id": action_id}, follow_redirects=True)
    assert "Suspend undone" in done.get_data(as_text=True)
    db.session.refresh(mc_card)
    assert not mc_card.suspended and logs() == 1


def test_a_buried_card_can_be_unburied_from_settings(student_client, bank):
    add_bank(student_client, bank)
    card = card_for("flashcard")
    student_client.post(f"/study/cards/{card.id}/bury")
    page = student_client.get("/study/settings").get_data(as_text=True)
    assert "Buried cards" in page and "Unbury" in page
    student_client.post(f"/study/cards/{card.id}/unbury", data={"next": "/study/settings"})
    db.session.refresh(card)
    assert card.buried_until is None


def test_an_answer_to_a_suspended_card_is_refused_with_a_message(student_client, bank):
    add_bank(student_client, bank)
    card = card_for("flashcard")
    card.suspended = True
    db.session.commit()
    page = student_client.post(
        f"/study/cards/{card.id}/answer",
        data={"rating": 3, "version": card.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "suspended, so the answer was not recorded" in page
    assert logs() == 0


def test_the_leech_message_gives_the_real_lapse_count(student_client, bank):
    from datetime import UTC, datetime

    import fsrs

    add_bank(student_client, bank)
    card = card_for("flashcard")
    card.state, card.reps, card.stability, card.difficulty = fsrs.State.Review.value, 20, 2.0, 8.0
    card.lapses, card.leech = 11, True  # flagged at 8, unsuspended since: 12 flags it again
    card.last_review = datetime(2024, 1, 1, tzinfo=UTC)
    card.due = datetime(2024, 1, 3, tzinfo=UTC)
    db.session.commit()
    page = student_client.post(
        f"/study/cards/{card.id}/answer",
        data={"rating": 1, "version": card.version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "forgotten this card 12 times" in page


def test_choosing_a_deck_studies_only_it(student_client, bank):
    other = QuestionBank(title="Physics", description="")
    db.session.add(other)
    db.session.flush()
    db.session.add(
        Question(
            bank_id=other.id,
            kind="flashcard",
            external_id="p1",
            content={"prompt": "Wavelength", "back": "Distance between crests"},
        )
    )
    db.session.commit()
    add_bank(student_client, bank)
    add_bank(student_client, other)
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Studying: <strong>all decks</strong>" in page and "/study/decks" in page
    assert "Physics" in student_client.get("/study/decks").get_data(as_text=True)
    student_client.post("/study/deck", data={"deck": f"bank:{other.id}"})
    page = student_client.get("/study/").get_data(as_text=True)
    assert "Studying: <strong>Physics</strong>" in page and "Wavelength" in page
    bad = student_client.post("/study/deck", data={"deck": "bank:999999"}, follow_redirects=True)
    assert "not one of yours" in bad.get_data(as_text=True)
    student_client.post("/study/deck", data={"deck": "all"})
    assert "Thaw" in student_client.get("/study/").get_data(as_text=True)


SETTINGS = {
    "desired_retention": "0.85",
    "new_per_day": 5,
    "max_reviews_per_day": 50,
    "learning_steps": "1m 5m 30m",
    "relearning_steps": "10m",
    "maximum_interval": 365,
    "day_starts_at_hour": 3,
}


def test_retention_takes_two_decimals_at_most(student_client, student):
    bad = student_client.post("/study/settings", data={**SETTINGS, "desired_retention": "0.709"})
    assert bad.status_code == 422 and "at most two decimals" in bad.get_data(as_text=True)
    assert db.session.get(StudySettings, student.id) is None


def test_empty_relearning_steps_and_random_new_order_are_saved(student_client, student):
    data = {**SETTINGS, "relearning_steps": "", "new_card_order": "random"}
    assert student_client.post("/study/settings", data=data).status_code == 302
    settings = db.session.get(StudySettings, student.id)
    assert settings.relearning_steps == [] and settings.new_card_order == "random"
    assert student_client.get("/study/settings").status_code == 200


def test_an_answer_carries_the_time_the_card_was_shown_in_epoch_milliseconds(student_client, bank):
    import time

    add_bank(student_client, bank)
    flash_card = card_for("flashcard")
    shown_at = int(time.time() * 1000) - 4_000  # beyond a 32-bit integer, as every real one
    response = student_client.post(
        f"/study/cards/{flash_card.id}/answer",
        data={"rating": 3, "version": 1, "shown_at": shown_at},
    )
    assert response.status_code == 302
    log = db.session.scalars(select(ReviewLog)).one()
    assert 3_000 <= log.duration_ms <= 600_000
