"""The registry of question types: the one place where the ten types are listed.

Each type is a module in app/questions/kinds that defines `KIND`, `label`, `description`,
`self_graded`, `validate`, `present`, `parse_response`, `grade` and `describe_response`.
Adding a type means writing its module and adding it to `_MODULES` (app/questions/README.md).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from app.questions.kinds import (
    cloze,
    essay,
    flashcard,
    matching,
    multiple_choice,
    multiple_response,
    numerical,
    ordering,
    short_answer,
    true_false,
)
from app.questions.shared import GradeResult, Presentation

Content = Mapping[str, Any]

_MODULES: tuple[ModuleType, ...] = (
    flashcard,
    multiple_choice,
    multiple_response,
    true_false,
    short_answer,
    numerical,
    cloze,
    matching,
    ordering,
    essay,
)


@dataclass(frozen=True)
class QuestionType:
    kind: str
    label: str
    description: str  # one line for authors choosing a type
    # Self-graded types are scored by the student against a model answer; they are never
    # objective, so they stay out of automatically marked quizzes.
    self_graded: bool
    objective: bool
    validate: Callable[[Content], dict[str, Any]]
    grade: Callable[[Content, Mapping[str, Any]], GradeResult]
    present: Callable[[Content, Mapping[str, list[int]], random.Random], Presentation]
    parse_response: Callable[[Content, Mapping[str, Any]], dict[str, Any]]
    describe_response: Callable[[Content, Mapping[str, Any]], str]


def _from_module(module: ModuleType) -> QuestionType:
    return QuestionType(
        kind=module.KIND,
        label=module.label,
        description=module.description,
        self_graded=module.self_graded,
        objective=not module.self_graded,
        validate=module.validate,
        grade=module.grade,
        present=module.present,
        parse_response=module.parse_response,
        describe_response=module.describe_response,
    )


QUESTION_TYPES: dict[str, QuestionType] = {module.KIND: _from_module(module) for module in _MODULES}
