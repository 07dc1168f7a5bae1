from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models import PracticeSession, QuestionBank, ReviewCard
from tests.factories import make_bank, make_card, make_log, make_question

NOW = datetime(2025, 1, 15, 15, tzinfo=UTC)  # the student's zone is UTC; days start 04:00


@pytest.fixture(autouse=True)
def fixed_clock(app):
    app.config["CLOCK"] = lambda: NOW


def add_card(user_id: int, bank: QuestionBank, *, reps: int, due: datetime, **fields) -> ReviewCard:
    """A card on a new true/false question in the bank's topic "Cells"."""
    question = make_question(bank, "true_false", topic="Cells", commit=False)
    return make_card(user_id, question, reps=reps, due=due, position=0, commit=False, **fields)


@pytest.fixture
def history(student, make_user):
    bank = make_bank("Biology <Cells>", topics=("Cells",), commit=False)
    reviewed = add_card(
        student.id,
        bank,
        reps=3,
        state=2,
        due=NOW - timedelta(days=1),
        stability=10.0,
        difficulty=5.0,
        last_review=NOW - timedelta(days=10),
    )
    add_card(
        student.id,
        bank,
        reps=2,
        state=2,
        due=datetime(2025, 1, 16, 12, tzinfo=UTC),
        stability=4.0,
        difficulty=5.0,
        last_review=NOW - timedelta(days=4),
    )
    add_card(student.id, bank, reps=0, state=1, due=NOW)
    make_log(reviewed, datetime(2025, 1, 15, 10, tzinfo=UTC), rating=3, commit=False)
    make_log(reviewed, datetime(2025, 1, 15, 11, tzinfo=UTC), rating=1, commit=False)
    make_log(reviewed, datetime(2025, 1, 14, 10, tzinfo=UTC), rating=3, commit=False)
    db.session.add(
        PracticeSession(
            user_id=student.id,
            created_at=datetime(2025, 1, 14, 11, tzinfo=UTC),
            finished_at=datetime(2025, 1, 14, 12, tzinfo=UTC),
            score=0.8,
        )
    )
    other = make_user()
    elsewhere = make_bank("Someone else's bank", topics=("Cells",), commit=False)
    add_card(other.id, elsewhere, reps=1, state=2, due=NOW)
    db.session.commit()


def figure(page: str, name: str) -> str:
    match = re.search(rf'id="fig-{name}">([^<]*)<', page)
    assert match, name
    return match.group(1).strip()


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.inline_scripts = 0
        self.styles = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))
        if tag == "script" and "src" not in names:
            self.inline_scripts += 1
        if tag == "style" or "style" in names:
            self.styles += 1


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def test_dashboard_requires_login(client):
    response = client.get("/progress/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_student_without_cards_is_sent_to_the_banks(student_client):
    response = student_client.get("/progress/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You have no cards in your reviews yet." in page
    assert 'href="/banks/"' in page
    assert "<svg" not in page
    assert "No finished practice sessions yet." in page


def test_dashboard_shows_the_students_figures(history, student_client):
    page = student_client.get("/progress/").get_data(as_text=True)
    assert figure(page, "due-today") == "1"
    assert figure(page, "due-tomorrow") == "1"
    assert figure(page, "reviews-today") == "2"
    assert figure(page, "streak") == "2 days"
    assert figure(page, "retention") == "66.7%"
    assert "Target 90%" in page
    assert "From 3 reviews of cards in the Review state." in page


def test_every_chart_has_its_figures_in_a_table(history, student_client):
    page = student_client.get("/progress/").get_data(as_text=True)
    assert page.count('role="img"') == 4  # forecast, 90 days, year, practice
    assert page.count("<details>") == 4
    assert page.count("<table") == 6  # the four above, cards by state, mastery
    assert "<title" in page and "Wed 15 Jan: 1 due" in page
    assert "Wed 15 Jan 2025 (today)" in page


def test_mastery_and_practice_tables(history, student_client):
    page = student_client.get("/progress/").get_data(as_text=True)
    assert "Biology &lt;Cells&gt;" in page and "Biology <Cells>" not in page
    # Three cards, two reviewed: fewer than three learned cards give no mean yet.
    assert re.search(r"<td class=\"text-end\">3</td>\s*<td class=\"text-end\">2</td>", page)
    assert "not enough data" in page
    assert "New cards and cards still in their learning steps are left out" in page
    assert '<td class="text-end">80%</td>' in page  # the practice session
    assert "Someone else" not in page


def test_page_outline_and_csp_friendliness(history, student_client):
    page = student_client.get("/progress/").get_data(as_text=True)
    parsed = outline(page)
    assert parsed.levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(parsed.levels, parsed.levels[1:], strict=False))
    assert parsed.inline_scripts == 0
    assert parsed.styles == 0
