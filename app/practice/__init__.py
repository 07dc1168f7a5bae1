"""Practice sessions: self-tests with a score, kept in a history."""

from .views import bp

__all__ = ["bp"]
