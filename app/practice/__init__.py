"""Practice sessions: self-tests with a score, kept in a history."""

from . import views  # noqa: F401  (routes register on bp)
from .blueprint import bp

__all__ = ["bp"]
