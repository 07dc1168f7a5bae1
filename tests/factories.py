"""Builders for the rows tests need: banks with topics, questions, review cards, sources.

Each builder adds its rows and flushes, so ids are set. By default it also commits, so the
rows survive a view that rolls back; pass `commit=False` when building many rows at once
and commit when done.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.media import MediaStore, store_media
from app.models import (
    ClassMember,
    MediaFile,
    Question,
    QuestionBank,
    Quiz,
    QuizSlot,
    ReviewCard,
    ReviewLog,
    SchoolClass,
    SourceDocument,
    Topic,
)
from tests.samples import SAMPLES

# The password of every user the `make_user` fixture creates.
PASSWORD = "correct horse battery"
# Where the `clock` fixture starts.
CLOCK_START = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def _done(commit: bool) -> None:
    db.session.flush()
    if commit:
        db.session.commit()


# -- banks and topics --------------------------------------------------------------------------


def make_bank(
    title: str = "Bank",
    *,
    topics: tuple[str, ...] | list[str] = (),
    owner_id: int | None = None,
    description: str = "",
    commit: bool = True,
    **fields: Any,
) -> QuestionBank:
    """A bank with the topics at `topics` ("Parent/Child" paths, see `make_topics`)."""
    bank = QuestionBank(title=title, description=description, owner_id=owner_id, **fields)
    db.session.add(bank)
    db.session.flush()
    make_topics(bank, *topics, commit=False)
    _done(commit)
    return bank


def make_topics(bank: QuestionBank, *paths: str, commit: bool = True) -> dict[str, Topic]:
    """The bank's topics by path, creating those at `paths` and any missing parent."""
    made = topics_of(bank)
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            if here in made:
                continue
            parent = made.get("/".join(parts[: depth - 1])) if depth > 1 else None
            topic = Topic(
                bank_id=bank.id,
                parent_id=parent.id if parent else None,
                name=parts[depth - 1],
                path=here,
            )
            db.session.add(topic)
            db.session.flush()
            made[here] = topic
    _done(commit)
    return made


def topics_of(bank: QuestionBank) -> dict[str, Topic]:
    """The bank's topics by path, as stored."""
    return {
        topic.path: topic
        for topic in db.session.scalars(select(Topic).where(Topic.bank_id == bank.id))
    }


# -- questions ---------------------------------------------------------------------------------


def make_question(
    bank: QuestionBank,
    kind: str = "flashcard",
    *,
    content: dict[str, Any] | None = None,
    topic: Topic | str | None = None,
    external_id: str | None = None,
    commit: bool = True,
    **fields: Any,
) -> Question:
    """A question of `kind`: the sample content of its kind unless `content` is given.

    `topic` is a Topic or a path in the bank (created if missing); `external_id` defaults
    to "q<n>", n counting the bank's questions.
    """
    if isinstance(topic, str):
        topic = make_topics(bank, topic, commit=False)[topic]
    if external_id is None:
        count = db.session.scalar(
            select(func.count()).select_from(Question).where(Question.bank_id == bank.id)
        )
        external_id = f"q{count + 1}"
    question = Question(
        bank_id=bank.id,
        topic_id=topic.id if topic else None,
        kind=kind,
        external_id=external_id,
        content=copy.deepcopy(SAMPLES[kind] if content is None else content),
        **fields,
    )
    db.session.add(question)
    _done(commit)
    return question


# -- review cards and their logs ---------------------------------------------------------------


def make_card(
    user_id: int, question: Question, *, due: datetime, commit: bool = True, **fields: Any
) -> ReviewCard:
    """A student's review card for `question`; new (no reviews yet) unless `fields` say."""
    card = ReviewCard(user_id=user_id, question_id=question.id, due=due, **fields)
    db.session.add(card)
    _done(commit)
    return card


def make_log(
    card: ReviewCard,
    reviewed_at: datetime,
    rating: int = 3,
    *,
    state_before: int = 2,
    state_after: int = 2,
    commit: bool = True,
    **fields: Any,
) -> ReviewLog:
    """One answer to `card` in its log (Review to Review, rated Good, unless told)."""
    log = ReviewLog(
        card_id=card.id,
        user_id=card.user_id,
        question_id=card.question_id,
        rating=rating,
        reviewed_at=reviewed_at,
        state_before=state_before,
        state_after=state_after,
        card_before=fields.pop("card_before", {}),
        **fields,
    )
    db.session.add(log)
    _done(commit)
    return log


