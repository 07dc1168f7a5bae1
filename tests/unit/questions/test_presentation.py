from __future__ import annotations

import random
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from app.questions import Choice, ValidationError, grade, parse_response, present

MULTIPLE_CHOICE = {
    "prompt": "When was the *Secret Speech*?",
    "options": [
        {"text": "1953", "correct": False},
        {"text": "**1956**", "correct": True},
        {"text": "1961", "correct": False},
        {"text": "1964", "correct": False},
    ],
}
CLOZE = {
    "prompt": "Fill in the gaps.",
    "text": "In {{1}} *Khrushchev* gave a {{2}} speech to the {{3}} Congress.",
    "gaps": [
        {"answers": ["1956"]},
        {"options": ["public", "secret", "televised"], "correct": 1},
        {"options": ["Nineteenth", "Twentieth"], "correct": 1},
    ],
}
MATCHING = {
    "prompt": "Match.",
    "pairs": [
        {"left": "Stalin dies", "right": "1953"},
        {"left": "Secret Speech", "right": "1956"},
        {"left": "Khrushchev ousted", "right": "1964"},
    ],
    "distractors": ["1968", "1971"],
}
ORDERING = {"prompt": "Put in order.", "items": ["1953", "1956", "1961", "1964"]}


def test_prompt_is_rendered_markdown() -> None:
    shown = present("multiple_choice", MULTIPLE_CHOICE, rng=random.Random(0))
    assert shown.kind == "multiple_choice"
    assert shown.prompt_html == "<p>When was the <em>Secret Speech</em>?</p>"


def test_options_keep_their_original_index() -> None:
    shown = present("multiple_choice", MULTIPLE_CHOICE, rng=random.Random(0))
    assert sorted(choice.index for choice in shown.options) == [0, 1, 2, 3]
    by_index = {choice.index: choice.html for choice in shown.options}
    assert by_index[1] == "<strong>1956</strong>"
    assert shown.order == {"options": [choice.index for choice in shown.options]}


def test_options_are_shuffled() -> None:
    orders = {
        tuple(present("multiple_choice", MULTIPLE_CHOICE, rng=random.Random(seed)).order["options"])
        for seed in range(30)
    }
    assert len(orders) > 5


def test_pin_order_keeps_the_written_order() -> None:
    content = dict(MULTIPLE_CHOICE, pin_order=True)
    for seed in range(10):
        shown = present("multiple_choice", content, rng=random.Random(seed))
        assert [choice.index for choice in shown.options] == [0, 1, 2, 3]
    stored = present("multiple_choice", content, order={"options": [3, 2, 1, 0]})
    assert stored.order == {"options": [0, 1, 2, 3]}


def test_multiple_response_is_shuffled_too() -> None:
    content = {"prompt": "x", "options": [{"text": t, "correct": True} for t in "abcdef"]}
    shown = present("multiple_response", content, rng=random.Random(1))
    assert shown.order["options"] != [0, 1, 2, 3, 4, 5]
    assert [c.index for c in shown.options] == shown.order["options"]


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("multiple_choice", MULTIPLE_CHOICE),
        ("cloze", CLOZE),
        ("matching", MATCHING),
        ("ordering", ORDERING),
    ],
)
def test_stored_order_reproduces_the_presentation(kind: str, content: dict[str, Any]) -> None:
    for seed in range(10):
        first = present(kind, content, rng=random.Random(seed))
        again = present(kind, content, order=first.order, rng=random.Random(seed + 100))
        assert again == first


@pytest.mark.parametrize(
    "stale",
    [
        {"options": [0, 1, 2]},
        {"options": [0, 1, 2, 2]},
        {"options": [0, 1, 2, 4]},
        {"options": ["0", "1", "2", "3"]},
        {"options": [True, False, 2, 3]},
        {"options": "0123"},
        {"options": None},
        {"other": [3, 2, 1, 0]},
    ],
)
def test_stale_order_is_replaced_by_a_fresh_shuffle(stale: dict[str, Any]) -> None:
    fresh = present("multiple_choice", MULTIPLE_CHOICE, rng=random.Random(7))
    shown = present("multiple_choice", MULTIPLE_CHOICE, order=stale, rng=random.Random(7))
    assert shown == fresh


def test_an_order_that_is_not_a_mapping_is_ignored() -> None:
    shown = present("multiple_choice", MULTIPLE_CHOICE, order=[1, 2], rng=random.Random(7))  # type: ignore[arg-type]
    assert shown == present("multiple_choice", MULTIPLE_CHOICE, rng=random.Random(7))


def test_stored_order_is_used() -> None:
    shown = present("multiple_choice", MULTIPLE_CHOICE, order={"options": [2, 0, 3, 1]})
    assert [choice.index for choice in shown.options] == [2, 0, 3, 1]


