"""The edge between the domain and HTTP: errors translated once, and form views.

Domain code raises `app.errors` kinds; the handlers here turn them into responses, so a
view only catches what it can add to. `render_form` and `reported_on` replace the
rollback-and-report block every form view used to carry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException

from .errors import DomainError, NotFound
from .extensions import db

ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood. Reload the page and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This page cannot be used that way."),
    409: ("Conflict", "That clashes with a change made meanwhile. Reload the page and try again."),
    413: ("Too large", "The upload is larger than this server accepts."),
    422: ("Cannot process", "The request had invalid data."),
    429: ("Too many requests", "Too many attempts. Wait a minute and try again."),
    500: ("Server error", "Something went wrong on our side. Please try again later."),
}


def error_page(code: int, message: str | None = None) -> tuple[str, int]:
    title, default = ERROR_TEXT.get(code, ("Error", "Something went wrong."))
    page = render_template("core/error.html", code=code, title=title, message=message or default)
    return page, code


def render_form(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    """The form page: 422 when the form carries errors, so clients and tests can tell."""
    return render_template(template, form=form, **context), 422 if form.errors else 200


@contextmanager
def reported_on(
    form: FlaskForm,
    *also: type[Exception],
    fields: Mapping[str, str] | None = None,
    fallback: str | None = None,
) -> Iterator[None]:
    """Roll back a refused change and show why on the form.

    A DomainError (or one of `also`, read the same way) puts its message on the field
    it names, renamed through `fields` when the form calls it something else; an error
    that names no field goes on `fallback`, else on the form as a whole. Code after the
    `with` block runs only when the change was refused.
    """
    try:
        yield
    except (DomainError, *also) as exc:
        db.session.rollback()
        name = getattr(exc, "field", None) or fallback
        name = (fields or {}).get(name, name) if name else None
        message = getattr(exc, "message", None) or str(exc)
        if name and name in form:
            field = form[name]
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)


def refused(exc: Exception | str, to: str, category: str = "error") -> Response:
    """Roll back a refused action, say why, and go to `to`."""
    db.session.rollback()
    flash(exc if isinstance(exc, str) else getattr(exc, "message", None) or str(exc), category)
    return redirect(to)


def _same_site_referrer() -> str | None:
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        if isinstance(exc, NotFound):
            return error_page(404)
        if request.method == "POST":
            # A refused action: back to the page it came from, with the reason.
            flash(exc.message, "error")
            return redirect(_same_site_referrer() or url_for("core.home"))
        return error_page(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        if exc.code is None or exc.code < 400:
            return exc
        return error_page(exc.code)

    @app.errorhandler(500)
    def server_error(exc: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return error_page(500)