# -- sources -----------------------------------------------------------------------------------

THAW_NOTES = """Furniture line
Background
Stalin died in March 1953.
The Secret Speech
Khrushchev spoke to the Twentieth Party Congress on 25 February 1956.
He denounced the cult of personality.
"""


def make_document(
    slug: str = "thaw-notes",
    *,
    title: str = "Notes on the Thaw",
    text: str = THAW_NOTES,
    sections: list[dict[str, str]] | None = None,
    skip_lines: list[str] | None = None,
    commit: bool = True,
    **fields: Any,
) -> SourceDocument:
    """A source document; by default THAW_NOTES with sections "background" and
    "secret-speech", and its first line skipped as page furniture."""
    document = SourceDocument(
        slug=slug,
        title=title,
        text=text,
        sections=sections
        if sections is not None
        else [
            {"slug": "background", "title": "Background", "start": "Background"},
            {"slug": "secret-speech", "title": "The Secret Speech", "start": "The Secret Speech"},
        ],
        skip_lines=skip_lines if skip_lines is not None else ["Furniture line"],
        **fields,
    )
    db.session.add(document)
    _done(commit)
    return document


# -- media -------------------------------------------------------------------------------------

# The smallest files of each accepted kind that their magic numbers recognise.
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(32))
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(64)


def make_media(data: bytes = PNG_BYTES, *, commit: bool = True) -> MediaFile:
    """A stored media file, kept in the test app's MEDIA_ROOT."""
    from flask import current_app

    store = MediaStore(
        Path(current_app.config["MEDIA_ROOT"]), current_app.config["MEDIA_MAX_BYTES"]
    )
    media = store_media(db.session, store, data, CLOCK_START)
    _done(commit)
    return media


# -- classes and quizzes -----------------------------------------------------------------------


def make_class(
    owner: Any,
    *,
    students: Sequence[Any] = (),
    co_teachers: Sequence[Any] = (),
    removed: Sequence[Any] = (),
    banks: Sequence[QuestionBank] = (),
    name: str = "Class",
    time_zone: str = "UTC",
    commit: bool = True,
) -> SchoolClass:
    """A class owned by `owner` with its members (`removed` students have left it) and
    `banks` shared with it."""
    from app.classes import roster

    count = db.session.scalar(select(func.count()).select_from(SchoolClass)) or 0
    school_class = SchoolClass(
        owner_id=owner.id,
        name=name,
        time_zone=time_zone,
        join_code=f"TEST{count + 1:06d}",
        created_at=CLOCK_START,
    )
    db.session.add(school_class)
    db.session.flush()
    for user in co_teachers:
        db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, role="teacher"))
    for user in students:
        db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, role="student"))
    for user in removed:
        db.session.add(
            ClassMember(
                class_id=school_class.id, user_id=user.id, role="student", removed_at=CLOCK_START
            )
        )
    db.session.flush()
    db.session.refresh(school_class)
    for bank in banks:
        roster.share_bank(db.session, school_class, bank, owner, CLOCK_START)
    _done(commit)
    db.session.refresh(school_class)
    return school_class


def make_quiz(
    school_class: SchoolClass,
    *,
    questions: tuple[Question, ...] | list[Question] = (),
    draws: tuple[dict[str, Any], ...] | list[dict[str, Any]] = (),
    title: str = "Quiz",
    published: bool = True,
    commit: bool = True,
    **settings: Any,
) -> Quiz:
    """A quiz of the class with one slot per question and one per draw
    (`{"bank_id": ..., "count": ..., "topic_id": ..., "points": ...}`)."""
    quiz = Quiz(class_id=school_class.id, title=title, published=published, **settings)
    position = 0
    for question in questions:
        position += 1
        quiz.slots.append(QuizSlot(position=position, question_id=question.id, points=1.0))
    for rule in draws:
        position += 1
        quiz.slots.append(QuizSlot(position=position, **{"points": 1.0, **rule}))
    db.session.add(quiz)
    _done(commit)
    return quiz
