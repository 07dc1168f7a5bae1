"""One valid question of every kind, with a response that is right and one that is wrong.

The samples use every optional field a kind has (feedback, partial credit, distractors,
option gaps, a unit, a rubric), so a form that round-trips them round-trips everything.
Multiple choice leaves `pin_order` out: options shuffle, as they do by default.

Treat these as read-only; `sample(kind)` gives a copy a test may change. A test whose
assertions depend on particular content keeps that content next to it instead.
"""

from __future__ import annotations

import copy
from types import MappingProxyType
from typing import Any

Content = dict[str, Any]

SAMPLES: MappingProxyType[str, Content] = MappingProxyType(
    {
        "flashcard": {"prompt": "Secret Speech", "back": "Khrushchev, 25 February 1956"},
        "multiple_choice": {
            "prompt": "Who gave the *Secret Speech*?",
            "options": [
                {"text": "Khrushchev", "correct": True, "feedback": "Yes, in 1956."},
                {"text": "Malenkov"},
                {"text": "Molotov"},
            ],
        },
        "multiple_response": {
            "prompt": "Who sat in the Presidium in 1956?",
            "options": [
                {"text": "Khrushchev", "correct": True},
                {"text": "Molotov", "correct": True, "feedback": "Until 1957."},
                {"text": "Trotsky", "correct": False},
            ],
        },
        "true_false": {
            "prompt": "The speech was given in public.",
            "answer": False,
            "feedback_true": "It was a closed session.",
        },
        "short_answer": {
            "prompt": "Who gave the speech?",
            "answers": [
                {"text": "Khrushchev", "credit": 1},
                {"text": "Nikita", "credit": 0.5, "feedback": "His surname?"},
            ],
        },
        "numerical": {
            "prompt": "In which year?",
            "answers": [{"value": 1956}, {"min": 1955, "max": 1957, "credit": 0.5}],
            "unit": "AD",
        },
        "cloze": {
            "prompt": "Fill in the gaps.",
            "text": "The {{1}} Congress met in {{2}}.",
            "gaps": [
                {"answers": ["Twentieth", "20th"]},
                {"options": ["1953", "1956", "1964"], "correct": 1},
            ],
        },
        "matching": {
            "prompt": "Match each event to its year.",
            "pairs": [
                {"left": "Stalin dies", "right": "1953"},
                {"left": "Secret Speech", "right": "1956"},
            ],
            "distractors": ["1961"],
        },
        "ordering": {
            "prompt": "Put these in order.",
            "items": ["Stalin dies", "Secret Speech", "Hungarian uprising"],
        },
        "essay": {
            "prompt": "Why did Khrushchev give the speech?",
            "model_answer": "To distance the party from Stalin's terror.",
            "rubric": "Names at least two motives.",
        },
    }
)

# Responses in the shape `grade` takes (seed_data/README.md, "answered with"): indices
# refer to the order written in the content, never to a shuffle.
CORRECT: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "flashcard": {"self_score": 1.0},
        "multiple_choice": {"choice": 0},
        "multiple_response": {"choices": [0, 1]},
        "true_false": {"answer": False},
        "short_answer": {"text": "Khrushchev"},
        "numerical": {"value": "1956"},
        "cloze": {"gaps": ["Twentieth", "1"]},
        "matching": {"pairs": {"0": 0, "1": 1}},
        "ordering": {"order": [0, 1, 2]},
        "essay": {"text": "He wanted to break with the terror.", "self_score": 1.0},
    }
)

# Responses that earn nothing: no partial credit either.
WRONG: MappingProxyType[str, dict[str, Any]] = MappingProxyType(
    {
        "flashcard": {"self_score": 0.0},
        "multiple_choice": {"choice": 1},
        "multiple_response": {"choices": [2]},
        "true_false": {"answer": True},
        "short_answer": {"text": "Stalin"},
        "numerical": {"value": "1917"},
        "cloze": {"gaps": ["Nineteenth", "0"]},
        "matching": {"pairs": {"0": 1, "1": 0}},
        "ordering": {"order": [2, 1, 0]},
        "essay": {"text": "I do not know.", "self_score": 0.0},
    }
)


def sample(kind: str) -> Content:
    """A fresh copy of the sample content of `kind`."""
    return copy.deepcopy(SAMPLES[kind])
