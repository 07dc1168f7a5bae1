"""Spaced-repetition study: the review queue, settings and exam dates."""

from .views import bp

__all__ = ["bp"]
