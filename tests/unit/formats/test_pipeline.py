"""The import pipeline: plan writes nothing, apply writes what the plan says, matching dedupes."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from app.errors import Conflict, Invalid
from app.extensions import db
from app.formats import (
    Action,
    Citation,
    FormatError,
    Location,
    PlanRefused,
    QuestionDraft,
    apply,
    plan,
    update_question_content,
)
from app.models import Question, QuestionBank, SourceDocument, Topic

MC = {
    "prompt": "Who gave the **Secret Speech**?",
    "options": [
        {"text": "Khrushchev", "correct": True},
        {"text": "Malenkov", "correct": False},
    ],
}
CARD = {"prompt": "Thaw", "back": "The easing of repression after 1953."}
DOCUMENT_TEXT = "Intro\nFirst part\nThe speech was given in 1956.\nSecond part\nOther text.\n"


def mc_draft(n: int = 1, location: Location | None = None, **changes) -> QuestionDraft:
    fields = {
        "kind": "multiple_choice",
        "content": MC,
        "external_id": f"mc-{n}",
        "topic_path": "Speeches/1956",
        "explanation": "The speech of 1956.",
        "difficulty": 2,
        "location": location or Location("bank.txt", n),
    }
    return QuestionDraft(**{**fields, **changes})


def card_draft(n: int = 2, **changes) -> QuestionDraft:
    fields = {"kind": "flashcard", "content": CARD, "location": Location("bank.txt", n)}
    return QuestionDraft(**{**fields, **changes})


@pytest.fixture
def bank(app) -> QuestionBank:
    bank = QuestionBank(title="Imports")
    db.session.add(bank)
    db.session.commit()
    return bank


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def run(bank, drafts, **kwargs):
    result = apply(db.session, plan(db.session, bank, drafts), **kwargs)
    db.session.commit()
    return result


def test_plan_writes_nothing_and_flushes_nothing(bank):
    run(bank, [mc_draft()])
    before = (count(Question), count(Topic))
    pending = QuestionBank(title="Not yet flushed")
    db.session.add(pending)

    result = plan(
        db.session,
        bank,
        [
            mc_draft(content={**MC, "prompt": "Edited"}, topic_path="New/Topic"),
            card_draft(),
            card_draft(3, kind="no-such-type"),
        ],
    )

    assert [e.action for e in result.entries] == [Action.UPDATE, Action.CREATE, Action.INVALID]
    # The caller's pending row was not flushed by the planner's queries, and the matched
    # question was not touched.
    assert pending in db.session.new and pending.id is None
    assert not db.session.dirty
    db.session.expunge(pending)
    assert (count(Question), count(Topic)) == before
    question = db.session.scalar(select(Question))
    assert question.content["prompt"] == MC["prompt"] and question.version == 1


def test_apply_counts_and_replanning_finds_everything_unchanged(bank):
    drafts = [
        mc_draft(1),
        mc_draft(2, content={**MC, "prompt": "Who followed Stalin?"}),
        card_draft(),
    ]
    result = run(bank, drafts)
    assert (result.created, result.updated, result.unchanged, result.skipped) == (3, 0, 0, 0)
    assert result.by_type == {"multiple_choice": 2, "flashcard": 1}
    assert count(Question) == 3
    assert sorted(result.question_ids) == sorted(db.session.scalars(select(Question.id)))
    topic = db.session.scalar(select(Topic).where(Topic.path == "Speeches/1956"))
    assert topic is not None and topic.name == "1956"
    first = db.session.scalar(select(Question).where(Question.external_id == "mc-1"))
    assert (first.topic_id, first.explanation, first.difficulty) == (
        topic.id,
        "The speech of 1956.",
        2,
    )

    again = plan(db.session, bank, drafts)
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "invalid": 0}
    second = run(bank, drafts)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert count(Question) == 3


def test_an_edited_draft_is_an_update_with_the_next_version(bank):
    run(bank, [mc_draft()])
    edited = mc_draft(content={**MC, "prompt": "Who spoke to the Twentieth Congress?"})

    planned = plan(db.session, bank, [edited])
    [entry] = planned.entries
    assert entry.action is Action.UPDATE and entry.changes == ("content",)
    assert entry.bumps_version and entry.matched_by == "external_id"
    result = run(bank, [edited])
    assert (result.created, result.updated) == (0, 1)
    question = db.session.scalar(select(Question))
    assert question.version == 2
    assert question.content["prompt"] == "Who spoke to the Twentieth Congress?"


def test_moving_a_question_is_an_update_that_keeps_the_version(bank):
    run(bank, [mc_draft()])
    moved = mc_draft(topic_path="Elsewhere", explanation="Reworded.", difficulty=3)
    [entry] = plan(db.session, bank, [moved]).entries
    assert entry.action is Action.UPDATE
    assert entry.changes == ("explanation", "difficulty", "topic") and not entry.bumps_version
    assert run(bank, [moved]).updated == 1
    question = db.session.scalar(select(Question))
    assert question.version == 1 and question.topic.path == "Elsewhere"
    assert (question.explanation, question.difficulty) == ("Reworded.", 3)


def test_fields_a_format_does_not_give_are_kept(bank):
    run(bank, [mc_draft()])
    bare = QuestionDraft(kind="multiple_choice", content=MC, external_id="mc-1")
    [entry] = plan(db.session, bank, [bare]).entries
    assert entry.action is Action.UNCHANGED
    question = db.session.scalar(select(Question))
    assert question.topic.path == "Speeches/1956" and question.explanation


def test_an_invalid_draft_is_reported_with_its_location_and_nothing_is_written(bank):
    broken = mc_draft(
        2,
        location=Location("quiz.gift", 14, label="question 2"),
        content={**MC, "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]},
    )
    planned = plan(db.session, bank, [mc_draft(1), broken])
    [bad] = planned.invalid
    assert bad.location == Location("quiz.gift", 14, label="question 2")
    assert bad.describe().startswith("quiz.gift, line 14, question 2: options")
    assert "exactly one" in bad.message

    with pytest.raises(PlanRefused) as refused:
        apply(db.session, planned)
    assert isinstance(refused.value, Invalid) and refused.value.entries == [bad]
    db.session.rollback()
    assert (count(Question), count(Topic)) == (0, 0)

    result = apply(db.session, planned, skip_invalid=True)
    db.session.commit()
    assert (result.created, result.skipped) == (1, 1)
    assert db.session.scalars(select(Question.external_id)).all() == ["mc-1"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "essay_plus"}, "unknown question type 'essay_plus'"),
        ({"difficulty": 5}, "difficulty must be 1, 2 or 3."),
        ({"difficulty": True}, "difficulty must be 1, 2 or 3."),
        ({"external_id": "x" * 121}, "the id is over 120 characters."),
        ({"topic_path": "A/" + "b" * 121}, "a topic name is over 120 characters."),
        ({"content": "not a mapping"}, "content: must be a set of named fields"),
    ],
)
def test_each_kind_of_bad_draft_gets_a_plain_message(bank, changes, message):
    [entry] = plan(db.session, bank, [mc_draft(**changes)]).entries
    assert entry.action is Action.INVALID and entry.message.startswith(message)


def test_the_same_id_twice_is_invalid_the_second_time(bank):
    planned = plan(db.session, bank, [mc_draft(1), card_draft(7, external_id="mc-1")])
    assert [e.action for e in planned.entries] == [Action.CREATE, Action.INVALID]
    assert planned.entries[1].message == "the id 'mc-1' is used twice (first at bank.txt, line 1)."


def test_a_readers_format_error_is_an_invalid_entry_with_its_line(bank):
    error = FormatError("ANSWER: E is not one of the options.", line=9)
    assert isinstance(error, Invalid) and error.line == 9
    planned = plan(db.session, bank, [card_draft(), error])
    assert [e.action for e in planned.entries] == [Action.CREATE, Action.INVALID]
    assert planned.entries[1].describe() == "line 9: ANSWER: E is not one of the options."
    with pytest.raises(PlanRefused):
        apply(db.session, planned)


def test_reimporting_drafts_without_ids_matches_on_kind_and_prompt(bank):
    first = run(bank, [card_draft(), mc_draft(external_id=None)])
    assert first.created == 2
    ids = set(db.session.scalars(select(Question.external_id)))
    assert all(i.startswith("q-") for i in ids)

    # Same prompt with other markup, case and spacing; another bank's question is not a match.
    other = QuestionBank(title="Other")
    db.session.add(other)
    db.session.flush()
    db.session.add(Question(bank_id=other.id, kind="flashcard", external_id="t", content=CARD))
    db.session.commit()
    reworded = {**MC, "prompt": "who  gave the Secret   speech?"}
    planned = plan(db.session, bank, [card_draft(), mc_draft(external_id=None, content=reworded)])
    assert [(e.action, e.matched_by) for e in planned.entries] == [
        (Action.UNCHANGED, "prompt"),
        (Action.UPDATE, "prompt"),
    ]
    result = run(bank, [card_draft(), mc_draft(external_id=None, content=reworded)])
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert (
        set(db.session.scalars(select(Question.external_id).where(Question.bank_id == bank.id)))
        == ids
    )


def test_an_unknown_id_still_matches_the_same_prompt(bank):
    run(bank, [mc_draft(1)])
    [entry] = plan(db.session, bank, [mc_draft(1, external_id="renamed")]).entries
    assert (entry.action, entry.matched_by) == (Action.UNCHANGED, "prompt")


def test_a_prompt_of_another_kind_is_not_a_duplicate(bank):
    run(bank, [card_draft()])
    same_words = QuestionDraft(
        kind="short_answer", content={"prompt": "Thaw", "answers": [{"text": "x"}]}
    )
    assert plan(db.session, bank, [same_words]).entries[0].action is Action.CREATE


def test_repeated_prompts_reimport_without_changes(bank):
    """Two questions share a prompt: each draft finds its own question again."""
    one = card_draft(1, content={"prompt": "Define", "back": "Thaw"})
    two = card_draft(2, content={"prompt": "Define", "back": "Gulag"})
    assert run(bank, [one, two]).created == 2
    planned = plan(db.session, bank, [two, one])  # in another order
    assert [e.action for e in planned.entries] == [Action.UNCHANGED, Action.UNCHANGED]
    assert len({e.question_id for e in planned.entries}) == 2


def test_a_plan_for_a_bank_that_does_not_exist_yet(app):
    planned = plan(db.session, None, [mc_draft(), card_draft()])
    assert planned.bank_id is None and planned.counts["create"] == 2
    with pytest.raises(ValueError, match="needs the bank"):
        apply(db.session, planned)
    bank = QuestionBank(title="New")
    db.session.add(bank)
    result = apply(db.session, planned, bank=bank)
    db.session.commit()
    assert result.created == 2 and bank.id is not None
    assert count(Question) == 2
    # Applying the same plan again would duplicate: the bank has questions now.
    with pytest.raises(Conflict):
        apply(db.session, planned, bank=bank)


def test_a_stale_plan_is_refused(bank):
    run(bank, [mc_draft()])
    planned = plan(db.session, bank, [mc_draft(content={**MC, "prompt": "Edited"})])
    db.session.execute(delete(Question))
    db.session.commit()
    with pytest.raises(Conflict, match="preview it again"):
        apply(db.session, planned)

    fresh = plan(db.session, bank, [mc_draft()])
    db.session.add(Question(bank_id=bank.id, kind="flashcard", external_id="mc-1", content=CARD))
    db.session.flush()
    with pytest.raises(Conflict, match="'mc-1' was added"):
        apply(db.session, fresh)


@pytest.fixture
def document(app) -> SourceDocument:
    row = SourceDocument(
        slug="doc",
        title="Doc",
        text=DOCUMENT_TEXT,
        sections=[
            {"slug": "first", "title": "First", "start": "First part"},
            {"slug": "second", "title": "Second", "start": "Second part"},
        ],
        skip_lines=[],
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_citations_are_checked_against_their_section(bank, document):
    cite = Citation("doc", "first", "given  in\n1956.")
    drafts = [
        mc_draft(1, citation=cite),
        mc_draft(2, citation=Citation("doc", "second", "given in 1956.")),
        mc_draft(3, citation=Citation("nope", "first", "x")),
        mc_draft(4, citation=Citation("doc", "first", "")),
        mc_draft(5, citation=Citation("doc", "first", "word " * 70)),
    ]
    planned = plan(db.session, bank, drafts)
    assert [e.message for e in planned.entries] == [
        None,
        "the excerpt is not in section 'second' of doc.",
        "unknown source document 'nope'.",
        "the excerpt is missing or over 300 chars.",
        "the excerpt is missing or over 300 chars.",
    ]
    result = apply(db.session, planned, skip_invalid=True)
    db.session.commit()
    question = db.session.get(Question, result.question_ids[0])
    assert (question.source_document_id, question.source_section, question.source_excerpt) == (
        document.id,
        "first",
        "given in 1956.",
    )
    assert (
        plan(db.session, bank, [mc_draft(1, citation=cite)]).entries[0].action is Action.UNCHANGED
    )
    # A citation without a document clears it, without a new version.
    [entry] = plan(db.session, bank, [mc_draft(1, citation=Citation())]).entries
    assert entry.changes == ("citation",)
    run(bank, [mc_draft(1, citation=Citation())])
    db.session.refresh(question)
    assert question.source_document_id is None and question.source_excerpt is None
    assert question.version == 1


def test_the_version_rule(app):
    question = Question(kind="flashcard", content=dict(CARD), version=1, explanation="")
    assert update_question_content(question, "flashcard", dict(CARD)) is False
    assert update_question_content(question, "flashcard", dict(CARD), explanation="New") is True
    assert question.version == 1 and question.explanation == "New"
    assert update_question_content(question, "flashcard", {**CARD, "back": "Other"}) is True
    assert question.version == 2 and question.content["back"] == "Other"
    assert update_question_content(question, "short_answer", {"prompt": "Thaw"}) is True
    assert question.version == 3 and question.kind == "short_answer"


# Tags


def test_tags_are_trimmed_kept_once_and_nested_as_in_anki():
    from app.formats.pipeline import normalize_tags

    assert normalize_tags(["  geo ", "europe::west", "Geo", "", "été"]) == [
        "geo",
        "europe::west",
        "été",
    ]
    assert normalize_tags("  geo   europe::west geo ") == ["geo", "europe::west"]
    assert normalize_tags([]) == [] and normalize_tags("") == []


@pytest.mark.parametrize(
    ("tags", "words"),
    [
        (["two words"], "space inside"),
        ([3], "must be text"),
        (["x" * 101], "over 100 characters"),
        ([f"t{i}" for i in range(31)], "at most 30 tags"),
        (["bell\x07"], "control character"),
    ],
)
def test_bad_tags_are_refused_with_a_plain_message(tags, words):
    from app.formats.pipeline import normalize_tags

    with pytest.raises(Invalid) as caught:
        normalize_tags(tags)
    assert words in caught.value.message and caught.value.field == "tags"


def test_tags_are_written_and_a_tags_change_is_an_update_that_keeps_the_version(bank):
    run(bank, [mc_draft(tags=[" geo ", "europe::west", "geo"])])
    question = db.session.scalar(select(Question))
    assert question.tags == ["geo", "europe::west"]
    # The same tags, or a draft that gives none, change nothing.
    for same in ([mc_draft(tags=["geo", "europe::west"])], [mc_draft()]):
        [entry] = plan(db.session, bank, same).entries
        assert entry.action is Action.UNCHANGED
    retagged = mc_draft(tags=["geo"])
    [entry] = plan(db.session, bank, [retagged]).entries
    assert entry.action is Action.UPDATE and entry.changes == ("tags",)
    assert not entry.bumps_version
    assert run(bank, [retagged]).updated == 1
    db.session.refresh(question)
    assert question.tags == ["geo"] and question.version == 1
    assert run(bank, [mc_draft(tags=[])]).updated == 1
    db.session.refresh(question)
    assert question.tags == []


def test_a_new_question_without_tags_has_none_and_bad_tags_make_a_draft_invalid(bank):
    planned = plan(db.session, bank, [mc_draft(1), mc_draft(2, tags=["two words"])])
    assert [e.action for e in planned.entries] == [Action.CREATE, Action.INVALID]
    assert "space inside" in planned.entries[1].message
    run(bank, [mc_draft(1)])
    assert db.session.scalar(select(Question.tags)) == []
