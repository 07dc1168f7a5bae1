"""Domain errors: one base with a message and an optional form field, in three kinds.

Domain packages raise these (they import nothing from Flask); `register_error_handlers`
translates them to HTTP once, at the edge: NotFound → 404, Conflict → 409, Invalid → 422.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses. `field` names the form field at fault, if any."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError, LookupError):
    """The object does not exist, or is not the caller's to see."""

    status = 404


class Conflict(DomainError):
    """The request clashes with the current state (stale tab, duplicate, already done)."""

    status = 409


class Invalid(DomainError, ValueError):
    """The input cannot be accepted as given."""

    status = 422
