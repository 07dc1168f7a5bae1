"""The engine's shape: one module per type, no import cycle, no Flask."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.questions
from app.questions import CORRECT_THRESHOLD, QUESTION_TYPES, GradeResult, registry

PACKAGE_DIR = Path(app.questions.__file__).parent
ROOT = PACKAGE_DIR.parent.parent


def _modules() -> list[str]:
    names = ["app.questions"]
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], prefix="app.questions."):
        names.append(info.name)
    return sorted(names)


# The application package's own __init__ builds the Flask app, so the check stands a bare
# package in for it: what is measured is what app.questions itself pulls in.
_PROBE = """
import sys, types
parent = types.ModuleType("app")
parent.__path__ = [{app_dir!r}]
sys.modules["app"] = parent
import importlib
importlib.import_module({name!r})
loaded = sorted(m for m in sys.modules if m == "flask" or m.startswith(("flask.", "flask_")))
assert not loaded, loaded
assert "app.models" not in sys.modules
"""


def test_every_module_is_listed() -> None:
    names = _modules()
    assert "app.questions.engine" in names
    assert {f"app.questions.kinds.{kind}" for kind in QUESTION_TYPES} <= set(names)


@pytest.mark.parametrize("name", _modules())
def test_each_module_imports_first_and_alone_without_flask(name: str) -> None:
    code = _PROBE.format(app_dir=str(PACKAGE_DIR.parent), name=name)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_the_registry_lists_one_module_per_type() -> None:
    modules = registry._MODULES
    assert [module.KIND for module in modules] == list(QUESTION_TYPES)
    assert len({module.__name__ for module in modules}) == len(modules) == 10
    for module in modules:
        assert module.__name__ == f"app.questions.kinds.{module.KIND}"
        qtype = QUESTION_TYPES[module.KIND]
        assert qtype.label == module.label
        assert qtype.description == module.description and module.description.endswith(".")
        assert qtype.self_graded is module.self_graded
        assert qtype.describe_response is module.describe_response


def test_self_graded_types() -> None:
    assert {k for k, t in QUESTION_TYPES.items() if t.self_graded} == {"flashcard", "essay"}
    assert all(t.objective is not t.self_graded for t in QUESTION_TYPES.values())


def test_scheduling_uses_the_same_correct_threshold() -> None:
    import fsrs

    from app.scheduling.reviews import rating_for_grade

    just_below = CORRECT_THRESHOLD - 1e-6
    assert GradeResult(CORRECT_THRESHOLD).correct
    assert rating_for_grade(CORRECT_THRESHOLD) == fsrs.Rating.Good
    assert not GradeResult(just_below).correct
    assert rating_for_grade(just_below) == fsrs.Rating.Hard
