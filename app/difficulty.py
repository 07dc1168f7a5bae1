"""The three difficulty levels a question has, and what they are called."""

from __future__ import annotations

DIFFICULTY_LABELS: dict[int, str] = {1: "Easy", 2: "Medium", 3: "Hard"}


def difficulty_label(level: int | None) -> str:
    return DIFFICULTY_LABELS.get(level or 0, "")
