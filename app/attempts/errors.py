"""Errors of the attempts package, on the shared domain-error kinds."""

from __future__ import annotations

from ..errors import Invalid, NotFound


class AttemptError(Invalid):
    """An answer or action the attempt cannot take as given; `field` names the input at fault."""


class ItemNotFound(NotFound):
    """No item at that position in the attempt."""
