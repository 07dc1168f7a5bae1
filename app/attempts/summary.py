"""The student's answer as one line of plain text, per question type."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..questions import render_plain, validate_content

SELF_SCORES = {1.0: "Yes", 0.5: "Partly", 0.0: "No"}


def _pick(texts: Sequence[str], index: Any) -> str | None:
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(texts):
        return render_plain(texts[index])
    return None


def _self_score_text(response: Mapping[str, Any]) -> str:
    score = response.get("self_score")
    if not isinstance(score, int | float) or isinstance(score, bool):
        return "Not rated"
    label = SELF_SCORES.get(float(score), f"{round(float(score) * 100)}%")
    return f"You said: {label}"


def _cloze_value(gap: Mapping[str, Any], value: Any) -> str:
    if "options" in gap and isinstance(value, str) and value.strip().isdigit():
        index = int(value.strip())
        if 0 <= index < len(gap["options"]):
            return render_plain(gap["options"][index])
    return str(value).strip() if value not in (None, "") else "(blank)"


def answer_summary(kind: str, content: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    """What the student answered, as one line of plain text."""
    content = validate_content(kind, content)
    nothing = "No answer"
    if kind == "flashcard":
        return _self_score_text(response)
    if kind == "essay":
        text = str(response.get("text") or "").strip()
        return f"{text} ({_self_score_text(response)})" if text else _self_score_text(response)
    options = [option["text"] for option in content.get("options", [])]
    if kind == "multiple_choice":
        return _pick(options, response.get("choice")) or nothing
    if kind == "multiple_response":
        chosen = [_pick(options, i) for i in response.get("choices") or []]
        return "; ".join(text for text in chosen if text) or nothing
    if kind == "true_false":
        answer = response.get("answer")
        return nothing if not isinstance(answer, bool) else ("True" if answer else "False")
    if kind in ("short_answer", "numerical"):
        value = response.get("text" if kind == "short_answer" else "value")
        return str(value).strip() if isinstance(value, str) and value.strip() else nothing
    if kind == "cloze":
        gaps = response.get("gaps") or []
        if not any(str(value).strip() for value in gaps):
            return nothing
        return " / ".join(
            _cloze_value(gap, value) for gap, value in zip(content["gaps"], gaps, strict=False)
        )
    if kind == "matching":
        # Every right-hand choice: the pairs' rights in pair order, then the distractors.
        rights = [pair["right"] for pair in content["pairs"]] + list(content["distractors"])
        chosen = response.get("pairs") or {}
        lines = []
        for i, pair in enumerate(content["pairs"]):
            picked = chosen.get(str(i)) if isinstance(chosen, Mapping) else None
            right = _pick(rights, picked) or "(none)"
            lines.append(f"{render_plain(pair['left'])} → {right}")
        return "; ".join(lines)
    if kind == "ordering":
        order = response.get("order") or []
        texts = [_pick(content["items"], i) for i in order]
        return " → ".join(text for text in texts if text) or nothing
    return nothing