def test_present_without_rng() -> None:
    shown = present("ordering", ORDERING)
    assert sorted(choice.index for choice in shown.items) == [0, 1, 2, 3]


def test_unknown_type() -> None:
    with pytest.raises(ValidationError) as caught:
        present("dropdown", {})
    assert caught.value.field == "type"


def test_true_false_is_fixed() -> None:
    shown = present("true_false", {"prompt": "x", "answer": False}, rng=random.Random(3))
    assert shown.options == [Choice(1, "True"), Choice(0, "False")]
    assert shown.order == {}


def test_flashcard_and_essay() -> None:
    card = present("flashcard", {"prompt": "Who?", "back": "**Khrushchev**"})
    assert card.back_html == "<p><strong>Khrushchev</strong></p>"
    essay = present("essay", {"prompt": "Why?", "model_answer": "Because.", "rubric": "- one"})
    assert essay.model_answer_html == "<p>Because.</p>"
    assert essay.rubric_html == "<ul>\n<li>one</li>\n</ul>"
    assert essay.order == {}


@pytest.mark.parametrize("kind", ["short_answer", "numerical"])
def test_text_entry_types_show_only_the_prompt(kind: str) -> None:
    content = {
        "prompt": "Year?",
        "answers": [{"text": "1956"} if kind == "short_answer" else {"value": 1956}],
    }
    shown = present(kind, content)
    assert (shown.prompt_html, shown.options, shown.order) == ("<p>Year?</p>", [], {})


def test_cloze_segments() -> None:
    shown = present("cloze", CLOZE, order={"gap-2": [2, 0, 1], "gap-3": [1, 0]})
    assert shown.segments == [
        ("text", "In "),
        ("gap", 1, None),
        ("text", " <em>Khrushchev</em> gave a "),
        ("gap", 2, [Choice(2, "televised"), Choice(0, "public"), Choice(1, "secret")]),
        ("text", " speech to the "),
        ("gap", 3, [Choice(1, "Twentieth"), Choice(0, "Nineteenth")]),
        ("text", " Congress."),
    ]
    assert shown.order == {"gap-2": [2, 0, 1], "gap-3": [1, 0]}


def test_cloze_gap_at_the_start_and_end() -> None:
    content = {
        "prompt": "x",
        "text": "{{1}} and {{2}}",
        "gaps": [{"answers": ["a"]}, {"answers": ["b"]}],
    }
    shown = present("cloze", content)
    assert shown.segments == [("gap", 1, None), ("text", " and "), ("gap", 2, None)]
    assert shown.order == {}


def test_matching_lefts_and_rights() -> None:
    shown = present("matching", MATCHING, order={"rights": [4, 2, 0, 3, 1]})
    assert shown.lefts == [
        Choice(0, "Stalin dies"),
        Choice(1, "Secret Speech"),
        Choice(2, "Khrushchev ousted"),
    ]
    assert shown.rights == [
        Choice(4, "1971"),
        Choice(2, "1964"),
        Choice(0, "1953"),
        Choice(3, "1968"),
        Choice(1, "1956"),
    ]


def test_ordering_is_never_shown_in_the_right_order() -> None:
    two = {"prompt": "x", "items": ["first", "second"]}
    for seed in range(50):
        assert present("ordering", two, rng=random.Random(seed)).order["items"] == [1, 0]
        shown = present("ordering", ORDERING, rng=random.Random(seed))
        assert shown.order["items"] != [0, 1, 2, 3]
        assert [choice.index for choice in shown.items] == shown.order["items"]


def test_ordering_refuses_a_stored_correct_order() -> None:
    shown = present("ordering", ORDERING, order={"items": [0, 1, 2, 3]}, rng=random.Random(1))
    assert shown.order["items"] != [0, 1, 2, 3]
    kept = present("ordering", ORDERING, order={"items": [3, 1, 2, 0]})
    assert kept.order == {"items": [3, 1, 2, 0]}


# -- reading forms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "response"),
    [
        ({"choice": "2"}, {"choice": 2}),
        ({"choice": " 1 "}, {"choice": 1}),
        ({"choice": "x"}, {}),
        ({}, {}),
        ({"choice": ["3", "1"]}, {"choice": 3}),
    ],
)
def test_parse_multiple_choice(form: dict[str, Any], response: dict[str, Any]) -> None:
    assert parse_response("multiple_choice", MULTIPLE_CHOICE, form) == response


