"""Home page, health check, navigation and error pages."""

from .views import bp

__all__ = ["bp"]
