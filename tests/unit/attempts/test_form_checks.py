"""Forms that give one position or one answer twice are refused with a message."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from app.attempts import answer_problem
from tests.samples import sample


def test_ordering_positions_given_twice_are_named() -> None:
    content = sample("ordering")
    message = answer_problem(
        "ordering", content, MultiDict({"position-0": "1", "position-1": "1", "position-2": "3"})
    )
    assert message == (
        "Position 1 is given to more than one item: give each item its own position."
    )
    fine = MultiDict({"position-0": "2", "position-1": "1", "position-2": "3"})
    assert answer_problem("ordering", content, fine) is None


def test_matching_answer_chosen_twice_is_named() -> None:
    content = sample("matching")
    message = answer_problem("matching", content, MultiDict({"match-0": "1", "match-1": "1"}))
    assert message == "“1956” is chosen for more than one item: each answer can be used once."
    assert answer_problem("matching", content, {"match-0": "1", "match-1": "0"}) is None
    # A blank choice is not a duplicate; other kinds are never checked.
    assert answer_problem("matching", content, {"match-0": "", "match-1": ""}) is None
    assert answer_problem("multiple_choice", sample("multiple_choice"), {"choice": "0"}) is None
