"""What every queue decision needs: the study day, its limits, and which cards are set aside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import fsrs
from sqlalchemy import ColumnElement, Select, String, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from ..models import (
    ClassMember,
    ExamDate,
    Question,
    Quiz,
    ReviewCard,
    ReviewLog,
    StudyAction,
    StudySettings,
    User,
)
from .days import day_bounds, study_day, zone_for
from .settings import default_settings, get_settings

REVIEW_STATE = fsrs.State.Review.value


@dataclass
class QueueEntry:
    card: ReviewCard
    reason: str  # "learning" | "due" | "new" | "exam"
    retrievability: float | None = None


@dataclass
class StudyContext:
    """A student's settings and the current study day, with what was done in it so far."""

    settings: StudySettings
    time_zone: str
    today: date
    day_start: datetime
    day_end: datetime
    reviews_done: int
    new_done: int
    # False when the student has no exam from about today on: exam queries are skipped.
    # True may still mean none (an exam of yesterday); the exam code checks exactly.
    may_have_exams: bool = True
    # The newest action an Undo button takes back (id, kind), read in the same statement.
    last_action: tuple[int, str] | None = None

    @property
    def reviews_left(self) -> int:
        return max(0, self.settings.max_reviews_per_day - self.reviews_done)

    @property
    def new_left(self) -> int:
        """New cards still allowed today: as Anki's default, the review limit caps them too."""
        return min(max(0, self.settings.new_per_day - self.new_done), self.reviews_left)


def user_time_zone(session: Session, user_id: int) -> str:
    """The student's IANA zone name, "UTC" when it is missing or unknown."""
    name = session.scalar(select(User.time_zone).where(User.id == user_id))
    return name if name and zone_for(name).key == name else "UTC"


def next_day_start(session: Session, user_id: int, now: datetime) -> datetime:
    """When the student's next study day begins (their hour, in their time zone)."""
    hour = get_settings(session, user_id).day_starts_at_hour
    time_zone = user_time_zone(session, user_id)
    return day_bounds(study_day(now, time_zone, hour), time_zone, hour)[1]


def exams_of(user_id: int) -> ColumnElement[bool]:
    """The student's own exam dates, and those of the quizzes of every class they are a
    current student of: a class exam applies from joining until leaving or removal."""
    class_quizzes = (
        select(Quiz.id)
        .join(ClassMember, ClassMember.class_id == Quiz.class_id)
        .where(
            ClassMember.user_id == user_id,
            ClassMember.role == "student",
            ClassMember.removed_at.is_(None),
        )
    )
    return or_(ExamDate.user_id == user_id, ExamDate.quiz_id.in_(class_quizzes))


def study_context(
    session: Session, user_id: int, now: datetime, *, time_zone: str | None = None
) -> StudyContext:
    """The student's study day and what was done in it: two statements.

    The first reads the settings row, the time zone (unless the caller has the user
    loaded and gives it), whether an exam may be coming and the last undoable action
    together; the second counts today's answers.
    """
    row = _context_row(session, user_id, now, time_zone)
    if row is None:  # no such user: the defaults, as for a student without settings
        settings, zone_name, may_have_exams, action = default_settings(user_id), None, False, None
    else:
        zone_name, settings, may_have_exams, action_id, action_kind = row
        settings = settings or default_settings(user_id)
        action = (action_id, action_kind) if action_id is not None else None
    time_zone = zone_name if zone_name and zone_for(zone_name).key == zone_name else "UTC"
    today = study_day(now, time_zone, settings.day_starts_at_hour)
    start, end = day_bounds(today, time_zone, settings.day_starts_at_hour)
    reviews_done = new_done = 0
    for was_new, state_before, count in session.execute(
        _answers_today_statement(), {"user_id": user_id, "start": start, "end": end}
    ):
        if was_new:
            new_done += count
        elif state_before == REVIEW_STATE:
            reviews_done += count
    return StudyContext(
        settings=settings,
        time_zone=time_zone,
        today=today,
        day_start=start,
        day_end=end,
        reviews_done=reviews_done,
        new_done=new_done,
        may_have_exams=bool(may_have_exams),
        last_action=action,
    )


def settings_and_exams(session: Session, user_id: int, now: datetime):
    """The student's settings row (None when there is none yet) and whether an exam may
    be coming from about today on (False: surely none): the first of study_context's
    statements, without the study day's counts."""
    row = _context_row(session, user_id, now, "UTC")
    if row is None:
        return None, False
    return row[1], bool(row[2])


def _context_row(session: Session, user_id: int, now: datetime, time_zone: str | None):
    return session.execute(
        _context_statement(given_zone=time_zone is not None),
        {
            "user_id": user_id,
            # Study days are at most a day or so away from the UTC date in any zone: an
            # exam dated two days back or later might still be coming, anything older
            # cannot.
            "exams_from": now.date() - timedelta(days=2),
        }
        | ({"time_zone": time_zone} if time_zone is not None else {}),
    ).first()


@cache
def _context_statement(*, given_zone: bool) -> Select:
    """The settings row, the time zone (unless given), whether an exam may be coming and
    the last undoable action: built once, its values bound on each call."""
    user_id = bindparam("user_id")
    exam_soon = (
        select(ExamDate.id)
        .where(exams_of(user_id), ExamDate.exam_on >= bindparam("exams_from"))
        .exists()
    )
    newest = select(StudyAction).where(StudyAction.user_id == user_id)
    newest = newest.order_by(StudyAction.id.desc()).limit(1).subquery()
    zone = bindparam("time_zone", type_=String) if given_zone else User.time_zone
    return (
        select(zone, StudySettings, exam_soon, newest.c.id, newest.c.kind)
        .select_from(User)
        .outerjoin(StudySettings, StudySettings.user_id == User.id)
        .outerjoin(newest, newest.c.user_id == User.id)
        .where(User.id == user_id)
    )


@cache
def _answers_today_statement() -> Select:
    """One grouped count over the (user_id, reviewed_at) index: first answers to new
    cards spend the new-card limit, answers to cards in review the review limit. As in
    Anki's v3 scheduler, learning and relearning steps spend neither."""
    return (
        select(ReviewLog.was_new, ReviewLog.state_before, func.count())
        .where(
            ReviewLog.user_id == bindparam("user_id"),
            ReviewLog.reviewed_at >= bindparam("start"),
            ReviewLog.reviewed_at < bindparam("end"),
        )
        .group_by(ReviewLog.was_new, ReviewLog.state_before)
    )


def not_suspended_or_buried(now: datetime | ColumnElement) -> ColumnElement[bool]:
    """Neither suspended nor buried past `now`: all of not_set_aside a card already
    studied needs (its archived question does not hold it back)."""
    return and_(
        ReviewCard.suspended.is_(False),
        or_(ReviewCard.buried_until.is_(None), ReviewCard.buried_until <= now),
    )


def not_set_aside(now: datetime | ColumnElement) -> ColumnElement[bool]:
    """Neither suspended nor buried past `now`, nor a new card of an archived question.

    A card already studied keeps coming up after its question is archived, so the
    student's history and schedule go on; a card never studied is simply not started.
    """
    return and_(
        not_suspended_or_buried(now),
        or_(ReviewCard.reps > 0, ReviewCard.question_id.not_in(archived_question_ids())),
    )


def archived_question_ids() -> Select[tuple[int]]:
    return select(Question.id).where(Question.archived_at.is_not(None))
