"""Spaced-repetition study: the review queue, settings, exam dates and the optimizer."""

from . import optimizer_views  # noqa: F401  (its routes register on bp)
from .views import bp

__all__ = ["bp"]
