"""Exam dates: one review, as late as possible, for each card that would miss the target."""

from __future__ import annotations

from datetime import date, timedelta

import fsrs
import pytest

from app.extensions import db
from app.models import ExamDate
from app.scheduling import (
    ExamError,
    active_exam_dates,
    add_to_reviews,
    day_bounds,
    delete_exam_date,
    exam_candidates,
    exam_overview,
    get_settings,
    interval_previews,
    next_card,
    queue_counts,
    scheduler_for,
    set_exam_date,
    set_exam_target,
    suspend_card,
    to_fsrs_card,
)

from .helpers import T0, answer, cards_of, make_bank, reload, review_card, set_settings

TODAY = date(2024, 6, 3)  # T0's study day for a UTC student
EXAM_DAY = TODAY + timedelta(days=10)
EVE = EXAM_DAY - timedelta(days=1)
EXAM_STARTS = day_bounds(EXAM_DAY, "UTC", 4)[0]
EVE_STARTS = day_bounds(EVE, "UTC", 4)[0]
DAY = timedelta(days=1)
ON_THE_EVE = T0 + 9 * DAY  # 09:00 on the eve


def exam(user_id, exam_on=EXAM_DAY, **scope) -> ExamDate:
    made = set_exam_date(db.session, user_id, exam_on=exam_on, today=TODAY, **scope)
    db.session.commit()
    return made


def scheduler(user_id) -> fsrs.Scheduler:
    return scheduler_for(get_settings(db.session, user_id))


def predicted(user_id, card, moment=EXAM_STARTS) -> float:
    fsrs_card = card if isinstance(card, fsrs.Card) else to_fsrs_card(card)
    return scheduler(user_id).get_card_retrievability(fsrs_card, moment)


def plain_good(user_id, card, now) -> fsrs.Card:
    """What FSRS alone makes of a Good answer."""
    after, _ = scheduler(user_id).review_card(to_fsrs_card(card), fsrs.Rating.Good, now)
    return after


def ids(entries):
    return [entry.card.id for entry in entries]


@pytest.fixture
def cards(student, bank):
    """Review cards of the History bank (and one of Chemistry), no new cards."""
    set_settings(student.id, new_per_day=0)
    q = bank.questions
    chemistry = make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 2),), prefix="c")
    made = {
        # Due after the exam, below 0.95 on the day: one review on the eve.
        "timeline": review_card(
            student.id, q[0], stability=40, last_review=T0 - 25 * DAY, due=T0 + 15 * DAY
        ),
        "fifties": review_card(
            student.id, q[12], stability=30, last_review=T0 - 20 * DAY, due=T0 + 12 * DAY
        ),
        # Due after the exam but fresh enough on the day: left alone.
        "safe": review_card(
            student.id, q[1], stability=100, last_review=T0 - 20 * DAY, due=T0 + 80 * DAY
        ),
        # Due before the exam: the ordinary schedule takes care of it.
        "soon": review_card(student.id, q[25], stability=3, last_review=T0 - DAY, due=T0 + 2 * DAY),
        # Not in the bank.
        "chemistry": review_card(
            student.id,
            chemistry.questions[0],
            stability=40,
            last_review=T0 - 25 * DAY,
            due=T0 + 15 * DAY,
        ),
    }
    for name in ("timeline", "fifties", "chemistry"):
        assert made[name].due > EXAM_STARTS and predicted(student.id, made[name]) < 0.95, name
    assert predicted(student.id, made["safe"]) > 0.95
    assert made["soon"].due < EXAM_STARTS
    return made


def answer_soon(student, cards):
    """Review "soon" when due: its next due, after the exam, leaves it at 0.93 on the day."""
    soon = reload(cards["soon"])
    answer(student.id, soon, fsrs.Rating.Good, soon.due)
    assert reload(soon).due > EXAM_STARTS


