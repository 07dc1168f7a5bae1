from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from ..inputs import BigIntegerField, DatabaseIntegerField, FiniteDecimalField
from ..scheduling import NEW_CARD_ORDERS


def at_most_two_decimals(form, field) -> None:
    """Retention is used exactly as stored, so the form takes only what it can show."""
    if field.data is not None and field.data != round(field.data, 2):
        raise ValidationError("Give desired retention with at most two decimals, like 0.90.")


class RatingForm(FlaskForm):
    rating = DatabaseIntegerField(validators=[InputRequired(), NumberRange(min=1, max=4)])
    version = DatabaseIntegerField(validators=[InputRequired()])
    shown_at = BigIntegerField(validators=[Optional()])  # epoch ms when the card was shown
    answer = HiddenField()  # the graded answer, JSON
    grade = FiniteDecimalField(places=None, validators=[Optional(), NumberRange(min=0, max=1)])
    # "I was right": the student overrides the automatic grade; the rating becomes Good.
    override = BooleanField()
    # Set by the page's script: answer with the next card's page rather than a redirect.
    inline = BooleanField()


class AddToReviewsForm(FlaskForm):
    bank_id = DatabaseIntegerField(validators=[Optional()])
    topic_id = DatabaseIntegerField(validators=[Optional()])
    question_id = DatabaseIntegerField(validators=[Optional()])


class DeckForm(FlaskForm):
    deck = HiddenField(validators=[DataRequired()])  # "all", "bank:<id>" or "topic:<id>"


class SettingsForm(FlaskForm):
    desired_retention = FiniteDecimalField(
        "Desired retention",
        places=2,
        validators=[InputRequired(), NumberRange(min=0.70, max=0.97), at_most_two_decimals],
        description="The chance of remembering a card when it comes due: 0.70 to 0.97. "
        "Higher means more reviews.",
    )
    new_per_day = DatabaseIntegerField(
        "New cards per day", validators=[InputRequired(), NumberRange(min=0, max=9999)]
    )
    max_reviews_per_day = DatabaseIntegerField(
        "Maximum reviews per day", validators=[InputRequired(), NumberRange(min=0, max=99999)]
    )
    learning_steps = StringField(
        "Learning steps",
        validators=[DataRequired()],
        description="Intervals for new cards, e.g. “1m 10m”.",
    )
    relearning_steps = StringField(
        "Relearning steps",
        validators=[Optional()],
        description="Intervals after a lapse, e.g. “10m”; leave empty to go straight "
        "back to review.",
    )
    maximum_interval = DatabaseIntegerField(
        "Maximum interval (days)", validators=[InputRequired(), NumberRange(min=1, max=36500)]
    )
    day_starts_at_hour = DatabaseIntegerField(
        "Next day starts at (hour)",
        validators=[InputRequired(), NumberRange(min=0, max=23)],
        description="Hour of the day, in your time zone, when a new study day begins.",
    )
    new_card_order = SelectField(
        "New cards come",
        choices=list(NEW_CARD_ORDERS.items()),
        default="file",
        validators=[Optional()],
    )
    submit = SubmitField("Save settings")


TARGET_DESCRIPTION = (
    "The chance of recalling each card when the exam starts, 0.71 to 0.99, above your "
    "desired retention. Cards predicted below it get one review on the eve of the exam."
)


class ExamDateForm(FlaskForm):
    scope = SelectField("Bank or topic", validators=[DataRequired()])
    exam_on = DateField("Exam date", validators=[InputRequired()])
    target_retention = FiniteDecimalField(
        "Target on the day",
        places=2,
        default=0.95,
        validators=[Optional(), NumberRange(min=0.71, max=0.99)],
        description=TARGET_DESCRIPTION,
    )
    label = StringField("Label (optional)", validators=[Optional()])
    submit = SubmitField("Set exam date")


class ExamTargetForm(FlaskForm):
    target_retention = FiniteDecimalField(
        "Target on the day",
        places=2,
        validators=[InputRequired(), NumberRange(min=0.71, max=0.99)],
    )
