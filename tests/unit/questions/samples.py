"""One small, valid piece of content per question type."""

from __future__ import annotations

from typing import Any

CONTENT: dict[str, dict[str, Any]] = {
    "flashcard": {"prompt": "Front", "back": "Back"},
    "multiple_choice": {
        "prompt": "Who gave the Secret Speech?",
        "options": [
            {"text": "Georgy Malenkov", "correct": False},
            {"text": "Nikita *Khrushchev*", "correct": True},
        ],
    },
    "multiple_response": {
        "prompt": "Pick",
        "options": [
            {"text": "*X*", "correct": True},
            {"text": "Y", "correct": True},
            {"text": "Z", "correct": False},
        ],
    },
    "true_false": {"prompt": "True?", "answer": True},
    "short_answer": {"prompt": "Capital?", "answers": [{"text": "Moscow"}]},
    "numerical": {"prompt": "When?", "answers": [{"value": 1956}]},
    "cloze": {
        "prompt": "Fill",
        "text": "{{1}} and {{2}}",
        "gaps": [{"answers": ["x"]}, {"options": ["p", "**q**"], "correct": 1}],
    },
    "matching": {
        "prompt": "Match",
        "pairs": [{"left": "*1*", "right": "one"}, {"left": "2", "right": "two"}],
        "distractors": ["three"],
    },
    "ordering": {"prompt": "Order", "items": ["a", "b", "*c*"]},
    "essay": {"prompt": "Discuss.", "model_answer": "A model."},
}
