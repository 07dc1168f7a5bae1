"""My decks: a student's own private banks (the cards in them use the bank pages)."""

from .views import bp

__all__ = ["bp"]
