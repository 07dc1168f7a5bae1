from __future__ import annotations

import pytest

from app.difficulty import DIFFICULTY_LABELS, difficulty_label
from app.numbers import format_number, format_percent


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (12.0, "12"), (1234, "1,234"), (0.126, "0.13"), (2.5, "2.5"), (0.1 + 0.2, "0.3")],
)
def test_format_number_is_exact_for_counts_and_short_otherwise(value, text):
    assert format_number(value) == text


@pytest.mark.parametrize(
    ("fraction", "text"), [(0.9, "90%"), (2 / 3, "66.7%"), (0.905, "90.5%"), (1, "100%"), (0, "0%")]
)
def test_format_percent_has_one_decimal_at_most(fraction, text):
    assert format_percent(fraction) == text


def test_difficulty_labels():
    assert list(DIFFICULTY_LABELS.items()) == [(1, "Easy"), (2, "Medium"), (3, "Hard")]
    assert difficulty_label(3) == "Hard" and difficulty_label(None) == ""


def test_templates_share_the_filters(app):
    env = app.jinja_env
    assert env.from_string(
        "{{ 0.9|percent }} {{ 1234|number }} {{ 2|difficulty_label }}"
    ).render() == ("90% 1,234 Medium")
