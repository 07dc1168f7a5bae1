"""Fixtures for the scheduling tests; the builders live in helpers.py."""

from __future__ import annotations

import pytest

from .helpers import Bank, make_bank


@pytest.fixture
def bank(app) -> Bank:
    """A bank of 30 flashcards in three topics ("Timeline/1950s" is a sub-topic)."""
    return make_bank()
