"""Per-type template partials, and the shared partials for pages, reveals and CSRF."""

from __future__ import annotations

import random
import re

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Question, QuestionBank
from app.questions import QUESTION_TYPES, grade, parse_response, present
from tests.unit.questions.samples import CONTENT

MACROS = '{% from "questions/macros.html" import question_inputs, reveal, grade_feedback %}'


def _render(app, source: str, **context) -> str:
    with app.test_request_context():
        return render_template_string(MACROS + source, **context)


@pytest.mark.parametrize("kind", list(QUESTION_TYPES))
def test_every_type_has_its_partials(app, kind: str) -> None:
    app.jinja_env.get_template(f"questions/answer/{kind}.html")
    app.jinja_env.get_template(f"banks/fields/{kind}.html")


def _posted(html: str) -> MultiDict:
    """What a browser could send for the form as rendered: each list picks a different option."""
    data = MultiDict()
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        if name not in data:
            data.add(name, value)
    selects = re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S)
    for number, (name, body) in enumerate(selects):
        values = [v for v in re.findall(r'<option value="([^"]*)"', body) if v]
        data.add(name, values[number % len(values)])
    for name in re.findall(r'<(?:textarea|input)[^>]*name="([^"]+)"(?![^>]*value=)', html):
        data.add(name, "1956")
    return data


@pytest.mark.parametrize("kind", [k for k, t in QUESTION_TYPES.items() if not t.self_graded])
def test_answer_inputs_post_what_parse_response_reads(app, kind: str) -> None:
    p = present(kind, CONTENT[kind], rng=random.Random(1))
    html = _render(app, "{{ question_inputs(p, autofocus=True) }}", p=p)
    response = parse_response(kind, CONTENT[kind], _posted(html))
    # Every gap, pair, choice or position the form has is read back as an answer.
    assert response and all(value not in (None, "", [], {}) for value in response.values())
    assert "disabled" not in html
    disabled = _render(app, "{{ question_inputs(p, disabled=True) }}", p=p)
    assert " disabled" in disabled


def test_essay_inputs_and_flashcard_none(app) -> None:
    essay = present("essay", CONTENT["essay"])
    assert 'name="text"' in _render(app, "{{ question_inputs(p) }}", p=essay)
    flashcard = present("flashcard", CONTENT["flashcard"])
    assert _render(app, "{{ question_inputs(p) }}", p=flashcard).strip() == ""


def test_reveal_shows_the_back_or_the_model_answer_and_what_was_written(app) -> None:
    flashcard = present("flashcard", CONTENT["flashcard"])
    html = _render(app, "{{ reveal(p, level=3) }}", p=flashcard)
    assert '<h3 class="h6">Answer</h3><p>Back</p>' in html
    content = {**CONTENT["essay"], "rubric": "Cover *X*."}
    essay = present("essay", content)
    html = _render(app, "{{ reveal(p, {'text': 'Line 1\\nLine 2'}) }}", p=essay)
    assert "Line 1<br>Line 2" in html
    assert '<h2 class="h6">Model answer</h2><p>A model.</p>' in html
    assert "Marking guide" in html and "<em>X</em>" in html
    assert (
        _render(app, "{{ reveal(p) }}", p=present("true_false", CONTENT["true_false"])).strip()
        == ""
    )


def test_grade_feedback_by_type(app) -> None:
    flashcard = present("flashcard", CONTENT["flashcard"])
    result = grade("flashcard", CONTENT["flashcard"], {})
    html = _render(app, "{{ grade_feedback(r, p) }}", r=result, p=flashcard)
    assert "alert" not in html and "<p>Back</p>" in html
    tf = present("true_false", CONTENT["true_false"])
    html = _render(
        app,
        "{{ grade_feedback(r, p) }}",
        r=grade("true_false", CONTENT["true_false"], {"answer": False}),
        p=tf,
    )
    assert "alert-danger" in html and "The answer: <strong>True</strong>" in html
    essay = present("essay", CONTENT["essay"])
    result = grade("essay", CONTENT["essay"], {"self_score": 1})
    html = _render(app, "{{ grade_feedback(r, p) }}", r=result, p=essay)
    assert "alert-success" in html and "Model answer</h2>" in html


def test_bank_pages_link_to_each_page_keeping_the_filters(app, student_client) -> None:
    bank = QuestionBank(title="Big")
    db.session.add(bank)
    db.session.flush()
    for n in range(30):
        db.session.add(
            Question(
                bank_id=bank.id, kind="flashcard", external_id=f"q{n}", content=CONTENT["flashcard"]
            )
        )
    db.session.commit()
    page = student_client.get(f"/banks/{bank.id}?type=flashcard").get_data(as_text=True)
    # Bootstrap-Flask's links start with white space, which browsers ignore.
    assert re.search(rf'href="\s*/banks/{bank.id}\?type=flashcard&amp;page=2"', page)
    assert 'aria-current="page"' in page
    second = student_client.get(f"/banks/{bank.id}?type=flashcard&page=2").get_data(as_text=True)
    shown = re.compile(r'text-body-secondary">(q\d+)</span>')
    ids_one, ids_two = set(shown.findall(page)), set(shown.findall(second))
    assert len(ids_one) == 25 and ids_one | ids_two == {f"q{n}" for n in range(30)}
    few = student_client.get(f"/banks/{bank.id}?type=essay").get_data(as_text=True)
    assert "pagination" not in few


def test_forms_use_the_csrf_partial(app, student_client) -> None:
    page = student_client.get("/study/settings").get_data(as_text=True)
    assert page.count('<input type="hidden" name="csrf_token" value="') >= 1
