"""Question banks: browse, answer once, author."""

from . import authoring, removal  # noqa: F401  (their routes register on bp)
from .views import bp

__all__ = ["bp"]
