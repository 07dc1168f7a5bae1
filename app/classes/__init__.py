"""Classes: a teacher's class with a join code, its roster, co-teachers and shared banks."""

from .views import bp

__all__ = ["bp"]
