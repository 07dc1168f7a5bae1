from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from ..access import visible_banks
from ..attempts.practice import (
    DEFAULT_COUNT,
    DEFAULT_KINDS,
    FEEDBACK_MODES,
    MAX_QUESTIONS,
    MIN_QUESTIONS,
)
from ..inputs import DatabaseIntegerField
from ..models import Topic
from ..questions import QUESTION_TYPES

COUNT_MESSAGE = f"Ask for between {MIN_QUESTIONS} and {MAX_QUESTIONS} questions."


class StartForm(FlaskForm):
    banks = SelectMultipleField("Banks", coerce=int)
    topics = SelectMultipleField(
        "Topics",
        coerce=int,
        description="A topic includes its sub-topics.",
    )
    kinds = SelectMultipleField(
        "Question types",
        choices=[SelectChoice(kind, qtype.label) for kind, qtype in QUESTION_TYPES.items()],
        default=list(DEFAULT_KINDS),
    )
    count = DatabaseIntegerField(
        "Number of questions",
        default=DEFAULT_COUNT,
        validators=[
            InputRequired(message=COUNT_MESSAGE),
            NumberRange(min=MIN_QUESTIONS, max=MAX_QUESTIONS, message=COUNT_MESSAGE),
        ],
    )
    feedback = RadioField(
        "Show the answers",
        choices=[SelectChoice(mode, label) for mode, label in FEEDBACK_MODES.items()],
        default="now",
        invalid_choice_message="Choose after each question or at the end.",
    )
    submit = SubmitField("Start practising")

    def __init__(self, session: Session, user: Any, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        banks = visible_banks(session, user)
        titles = {bank.id: bank.title for bank in banks}
        self.banks.choices = [SelectChoice(bank.id, bank.title) for bank in banks]
        topics = session.scalars(select(Topic).order_by(Topic.bank_id, Topic.path)).all()
        topics = sorted(topics, key=lambda topic: (titles.get(topic.bank_id, ""), topic.path))
        # Grouped by bank: the same topic name may exist in two banks.
        self.topics.choices = [
            SelectChoice(topic.id, topic.path.replace("/", " › "), optgroup=titles[topic.bank_id])
            for topic in topics
            if topic.bank_id in titles
        ]


class ActionForm(FlaskForm):
    """A button whose target is in the URL: only the CSRF token is posted."""


class FlagForm(FlaskForm):
    """Flag a question for later ("1") or take the flag off ("0")."""

    flagged = RadioField(
        "Flag",
        choices=[SelectChoice("1", "Flag for later"), SelectChoice("0", "Remove the flag")],
        validators=[InputRequired(message="Choose to flag the question or not.")],
        invalid_choice_message="Choose to flag the question or not.",
    )

    def problem(self) -> str:
        if "csrf_token" in self.errors:
            return "The form expired; press the button again."
        return "Choose to flag the question or not."
