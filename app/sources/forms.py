"""Forms for adding, saving and editing a teacher's own document and for reviewing its
drafts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..drafting import MAX_UPLOAD_BYTES


class NewDocumentForm(FlaskForm):
    title = StringField(
        "Title",
        validators=[Optional(), Length(max=200)],
        description="Optional: the first heading or the file name is used when left blank.",
    )
    file = FileField(
        "Upload a file",
        description=f"A .txt, .md, .docx or .pdf file of at most {MAX_UPLOAD_BYTES // 1048576} MB.",
    )
    text = TextAreaField(
        "Or paste the text",
        description="Markdown headings (# Title) start sections; so do short title-like lines.",
    )


class EditDocumentForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    text = TextAreaField("Text", validators=[DataRequired()])


class PendingDocumentForm(FlaskForm):
    """An upload's title; its start lines and their titles are as many as the text has."""

    title = StringField("Title", validators=[Length(max=200)])


class SectionsForm(FlaskForm):
    """Only the CSRF token: the start lines and titles are as many as the document has."""


class ActionForm(FlaskForm):
    """A button that changes something: the CSRF token only."""


class DraftBankForm(FlaskForm):
    bank = SelectField("Accept drafts into", coerce=int, validate_choice=True)