def test_parse_multiple_response_from_a_list_or_repeated_fields() -> None:
    content = {"prompt": "x", "options": [{"text": t, "correct": True} for t in "abcd"]}
    assert parse_response("multiple_response", content, {"choices": ["3", "1", "x", "1"]}) == {
        "choices": [1, 3]
    }
    repeated = MultiDict([("choices", "2"), ("choices", "0")])
    assert parse_response("multiple_response", content, repeated) == {"choices": [0, 2]}
    assert parse_response("multiple_response", content, {"choices": "2"}) == {"choices": [2]}
    assert parse_response("multiple_response", content, {}) == {"choices": []}


@pytest.mark.parametrize(
    ("value", "response"),
    [
        ("true", {"answer": True}),
        ("False", {"answer": False}),
        ("1", {"answer": True}),
        ("0", {"answer": False}),
        ("maybe", {}),
        (None, {}),
    ],
)
def test_parse_true_false(value: str | None, response: dict[str, Any]) -> None:
    form = {} if value is None else {"answer": value}
    assert parse_response("true_false", {"prompt": "x", "answer": True}, form) == response


def test_parse_text_and_value() -> None:
    short = {"prompt": "x", "answers": [{"text": "a"}]}
    assert parse_response("short_answer", short, {"text": " Khrushchev "}) == {
        "text": " Khrushchev "
    }
    assert parse_response("short_answer", short, {}) == {}
    numerical = {"prompt": "x", "answers": [{"value": 1}]}
    assert parse_response("numerical", numerical, {"value": "1,956"}) == {"value": "1,956"}
    assert parse_response("numerical", numerical, {"value": 5}) == {}


def test_parse_cloze() -> None:
    form = {"gap-1": "1956", "gap-3": "1", "gap-4": "ignored"}
    assert parse_response("cloze", CLOZE, form) == {"gaps": ["1956", "", "1"]}


def test_parse_matching() -> None:
    form = {"match-0": "2", "match-1": "x", "match-2": "0", "match-9": "1"}
    assert parse_response("matching", MATCHING, form) == {"pairs": {"0": 2, "2": 0}}


def test_parse_ordering_sorts_items_by_position() -> None:
    form = {"position-0": "2", "position-1": "4", "position-2": "1", "position-3": "3"}
    assert parse_response("ordering", ORDERING, form) == {"order": [2, 0, 3, 1]}


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"position-0": "1", "position-1": "2", "position-2": "3"},
        {"position-0": "1", "position-1": "1", "position-2": "1", "position-3": "1"},
        {"position-0": "1", "position-1": "2", "position-2": "x", "position-3": "4"},
    ],
)
def test_parse_ordering_incomplete_or_tied_positions_score_zero(form: dict[str, str]) -> None:
    response = parse_response("ordering", ORDERING, form)
    assert response == {"order": []}
    assert grade("ordering", ORDERING, response).fraction == 0.0


def test_parse_self_graded() -> None:
    card = {"prompt": "x", "back": "y"}
    assert parse_response("flashcard", card, {"self_score": "0.5"}) == {"self_score": 0.5}
    assert parse_response("flashcard", card, {"self_score": "7"}) == {"self_score": 1.0}
    assert parse_response("flashcard", card, {"self_score": "nan"}) == {}
    assert parse_response("flashcard", card, {}) == {}
    essay = {"prompt": "x", "model_answer": "y"}
    assert parse_response("essay", essay, {"text": "My essay", "self_score": "1"}) == {
        "text": "My essay",
        "self_score": 1.0,
    }


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("multiple_choice", MULTIPLE_CHOICE),
        (
            "multiple_response",
            {"prompt": "x", "options": [{"text": "a", "correct": True}, {"text": "b"}]},
        ),
        ("true_false", {"prompt": "x", "answer": False}),
        ("short_answer", {"prompt": "x", "answers": [{"text": "a"}]}),
        ("numerical", {"prompt": "x", "answers": [{"value": 0}]}),
        ("cloze", CLOZE),
        ("matching", MATCHING),
        ("ordering", ORDERING),
        ("flashcard", {"prompt": "x", "back": "y"}),
        ("essay", {"prompt": "x", "model_answer": "y"}),
    ],
)
def test_an_empty_form_grades_zero(kind: str, content: dict[str, Any]) -> None:
    assert grade(kind, content, parse_response(kind, content, {})).fraction == 0.0
    assert grade(kind, content, parse_response(kind, content, MultiDict())).fraction == 0.0


def test_a_submitted_form_grades_through_the_presented_order() -> None:
    shown = present("matching", MATCHING, rng=random.Random(5))
    html_to_index = {choice.html: choice.index for choice in shown.rights}
    form = {
        f"match-{left.index}": str(html_to_index[pair["right"]])
        for left, pair in zip(shown.lefts, MATCHING["pairs"], strict=True)
    }
    assert grade("matching", MATCHING, parse_response("matching", MATCHING, form)).fraction == 1.0
