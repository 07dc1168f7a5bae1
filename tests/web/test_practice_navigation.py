"""Practice like a real quiz: back, skip, flags, the question map, finishing early, and
"I was right" on the results of a session graded at the end."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import PracticeItem, PracticeSession
from tests.factories import make_bank, make_question

TRUE = {"prompt": "Khrushchev gave the Secret Speech.", "answer": True}
SHORT = {"prompt": "Who gave the Secret Speech?", "answers": [{"text": "Khrushchev"}]}


@pytest.fixture
def bank(app):
    bank = make_bank("Thaw", topics=("1950s",))
    for n in range(3):
        make_question(bank, "true_false", topic="1950s", external_id=f"t{n}", content=TRUE)
    return bank


def start(client, bank, kinds=("true_false",), feedback="now", count=3) -> PracticeSession:
    response = client.post(
        "/practice/",
        data={
            "banks": [str(bank.id)],
            "kinds": list(kinds),
            "count": str(count),
            "feedback": feedback,
        },
    )
    assert response.status_code == 302
    session_id = int(re.search(r"/practice/(\d+)/1$", response.headers["Location"]).group(1))
    return db.session.get(PracticeSession, session_id)


def items(practice: PracticeSession) -> list[PracticeItem]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(PracticeItem)
            .where(PracticeItem.session_id == practice.id)
            .order_by(PracticeItem.position)
        )
    )


def map_states(page: str) -> dict[int, str]:
    found = re.findall(r'href="/practice/\d+/(\d+)"\s+data-map-state="([^"]+)"', page)
    return {int(position): state for position, state in found}


def test_back_skip_flag_and_the_question_map(student_client, bank):
    practice = start(student_client, bank)
    url = f"/practice/{practice.id}"
    page = student_client.get(f"{url}/1").get_data(as_text=True)
    assert map_states(page) == {1: "not answered", 2: "not answered", 3: "not answered"}
    assert re.search(r'href="/practice/\d+/1"[^>]*aria-current="page"', page)
    assert f'href="{url}/2">Skip</a>' in page and "← Back" not in page
    assert f'href="{url}/finish"' in page

    assert student_client.post(f"{url}/1/flag", data={"flagged": "1"}).status_code == 302
    assert items(practice)[0].flagged
    page = student_client.get(f"{url}/1").get_data(as_text=True)
    assert "Flagged for later" in page and "Remove the flag" in page
    assert map_states(page)[1] == "not answered, flagged"

    # Skip to 2 and answer it; 3 is skipped too, and Skip on 3 comes round to 1.
    student_client.post(f"{url}/2", data={"answer": "true"})
    page = student_client.get(f"{url}/2").get_data(as_text=True)
    assert "Correct" in page and "data-answer-form" not in page
    assert f'href="{url}/1" rel="prev">← Back' in page and ">Skip<" not in page
    assert map_states(page) == {1: "not answered, flagged", 2: "answered", 3: "not answered"}
    page = student_client.get(f"{url}/3").get_data(as_text=True)
    assert f'href="{url}/1">Skip</a>' in page

    # Going back to an answered question shows it answered; a second answer changes nothing.
    student_client.post(f"{url}/2", data={"answer": "false"})
    assert [i.fraction for i in items(practice)] == [None, 1.0, None]

    student_client.post(f"{url}/1/flag", data={"flagged": "0"})
    assert not items(practice)[0].flagged


@pytest.mark.parametrize("value", ["", "2", "yes"])
def test_a_bad_flag_value_changes_nothing(student_client, bank, value):
    practice = start(student_client, bank)
    response = student_client.post(
        f"/practice/{practice.id}/1/flag", data={"flagged": value}, follow_redirects=True
    )
    assert "Choose to flag the question or not." in response.get_data(as_text=True)
    assert not any(item.flagged for item in items(practice))


def test_finishing_with_unanswered_questions_asks_first_and_lists_them(student_client, bank):
    practice = start(student_client, bank)
    url = f"/practice/{practice.id}"
    student_client.post(f"{url}/1", data={"answer": "true"})
    student_client.post(f"{url}/3/flag", data={"flagged": "1"})

    page = student_client.get(f"{url}/finish").get_data(as_text=True)
    assert "2 of 3 questions are not answered. If you finish now, they score 0." in page
    listed = re.search(r"<ul data-unanswered>.*?</ul>", page, re.S).group(0)
    assert re.findall(r">Question (\d)</a>", listed) == ["2", "3"]
    assert "(flagged for later)" in listed
    db.session.expire_all()
    assert db.session.get(PracticeSession, practice.id).finished_at is None
    # The score waits until the student confirms.
    assert student_client.get(f"{url}/results").headers["Location"].endswith(f"{url}/2")

    response = student_client.post(f"{url}/finish")
    assert response.headers["Location"].endswith(f"{url}/results")
    db.session.expire_all()
    finished = db.session.get(PracticeSession, practice.id)
    assert finished.finished_at is not None and finished.score == pytest.approx(1 / 3)
    results = student_client.get(f"{url}/results").get_data(as_text=True)
    assert "1 / 3 · 33%" in results and results.count("Not answered") == 4
    assert "Retry the missed ones (2)" in results
    # The questions left unanswered show their correct answer too.
    assert results.count("Correct answer") == 3

    # A finished session takes no more answers or flags, and says so.
    refused = student_client.post(f"{url}/2", data={"answer": "true"}, follow_redirects=True)
    assert "This session is finished" in refused.get_data(as_text=True)
    refused = student_client.post(f"{url}/2/flag", data={"flagged": "1"}, follow_redirects=True)
    assert "This session is finished" in refused.get_data(as_text=True)
    assert [(i.fraction, i.flagged) for i in items(practice)] == [
        (1.0, False),
        (None, False),
        (None, True),
    ]
    page = student_client.get(f"{url}/2").get_data(as_text=True)
    assert "Not answered: the session is finished" in page and "data-answer-form" not in page
    assert student_client.get(f"{url}/finish").headers["Location"].endswith(f"{url}/results")
    # A second confirmation does not finish it again.
    student_client.post(f"{url}/finish")
    db.session.expire_all()
    assert db.session.get(PracticeSession, practice.id).finished_at == finished.finished_at


def test_answering_the_last_question_still_finishes_on_its_own(student_client, bank):
    practice = start(student_client, bank, feedback="end")
    url = f"/practice/{practice.id}"
    for position in (1, 2, 3):
        response = student_client.post(f"{url}/{position}", data={"answer": "true"})
    assert response.headers["Location"].endswith(f"{url}/results")
    assert "3 / 3 · 100%" in student_client.get(f"{url}/results").get_data(as_text=True)


def test_finish_needs_the_csrf_token(app, student_client, bank):
    practice = start(student_client, bank)
    app.config["WTF_CSRF_ENABLED"] = True
    assert student_client.post(f"/practice/{practice.id}/finish").status_code == 400
    db.session.expire_all()
    assert db.session.get(PracticeSession, practice.id).finished_at is None


def test_another_students_session_cannot_be_flagged_or_finished(app, auth, bank, make_user, client):
    auth.login(make_user(email="owner@example.com").email)
    practice = start(client, bank)
    auth.logout()
    auth.login(make_user(email="other@example.com").email)
    assert client.get(f"/practice/{practice.id}/finish").status_code == 404
    assert client.post(f"/practice/{practice.id}/finish").status_code == 404
    assert client.post(f"/practice/{practice.id}/1/flag", data={"flagged": "1"}).status_code == 404
    assert db.session.get(PracticeSession, practice.id).finished_at is None
    assert not any(item.flagged for item in items(practice))


# -- "I was right" when the answers come at the end -------------------------------------------


@pytest.fixture
def short_bank(app):
    bank = make_bank("Speech", topics=("1950s",))
    for n in range(2):
        make_question(bank, "short_answer", topic="1950s", external_id=f"s{n}", content=SHORT)
    return bank


def test_i_was_right_on_the_results_of_a_session_graded_at_the_end(student_client, short_bank):
    practice = start(student_client, short_bank, kinds=("short_answer",), feedback="end", count=2)
    url = f"/practice/{practice.id}"
    student_client.post(f"{url}/1", data={"text": "Nikita K."})
    # Before the end the grade is hidden, so there is nothing to override yet.
    refused = student_client.post(f"{url}/1/override", follow_redirects=True)
    assert "finish the session first" in refused.get_data(as_text=True)
    assert items(practice)[0].fraction == 0.0 and items(practice)[0].overridden_from is None

    student_client.post(f"{url}/2", data={"text": "Khrushchev"})
    results = student_client.get(f"{url}/results").get_data(as_text=True)
    assert "1 / 2 · 50%" in results
    assert results.count("data-override") == 1 and "I was right" in results
    response = student_client.post(f"{url}/1/override")
    assert response.headers["Location"].endswith(f"{url}/results#question-1")
    db.session.expire_all()
    assert db.session.get(PracticeSession, practice.id).score == 1.0
    assert items(practice)[0].overridden_from == 0.0
    results = student_client.get(f"{url}/results").get_data(as_text=True)
    assert "2 / 2 · 100%" in results and "You marked this answer right" in results
    assert "data-override" not in results


def test_results_of_a_session_with_feedback_now_offer_no_override(student_client, short_bank):
    practice = start(student_client, short_bank, kinds=("short_answer",), count=1)
    student_client.post(f"/practice/{practice.id}/1", data={"text": "Nikita K."})
    results = student_client.get(f"/practice/{practice.id}/results").get_data(as_text=True)
    assert "data-override" not in results
    assert db.session.scalar(select(func.count()).select_from(PracticeSession)) == 1
