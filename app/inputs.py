"""Input hygiene for every route: ids within the database's range, no NUL bytes, no stray files.

- The `int` URL converter matches only ids the database can hold (1 to 2**31 - 1), so a
  larger id is a 404 like any missing one.
- `db_int` is the `type=` for integer query and form parameters: beyond the range it is a 400.
- NUL bytes are stripped from every query and form value before a view reads them (a
  database text column cannot hold them; a student's typed answer is kept without them).
- A file posted to a route that takes no upload is refused with 400. A view that takes one
  is marked with `accepts_files`.
- A form value longer than MAX_FIELD_CHARS is refused with 413, saying so, before any view runs.
  A view that takes a whole document's text in a field is marked with `accepts_long_text`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import IntegerConverter
from wtforms import DecimalField, IntegerField

DB_INT_MAX = 2**31 - 1
MAX_FIELD_CHARS = 100_000

F = TypeVar("F", bound=Callable[..., Any])


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to what an INTEGER column holds."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # type: ignore[no-untyped-def]  # noqa: A002
        super().__init__(
            map,
            fixed_digits=fixed_digits,
            min=min,
            max=DB_INT_MAX if max is None else max,
            signed=signed,
        )


def db_int(text: str) -> int:
    """An integer parameter; ValueError (so: absent) when not a number, 400 beyond the range."""
    value = int(text)
    if not -DB_INT_MAX <= value <= DB_INT_MAX:
        abort(400)
    return value


def accepts_files(view: F) -> F:
    view.accepts_files = True  # type: ignore[attr-defined]
    return view


# Room for the other fields and the multipart framing around an uploaded file.
UPLOAD_FORM_OVERHEAD = 256 * 1024


def size_text(size: int) -> str:
    """A byte count as people say it: "20 MB", "512 KB", "1,000 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor:,} {unit}"
    return f"{size:,} bytes"


def accepts_uploads_up_to(setting: str) -> Callable[[F], F]:
    """Mark a view that takes a file of up to `app.config[setting]` bytes, which may be
    more than MAX_CONTENT_LENGTH allows other requests; a larger request is refused with 413,
    saying the limit, before its body is read."""

    def mark(view: F) -> F:
        view.accepts_files = True  # type: ignore[attr-defined]
        view.upload_limit_setting = setting  # type: ignore[attr-defined]
        return view

    return mark


# UTF-8 takes at most this many bytes a character; a multipart body sends them as they are.
UTF8_MAX_BYTES = 4


def accepts_long_text(*fields: str, chars: int) -> Callable[[F], F]:
    """Mark a view whose `fields` may hold up to `chars` characters (a document's text), past
    MAX_FIELD_CHARS. The request may be as large as such a text sent as multipart (the view's
    form says `enctype="multipart/form-data"`, which does not percent-encode); the view checks
    the length itself, so a text a little too long comes back in the form with the reason."""

    def mark(view: F) -> F:
        view.long_text_fields = frozenset(fields)  # type: ignore[attr-defined]
        view.long_text_chars = chars  # type: ignore[attr-defined]
        return view

    return mark


def _strip(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


def _clean(values: MultiDict) -> ImmutableMultiDict | None:
    if not any("\x00" in value for value in values.values() if isinstance(value, str)):
        return None
    return ImmutableMultiDict(
        [
            (
                key.replace("\x00", ""),
                value.replace("\x00", "") if isinstance(value, str) else value,
            )
            for key, value in values.items(multi=True)
        ]
    )


def register_input_guard(app: Flask) -> None:
    """Install the converter (before any blueprint adds rules) and the request filter."""
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.url_value_preprocessor
    def _no_nul_in_path(endpoint, values):  # type: ignore[no-untyped-def]
        if values and any("\x00" in v for v in values.values() if isinstance(v, str)):
            abort(404)

    @app.before_request
    def _clean_inputs():  # type: ignore[no-untyped-def]
        args = _clean(request.args)
        if args is not None:
            request.args = args  # type: ignore[misc]
        if request.method not in {"POST", "PUT", "PATCH"}:
            return None
        view = app.view_functions.get(request.endpoint or "")
        setting = getattr(view, "upload_limit_setting", None)
        if setting:
            limit = int(app.config[setting])
            request.max_content_length = limit + UPLOAD_FORM_OVERHEAD
            if (request.content_length or 0) > request.max_content_length:
                from .web import error_page

                return error_page(413, f"The file is too large: at most {size_text(limit)}.")
        long_fields = getattr(view, "long_text_fields", frozenset())
        if long_fields:
            chars = int(view.long_text_chars)  # type: ignore[union-attr]
            size = UTF8_MAX_BYTES * chars
            request.max_content_length = max(
                request.max_content_length or 0, size + UPLOAD_FORM_OVERHEAD
            )
            # Any field up to the body's size is parsed: the view says when it is too long.
            request.max_form_memory_size = request.max_content_length
            if (request.content_length or 0) > request.max_content_length:
                from .web import error_page

                return error_page(413, f"The text is too long: at most {chars:,} characters.")
        if request.files and not getattr(view, "accepts_files", False):
            from .web import error_page

            return error_page(400, "This form takes no files: type the text in instead.")
        form = _clean(request.form)
        if form is not None:
            request.form = form  # type: ignore[misc]
        if any(
            len(value) > MAX_FIELD_CHARS
            for name, value in request.form.items(multi=True)
            if name not in long_fields
        ):
            from .web import error_page

            return error_page(
                413,
                f"A field can hold at most {MAX_FIELD_CHARS:,} characters: shorten it.",
            )
        return None


def epoch_ms(value: Any) -> int:
    """A time in epoch milliseconds from a form (64-bit, not negative); else ValueError."""
    number = int(value)
    if not 0 <= number <= 2**63 - 1:
        raise ValueError(value)
    return number


class DatabaseIntegerField(IntegerField):
    """An IntegerField whose value fits an INTEGER column; beyond it, a field error."""

    limit = DB_INT_MAX

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        super().process_formdata(valuelist)
        if self.data is not None and not -self.limit <= self.data <= self.limit:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))


class BigIntegerField(DatabaseIntegerField):
    """An integer within 64 bits, such as a time in epoch milliseconds."""

    limit = 2**63 - 1


def _finite(number: Any) -> bool:
    try:
        return math.isfinite(float(number))
    except (ValueError, OverflowError):  # a signalling NaN does not convert
        return False


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN, Infinity and numbers beyond a float."""

    def process_formdata(self, valuelist):  # type: ignore[no-untyped-def]
        super().process_formdata(valuelist)
        if valuelist and self.data is not None and not _finite(self.data):
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


MAX_JSON_DEPTH = 20


def json_object(text: str) -> dict | None:
    """`text` as a JSON object of finite numbers nested at most MAX_JSON_DEPTH deep, else None."""

    def refuse(constant: str) -> None:
        raise ValueError(constant)

    def finite(number: str) -> float:
        value = float(number)
        if not math.isfinite(value):
            raise ValueError(number)
        return value

    depth = 0
    for char in text:
        depth += char in "[{"
        depth -= char in "]}"
        if depth > MAX_JSON_DEPTH:
            return None
    try:
        value = json.loads(text, parse_constant=refuse, parse_float=finite)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
