"""A standing guard: every route, as every actor, with hostile values in every input.

The routes come from `app.url_map`; the query parameters a view reads come from its source
(`request.args.get("x")`); the form fields a route takes come from the WTForms classes its
view builds and from the forms on the pages the actor can open that post to it. A new route
is covered without editing this file.

Asserted for every request: no 500, and no row written (in any table) by a request that was
refused (status 400 or more). Values are sampled per field so the whole battery stays fast.
"""

from __future__ import annotations

import functools
import inspect
import io
import random
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import got_request_exception
from sqlalchemy import select, text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, IntegerConverter
from wtforms.fields.core import UnboundField

from app.attempts.quizzes import start_attempt
from app.extensions import db
from app.models import ExamDate, PracticeSession, Role
from tests.factories import (
    PASSWORD,
    make_bank,
    make_card,
    make_class,
    make_document,
    make_question,
    make_quiz,
)
from tests.samples import SAMPLES

HUGE = "1" + "0" * 400
NESTED = "[" * 5000 + "]" * 5000

# Hostile values a text field, query parameter or path part may receive. `bytes` values are
# sent as they are (invalid UTF-8); `FILE` posts a file into the field.
FILE = object()
VALUES: list[object] = [
    str(2**31),
    str(2**63),
    HUGE,
    "-1",
    "\x00",
    "a\x00b",
    b"\xff\xfe\xc3(",
    "x" * 100_000,
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "1e400",
    NESTED,
    '{"a": NaN, "b": Infinity, "c": 1e400}',
    '{"gaps": {"' + "9" * 5000 + '": "x"}}',
    "[]",
    "{}",
    "",
    FILE,
]
PATH_INTS = [2**31, 2**63, 10**400, 0]
PATH_STRINGS = ["%00", "a%00b", "%ff%fe", "x" * 5000]

ACTORS = ("anonymous", "student", "other", "teacher", "admin")
SKIP_ENDPOINTS = {"static", "bootstrap.static"}
# Run after everything else, in this order: removing the bank and its questions would
# leave later routes nothing to reach, and logging out ends the session.
LAST_ENDPOINTS = ("banks.delete_question", "banks.delete_bank", "auth.logout")

VALUES_PER_ROUTE = 7  # values sampled for each route and actor
FIELDS_PER_VALUE = 1  # fields of a form that get each value (plus one request with all)


