"""Question banks: browse, answer once, author."""

from . import authoring  # noqa: F401  (its routes register on bp)
from .views import bp

__all__ = ["bp"]
