"""Quiz pages: setting up, taking, reviewing and grading quizzes."""

from .views import bp

__all__ = ["bp"]