def test_a_card_due_after_the_exam_and_below_target_comes_once_on_the_eve(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    answer_soon(student, cards)
    # Never earlier than the eve.
    for day in range(9):
        assert exam_candidates(db.session, student.id, T0 + day * DAY) == []
    entries = exam_candidates(db.session, student.id, ON_THE_EVE)
    expected = sorted((cards["timeline"], cards["fifties"]), key=lambda c: predicted(student.id, c))
    assert ids(entries) == [card.id for card in expected]
    assert [entry.reason for entry in entries] == ["exam", "exam"]
    assert entries[0].retrievability == pytest.approx(predicted(student.id, expected[0]))
    assert queue_counts(db.session, student.id, ON_THE_EVE).exam == 2

    for entry in entries:
        answer(student.id, entry.card, fsrs.Rating.Good, ON_THE_EVE)
        assert predicted(student.id, reload(entry.card)) >= 0.95
    # Once: not again that evening, and the exam day brings nothing.
    assert exam_candidates(db.session, student.id, ON_THE_EVE + timedelta(hours=10)) == []
    assert exam_candidates(db.session, student.id, EXAM_STARTS + timedelta(hours=1)) == []


def test_an_again_answer_on_the_eve_brings_the_card_back_to_relearn(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    answer_soon(student, cards)
    timeline = cards["timeline"]
    assert timeline.id in ids(exam_candidates(db.session, student.id, ON_THE_EVE))
    answer(student.id, timeline, fsrs.Rating.Again, ON_THE_EVE)
    later = ON_THE_EVE + timedelta(minutes=11)
    entry = next_card(db.session, student.id, later)
    assert (entry.reason, entry.card.id) == ("learning", timeline.id)
    answer(student.id, entry.card, fsrs.Rating.Good, later)
    assert timeline.id not in ids(exam_candidates(db.session, student.id, later))


def test_any_answer_on_the_eve_is_the_one_review(student, bank):
    """FSRS counts whole days: the morning after any answer, it predicts full recall."""
    set_settings(student.id, new_per_day=0)
    weak = review_card(
        student.id,
        bank.questions[3],
        stability=0.3,
        difficulty=10,
        last_review=ON_THE_EVE - 2 * DAY,
        due=EXAM_STARTS + 2 * DAY,
    )
    exam(student.id, bank_id=bank.id)
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [weak.id]
    answer(student.id, weak, fsrs.Rating.Hard, ON_THE_EVE)
    assert predicted(student.id, reload(weak)) == 1.0
    assert exam_candidates(db.session, student.id, ON_THE_EVE + timedelta(minutes=5)) == []


def test_a_card_due_before_the_exam_is_left_to_the_ordinary_schedule(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    soon = cards["soon"]
    due_at = reload(soon).due
    entry = next_card(db.session, student.id, due_at)
    assert (entry.reason, entry.card.id) == ("due", soon.id)
    assert soon.id not in ids(exam_candidates(db.session, student.id, ON_THE_EVE))


def test_an_answer_whose_next_due_would_miss_the_target_is_capped_to_the_eve(student, bank, cards):
    # "soon" is the Geography exam's only card in review, below the target after a Good.
    exam(student.id, topic_id=bank.topics["Geography"].id)
    soon = reload(cards["soon"])
    due_at = soon.due
    plain = plain_good(student.id, soon, due_at)
    assert plain.due > EXAM_STARTS and predicted(student.id, plain) < 0.95
    settings = get_settings(db.session, student.id)
    label = interval_previews(soon, settings, due_at)[fsrs.Rating.Good]
    answer(student.id, soon, fsrs.Rating.Good, due_at)
    soon = reload(soon)
    assert soon.due == EVE_STARTS
    assert soon.stability == pytest.approx(plain.stability)  # memory state as FSRS says
    assert label == f"{round((EVE_STARTS - due_at) / DAY)}d"
    # On the eve it is an ordinary due review; answered Good, FSRS's due stands.
    entry = next_card(db.session, student.id, ON_THE_EVE)
    assert (entry.reason, entry.card.id) == ("due", soon.id)
    plain = plain_good(student.id, soon, ON_THE_EVE)
    answer(student.id, soon, fsrs.Rating.Good, ON_THE_EVE)
    assert reload(soon).due == plain.due


def test_no_cap_when_the_target_is_met_or_the_card_is_out_of_scope(student, bank, cards):
    exam(student.id, topic_id=bank.topics["Timeline"].id)
    stable = review_card(student.id, bank.questions[4], stability=300, last_review=T0 - 300 * DAY)
    geography = cards["soon"]  # Geography is outside the Timeline exam
    for card in (stable, geography):
        due_at = reload(card).due
        plain = plain_good(student.id, card, due_at)
        answer(student.id, card, fsrs.Rating.Good, due_at)
        assert reload(card).due == plain.due


def test_no_cap_without_an_exam_or_after_it(student, bank, cards):
    soon = reload(cards["soon"])
    plain = plain_good(student.id, soon, soon.due)
    answer(student.id, soon, fsrs.Rating.Good, soon.due)
    assert reload(soon).due == plain.due
    exam(student.id, exam_on=TODAY + DAY, bank_id=bank.id)
    later = review_card(
        student.id, bank.questions[7], stability=6, last_review=T0 - DAY, due=T0 + 2 * DAY
    )
    plain = plain_good(student.id, later, later.due)
    answer(student.id, later, fsrs.Rating.Good, later.due)  # after that exam
    assert reload(later).due == plain.due


def test_a_topic_exam_covers_its_sub_topics_only(student, bank, cards):
    exam(student.id, topic_id=bank.topics["Timeline/1950s"].id)
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [cards["fifties"].id]


def test_a_higher_target_brings_more_cards(student, bank, cards):
    made = exam(student.id, bank_id=bank.id)
    assert made.target_retention == 0.95
    fresh = review_card(
        student.id, bank.questions[5], stability=100, last_review=T0 - 20 * DAY, due=T0 + 80 * DAY
    )
    assert 0.95 < predicted(student.id, fresh) < 0.97
    (before,) = exam_overview(db.session, student.id, T0)
    set_exam_target(db.session, student.id, made.id, 0.97)
    db.session.commit()
    (after,) = exam_overview(db.session, student.id, T0)
    # fresh and safe join the cards at risk; reaching 0.97 takes one review more.
    assert (before.at_risk, after.at_risk) == (3, 5)
    assert after.added > before.added
    assert after.predicted_mean >= 0.97 > before.predicted_mean


def test_the_target_must_be_above_desired_retention(student, bank):
    set_settings(student.id, desired_retention=0.92)
    for target in (0.92, 0.9, 1.0, "high", True):
        with pytest.raises(ExamError) as refused:
            set_exam_date(
                db.session,
                student.id,
                bank_id=bank.id,
                exam_on=EXAM_DAY,
                today=TODAY,
                target_retention=target,
            )
        assert refused.value.field == "target_retention"
    db.session.rollback()
    assert active_exam_dates(db.session, student.id, TODAY) == []
    made = exam(student.id, bank_id=bank.id)
    with pytest.raises(ExamError):
        set_exam_target(db.session, student.id, made.id, 0.91)
    db.session.rollback()
    assert reload_exam(made).target_retention == 0.95


def reload_exam(made):
    db.session.expire_all()
    return db.session.get(ExamDate, made.id)


def test_set_aside_cards_do_not_join(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    answer_soon(student, cards)
    suspend_card(db.session, student.id, cards["fifties"].id, T0)
    db.session.commit()
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [cards["timeline"].id]


def test_the_daily_review_limit_bounds_exam_cards(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    set_settings(student.id, new_per_day=0, max_reviews_per_day=1)
    first = next_card(db.session, student.id, ON_THE_EVE)
    assert first.reason in ("due", "exam")
    answer(student.id, first.card, fsrs.Rating.Good, ON_THE_EVE)
    assert next_card(db.session, student.id, ON_THE_EVE) is None
    assert queue_counts(db.session, student.id, ON_THE_EVE).exam == 0


def test_exam_reviews_come_before_new_cards_and_exam_new_cards_first(student, bank, cards):
    set_settings(student.id, new_per_day=5)
    chemistry = make_bank("Physics", topics=("Units",), layout=(("Units", 3),), prefix="p")
    add_to_reviews(db.session, student.id, bank_id=chemistry.id, now=T0)
    add_to_reviews(db.session, student.id, topic_id=bank.topics["Geography"].id, now=T0)
    db.session.commit()
    first_new = next_card(db.session, student.id, T0)
    assert first_new.card.question.bank_id == chemistry.id  # no exam: position order
    exam(student.id, topic_id=bank.topics["Geography"].id)
    first_new = next_card(db.session, student.id, T0)
    assert first_new.reason == "new"
    assert first_new.card.question.topic_id == bank.topics["Geography"].id
    exam(student.id, bank_id=bank.id)
    while (entry := next_card(db.session, student.id, ON_THE_EVE)).reason == "due":
        answer(student.id, entry.card, fsrs.Rating.Good, ON_THE_EVE)
    assert entry.reason == "exam"


def test_the_overview_counts_down_and_warns_when_new_cards_cannot_fit(student, bank, cards):
    set_settings(student.id, new_per_day=2)
    add_to_reviews(db.session, student.id, topic_id=bank.topics["Geography"].id, now=T0)
    db.session.commit()
    unseen = sum(1 for card in cards_of(student.id) if card.reps == 0)
    exam(student.id, bank_id=bank.id)
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.days_left == 10
    assert overview.unseen == unseen == 9
    # Ten study days to the eve at 2 a day fit 20 new cards: all 9 in time.
    assert overview.unseen_not_in_time == 0
    # timeline and fifties, and "soon": its next due after a Good answer misses the target.
    assert overview.at_risk == 3
    # Reviewing the two most at risk on the eve lifts the bank's mean to the target.
    assert overview.added_per_day == [(EVE, 2)]
    assert overview.predicted_mean >= 0.95
    set_settings(student.id, new_per_day=0)
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.unseen_not_in_time == 9
    (overview,) = exam_overview(db.session, student.id, EXAM_STARTS + timedelta(hours=1))
    assert (overview.days_left, overview.at_risk, overview.added_per_day) == (0, 0, [])


def test_set_exam_date_refusals(student, bank):
    with pytest.raises(ExamError):
        set_exam_date(db.session, student.id, bank_id=bank.id, exam_on=TODAY - DAY, today=TODAY)
    with pytest.raises(ExamError):
        set_exam_date(db.session, student.id, exam_on=EXAM_DAY, today=TODAY)
    other = make_bank("Chemistry", topics=("Elements",), layout=(("Elements", 1),), prefix="c")
    refused = [
        {"bank_id": 999_999},
        {"topic_id": 999_999},
        # A topic of another bank.
        {"bank_id": bank.id, "topic_id": other.topics["Elements"].id},
    ]
    for scope in refused:
        with pytest.raises(ExamError):
            set_exam_date(db.session, student.id, exam_on=EXAM_DAY, today=TODAY, **scope)
    with pytest.raises(ExamError):
        set_exam_date(
            db.session, student.id, bank_id=bank.id, exam_on=EXAM_DAY, today=TODAY, label="x" * 121
        )
    db.session.rollback()
    assert active_exam_dates(db.session, student.id, TODAY) == []
    # An exam today is fine.
    today_exam = exam(student.id, exam_on=TODAY, bank_id=bank.id, label="  Midterm  ")
    assert today_exam.label == "Midterm"
    assert active_exam_dates(db.session, student.id, TODAY) == [today_exam]


def test_active_exam_dates_and_delete(make_user, student, bank):
    later = exam(student.id, exam_on=EXAM_DAY, bank_id=bank.id)
    sooner = exam(student.id, exam_on=TODAY + DAY, topic_id=bank.topics["Geography"].id)
    other = make_user()
    theirs = exam(other.id, bank_id=bank.id)
    assert active_exam_dates(db.session, student.id, TODAY) == [sooner, later]
    assert active_exam_dates(db.session, student.id, TODAY + 2 * DAY) == [later]
    with pytest.raises(LookupError):
        delete_exam_date(db.session, student.id, theirs.id)
    delete_exam_date(db.session, student.id, sooner.id)
    db.session.commit()
    assert active_exam_dates(db.session, student.id, TODAY) == [later]
    assert active_exam_dates(db.session, other.id, TODAY) == [theirs]


def test_another_students_exam_does_not_bring_my_cards(make_user, student, bank, cards):
    other = make_user()
    exam(other.id, bank_id=bank.id)
    assert exam_candidates(db.session, student.id, ON_THE_EVE) == []
    assert exam_candidates(db.session, other.id, ON_THE_EVE) == []


def physics(student_id, stabilities):
    """A Physics bank with one review card per (stability, days since review, due in)."""
    made = make_bank(
        "Physics", topics=("Units",), layout=(("Units", len(stabilities)),), prefix="p"
    )
    return made, [
        review_card(
            student_id, question, stability=s, last_review=T0 - ago * DAY, due=T0 + due_in * DAY
        )
        for question, (s, ago, due_in) in zip(made.questions, stabilities, strict=True)
    ]


def test_no_review_is_added_when_the_scopes_mean_meets_the_target(student):
    set_settings(student.id, new_per_day=0)
    made, (shaky, *fresh) = physics(student.id, [(40, 10, 30), (300, 5, 290), (300, 5, 290)])
    assert 0.925 < predicted(student.id, shaky) < 0.95  # below target, not well below
    exam(student.id, bank_id=made.id)
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.at_risk == 1 and overview.added_per_day == []
    assert overview.predicted_mean >= 0.955
    assert exam_candidates(db.session, student.id, ON_THE_EVE) == []


def test_the_fewest_most_at_risk_cards_that_reach_the_target(student):
    set_settings(student.id, new_per_day=0)
    specs = [(30, 20, 12), (40, 25, 15), (40, 10, 30), (100, 20, 80)]
    made, made_cards = physics(student.id, specs)
    risk = [predicted(student.id, card) for card in made_cards]
    assert sorted(risk) == risk and risk[0] < 0.925 and risk[2] < 0.95 < risk[3]
    exam(student.id, bank_id=made.id)
    (overview,) = exam_overview(db.session, student.id, T0)
    # Two reviews lift the mean above 0.955; the third card at risk is left alone.
    assert overview.at_risk == 3 and overview.added_per_day == [(EVE, 2)]
    assert sum(risk) / 4 < 0.95 <= overview.predicted_mean
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [
        made_cards[0].id,
        made_cards[1].id,
    ]


def test_cards_well_below_the_target_get_a_review_within_a_budget(student):
    set_settings(student.id, new_per_day=0)
    # One weak card; the rest keep the mean above the target. Four ordinary reviews (the
    # cards due on the eve's eve) allow one extra: 30 % of 4.
    specs = [(30, 20, 12), (300, 5, 290), (300, 5, 290)] + [(8, 0, 8)] * 4
    made, (weak, *others) = physics(student.id, specs)
    assert predicted(student.id, weak) < 0.925
    exam(student.id, bank_id=made.id)
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.added_per_day == [(EVE, 1)]
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [weak.id]
    # Without the ordinary reviews there is no budget for it.
    for card in others[2:]:
        suspend_card(db.session, student.id, card.id, T0)
    db.session.commit()
    (overview,) = exam_overview(db.session, student.id, T0)
    assert overview.predicted_mean >= 0.955 and overview.added_per_day == []


def test_exam_reviews_spread_over_the_last_days_when_the_eve_is_full(student, bank, cards):
    exam(student.id, bank_id=bank.id)
    answer_soon(student, cards)
    set_settings(student.id, new_per_day=0, max_reviews_per_day=1)
    (overview,) = exam_overview(db.session, student.id, T0 + 3 * DAY)
    # The most at risk takes the eve; the other goes a day earlier, still at the target.
    assert overview.added_per_day == [(EVE - DAY, 1), (EVE, 1)]
    day_before = ON_THE_EVE - DAY
    assert exam_candidates(db.session, student.id, day_before - DAY) == []
    (entry,) = exam_candidates(db.session, student.id, day_before)
    assert entry.card.id == cards["timeline"].id
    answer(student.id, entry.card, fsrs.Rating.Good, day_before)
    assert predicted(student.id, reload(entry.card)) >= 0.95
    assert ids(exam_candidates(db.session, student.id, ON_THE_EVE)) == [cards["fifties"].id]
