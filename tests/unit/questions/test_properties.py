from __future__ import annotations

import random
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.questions import Presentation, grade, parse_response, present, render_inline
from tests.samples import SAMPLES

WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789", min_size=1, max_size=8)
SEEDS = st.integers(min_value=0, max_value=2**32)

# Anything a broken client or an old stored attempt might hand the grader.
JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 12) | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=12,
)


def unique_words(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(WORDS, min_size=min_size, max_size=max_size, unique_by=str.casefold)


@st.composite
def multiple_response(draw: st.DrawFn) -> dict[str, Any]:
    texts = draw(unique_words(2, 6))
    flags = draw(st.lists(st.booleans(), min_size=len(texts), max_size=len(texts)))
    flags[draw(st.integers(0, len(texts) - 1))] = True
    options = [{"text": t, "correct": f} for t, f in zip(texts, flags, strict=True)]
    return {"prompt": "Pick", "options": options}


@st.composite
def multiple_choice(draw: st.DrawFn) -> dict[str, Any]:
    texts = draw(unique_words(2, 6))
    correct = draw(st.integers(0, len(texts) - 1))
    options = [{"text": t, "correct": i == correct} for i, t in enumerate(texts)]
    return {"prompt": "Pick", "options": options}


@st.composite
def matching(draw: st.DrawFn) -> dict[str, Any]:
    lefts = draw(unique_words(2, 5))
    rights = draw(st.lists(WORDS, min_size=len(lefts), max_size=len(lefts)))
    distractors = draw(unique_words(0, 3).map(lambda ws: [w for w in ws if w not in rights]))
    pairs = [{"left": left, "right": right} for left, right in zip(lefts, rights, strict=True)]
    return {"prompt": "Match", "pairs": pairs, "distractors": distractors}


@st.composite
def ordering(draw: st.DrawFn) -> dict[str, Any]:
    return {"prompt": "Order", "items": draw(unique_words(2, 6))}


@st.composite
def cloze(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(1, 4))
    gaps: list[dict[str, Any]] = []
    for _ in range(count):
        if draw(st.booleans()):
            gaps.append({"answers": draw(unique_words(1, 3))})
        else:
            options = draw(unique_words(2, 4))
            gaps.append({"options": options, "correct": draw(st.integers(0, len(options) - 1))})
    numbers = draw(st.permutations(range(1, count + 1)))
    fillers = draw(st.lists(WORDS, min_size=count + 1, max_size=count + 1))
    text = fillers[0] + "".join(
        f" {{{{{n}}}}} {word}" for n, word in zip(numbers, fillers[1:], strict=True)
    )
    return {"prompt": "Fill", "text": text, "gaps": gaps}


PARTIAL_CREDIT = {
    "multiple_response": (multiple_response(), "choices"),
    "matching": (matching(), "pairs"),
    "ordering": (ordering(), "order"),
    "cloze": (cloze(), "gaps"),
}


@given(st.sampled_from(sorted(PARTIAL_CREDIT)), st.data())
def test_partial_credit_stays_between_zero_and_one(kind: str, data: st.DataObject) -> None:
    strategy, key = PARTIAL_CREDIT[kind]
    content = data.draw(strategy)
    well_formed = {
        "choices": st.lists(st.integers(-1, 7)),
        "pairs": st.dictionaries(st.integers(-1, 6).map(str), st.integers(-1, 9)),
        "order": st.permutations(range(len(content.get("items", [])))).map(list),
        "gaps": st.lists(st.text(max_size=4) | st.integers(-1, 4).map(str), max_size=5),
    }[key]
    response = data.draw(
        st.fixed_dictionaries({key: well_formed}) | st.dictionaries(st.just(key) | WORDS, JUNK)
    )
    result = grade(kind, content, response)
    assert 0.0 <= result.fraction <= 1.0
    assert result.correct == (result.fraction >= 0.999)
    assert all(0.0 <= part.fraction <= 1.0 for part in result.feedback)


# -- answering through whatever order was shown ------------------------------------------------


def pick(choices: list[Any], text: str) -> str:
    """The form value a student sends by clicking the choice that reads `text`."""
    html = render_inline(text)
    return str(next(choice.index for choice in choices if choice.html == html))


def answer_through(
    kind: str, content: dict[str, Any], shown: Presentation, intent: Any
) -> dict[str, Any]:
    form: dict[str, Any]
    if kind == "multiple_choice":
        form = {"choice": pick(shown.options, intent)}
    elif kind == "multiple_response":
        form = {"choices": [pick(shown.options, text) for text in intent]}
    elif kind == "matching":
        form = {
            f"match-{left.index}": pick(shown.rights, intent[left.index]) for left in shown.lefts
        }
    elif kind == "ordering":
        form = {
            f"position-{item.index}": str(intent.index(content["items"][item.index]) + 1)
            for item in shown.items
        }
    else:
        gap_choices = {seg[1]: seg[2] for seg in shown.segments if seg[0] == "gap"}
        form = {}
        for number, value in enumerate(intent, start=1):
            choices = gap_choices[number]
            form[f"gap-{number}"] = value if choices is None else pick(choices, value)
    return parse_response(kind, content, form)


@st.composite
def intent_for(draw: st.DrawFn, kind: str, content: dict[str, Any]) -> Any:
    """What the student means to answer, in terms of texts, never positions."""
    if kind == "multiple_choice":
        return draw(st.sampled_from([o["text"] for o in content["options"]]))
    if kind == "multiple_response":
        return draw(st.lists(st.sampled_from([o["text"] for o in content["options"]]), unique=True))
    if kind == "matching":
        rights = [p["right"] for p in content["pairs"]] + content["distractors"]
        return [draw(st.sampled_from(rights)) for _ in content["pairs"]]
    if kind == "ordering":
        return draw(st.permutations(content["items"]))
    return [
        draw(st.sampled_from(gap["options"]))
        if "options" in gap
        else draw(st.sampled_from([*gap["answers"], "wrong"]))
        for gap in content["gaps"]
    ]


SHUFFLED = {
    "multiple_choice": multiple_choice(),
    "multiple_response": multiple_response(),
    "matching": matching(),
    "ordering": ordering(),
    "cloze": cloze(),
}


@given(st.sampled_from(sorted(SHUFFLED)), st.data(), SEEDS, SEEDS)
def test_grade_does_not_depend_on_the_shuffle(
    kind: str, data: st.DataObject, first_seed: int, second_seed: int
) -> None:
    content = data.draw(SHUFFLED[kind])
    intent = data.draw(intent_for(kind, content))
    first = present(kind, content, rng=random.Random(first_seed))
    second = present(kind, content, rng=random.Random(second_seed))
    first_grade = grade(kind, content, answer_through(kind, content, first, intent))
    second_grade = grade(kind, content, answer_through(kind, content, second, intent))
    assert first_grade == second_grade


@given(st.sampled_from(sorted(SHUFFLED)), st.data(), SEEDS, SEEDS)
def test_a_stored_order_reloads_the_same_presentation(
    kind: str, data: st.DataObject, seed: int, other_seed: int
) -> None:
    content = data.draw(SHUFFLED[kind])
    shown = present(kind, content, rng=random.Random(seed))
    assert present(kind, content, order=shown.order, rng=random.Random(other_seed)) == shown


@given(ordering(), SEEDS)
def test_ordering_is_never_presented_solved(content: dict[str, Any], seed: int) -> None:
    shown = present("ordering", content, rng=random.Random(seed))
    assert [item.index for item in shown.items] != list(range(len(content["items"])))


# -- the right answer always earns full credit -------------------------------------------------


@st.composite
def short_answer(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    answers = [
        {"text": text, "credit": draw(st.sampled_from([0.0, 0.5, 1.0]))}
        for text in draw(unique_words(1, 4))
    ]
    answers[-1]["credit"] = 1.0
    typed = draw(st.sampled_from([str.upper, str.lower, lambda t: f"  {t}!  "]))(
        answers[-1]["text"]
    )
    return {"prompt": "Who?", "answers": answers}, {"text": typed}


@st.composite
def numerical(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    number = st.integers(-(10**6), 10**6) | st.floats(-1e6, 1e6, allow_nan=False)
    if draw(st.booleans()):
        value = draw(number)
        tolerance = draw(st.floats(0, 100))
        response = value + draw(st.floats(-1, 1)) * tolerance
        answer = {"value": value, "tolerance": tolerance}
    else:
        low, high = sorted([draw(number), draw(number)])
        response = draw(st.floats(low, high))
        answer = {"min": low, "max": high}
    return {"prompt": "How many?", "answers": [answer]}, {"value": repr(float(response))}


def correct_response(kind: str, content: dict[str, Any]) -> dict[str, Any]:
    if kind == "multiple_choice":
        return {"choice": next(i for i, o in enumerate(content["options"]) if o["correct"])}
    if kind == "multiple_response":
        return {"choices": [i for i, o in enumerate(content["options"]) if o["correct"]]}
    if kind == "matching":
        return {"pairs": {str(i): i for i in range(len(content["pairs"]))}}
    if kind == "ordering":
        return {"order": list(range(len(content["items"])))}
    return {
        "gaps": [
            gap["answers"][-1] if "answers" in gap else str(gap["correct"])
            for gap in content["gaps"]
        ]
    }


@given(st.sampled_from(sorted(SHUFFLED)), st.data())
def test_the_right_answer_scores_one(kind: str, data: st.DataObject) -> None:
    content = data.draw(SHUFFLED[kind])
    result = grade(kind, content, correct_response(kind, content))
    assert (result.fraction, result.correct) == (1.0, True)


@given(st.sampled_from(sorted(SHUFFLED)), st.data(), SEEDS)
def test_the_right_answer_through_the_form_scores_one(
    kind: str, data: st.DataObject, seed: int
) -> None:
    content = data.draw(SHUFFLED[kind])
    intent: Any
    if kind == "multiple_choice":
        intent = next(o["text"] for o in content["options"] if o["correct"])
    elif kind == "multiple_response":
        intent = [o["text"] for o in content["options"] if o["correct"]]
    elif kind == "matching":
        intent = [p["right"] for p in content["pairs"]]
    elif kind == "ordering":
        intent = content["items"]
    else:
        intent = [
            g["answers"][0] if "answers" in g else g["options"][g["correct"]]
            for g in content["gaps"]
        ]
    shown = present(kind, content, rng=random.Random(seed))
    assert grade(kind, content, answer_through(kind, content, shown, intent)).fraction == 1.0


@given(short_answer())
def test_short_answer_right_answer_scores_one(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    content, response = case
    assert grade("short_answer", content, response).fraction == 1.0


@given(numerical())
def test_numerical_right_answer_scores_one(case: tuple[dict[str, Any], dict[str, Any]]) -> None:
    content, response = case
    assert grade("numerical", content, response).fraction == 1.0


@given(st.booleans())
def test_true_false_right_answer_scores_one(answer: bool) -> None:
    content = {"prompt": "Is it?", "answer": answer}
    assert grade("true_false", content, {"answer": answer}).fraction == 1.0
    assert (
        grade(
            "true_false",
            content,
            parse_response("true_false", content, {"answer": "true" if answer else "false"}),
        ).fraction
        == 1.0
    )


@given(WORDS, st.floats(0.999, 5))
def test_self_graded_full_score_scores_one(text: str, score: float) -> None:
    assert grade("flashcard", {"prompt": "Q", "back": text}, {"self_score": score}).correct
    essay = {"prompt": "Q", "model_answer": text}
    assert grade("essay", essay, {"text": text, "self_score": score}).correct


@given(
    st.sampled_from(list(SAMPLES)),
    st.dictionaries(st.text(max_size=10), st.text(max_size=5) | st.lists(st.text(max_size=3))),
)
def test_any_form_parses_and_grades_within_bounds(kind: str, form: dict[str, Any]) -> None:
    content = SAMPLES[kind]
    assert 0.0 <= grade(kind, content, parse_response(kind, content, form)).fraction <= 1.0
