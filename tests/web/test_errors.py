"""Domain errors become responses in one place; form views share one way to report them."""

from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField

from app import create_app
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db
from app.models import QuestionBank
from app.web import render_form, reported_on


@pytest.fixture
def raising_app(app_config):
    """An app with routes that raise each kind of domain error."""
    app = create_app(app_config)
    errors = {"missing": NotFound("No such thing."), "clash": Conflict("Changed meanwhile.")}
    errors["bad"] = Invalid("That will not do.")

    @app.route("/raise/<kind>", methods=["GET", "POST"])
    def raise_error(kind: str):
        raise errors[kind]

    return app


def test_not_found_is_the_404_page(raising_app):
    response = raising_app.test_client().get("/raise/missing")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "status", "message"),
    [("clash", 409, "Changed meanwhile."), ("bad", 422, "That will not do.")],
)
def test_refusal_on_get_is_a_page_with_the_message(raising_app, kind, status, message):
    response = raising_app.test_client().get(f"/raise/{kind}")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and 'aria-label="Main"' in page


def test_refusal_on_post_goes_back_with_the_message(raising_app):
    client = raising_app.test_client()
    response = client.post("/raise/bad", headers={"Referer": "http://localhost/banks/?q=x"})
    assert response.status_code == 302 and response.headers["Location"] == "/banks/?q=x"
    with client.session_transaction() as session:
        assert ("error", "That will not do.") in session["_flashes"]


def test_refusal_on_post_never_goes_back_to_another_site(raising_app):
    response = raising_app.test_client().post(
        "/raise/clash", headers={"Referer": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/"


class NameForm(FlaskForm):
    name = StringField("Name")
    email = StringField("Email")


def test_reported_on_puts_the_message_on_the_named_field_and_writes_nothing(app):
    with app.test_request_context(method="POST"):
        form = NameForm()
        with reported_on(form):
            db.session.add(QuestionBank(title="Half-made"))
            db.session.flush()
            raise Conflict("Taken.", field="email")
        assert form.email.errors == ["Taken."] and not form.name.errors
        assert db.session.scalar(select(func.count()).select_from(QuestionBank)) == 0
        assert render_form("core/error.html", form, code=422, title="", message="")[1] == 422


def test_reported_on_renames_falls_back_and_reads_other_errors(app):
    with app.test_request_context(method="POST"):
        form = NameForm()
        with reported_on(form, fields={"username": "name"}):
            raise Invalid("Too short.", field="username")
        with reported_on(form, LookupError, fallback="email"):
            raise LookupError("Unknown.")
        with reported_on(form):
            raise Invalid("Whole form.")
        assert form.name.errors == ["Too short."]
        assert form.email.errors == ["Unknown."]
        assert form.form_errors == ["Whole form."]


def test_render_form_is_200_without_errors(app):
    with app.test_request_context():
        form = NameForm()
        assert render_form("core/error.html", form, code=200, title="", message="")[1] == 200


def test_code_after_reported_on_runs_only_when_refused(app):
    with app.test_request_context(method="POST"):
        form = NameForm()
        ran = []
        with reported_on(form):
            ran.append("inside")
        assert ran == ["inside"] and not form.errors
