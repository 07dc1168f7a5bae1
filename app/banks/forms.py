"""Forms for authoring banks and questions: one form per question type on a shared base.

The forms only gather text; the question engine decides what a valid question is. Each type's
form maps itself to content (`to_content`, leaving blank rows out) and back (`fill`);
`FORMS` finds the form of a type, and `apply_validation_error` puts the engine's complaint
back next to the input at fault. A type's fieldset is the template banks/fields/<kind>.html.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable
from typing import Any, ClassVar

from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.validators import ValidationError as FieldError

from ..access import citable_documents_query
from ..difficulty import DIFFICULTY_LABELS
from ..errors import Invalid
from ..extensions import db
from ..formats.pipeline import MAX_TAG_CHARS, MAX_TAGS, normalize_tags
from ..models import Question, SourceDocument
from ..questions import ValidationError
from ..seeding import MAX_EXCERPT_CHARS
from ..sources.documents import excerpt_in_section, split_sections

DIFFICULTIES = list(DIFFICULTY_LABELS.items())
SPARE_ROWS = 2  # blank rows offered after the filled ones, so an author can add more


class BankForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=5000)])


# -- rows ------------------------------------------------------------------------------------


class NumberField(StringField):
    """A number typed as text: an int stays an int, so 1956 is not stored as 1956.0."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        self.data = None
        if not raw:
            return
        try:
            self.data = int(raw)
        except ValueError:
            try:
                number = float(raw)
            except ValueError:
                raise ValueError("Enter a number, such as 1956 or 0.5.") from None
            if not math.isfinite(number):
                raise ValueError("Enter an ordinary finite number.") from None
            self.data = number

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class OptionForm(Form):
    text = StringField("Text")
    correct = BooleanField("Correct")
    feedback = StringField("Feedback")


