"""Accounts: sign up, log in, profile and password."""

from .views import bp

__all__ = ["bp"]
