"""Every link a signed-in user is offered leads somewhere: no page in the menus answers 404."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models import Question, QuestionBank, Role, Topic


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.nav: list[str] = []
        self._in_nav = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
            if self._in_nav:
                self.nav.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav -= 1


def links(page: str) -> Links:
    parser = Links()
    parser.feed(page)
    return parser


def internal(hrefs: list[str]) -> set[str]:
    paths = set()
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


@pytest.fixture
def bank(app):
    bank = QuestionBank(title="Timeline", description="")
    db.session.add(bank)
    db.session.flush()
    topic = Topic(bank_id=bank.id, name="1950s", path="1950s")
    db.session.add(topic)
    db.session.flush()
    db.session.add(
        Question(
            bank_id=bank.id,
            topic_id=topic.id,
            kind="flashcard",
            external_id="f1",
            content={"prompt": "Thaw", "back": "The loosening after 1953"},
        )
    )
    db.session.commit()
    return bank


@pytest.mark.parametrize("role", list(Role))
def test_every_navigation_and_home_link_answers_200(auth, client, make_user, bank, role):
    auth.login(make_user(role))
    home = client.get("/")
    assert home.status_code == 200
    found = links(home.get_data(as_text=True))
    targets = internal(found.hrefs)
    assert internal(found.nav) <= targets and len(internal(found.nav)) >= 6
    for path in sorted(targets):
        response = client.get(path)
        assert response.status_code == 200, f"{role.value}: {path} answered {response.status_code}"


def test_menus_offer_only_pages_that_exist(auth, client, make_user):
    auth.login(make_user(Role.TEACHER))
    page = client.get("/").get_data(as_text=True)
    assert "Quizzes" not in page
    assert "/admin/users" not in page


def test_welcome_page_links_answer_200_and_promise_nothing_missing(client):
    page = client.get("/").get_data(as_text=True)
    for path in internal(links(page).hrefs):
        assert client.get(path).status_code == 200, path
    assert "classes" not in page.lower() and "quizzes" not in page.lower()


@pytest.mark.parametrize("role", [Role.STUDENT, Role.TEACHER])
def test_students_and_teachers_find_their_classes_in_the_menu(auth, client, make_user, role):
    auth.login(make_user(role))
    nav = links(client.get("/").get_data(as_text=True)).nav
    assert "/classes/" in nav
    assert client.get("/classes/").status_code == 200


def test_old_progress_address_redirects(student_client):
    response = student_client.get("/study/progress")
    assert response.status_code == 301 and response.headers["Location"] == "/progress/"
