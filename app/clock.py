"""The one clock views read, so web tests can move time.

Domain code never reads a clock: it takes `now` as an argument. Views call `now()`, which
is the real UTC time unless the app's config carries a `CLOCK` callable (tests set it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def now() -> datetime:
    """The current time, aware UTC, from the app's clock when one is configured."""
    if has_app_context():
        clock = current_app.config.get("CLOCK")
        if clock is not None:
            moment = clock()
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)
