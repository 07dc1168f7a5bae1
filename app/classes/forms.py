"""Forms of the class pages; the rules themselves are in `roster`."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..accounts import available_time_zones
from ..auth.forms import TimeZoneField


class ClassForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            DataRequired(message="Give the class a name."),
            Length(max=120, message="The name must be at most 120 characters."),
        ],
    )
    description = TextAreaField(
        "Description",
        validators=[Length(max=5000, message="The description must be at most 5000 characters.")],
    )
    time_zone = TimeZoneField(
        "Time zone", default="UTC", description="Quiz open and close times are in this zone."
    )

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [(z, z.replace("_", " ")) for z in available_time_zones()]


class JoinForm(FlaskForm):
    code = StringField(
        "Class code",
        validators=[DataRequired(message="Type the code your teacher gave you."), Length(max=40)],
    )


class CoTeacherForm(FlaskForm):
    email = EmailField(
        "Teacher's email", validators=[DataRequired(message="Type the teacher's email.")]
    )


class ShareBankForm(FlaskForm):
    bank_id = SelectField("Bank", coerce=int, validate_choice=True)
