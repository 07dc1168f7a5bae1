"""Progress: a student's own figures, as charts and as tables."""

from .views import bp

__all__ = ["bp"]
