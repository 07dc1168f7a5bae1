"""Answer widgets as served: what works without JavaScript, and what the scripts hook on to."""

from __future__ import annotations

import random
import re
from pathlib import Path

from flask import render_template_string
from sqlalchemy import func, select

from app.extensions import db
from app.models import PracticeItem, Question, ReviewCard, ReviewLog
from app.questions import present
from tests.factories import make_bank, make_question
from tests.samples import sample

MACROS = '{% from "questions/macros.html" import question_inputs %}'


def _inputs(app, kind: str, content=None, **args) -> str:
    p = present(kind, content or sample(kind), rng=random.Random(3))
    with app.test_request_context():
        return render_template_string(MACROS + "{{ question_inputs(p, **args) }}", p=p, args=args)


def test_ordering_lists_start_at_distinct_positions(app) -> None:
    html = _inputs(app, "ordering", {"prompt": "Order", "items": ["a", "b", "c", "d"]})
    selects = re.findall(r"<select[^>]*>(.*?)</select>", html, re.S)
    chosen = [re.findall(r'<option value="(\d+)" selected>', body) for body in selects]
    # One option selected per list, and each list a different position.
    assert chosen == [["1"], ["2"], ["3"], ["4"]]
    assert "data-ordering" in html


def test_first_input_is_focused_on_every_objective_kind(app) -> None:
    for kind in ("cloze", "matching", "multiple_response", "ordering", "multiple_choice"):
        html = _inputs(app, kind, autofocus=True)
        assert html.count(" autofocus") == 1, kind
        assert " autofocus" not in _inputs(app, kind), kind


def test_choices_are_numbered_for_the_number_keys(app) -> None:
    for kind in ("multiple_choice", "multiple_response", "true_false"):
        html = _inputs(app, kind)
        keys = re.findall(r'data-option-key="(\d)"', html)
        assert keys == [str(n) for n in range(1, len(keys) + 1)] and len(keys) >= 2, kind
        assert '<span class="kbd-hint me-1">1.</span>' in html


def test_a_preview_has_no_widget(app) -> None:
    for kind in ("ordering", "matching"):
        assert f"data-{kind}>" not in _inputs(app, kind, disabled=True)
        assert f"data-{kind}>" in _inputs(app, kind)


def _practice_one(client, kind: str) -> str:
    bank = make_bank("Widgets")
    make_question(bank, kind)
    client.post(
        "/practice/", data={"banks": [bank.id], "kinds": [kind], "count": "5", "feedback": "now"}
    )
    item = db.session.scalars(select(PracticeItem)).one()
    return f"/practice/{item.session_id}/{item.position}"


def test_practice_refuses_a_position_given_twice_and_records_nothing(student_client) -> None:
    url = _practice_one(student_client, "ordering")
    data = {"position-0": "2", "position-1": "2", "position-2": "1"}
    page = student_client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Position 2 is given to more than one item" in page
    db.session.expire_all()
    assert db.session.scalars(select(PracticeItem)).one().answered_at is None
    # A real order is graded.
    student_client.post(url, data={"position-0": "1", "position-1": "2", "position-2": "3"})
    db.session.expire_all()
    assert db.session.scalars(select(PracticeItem)).one().fraction == 1.0


def test_practice_refuses_an_answer_matched_twice(student_client) -> None:
    url = _practice_one(student_client, "matching")
    page = student_client.post(
        url, data={"match-0": "0", "match-1": "0"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "“1953” is chosen for more than one item" in page
    db.session.expire_all()
    assert db.session.scalars(select(PracticeItem)).one().answered_at is None


def test_study_check_refuses_duplicates_and_offers_every_key(student_client) -> None:
    bank = make_bank("Widgets")
    make_question(bank, "ordering")
    student_client.post("/study/add", data={"bank_id": bank.id, "next": "/study/"})
    card = db.session.scalars(select(ReviewCard).join(Question)).one()
    url = f"/study/cards/{card.id}/check"
    page = student_client.post(
        url, data={"position-0": "3", "position-1": "3", "position-2": "3"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Position 3 is given to more than one item" in page
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 0
    checked = student_client.post(
        url, data={"position-0": "1", "position-1": "2", "position-2": "3"}
    ).get_data(as_text=True)
    # Enter accepts the suggested rating: the suggested button is marked and focused.
    assert re.search(r'data-rating="3" data-suggested autofocus', checked)
    assert 'class="rating-row"' in checked
    for hook in ('data-key="bury"', 'data-key="suspend"', 'id="study-keys"', "data-keys-toggle"):
        assert hook in checked
    for key in ("Space", "Enter", "U or Ctrl+Z", '<dt class="col-sm-3">-</dt>', "@", "?"):
        assert key in checked


def test_practice_topics_are_checkboxes(student_client) -> None:
    bank = make_bank("Widgets", topics=("Thaw", "Thaw/Speech"))
    make_question(bank, "multiple_choice", topic="Thaw")
    page = student_client.get("/practice/").get_data(as_text=True)
    assert "Hold Ctrl" not in page and "<select" not in page
    assert re.search(r'type="checkbox" name="topics"[^>]*value="\d+"', page)
    assert "Thaw › Speech" in page


def test_sortable_is_served_locally_with_its_licence(app, client) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    assert "/static/vendor/sortablejs/Sortable.min.js" in page and "cdn" not in page.lower()
    assert client.get("/static/vendor/sortablejs/Sortable.min.js").status_code == 200
    licence = Path(app.static_folder) / "vendor" / "sortablejs" / "LICENSE"
    assert "MIT" in licence.read_text() or "Permission is hereby granted" in licence.read_text()


def test_empty_progress_and_study_links_use_the_alert_colour(student_client) -> None:
    for url in ("/progress/", "/study/"):
        page = student_client.get(url).get_data(as_text=True)
        assert re.search(r'<div class="alert alert-info".*?<a class="alert-link"', page, re.S), url
