"""Forms of the import pages; reading and planning are in app.formats.uploads."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length

from ..formats.uploads import format_label, format_names

TERM_SEPARATORS = [
    ("", "Detect"),
    ("tab", "Tab"),
    ("comma", "Comma"),
    ("custom", "Other (type it below)"),
]
CARD_SEPARATORS = [
    ("", "Detect"),
    ("newline", "New line"),
    ("semicolon", "Semicolon"),
    ("custom", "Other (type it below)"),
]
NEW_BANK = "new"


class ImportForm(FlaskForm):
    file = FileField("File", validators=[FileRequired(message="Choose a file to import.")])
    format = SelectField("Format", default="auto")
    bank = SelectField("Into bank")
    new_bank = StringField(
        "Name of the new bank",
        validators=[Length(max=200, message="The name must be at most 200 characters.")],
    )
    topic = StringField(
        "Topic (optional)",
        description='Everything goes under this topic, e.g. "Unit 1/Vocabulary"; '
        "the file's own categories become its sub-topics.",
        validators=[Length(max=500, message="The topic must be at most 500 characters.")],
    )
    term_separator = SelectField("Between term and definition", choices=TERM_SEPARATORS, default="")
    term_custom = StringField(
        "Other separator between term and definition",
        validators=[Length(max=10, message="A separator is at most 10 characters.")],
    )
    card_separator = SelectField("Between cards", choices=CARD_SEPARATORS, default="")
    card_custom = StringField(
        "Other separator between cards",
        validators=[Length(max=10, message="A separator is at most 10 characters.")],
    )

    def __init__(self, banks, may_create: bool, *args, new_is_deck: bool = False, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.format.choices = [("auto", "Detect from the file")] + [
            (name, format_label(name)) for name in format_names()
        ]
        choices = [(str(bank.id), bank.title) for bank in banks]
        if may_create:
            noun = "deck of your own" if new_is_deck else "bank"
            choices.append((NEW_BANK, f"A new {noun} (name it below)"))
            if new_is_deck:
                self.new_bank.label.text = "Name of the new deck"
        self.bank.choices = choices

    def separators(self) -> dict[str, str] | None:
        """The CSV options chosen, or None (with a field error) when a custom one is empty."""
        options: dict[str, str] = {}
        for choice, custom, key in (
            (self.term_separator, self.term_custom, "term_separator"),
            (self.card_separator, self.card_custom, "card_separator"),
        ):
            if choice.data == "custom":
                typed = custom.data or ""
                if not typed.strip("\n"):
                    custom.errors = [*custom.errors, "Type the separator, or pick one above."]
                    return None
                options[key] = typed.replace("\\t", "\t").replace("\\n", "\n")
            elif choice.data:
                options[key] = choice.data
        return options


class ConfirmForm(FlaskForm):
    skip_invalid = BooleanField("Import the valid ones and leave out those with errors")
    with_history = BooleanField("Bring my review history along into my reviews")
