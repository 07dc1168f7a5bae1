from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from ..auth.forms import PASSWORD_LENGTH
from ..models import Role

ROLE_CHOICES = [(r.value, r.value.capitalize()) for r in Role]


class UserEditForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active (may log in)")
    submit = SubmitField("Save")


class UserCreateForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.TEACHER.value)
    password = PasswordField("Initial password", validators=[DataRequired(), PASSWORD_LENGTH])
    submit = SubmitField("Create user")
