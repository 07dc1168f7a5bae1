"""Administration: user accounts and roles."""

from .views import bp

__all__ = ["bp"]
