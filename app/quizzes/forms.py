"""Forms of the quiz pages; the rules themselves are in `app.attempts.quizzes`."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..attempts.quizzes import (
    GRADING_LABELS,
    MISSED_TIME_LABELS,
    OVERDUE_LABELS,
    QUIZ_KINDS,
    REVIEW_TIME_LABELS,
)
from ..inputs import DatabaseIntegerField
from ..questions import QUESTION_TYPES

LOCAL_FORMAT = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
WHEN = "Times are in the class's time zone"


class QuizForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the quiz a title."),
            Length(max=200, message="Keep the title under 200 characters."),
        ],
    )
    description = TextAreaField(
        "Instructions",
        validators=[Length(max=5000, message="Keep the instructions under 5000 characters.")],
    )
    open_at = DateTimeLocalField("Opens", format=LOCAL_FORMAT, validators=[Optional()])
    close_at = DateTimeLocalField("Closes", format=LOCAL_FORMAT, validators=[Optional()])
    time_limit_minutes = DatabaseIntegerField(
        "Time limit (minutes)", validators=[Optional()], description="Empty: no time limit."
    )
    attempts_allowed = DatabaseIntegerField(
        "Attempts allowed",
        default=1,
        validators=[InputRequired(message="Give a number of attempts, 0 for unlimited.")],
        description="0 for unlimited.",
    )
    grading_method = SelectField("Grade by", choices=list(GRADING_LABELS.items()))
    shuffle_questions = BooleanField("Shuffle the order of the questions")
    shuffle_options = BooleanField("Shuffle the options within questions", default=True)
    review_score = SelectField(
        "Their score", choices=list(REVIEW_TIME_LABELS.items()), default="after_submission"
    )
    review_answers = SelectField(
        "Their answers", choices=list(REVIEW_TIME_LABELS.items()), default="after_submission"
    )
    review_right_answers = SelectField(
        "The right answers", choices=list(REVIEW_TIME_LABELS.items()), default="after_close"
    )
    review_feedback = SelectField(
        "Feedback", choices=list(REVIEW_TIME_LABELS.items()), default="after_close"
    )
    overdue_handling = SelectField("When time runs out", choices=list(OVERDUE_LABELS.items()))
    grace_minutes = DatabaseIntegerField(
        "Grace period (minutes)", default=0, validators=[Optional()]
    )
    send_missed_to_reviews = BooleanField(
        "Send each question a student missed to their reviews", default=True
    )
    missed_to_reviews_at = SelectField("Send them", choices=list(MISSED_TIME_LABELS.items()))


class AddQuestionsForm(FlaskForm):
    question_ids = SelectMultipleField("Questions", coerce=int)
    points = FloatField(
        "Points each", default=1.0, validators=[InputRequired(message="Give the points.")]
    )


class RandomRuleForm(FlaskForm):
    bank_id = SelectField("Bank", coerce=int)
    topic_id = SelectField("Topic", coerce=int, default=0)
    difficulty = SelectField(
        "Difficulty",
        coerce=int,
        default=0,
        choices=[(0, "Any")] + [(n, str(n)) for n in range(1, 6)],
    )
    kind = SelectField(
        "Question type",
        default="",
        choices=[("", "Any")] + [(kind, QUESTION_TYPES[kind].label) for kind in QUIZ_KINDS],
    )
    count = DatabaseIntegerField(
        "How many", default=1, validators=[InputRequired(message="Say how many to draw.")]
    )
    points = FloatField(
        "Points each", default=1.0, validators=[InputRequired(message="Give the points.")]
    )


class OverrideForm(FlaskForm):
    user_id = SelectField("Student", coerce=int)
    time_limit_minutes = DatabaseIntegerField(
        "Time limit (minutes)", validators=[Optional()], description="Empty: the quiz's."
    )
    close_at = DateTimeLocalField(
        "Closes for them", format=LOCAL_FORMAT, validators=[Optional()], description=WHEN
    )
    extra_attempts = DatabaseIntegerField("Extra attempts", default=0, validators=[Optional()])


class GradeForm(FlaskForm):
    points = FloatField("Points", validators=[InputRequired(message="Give the points.")])
    comment = TextAreaField(
        "Comment", validators=[Length(max=5000, message="Keep the comment under 5000 characters.")]
    )


class ClassExamForm(FlaskForm):
    """The day the class sits the exam this quiz prepares for."""

    exam_on = DateField(
        "Exam date",
        validators=[InputRequired(message="Give the exam date.")],
        description="Each student's reviews prepare the quiz's questions for this day.",
    )
    label = StringField(
        "Label (optional)",
        validators=[Length(max=120, message="Keep the label under 120 characters.")],
    )


class ActionForm(FlaskForm):
    """A button whose target is in the URL: only the CSRF token is posted."""


class GradeOverrideForm(FlaskForm):
    """A teacher's grade for one student in one quiz, in place of the computed one."""

    grade = StringField(
        "Grade (%)",
        validators=[
            DataRequired(message="Give the grade as a percentage from 0 to 100."),
            Length(max=20, message="Give the grade as a percentage from 0 to 100."),
        ],
    )
    comment = TextAreaField(
        "Comment (the student sees it)",
        validators=[
            DataRequired(message="Say why the grade is overridden: the student sees the comment."),
            Length(max=2000, message="Keep the comment under 2000 characters."),
        ],
    )
