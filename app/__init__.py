"""Recall: a quiz and flashcard learning app.

Importing a domain package (`app.questions`, `app.scheduling`, ...) loads no web framework:
the factory and Flask are imported only when an app is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    from .factory import create_app as build

    return build(config)