class ShortAnswerRowForm(Form):
    text = StringField("Accepted answer")
    credit = FloatField(
        "Credit %", default=100, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    feedback = StringField("Feedback")


class NumericalRowForm(Form):
    value = NumberField("Value")
    tolerance = NumberField("± tolerance")
    min = NumberField("Min")
    max = NumberField("Max")
    credit = FloatField(
        "Credit %", default=100, validators=[Optional(), NumberRange(min=0, max=100)]
    )
    feedback = StringField("Feedback")


class PairForm(Form):
    left = StringField("Left")
    right = StringField("Right")


# -- question forms ----------------------------------------------------------------------------


class QuestionForm(FlaskForm):
    """Fields every type shares; `bank_id` and `question_id` scope the external id check.

    A subclass per type adds that type's fields and extends `to_content` and `fill`.
    """

    kind: ClassVar[str] = ""

    prompt = TextAreaField("Prompt", description="Markdown.")
    attachment = FileField(
        "Image or sound",
        description="Optional: a PNG, JPEG, GIF or WebP image, or MP3, OGG, WAV or M4A audio "
        "(at most 5 MB), added at the end of the prompt when you preview or save.",
    )
    explanation = TextAreaField(
        "Explanation", description="Markdown: why the answer is right, naming the source."
    )
    topic = StringField(
        "Topic",
        validators=[Optional(), Length(max=500)],
        description='Optional. "Parent/Child" makes a hierarchy.',
    )
    difficulty = SelectField("Difficulty", choices=DIFFICULTIES, coerce=int, default=2)
    tags = StringField(
        "Tags",
        validators=[Length(max=(MAX_TAG_CHARS + 1) * MAX_TAGS)],
        description="Optional: words separated by spaces, as in Anki; "
        '"::" nests them (geo::europe).',
    )
    source_document = SelectField("Source document", choices=[("", "None")], default="")
    source_section = StringField(
        "Source section",
        validators=[Length(max=80)],
        description="A section slug of that document.",
    )
    excerpt = TextAreaField(
        "Excerpt",
        description=f"Verbatim text of that section (at most {MAX_EXCERPT_CHARS} characters).",
    )
    external_id = StringField(
        "External id",
        validators=[
            Optional(),
            Length(max=120),
            Regexp(r"^[\w.:-]+$", message="Use letters, digits, '.', ':', '-' or '_'."),
        ],
        description="Optional; a stable id such as q-1a2b3c4d is made when left blank.",
    )

    def __init__(
        self, *args: Any, bank_id: int | None = None, question_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bank_id = bank_id
        self.question_id = question_id
        self.row_map: dict[str, list[int]] = {}
        self.list_errors: dict[str, list[str]] = {}
        self.general_errors: list[str] = []
        # The seeded documents and the author's own; an edited question keeps the one it cites.
        documents = list(db.session.scalars(citable_documents_query(current_user)))
        if question_id is not None:
            cited = db.session.scalar(
                select(SourceDocument)
                .join(Question, Question.source_document_id == SourceDocument.id)
                .where(Question.id == question_id)
            )
            if cited is not None and cited not in documents:
                documents.append(cited)
        self.source_document.choices = [("", "None")] + [
            (d.slug, d.short_title or d.title or d.slug) for d in documents
        ]

    def to_content(self) -> dict[str, Any]:
        """The question content the form describes, blank rows left out; not yet validated.

        Raises ValidationError for input the engine could not even be given (a cloze gap
        whose options mark no single right one).
        """
        self.row_map = {}
        return {"prompt": _clean(self.prompt.data)}

    def fill(self, content: dict[str, Any]) -> None:
        """Put stored (validated) content into the type's fields, with spare blank rows."""
        self.prompt.data = content.get("prompt", "")

    def _rows(self, name: str, is_blank: Callable[[Any], bool]) -> list[Any]:
        """The non-blank rows of a list field; records which form row each content index is."""
        rows, mapping = [], []
        for number, entry in enumerate(getattr(self, name).entries):
            data = entry.data
            if is_blank(data):
                continue
            rows.append(data)
            mapping.append(number)
        self.row_map[name] = mapping
        return rows

    def _fill_rows(self, name: str, data: list[Any], blank: Any) -> None:
        field = getattr(self, name)
        rows = data + [blank] * SPARE_ROWS
        rows += [blank] * max(0, field.min_entries - len(rows))
        field.process(None, data=rows)

    def validate_external_id(self, field: StringField) -> None:
        external_id = (field.data or "").strip()
        if not external_id or self.bank_id is None:
            return
        clash = db.session.scalar(
            select(Question.id).where(
                Question.bank_id == self.bank_id, Question.external_id == external_id
            )
        )
        if clash is not None and clash != self.question_id:
            raise FieldError("Another question in this bank has this id.")

    def validate_tags(self, field: StringField) -> None:
        try:
            normalize_tags(field.data or "")
        except Invalid as exc:
            raise FieldError(_sentence(exc.message)) from exc

    def tag_list(self) -> list[str]:
        """The tags typed, normalized (the field is validated first)."""
        return normalize_tags(self.tags.data or "")

    def validate_excerpt(self, field: TextAreaField) -> None:
        excerpt = " ".join((field.data or "").split())
        slug = self.source_document.data or ""
        if not slug:
            if excerpt:
                raise FieldError("Choose the source document this excerpt comes from.")
            return
        if not excerpt:
            raise FieldError("Quote the passage of the document that supports the answer.")
        if len(excerpt) > MAX_EXCERPT_CHARS:
            raise FieldError(f"Keep the excerpt to {MAX_EXCERPT_CHARS} characters or fewer.")
        document = db.session.scalar(select(SourceDocument).where(SourceDocument.slug == slug))
        if document is None:
            return  # the select field reports an unknown document
        section = (self.source_section.data or "").strip()
        known = [s["slug"] for s in document.sections]
        if section not in known:
            self.source_section.errors = [
                *self.source_section.errors,
                f"Use a section of {slug}: {', '.join(known)}.",
            ]
            raise FieldError("The excerpt's section is not a section of that document.")
        sections = split_sections(document.text, document.sections, document.skip_lines)
        if not excerpt_in_section(sections, section, excerpt):
            raise FieldError(f"This text is not in section {section!r} of {slug}.")

    def new_external_id(self) -> str:
        """The typed id, or a fresh random one not yet used in the bank."""
        typed = (self.external_id.data or "").strip()
        if typed:
            return typed
        while True:
            candidate = "q-" + secrets.token_hex(4)
            taken = db.session.scalar(
                select(Question.id).where(
                    Question.bank_id == self.bank_id, Question.external_id == candidate
                )
            )
            if taken is None:
                return candidate


# -- helpers for the type forms ----------------------------------------------------------------


def _clean(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value)


def _credit(percent: float | None) -> float:
    return 1.0 if percent is None else percent / 100


def _percent(credit: float) -> float | int:
    percent = round(credit * 100, 2)
    return int(percent) if percent == int(percent) else percent


# -- one form per type -------------------------------------------------------------------------


class FlashcardForm(QuestionForm):
    kind = "flashcard"
    back = TextAreaField("Back", description="Markdown: what the card's back shows.")

    def to_content(self) -> dict[str, Any]:
        return {**super().to_content(), "back": _clean(self.back.data)}

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self.back.data = content["back"]


class ChoiceForm(QuestionForm):
    options = FieldList(FormField(OptionForm), min_entries=5)
    pin_order = BooleanField(
        "Keep the options in this order", description="Otherwise each student sees them shuffled."
    )

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        rows = self._rows(
            "options",
            lambda r: not (_clean(r["text"]) or _clean(r["feedback"]) or r["correct"]),
        )
        content["options"] = [
            {
                "text": _clean(r["text"]),
                "correct": bool(r["correct"]),
                "feedback": _clean(r["feedback"]),
            }
            for r in rows
        ]
        content["pin_order"] = bool(self.pin_order.data)
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        options = [
            {"text": o["text"], "correct": o["correct"], "feedback": o.get("feedback", "")}
            for o in content["options"]
        ]
        self._fill_rows("options", options, {"text": "", "correct": False, "feedback": ""})
        self.pin_order.data = bool(content.get("pin_order"))


class MultipleChoiceForm(ChoiceForm):
    kind = "multiple_choice"


class MultipleResponseForm(ChoiceForm):
    kind = "multiple_response"


class TrueFalseForm(QuestionForm):
    kind = "true_false"
    answer = RadioField(
        "Answer",
        choices=[("true", "True"), ("false", "False")],
        validate_choice=False,  # the engine checks it; one message is enough
        validators=[InputRequired(message="Choose True or False.")],
    )
    feedback_true = StringField("Feedback for answering True")
    feedback_false = StringField("Feedback for answering False")

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        if self.answer.data in ("true", "false"):
            content["answer"] = self.answer.data == "true"
        content["feedback_true"] = _clean(self.feedback_true.data)
        content["feedback_false"] = _clean(self.feedback_false.data)
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self.answer.data = "true" if content["answer"] else "false"
        self.feedback_true.data = content.get("feedback_true", "")
        self.feedback_false.data = content.get("feedback_false", "")


class ShortAnswerForm(QuestionForm):
    kind = "short_answer"
    answers = FieldList(FormField(ShortAnswerRowForm), min_entries=4)
    typo_credit = FloatField(
        "Credit for a spelling slip (%)",
        default=100,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message="Give a credit between 0 and 100%%."),
        ],
        description="An answer one or two letters off an accepted one earns at most this "
        "(100 means a slip costs nothing, 0 means it counts as wrong). "
        "Numbers and answers of four characters or fewer must be exact.",
    )

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        rows = self._rows("answers", lambda r: not (_clean(r["text"]) or _clean(r["feedback"])))
        content["answers"] = [
            {
                "text": _clean(r["text"]),
                "credit": _credit(r["credit"]),
                "feedback": _clean(r["feedback"]),
            }
            for r in rows
        ]
        content["typo_credit"] = _credit(self.typo_credit.data)
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self.typo_credit.data = _percent(content.get("typo_credit", 1.0))
        answers = [
            {
                "text": a["text"],
                "credit": _percent(a.get("credit", 1.0)),
                "feedback": a.get("feedback", ""),
            }
            for a in content["answers"]
        ]
        self._fill_rows("answers", answers, {"text": "", "credit": 100, "feedback": ""})


