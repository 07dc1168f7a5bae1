"""The seed_data/ reader: drafts with their file and line, and file-level refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.formats import Citation, FormatError, Location, QuestionDraft
from app.formats.seed import SeedError, read_banks
from app.models import Question, QuestionBank, SourceDocument
from app.seeding import load_seed_data

SEED = Path(__file__).resolve().parents[3] / "seed_data"

BANK_FILE = """\
bank: explainer
topic: "Extra / Sub"
questions:
  - id: extra-1
    type: flashcard
    difficulty: 1
    section: definition
    prompt: Front
    back: Back
    explanation: Why.
    tags: [thaw, ussr::1956]
    source: {document: destalinization-explainer, excerpt: "not in the text"}

  - just a string

  - type: flashcard
    prompt: No id
    back: Back
"""


@pytest.fixture
def data(tmp_path) -> Path:
    directory = tmp_path / "seed_data"
    shutil.copytree(SEED, directory)
    return directory


def test_drafts_carry_their_file_and_line(data):
    (data / "banks" / "zz-extra.yaml").write_text(BANK_FILE, encoding="utf-8")
    explainer = next(b for b in read_banks(data) if b.slug == "explainer")
    draft, not_a_mapping, no_id = explainer.drafts[-3:]
    assert draft == QuestionDraft(
        kind="flashcard",
        content={"prompt": "Front", "back": "Back"},
        external_id="extra-1",
        topic_path="Extra / Sub",
        explanation="Why.",
        difficulty=1,
        citation=Citation("destalinization-explainer", "definition", "not in the text"),
        tags=["thaw", "ussr::1956"],
        location=Location("zz-extra.yaml", 4, label="question 1 (extra-1)"),
    )
    assert isinstance(not_a_mapping, FormatError)
    assert not_a_mapping.describe() == (
        "zz-extra.yaml, line 14, question 2: a question must be a set of named fields."
    )
    assert isinstance(no_id, FormatError) and no_id.line == 16 and no_id.message == "no id."


def test_every_problem_is_listed_with_its_line_and_nothing_is_written(app, data):
    (data / "banks" / "zz-extra.yaml").write_text(BANK_FILE, encoding="utf-8")
    with pytest.raises(SeedError) as refused:
        load_seed_data(db.session, data)
    assert str(refused.value).splitlines() == [
        "zz-extra.yaml, line 4, question 1 (extra-1): the excerpt is not in section "
        "'definition' of destalinization-explainer.",
        "zz-extra.yaml, line 14, question 2: a question must be a set of named fields.",
        "zz-extra.yaml, line 16, question 3: no id.",
    ]
    # Planning refused before any write: not even the documents or banks were added.
    assert not db.session.new
    for model in (Question, QuestionBank, SourceDocument):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0


def test_a_file_that_is_not_yaml_names_its_line(data):
    (data / "banks" / "zz-bad.yaml").write_text("bank: explainer\nquestions: [\n", "utf-8")
    with pytest.raises(SeedError, match="zz-bad.yaml: cannot be read") as refused:
        read_banks(data)
    assert refused.value.line == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bank: nowhere\ntopic: T\nquestions: []\n", "bank 'nowhere' is not listed"),
        ("bank: explainer\nquestions: []\n", "the file names no topic"),
        ("bank: explainer\ntopic: T\nquestions: {a: 1}\n", "`questions` must be a list"),
        ("- a list\n", "bank None is not listed"),
    ],
)
def test_a_bank_file_that_cannot_be_placed_is_refused(data, text, message):
    (data / "banks" / "zz-bad.yaml").write_text(text, "utf-8")
    with pytest.raises(SeedError, match=message):
        read_banks(data)
