""" "I was right" on automatically graded answers, in study and in practice, and the feedback."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PracticeItem, PracticeSession, ReviewCard, ReviewLog
from tests.factories import make_bank, make_question

SHORT = {"prompt": "Who gave the Secret Speech?", "answers": [{"text": "Khrushchev"}]}


@pytest.fixture
def bank(app):
    bank = make_bank("Thaw", topics=("1950s",))
    make_question(bank, "short_answer", topic="1950s", external_id="s1", content=SHORT)
    return bank


def card() -> ReviewCard:
    return db.session.scalars(select(ReviewCard)).one()


def override_form(page: str) -> dict[str, str]:
    form = re.search(r"<form[^>]*data-override.*?</form>", page, re.S)
    assert form, page
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(0)))
    return {name: unescape(value) for name, value in fields.items()}


def test_study_override_rates_good_and_is_logged(student_client, bank):
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    checked = student_client.post(f"/study/cards/{card().id}/check", data={"text": "Nikita K."})
    page = checked.get_data(as_text=True)
    assert "Not right" in page and "I was right" in page
    data = override_form(page)
    assert data["rating"] == "3" and data["override"] == "y"
    data["rating"] = "1"  # whatever the button says, an override is rated Good
    response = student_client.post(f"/study/cards/{card().id}/answer", data=data)
    assert response.status_code == 302
    log = db.session.scalars(select(ReviewLog)).one()
    assert log.rating == 3
    assert log.grade == 1.0 and log.overridden_from == 0.0
    assert log.answer == {"text": "Nikita K."}


def test_study_plain_answer_logs_no_override(student_client, bank):
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    page = student_client.post(f"/study/cards/{card().id}/check", data={"text": "x"})
    data = override_form(page.get_data(as_text=True))
    del data["override"]
    data["rating"] = "1"
    student_client.post(f"/study/cards/{card().id}/answer", data=data)
    log = db.session.scalars(select(ReviewLog)).one()
    assert log.rating == 1 and log.grade == 0.0 and log.overridden_from is None


def test_study_right_answer_offers_no_override(student_client, bank):
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    page = student_client.post(f"/study/cards/{card().id}/check", data={"text": "Khrushchev"})
    assert "I was right" not in page.get_data(as_text=True)


def start_practice(client, bank) -> int:
    response = client.post(
        "/practice/",
        data={"banks": [str(bank.id)], "kinds": ["short_answer"], "count": "1", "feedback": "now"},
    )
    assert response.status_code == 302
    return int(re.search(r"/practice/(\d+)/1$", response.headers["Location"]).group(1))


def test_practice_override_gives_full_credit_and_updates_the_score(student_client, bank):
    session_id = start_practice(student_client, bank)
    student_client.post(f"/practice/{session_id}/1", data={"text": "Nikita K."})
    page = student_client.get(f"/practice/{session_id}/1").get_data(as_text=True)
    assert "Not right" in page and "I was right" in page
    db.session.expire_all()
    practice = db.session.get(PracticeSession, session_id)
    assert practice.score == 0.0
    data = override_form(page)
    response = student_client.post(f"/practice/{session_id}/1/override", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.scalars(select(PracticeItem)).one()
    assert item.fraction == 1.0 and item.overridden_from == 0.0 and item.overridden_at is not None
    assert db.session.get(PracticeSession, session_id).score == 1.0
    page = student_client.get(f"/practice/{session_id}/1").get_data(as_text=True)
    assert "You marked this answer right (it was graded 0%)" in page
    assert "I was right" not in page
    results = student_client.get(f"/practice/{session_id}/results").get_data(as_text=True)
    assert "100%" in results
    # A second override changes nothing.
    student_client.post(f"/practice/{session_id}/1/override", data=data)
    db.session.expire_all()
    assert db.session.scalars(select(PracticeItem)).one().overridden_from == 0.0


def test_practice_override_of_an_unanswered_item_is_refused(student_client, bank):
    session_id = start_practice(student_client, bank)
    page = student_client.get(f"/practice/{session_id}/1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = student_client.post(
        f"/practice/{session_id}/1/override", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Answer the question first." in response.get_data(as_text=True)
    db.session.expire_all()
    item = db.session.scalars(select(PracticeItem)).one()
    assert item.fraction is None and item.overridden_from is None


def test_practice_override_of_another_students_item_is_404(app, auth, bank, make_user, client):
    other = make_user(email="other@example.com")
    auth.login(other.email)
    session_id = start_practice(client, bank)
    client.post(f"/practice/{session_id}/1", data={"text": "nope"})
    auth.logout()
    me = make_user(email="me@example.com")
    auth.login(me.email)
    assert client.post(f"/practice/{session_id}/1/override", data={}).status_code == 404


def test_multiple_response_feedback_reads_in_words(student_client, app):
    bank = make_bank("MR")
    content = {
        "prompt": "Which did Khrushchev do?",
        "options": [
            {"text": "Secret Speech", "correct": True},
            {"text": "Virgin Lands", "correct": True},
            {"text": "Prague Spring", "correct": False},
            {"text": "Perestroika", "correct": False},
        ],
        "pin_order": True,
    }
    make_question(bank, "multiple_response", content=content)
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    page = student_client.post(
        f"/study/cards/{card().id}/check", data={"choices": ["0", "2"]}
    ).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Secret Speech : Correct answer: you ticked it (right)." in text
    assert "Virgin Lands : Correct answer: you left it unticked (missed)." in text
    assert "Prague Spring : Not an answer: you ticked it (wrong)." in text
    assert "Perestroika : Not an answer: you left it unticked (right)." in text


def test_numerical_unit_is_shown_next_to_the_input(student_client, app):
    bank = make_bank("Numbers")
    content = {
        "prompt": "How many prisoners?",
        "unit": "million prisoners",
        "units": [{"unit": "prisoners", "multiplier": 0.000001}],
        "answers": [{"value": 2.5, "tolerance": 0.1}],
    }
    make_question(bank, "numerical", content=content)
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    page = student_client.get("/study/").get_data(as_text=True)
    assert re.search(r'name="value"[^>]*aria-describedby="answer-unit"', page)
    assert '<span class="input-group-text" id="answer-unit">million prisoners</span>' in page
    checked = student_client.post(f"/study/cards/{card().id}/check", data={"value": "2,500,000"})
    assert "Correct" in checked.get_data(as_text=True)
    checked = student_client.post(
        f"/study/cards/{card().id}/check", data={"value": "2.5 gazillion"}
    )
    assert "Unit not recognised: “gazillion”" in checked.get_data(as_text=True)