class NumericalForm(QuestionForm):
    kind = "numerical"
    answers = FieldList(FormField(NumericalRowForm), min_entries=3)
    unit = StringField("Unit", validators=[Length(max=40)], description="Optional, e.g. km.")
    units = TextAreaField(
        "Other units",
        validators=[Length(max=2000)],
        description="Optional, one per line as unit = multiplier into the unit above, "
        "e.g. thousand = 1000.",
    )
    year = BooleanField(
        "The answer is a year",
        description="Accepts “in 1956” and “1956 AD”; refuses “1,956”.",
    )

    _NUMBERS = ("value", "tolerance", "min", "max")

    def _units(self) -> list[dict[str, Any]]:
        units = []
        for n, line in enumerate((self.units.data or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, multiplier = line.rpartition("=")
            try:
                number = float(multiplier.replace(",", ""))
            except ValueError:
                number = math.nan
            if not sep or not name.strip() or not math.isfinite(number):
                raise ValidationError(
                    "units", f"line {n}: write a unit and its multiplier, e.g. thousand = 1000"
                )
            units.append({"unit": name.strip(), "multiplier": number})
        return units

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        rows = self._rows(
            "answers",
            lambda r: all(r[k] is None for k in self._NUMBERS) and not _clean(r["feedback"]),
        )
        answers = []
        for r in rows:
            answer = {k: r[k] for k in self._NUMBERS if r[k] is not None}
            answer["credit"] = _credit(r["credit"])
            answer["feedback"] = _clean(r["feedback"])
            answers.append(answer)
        content["answers"] = answers
        content["unit"] = _clean(self.unit.data)
        units = self._units()
        if units:
            content["units"] = units
        if self.year.data:
            content["year"] = True
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        answers = [
            {
                **{k: a.get(k) for k in self._NUMBERS},
                "credit": _percent(a.get("credit", 1.0)),
                "feedback": a.get("feedback", ""),
            }
            for a in content["answers"]
        ]
        self._fill_rows("answers", answers, {"credit": 100})
        self.unit.data = content.get("unit", "")
        self.units.data = "\n".join(
            f"{u['unit']} = {u['multiplier']:g}" for u in content.get("units", [])
        )
        self.year.data = bool(content.get("year"))


def _parse_gap(raw: str, index: int) -> dict[str, Any]:
    if raw.lower().startswith("options:"):
        options, correct = [], []
        for position, option in enumerate(o.strip() for o in raw[len("options:") :].split("|")):
            if option.startswith("*"):
                correct.append(position)
                option = option[1:].strip()
            options.append(option)
        if len(correct) != 1:
            raise ValidationError(
                f"gaps[{index}]", "mark exactly one option as the right one with *"
            )
        return {"options": options, "correct": correct[0]}
    return {"answers": [a.strip() for a in raw.split("|") if a.strip()]}


def _format_gap(gap: dict[str, Any]) -> str:
    if "options" in gap:
        marked = [("*" if i == gap["correct"] else "") + o for i, o in enumerate(gap["options"])]
        return "options: " + " | ".join(marked)
    return " | ".join(gap["answers"])


class ClozeForm(QuestionForm):
    kind = "cloze"
    text = TextAreaField(
        "Text with gaps", description="Mark the gaps {{1}}, {{2}} and so on, in order."
    )
    gaps = FieldList(
        StringField(
            "Gap",
            description=(
                "Accepted answers separated by |, e.g. Khrushchev | Khrushchyov. For a "
                "drop-down, start with options: and mark the right one with *, "
                "e.g. options: 1953 | *1956 | 1964."
            ),
        ),
        min_entries=4,
    )

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        content["text"] = _clean(self.text.data)
        rows = self._rows("gaps", lambda r: not _clean(r))
        content["gaps"] = [_parse_gap(_clean(r), i) for i, r in enumerate(rows)]
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self.text.data = content["text"]
        self._fill_rows("gaps", [_format_gap(g) for g in content["gaps"]], "")


class MatchingForm(QuestionForm):
    kind = "matching"
    pairs = FieldList(FormField(PairForm), min_entries=4)
    distractors = TextAreaField(
        "Distractors", description="Extra right-hand answers that match nothing, one per line."
    )

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        rows = self._rows("pairs", lambda r: not (_clean(r["left"]) or _clean(r["right"])))
        content["pairs"] = [{"left": _clean(r["left"]), "right": _clean(r["right"])} for r in rows]
        lines = (self.distractors.data or "").splitlines()
        content["distractors"] = [line.strip() for line in lines if line.strip()]
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self._fill_rows("pairs", list(content["pairs"]), {"left": "", "right": ""})
        self.distractors.data = "\n".join(content.get("distractors", []))


class OrderingForm(QuestionForm):
    kind = "ordering"
    items = FieldList(
        StringField("Item", description="List the items in the correct order."), min_entries=5
    )

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        content["items"] = [_clean(r) for r in self._rows("items", lambda r: not _clean(r))]
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self._fill_rows("items", list(content["items"]), "")


class EssayForm(QuestionForm):
    kind = "essay"
    model_answer = TextAreaField("Model answer", description="Markdown.")
    rubric = TextAreaField("Rubric", description="Optional. Markdown: what a good answer covers.")

    def to_content(self) -> dict[str, Any]:
        content = super().to_content()
        content["model_answer"] = _clean(self.model_answer.data)
        content["rubric"] = _clean(self.rubric.data)
        return content

    def fill(self, content: dict[str, Any]) -> None:
        super().fill(content)
        self.model_answer.data = content["model_answer"]
        self.rubric.data = content.get("rubric", "")


FORMS: dict[str, type[QuestionForm]] = {
    form.kind: form
    for form in (
        FlashcardForm,
        MultipleChoiceForm,
        MultipleResponseForm,
        TrueFalseForm,
        ShortAnswerForm,
        NumericalForm,
        ClozeForm,
        MatchingForm,
        OrderingForm,
        EssayForm,
    )
}

# The list fields of each type, for templates and error mapping.
ROW_FIELDS = ("options", "answers", "gaps", "pairs", "items")


# -- engine errors → form fields ---------------------------------------------------------------

_FIELD_PATH = re.compile(r"^(\w+)(?:\[(\d+)\])?(?:\.(\w+))?$")


def _sentence(message: str) -> str:
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


# Engine messages that read as a predicate ("is empty") get the field's label in front.
_PREDICATES = ("is ", "must ", "has ", "needs ", "only ")


def _about(label: str, message: str) -> str:
    return _sentence(f"{label} {message}" if message.startswith(_PREDICATES) else message)


def _add_error(field: Any, message: str) -> None:
    # A field the form already faulted (e.g. "Enter a number") needs no second message.
    if not field.errors:
        field.errors = [*field.errors, message]


def apply_validation_error(form: QuestionForm, exc: ValidationError) -> None:
    """Show the engine's complaint next to the input it concerns (or at the top)."""
    match = _FIELD_PATH.match(exc.field)
    name, index, sub = match.groups() if match else (exc.field, None, None)
    field = form._fields.get(name)
    if name in ROW_FIELDS and field is not None:
        rows = form.row_map.get(name, [])
        if index is None or int(index) >= len(rows):
            form.list_errors.setdefault(name, []).append(_sentence(exc.message))
            return
        entry = field.entries[rows[int(index)]]
        if isinstance(entry, FormField):
            if sub and sub in entry.form:
                target = entry.form[sub]
                message = _about(target.label.text, exc.message)
            else:
                target, message = next(iter(entry.form)), _sentence(exc.message)
            _add_error(target, message)
        else:
            _add_error(entry, _sentence(exc.message))
        return
    if name == "distractors" and field is not None:
        _add_error(
            field, _sentence(f"line {int(index) + 1} {exc.message}" if index else exc.message)
        )
        return
    if field is not None and sub is None and index is None:
        _add_error(field, _about(field.label.text, exc.message))
        return
    form.general_errors.append(_sentence(f"{exc.field}: {exc.message}"))


def question_form_data(question: Question) -> dict[str, Any]:
    """The shared fields of a stored question, as form data."""
    return {
        "explanation": question.explanation or "",
        "topic": question.topic.path if question.topic else "",
        "difficulty": question.difficulty,
        "tags": " ".join(question.tags or []),
        "source_document": question.source_document.slug if question.source_document else "",
        "source_section": question.source_section or "",
        "excerpt": question.source_excerpt or "",
        "external_id": question.external_id,
    }


class CopyForm(FlaskForm):
    """Where to copy a question: one of the banks or decks the user may write in."""

    target = SelectField("Copy into", coerce=int, validate_choice=True)


class ConfirmForm(FlaskForm):
    """A confirmation button: only the CSRF token is posted."""
