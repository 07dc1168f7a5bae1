"""Quiz pages: setting up, taking, reviewing and grading quizzes."""

from . import results_views  # noqa: F401  (its routes join the blueprint)
from .views import bp

__all__ = ["bp"]
