"""Source documents: reading them, and locating the passage a question cites."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # `bp` loads the views (and Flask) only when asked for, so the seed loader and
    # other Flask-free code can import `app.sources.documents` on its own.
    if name == "bp":
        from .views import bp

        return bp
    raise AttributeError(name)


__all__ = ["bp"]