class FormParser(HTMLParser):
    """The forms of a page: (method, action, {name: value})."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form":
            self.forms.append(((a.get("method") or "get").upper(), a.get("action") or "", {}))
        elif not self.forms:
            return
        elif tag in {"input", "textarea", "button"} and a.get("name"):
            fields = self.forms[-1][2]
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                fields.setdefault(a["name"], a.get("value") or "")
            else:
                fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self.forms[-1][2].setdefault(a["name"], "")
        elif tag == "option" and self._select:
            fields = self.forms[-1][2]
            if not fields[self._select] or "selected" in a:
                fields[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "select":
            self._select = None


def source_names(view, pattern: str) -> set[str]:
    try:
        source = inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return set()
    return set(re.findall(pattern, source))


def query_names(view) -> set[str]:
    return source_names(view, r"request\.args(?:\.get)?[\(\[]\s*\"(\w+)\"")


def form_class_fields(view) -> set[str]:
    """Fields of every WTForms class the view builds (its source names `XxxForm(`)."""
    names: set[str] = set(
        source_names(view, r"request\.form(?:\.get|\.getlist)?[\(\[]\s*\"(\w+)\"")
    )
    view = inspect.unwrap(view)
    for class_name in source_names(view, r"\b(\w+Form)\("):
        cls = view.__globals__.get(class_name)
        if isinstance(cls, type):
            names |= {n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
    return names


@pytest.fixture
def world(app, make_user, clock):
    app.config["RATELIMIT_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failure answers 500, recorded below
    student = make_user(Role.STUDENT)
    other = make_user(Role.STUDENT)
    teacher = make_user(Role.TEACHER)
    admin = make_user(Role.ADMIN)
    bank = make_bank("Hostile", topics=("Topic",), owner_id=teacher.id)
    questions = [make_question(bank, kind, topic="Topic") for kind in SAMPLES]
    card = make_card(student.id, questions[0], due=clock.now - timedelta(days=1))
    make_document("notes")
    db.session.add(
        ExamDate(user_id=student.id, bank_id=bank.id, exam_on=clock.now.date() + timedelta(days=9))
    )
    db.session.commit()
    clients = {"anonymous": app.test_client()}
    for name, user in (
        ("student", student),
        ("other", other),
        ("teacher", teacher),
        ("admin", admin),
    ):
        client = app.test_client()
        answer = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert answer.status_code == 302
        clients[name] = client
    # A practice session of the student, to reach its pages.
    clients["student"].post(
        "/practice/", data={"banks": str(bank.id), "count": "3", "feedback": "now"}
    )
    practice = db.session.scalar(select(PracticeSession).order_by(PracticeSession.id))
    # A class with a quiz and an attempt of the student, with an essay to grade.
    klass = make_class(teacher, students=[student])
    quiz = make_quiz(klass, questions=[q for q in questions if q.kind in ("true_false", "essay")])
    attempt = start_attempt(db.session, quiz, student.id, clock.now)
    db.session.commit()
    real = {
        "class_id": klass.id,
        "quiz_id": quiz.id,
        "attempt_id": attempt.id,
        "slot_id": quiz.slots[0].id,
        "item_id": attempt.items[-1].id,
        "bank_id": bank.id,
        "question_id": questions[0].id,
        "card_id": card.id,
        "exam_id": db.session.scalar(select(ExamDate.id)),
        "session_id": practice.id if practice else 1,
        "position": 1,
        "user_id": student.id,
        "slug": "notes",
        "job_id": "none",
    }
    return clients, real


def table_counts() -> tuple[int, ...]:
    """The number of rows in every table, in one query (its SQL built once)."""
    db.session.rollback()
    return tuple(db.session.execute(text(_counting_sql())).one())


@functools.cache
def _counting_sql() -> str:
    counts = ", ".join(
        f'(SELECT count(*) FROM "{table.name}")' for table in db.metadata.sorted_tables
    )
    return f"SELECT {counts}"


def build_path(rule, values: dict[str, object]) -> str:
    path = rule.rule
    for name in rule._converters:
        pattern = re.compile(r"<(?:[^<>:]+(?:\([^<>]*\))?:)?" + name + ">")
        path = pattern.sub(lambda _m, v=values[name]: str(v), path, count=1)
    return path


def path_variants(rule, real: dict[str, object]) -> list[str]:
    base = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            base[name] = sorted(converter.items)[0] if hasattr(converter, "items") else "x"
        elif isinstance(converter, IntegerConverter):
            base[name] = real.get(name, 1)
        else:
            base[name] = quote(str(real.get(name, "x")))
    variants = [build_path(rule, base)]
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            continue
        hostile = PATH_INTS if isinstance(converter, IntegerConverter) else PATH_STRINGS
        for value in hostile:
            variants.append(build_path(rule, {**base, name: value}))
    return variants


def encode(fields: dict[str, object]) -> tuple[object, str | None]:
    """A request body from `fields`: multipart when one holds FILE, else urlencoded bytes."""
    if any(value is FILE for value in fields.values()):
        data = {
            k: (io.BytesIO(b"\x00file"), "notes.txt") if v is FILE else v for k, v in fields.items()
        }
        return data, None
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


class Battery:
    def __init__(self, app, clients, real) -> None:
        app.logger.disabled = True  # the 500s are collected, not logged
        self.app = app
        self.clients = clients
        self.real = real
        self.rng = random.Random(11)
        self.tried = 0
        self.routes = 0
        self.failures: list[str] = []
        self.forms: dict[tuple[str, str], dict[str, str]] = {}
        self.adapter = app.url_map.bind("localhost")
        self.counts: tuple[int, ...] | None = None  # the rows of every table after the last send

    def send(self, actor: str, method: str, path: str, *, query=None, body=None) -> None:
        client = self.clients[actor]
        before = self.counts if self.counts is not None else table_counts()
        kwargs = {}
        if query is not None:
            kwargs["query_string"] = query
        if body is not None:
            kwargs["data"], content_type = encode(body)
            if content_type:
                kwargs["content_type"] = content_type
        errors: list[BaseException] = []

        def record(sender, exception, **extra):  # type: ignore[no-untyped-def]
            errors.append(exception)

        with got_request_exception.connected_to(record, self.app):
            response = client.open(path, method=method, **kwargs)
        self.tried += 1
        label = f"{actor} {method} {path[:80]} {str(query)[:80]} {str(body)[:120]}"
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code}: {label} {errors[-1:]!r:.200}")
        self.counts = table_counts()
        if response.status_code >= 400 and self.counts != before:
            self.failures.append(
                f"rows written by a refused request ({response.status_code}): {label}"
            )
        return response

    def collect_forms(self, actor: str, path: str, html: str) -> None:
        parser = FormParser()
        try:
            parser.feed(html)
        except Exception:  # noqa: BLE001 - a page that is not HTML has no forms
            return
        for method, action, fields in parser.forms:
            target = urlsplit(action).path or path
            try:
                endpoint, _ = self.adapter.match(target, method=method)
            except HTTPException:
                continue
            self.forms.setdefault((actor, endpoint), {}).update(fields)

    def rules(self):
        rules = [r for r in self.app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]
        return sorted(
            rules,
            key=lambda r: (
                LAST_ENDPOINTS.index(r.endpoint) + 1 if r.endpoint in LAST_ENDPOINTS else 0,
                "POST" in r.methods,
                r.rule,
            ),
        )

    def run(self) -> None:
        rules = self.rules()
        # First the pages as they are, to learn their forms.
        for rule in rules:
            if "GET" not in rule.methods:
                continue
            path = path_variants(rule, self.real)[0]
            for actor in ACTORS:
                response = self.clients[actor].get(path)
                if response.status_code >= 500:
                    self.failures.append(f"{response.status_code}: {actor} GET {path}")
                if response.mimetype == "text/html":
                    self.collect_forms(actor, path, response.get_data(as_text=True))
        for rule in rules:
            self.routes += 1
            view = self.app.view_functions[rule.endpoint]
            queries = query_names(view)
            fields = form_class_fields(view)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for actor in ACTORS:
                    self.attack(rule, method, actor, queries, fields)

    def attack(self, rule, method, actor, queries, class_fields) -> None:
        paths = path_variants(rule, self.real)
        for path in paths[1:]:
            self.send(actor, method, path)
        path = paths[0]
        for name in queries:
            for value in self.rng.sample(VALUES[:-1], 2):
                self.send(actor, method, path, query=self.query(name, value))
        if method != "POST":
            return
        base = dict(self.forms.get((actor, rule.endpoint), {}))
        names = sorted(set(base) | class_fields)
        if not names:
            return
        for value in self.rng.sample(VALUES, VALUES_PER_ROUTE):
            self.send(actor, method, path, body={name: value for name in names})
            for name in self.rng.sample(names, min(FIELDS_PER_VALUE, len(names))):
                self.send(actor, method, path, body={**base, name: value})

    @staticmethod
    def query(name: str, value: object) -> str:
        if isinstance(value, bytes):
            return f"{name}=" + "".join(f"%{b:02x}" for b in value)
        return urlencode({name: value})


def test_no_route_answers_500_or_writes_when_refused(app, world):
    clients, real = world
    battery = Battery(app, clients, real)
    battery.run()
    print(
        f"\nhostile battery: {battery.routes} routes x {len(ACTORS)} actors, "
        f"{battery.tried} requests, {len(battery.failures)} failures"
    )
    assert battery.failures == [], "\n".join(battery.failures[:40])
    assert battery.routes >= 40 and battery.tried > 1000


def test_the_battery_covers_every_route(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]
    battery = Battery(app, {}, {})
    assert {r.endpoint for r in battery.rules()} == {r.endpoint for r in rules}
    # A route added to the app is walked: the battery reads the map, not a list.
    app.add_url_rule("/hostile-probe/<int:n>", "hostile_probe", lambda n: str(n), methods=["POST"])
    assert "hostile_probe" in {r.endpoint for r in battery.rules()}


def test_form_fields_are_found_from_the_form_classes(app):
    fields = form_class_fields(app.view_functions["study.settings"])
    assert {"desired_retention", "learning_steps", "maximum_interval"} <= fields
    assert "q" in query_names(app.view_functions["admin.users"])
