"""The shared samples are what tests take them for: valid, one per kind, right and wrong."""

from __future__ import annotations

import random

import pytest

from app.questions import QUESTION_TYPES, grade, present, validate_content
from tests.samples import CORRECT, SAMPLES, WRONG, sample


def test_there_is_one_sample_and_two_responses_for_every_kind():
    assert list(SAMPLES) == list(QUESTION_TYPES)
    assert list(CORRECT) == list(QUESTION_TYPES)
    assert list(WRONG) == list(QUESTION_TYPES)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_each_sample_is_valid_and_can_be_shown(kind):
    assert validate_content(kind, SAMPLES[kind])["prompt"] == SAMPLES[kind]["prompt"]
    assert present(kind, SAMPLES[kind], rng=random.Random(0)).kind == kind


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_the_correct_response_earns_full_credit(kind):
    result = grade(kind, SAMPLES[kind], CORRECT[kind])
    assert (result.fraction, result.correct) == (1.0, True)


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_the_wrong_response_earns_nothing(kind):
    result = grade(kind, SAMPLES[kind], WRONG[kind])
    assert (result.fraction, result.correct) == (0.0, False)


def test_sample_gives_a_copy_that_can_be_changed():
    content = sample("multiple_choice")
    content["options"][0]["text"] = "Changed"
    content["prompt"] = "Changed"
    assert SAMPLES["multiple_choice"]["options"][0]["text"] == "Khrushchev"
    assert SAMPLES["multiple_choice"]["prompt"] == "Who gave the *Secret Speech*?"
    with pytest.raises(TypeError):
        SAMPLES["essay"] = {}  # type: ignore[index]
