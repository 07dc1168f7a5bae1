"""The time an attempt took: from its start to its finish, or to its deadline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from app.attempts.quizzes import format_seconds, time_taken, time_taken_seconds

START = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def attempt(state, finished=None, deadline=None):
    return SimpleNamespace(state=state, started_at=START, finished_at=finished, deadline=deadline)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (40, "40 s"), (725, "12 min 5 s"), (720, "12 min"), (3725, "1 h 2 min 5 s")],
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


def test_a_submitted_attempt_took_from_start_to_finish():
    done = attempt("finished", START + timedelta(minutes=12, seconds=5, microseconds=900))
    assert time_taken_seconds(done) == 725
    assert time_taken(done) == "12 min 5 s"


@pytest.mark.parametrize("state", ["inprogress", "overdue"])
def test_an_open_attempt_is_in_progress(state):
    assert time_taken_seconds(attempt(state, deadline=START)) is None
    assert time_taken(attempt(state)) == "in progress"


def test_one_not_counted_took_up_to_its_deadline_not_to_when_it_was_read():
    late = attempt(
        "abandoned", finished=START + timedelta(days=2), deadline=START + timedelta(minutes=30)
    )
    assert time_taken(late) == "30 min"
    early = attempt("abandoned", finished=START + timedelta(minutes=5))  # no deadline
    assert time_taken(early) == "5 min"
