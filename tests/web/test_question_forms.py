"""Each type's authoring form maps content to its fields and back."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from app.banks.forms import FORMS, QuestionForm
from app.questions import QUESTION_TYPES, ValidationError, validate_content
from tests.unit.questions.samples import CONTENT

EXTRA = [
    (
        "numerical",
        {
            "prompt": "How far?",
            "answers": [
                {"value": 42, "tolerance": 0.5, "feedback": "Close enough."},
                {"min": 30, "max": 50.5, "credit": 0.25},
            ],
            "unit": "km",
        },
    ),
    (
        "numerical",
        {
            "prompt": "How many prisoners?",
            "answers": [{"value": 2.5, "tolerance": 0.1}],
            "unit": "million prisoners",
            "units": [
                {"unit": "million", "multiplier": 1},
                {"unit": "prisoners", "multiplier": 0.000001},
            ],
        },
    ),
    ("numerical", {"prompt": "When?", "answers": [{"value": 1956}], "year": True}),
    (
        "multiple_choice",
        {
            "prompt": "Pick",
            "options": [
                {"text": "A", "correct": False, "feedback": "No."},
                {"text": "B", "correct": True},
            ],
            "pin_order": True,
        },
    ),
    ("true_false", {"prompt": "False?", "answer": False, "feedback_false": "Yes."}),
    ("essay", {"prompt": "Discuss.", "model_answer": "Model.", "rubric": "Cover X."}),
]
SAMPLES = sorted(CONTENT.items()) + EXTRA


def _formdata(form: Any, data: MultiDict | None = None) -> MultiDict:
    """What a browser would post for the form as rendered."""
    data = MultiDict() if data is None else data
    for field in form:
        if field.type == "FieldList":
            for entry in field.entries:
                if entry.type == "FormField":
                    _formdata(entry.form, data)
                else:
                    data.add(entry.name, entry._value())
        elif field.type == "BooleanField":
            if field.data:
                data.add(field.name, "y")
        elif field.type == "RadioField":
            if field.data:
                data.add(field.name, field.data)
        elif field.type not in ("CSRFTokenField", "SelectField"):
            data.add(field.name, field._value())
    return data


def test_every_type_has_a_form() -> None:
    assert list(FORMS) == list(QUESTION_TYPES)
    for kind, form_class in FORMS.items():
        assert issubclass(form_class, QuestionForm)
        assert form_class.kind == kind


@pytest.mark.parametrize(("kind", "content"), SAMPLES, ids=[k for k, _ in SAMPLES])
def test_fill_then_post_gives_the_content_back(app, kind: str, content: dict[str, Any]) -> None:
    stored = validate_content(kind, content)
    with app.test_request_context():
        shown = FORMS[kind](formdata=None)
        shown.fill(stored)
        assert validate_content(kind, shown.to_content()) == stored
        posted = FORMS[kind](formdata=_formdata(shown))
        assert validate_content(kind, posted.to_content()) == stored


def test_blank_rows_are_left_out_and_mapped(app) -> None:
    data = MultiDict(
        {
            "prompt": "Order",
            "items-0": "first",
            "items-1": "",
            "items-2": "second",
            "items-3": "",
            "items-4": "",
        }
    )
    with app.test_request_context():
        form = FORMS["ordering"](formdata=data)
        assert form.to_content() == {"prompt": "Order", "items": ["first", "second"]}
        assert form.row_map == {"items": [0, 2]}


def test_a_cloze_gap_without_one_marked_option_is_refused(app) -> None:
    data = MultiDict({"prompt": "Fill", "text": "{{1}}", "gaps-0": "options: a | b"})
    with app.test_request_context():
        form = FORMS["cloze"](formdata=data)
        with pytest.raises(ValidationError) as caught:
            form.to_content()
    assert caught.value.field == "gaps[0]"


def test_numerical_units_text_that_cannot_be_read_is_refused(app) -> None:
    form_class = FORMS["numerical"]
    with app.test_request_context():
        form = form_class(
            formdata=MultiDict(
                {"prompt": "How many?", "answers-0-value": "2", "units": "million 1000000"}
            )
        )
        with pytest.raises(ValidationError) as error:
            form.to_content()
    assert error.value.field == "units"
    assert "write a unit and its multiplier" in error.value.message
