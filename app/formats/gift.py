"""GIFT, Moodle's text format: reader and writer.

Read: `//` comments, `::title::` (the question's id), `$CATEGORY:` lines (topics, with
`$course$/top/` stripped), `[markdown]`/`[html]`/`[plain]`/`[moodle]`, multiple choice
(`=`/`~`), multiple response (`~%50%`, negative weights too), true/false with feedback,
short answer (`=%50%` partial credit), missing word (an answer block mid-sentence becomes a
cloze question with one gap), matching (`=a -> b`), numerical (`#v`, `#v:tolerance`,
`#min..max`, several weighted answers), essay (`{}`), per-answer feedback `#`, general
feedback `####` (the explanation), escapes and questions over several lines. A description
(text with no answer block) is skipped with a notice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .common import ReadResult, WriteResult, decode, html_to_markdown, number_text, parse_number
from .pipeline import FormatError, Location, QuestionDraft

NAME = "gift"
SUFFIXES = (".gift", ".txt")
DEFAULT_CLOZE_PROMPT = "Fill in the gap."
DEFAULT_MODEL_ANSWER = "No model answer was given."

_ESCAPABLE = "~=#{}:"
_PLACE = {c: chr(0xE001 + i) for i, c in enumerate(_ESCAPABLE)}
_BACKSLASH = chr(0xE000)
_RESTORE = {v: k for k, v in _PLACE.items()} | {_BACKSLASH: "\\"}
_RESTORE_TABLE = str.maketrans(_RESTORE)
_ESCAPE = re.compile(r"\\(.)", re.S)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"(?i)(T|F|TRUE|FALSE)\s*(#.*)?", re.S)
_FORMAT = re.compile(r"^\s*\[(markdown|html|plain|moodle)\]", re.I)
_CATEGORY_PREFIX = re.compile(r"^\$(course|system|module|cat\d*)\$/", re.I)


def _protect(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "\\":
            return _BACKSLASH
        if char in _PLACE:
            return _PLACE[char]
        if char == "n":
            return "\n"
        return "\\" + char

    return _ESCAPE.sub(repl, text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE_TABLE)


def category_path(raw: str) -> str:
    path = _CATEGORY_PREFIX.sub("", raw.strip())
    path = re.sub(r"^top(/|$)", "", path)
    return "/".join(p.strip() for p in path.split("/") if p.strip())


# -- reading ---------------------------------------------------------------------------------


def _blocks(text: str) -> Iterable[tuple[int, str]]:
    """Each question's text (comments dropped, lines joined) and its first line number."""
    lines: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if lines:
                yield start, "\n".join(lines)
                lines = []
            continue
        if not lines:
            start = number
        lines.append(line)
    if lines:
        yield start, "\n".join(lines)


def read(data: bytes | str, file: str | None = None) -> ReadResult:
    result = ReadResult(NAME)
    text = decode(data, file)
    topic: str | None = None
    number = 0
    titles: set[str] = set()
    for line, block in _blocks(text):
        stripped = block.strip()
        if stripped.startswith("$CATEGORY:"):
            first, _, rest = stripped.partition("\n")
            topic = category_path(first[len("$CATEGORY:") :])
            if not rest.strip():
                continue
            block, line = rest, line + 1
        number += 1
        location = Location(file, line, label=f"question {number}")
        try:
            draft = _question(_protect(block), location, topic)
        except FormatError as exc:
            result.drafts.append(exc)
            continue
        except (ValueError, IndexError) as exc:  # a malformed part the parser did not foresee
            result.drafts.append(FormatError(f"cannot be read ({exc}).", location=location))
            continue
        if draft is None:
            result.notices.append(f"{location}: a description (no answer block) was skipped.")
            continue
        if draft.external_id:
            if draft.external_id in titles or len(draft.external_id) > 120:
                draft.external_id = None  # matched by its text instead
            else:
                titles.add(draft.external_id)
        result.drafts.append(draft)
    return result


def _text(raw: str, fmt: str) -> str:
    text = _restore(raw).strip()
    if fmt == "html":
        return html_to_markdown(text)
    return text


def _question(block: str, location: Location, topic: str | None) -> QuestionDraft | None:
    text = block.strip()
    title = None
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise FormatError("the title opened with :: is never closed.", location=location)
        title = _restore(text[2:end]).strip() or None
        text = text[end + 2 :]
    fmt = "moodle"
    match = _FORMAT.match(text)
    if match:
        fmt = match.group(1).lower()
        text = text[match.end() :]
    opening = text.find("{")
    if opening < 0:
        if "}" in text:
            raise FormatError(
                "a } closes no answer block (write \\} for a brace).", location=location
            )
        return None
    closing = text.find("}", opening)
    if closing < 0:
        raise FormatError("the answer block opened with { is never closed.", location=location)
    if "{" in text[opening + 1 : closing]:
        raise FormatError(
            "a { opens inside an answer block (write \\{ for a brace).", location=location
        )
    before, block_text, after = text[:opening], text[opening + 1 : closing], text[closing + 1 :]
    if "{" in after or "}" in after:
        raise FormatError("a question has one answer block only.", location=location)
    before_text, after_text = _text(before, fmt), _text(after, fmt)
    explanation = None
    if "####" in block_text:
        block_text, general = block_text.rsplit("####", 1)  # feedback holds no bare #
        explanation = _text(general, fmt)
    answers = block_text.strip()
    mid_sentence = bool(after_text)  # a missing word: the block is a gap in the text
    gapped = ""
    if re.search(r"\w", after_text):
        prompt = f"{before_text} _____ {after_text}".strip()
        gapped = _text(before.lstrip() + "{{1}}" + after.rstrip(), fmt)
    else:
        prompt = (before_text + after_text).strip()
    if mid_sentence and not gapped:
        gapped = _text(before.lstrip() + "{{1}}" + after.rstrip(), fmt)
    kind: str
    content: dict[str, Any]

    def draft(kind: str, content: dict[str, Any], explanation: str | None) -> QuestionDraft:
        return QuestionDraft(
            kind=kind,
            content=content,
            external_id=title,
            topic_path=topic,
            explanation=explanation,
            location=location,
        )

    if not answers:
        content = {"prompt": prompt, "model_answer": explanation or DEFAULT_MODEL_ANSWER}
        return draft("essay", content, None)
    if answers.startswith("#"):
        return draft(
            "numerical",
            {"prompt": prompt, "answers": _numerical(answers[1:], fmt, location)},
            explanation,
        )
    tf = _TRUE_FALSE.fullmatch(answers)
    if tf:
        value = tf.group(1).upper().startswith("T")
        feedback = (tf.group(2) or "").split("#")[1:] + ["", ""]
        wrong, right = _text(feedback[0], fmt), _text(feedback[1], fmt)
        content = {"prompt": prompt, "answer": value}
        content["feedback_true" if value else "feedback_false"] = right
        content["feedback_false" if value else "feedback_true"] = wrong
        return draft("true_false", content, explanation)
    items = _items(answers, location)
    if any(marker == "~" for marker, _, _ in items):
        options = []
        single = any(marker == "=" for marker, _, _ in items)
        for marker, weight, body in items:
            option_text, feedback = _feedback(body, fmt)
            correct = marker == "=" if single else (weight or 0) > 0
            options.append({"text": option_text, "correct": correct, "feedback": feedback})
        if mid_sentence:
            return draft(
                "cloze",
                _cloze(
                    gapped,
                    {
                        "options": [o["text"] for o in options],
                        "correct": next((i for i, o in enumerate(options) if o["correct"]), -1),
                    },
                ),
                explanation,
            )
        kind = "multiple_choice" if single else "multiple_response"
        return draft(kind, {"prompt": prompt, "options": options}, explanation)
    if all("->" in body for _, _, body in items):
        pairs, distractors = [], []
        for _, _, body in items:
            left, right = body.split("->", 1)
            left_text, right_text = _text(left, fmt), _text(right, fmt)
            if left_text:
                pairs.append({"left": left_text, "right": right_text})
            else:
                distractors.append(right_text)
        return draft(
            "matching", {"prompt": prompt, "pairs": pairs, "distractors": distractors}, explanation
        )
    if any("->" in body for _, _, body in items):
        raise FormatError("every answer of a matching question needs a ->.", location=location)
    answer_list = []
    for _, weight, body in items:
        answer_text, feedback = _feedback(body, fmt)
        credit = 1.0 if weight is None else weight / 100
        answer_list.append({"text": answer_text, "credit": credit, "feedback": feedback})
    if mid_sentence:
        full = [a["text"] for a in answer_list if a["credit"] >= 1]
        return draft("cloze", _cloze(gapped, {"answers": full}), explanation)
    return draft("short_answer", {"prompt": prompt, "answers": answer_list}, explanation)


def _cloze(text: str, gap: dict[str, Any]) -> dict[str, Any]:
    return {"prompt": DEFAULT_CLOZE_PROMPT, "text": text, "gaps": [gap]}


def _items(answers: str, location: Location) -> list[tuple[str, float | None, str]]:
    parts = re.split(r"([=~])", answers)
    if parts[0].strip():
        raise FormatError(
            "each answer must start with = (right) or ~ (wrong); "
            f"found {_restore(parts[0].strip())[:40]!r}.",
            location=location,
        )
    items = []
    for marker, body in zip(parts[1::2], parts[2::2], strict=True):
        weight = None
        match = _WEIGHT.match(body.lstrip())
        if match:
            weight = float(match.group(1))
            body = body.lstrip()[match.end() :]
        items.append((marker, weight, body))
    if not items:
        raise FormatError("the answer block has no answers.", location=location)
    return items


def _feedback(body: str, fmt: str) -> tuple[str, str]:
    text, _, feedback = body.partition("#")
    return _text(text, fmt), _text(feedback, fmt)


def _numerical(spec: str, fmt: str, location: Location) -> list[dict[str, Any]]:
    spec = spec.strip()
    items = _items(spec, location) if spec.startswith(("=", "~")) else [("=", None, spec)]
    answers = []
    for marker, weight, body in items:
        value_text, feedback = _feedback(body, fmt)
        credit = (1.0 if marker == "=" else 0.0) if weight is None else weight / 100
        try:
            if ".." in value_text:
                low, high = value_text.split("..", 1)
                answer = {"min": parse_number(low), "max": parse_number(high)}
            elif ":" in value_text:
                value, tolerance = value_text.split(":", 1)
                answer = {"value": parse_number(value), "tolerance": parse_number(tolerance)}
            else:
                answer = {"value": parse_number(value_text), "tolerance": 0}
        except ValueError:
            raise FormatError(
                f"{value_text[:40]!r} is not a number, a number:tolerance or a min..max range.",
                location=location,
            ) from None
        answers.append({**answer, "credit": credit, "feedback": feedback})
    return answers


# -- writing ---------------------------------------------------------------------------------

SUPPORTED = (
    "multiple_choice",
    "multiple_response",
    "true_false",
    "short_answer",
    "numerical",
    "matching",
    "essay",
    "cloze",
)


def escape(text: str) -> str:
    text = str(text).replace("\\", "\\\\")
    for char in _ESCAPABLE:
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def _guard(text: str, weight: str) -> str:
    """The escaped text, after an explicit weight when it would itself read as one."""
    escaped = escape(text)
    return weight + escaped if _WEIGHT.match(escaped.lstrip()) else escaped


def _fb(feedback: str) -> str:
    return f"#{escape(feedback)}" if feedback else ""


def _percent(credit: float) -> str:
    text = f"{credit * 100:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def write(drafts: Iterable[QuestionDraft]) -> WriteResult:
    result = WriteResult(NAME, b"")
    out: list[str] = []
    topic = None
    for draft in drafts:
        body = _block(draft, result)
        if body is None:
            continue
        if (draft.topic_path or "") != (topic or "") and draft.topic_path is not None:
            topic = draft.topic_path
            out.append(f"$CATEGORY: $course$/top/{topic}" if topic else "$CATEGORY: $course$/top")
            out.append("")
        title = f"::{escape(draft.external_id)}::" if draft.external_id else ""
        out.append(title + body)
        out.append("")
        result.count(draft.kind)
    result.data = "\n".join(out).encode("utf-8")
    return result


def _block(draft: QuestionDraft, result: WriteResult) -> str | None:
    c = draft.content
    kind = draft.kind
    label = f"{draft.external_id or 'a question'} ({kind})"
    general = f"####{escape(draft.explanation)}" if draft.explanation else ""
    prompt = "[markdown]" + escape(c.get("prompt", ""))
    if kind == "multiple_choice":
        opts = " ".join(
            ("=" if o["correct"] else "~")
            + _guard(o["text"], "%100%" if o["correct"] else "%0%")
            + _fb(o.get("feedback", ""))
            for o in c["options"]
        )
        return f"{prompt} {{{opts}{general}}}"
    if kind == "multiple_response":
        n = sum(1 for o in c["options"] if o["correct"])
        parts = []
        for o in c["options"]:
            weight = _percent(1 / n) if o["correct"] else "%-100%"
            parts.append(f"~{weight}{escape(o['text'])}{_fb(o.get('feedback', ''))}")
        return f"{prompt} {{{' '.join(parts)}{general}}}"
    if kind == "true_false":
        value = c["answer"]
        wrong = c.get("feedback_false" if value else "feedback_true") or ""
        right = c.get("feedback_true" if value else "feedback_false") or ""
        fb = f"#{escape(wrong)}#{escape(right)}" if (wrong or right) else ""
        return f"{prompt} {{{'TRUE' if value else 'FALSE'}{fb}{general}}}"
    if kind == "short_answer":
        parts = [
            "="
            + ("" if a["credit"] >= 1 else _percent(a["credit"]))
            + (_guard(a["text"], "%100%") if a["credit"] >= 1 else escape(a["text"]))
            + _fb(a.get("feedback", ""))
            for a in c["answers"]
        ]
        return f"{prompt} {{{' '.join(parts)}{general}}}"
    if kind == "numerical":
        if c.get("unit"):
            result.notes.append(f"{label}: GIFT has no units; the unit {c['unit']!r} was left out.")
        parts = []
        for a in c["answers"]:
            if "min" in a:
                spec = f"{number_text(a['min'])}..{number_text(a['max'])}"
            else:
                spec = f"{number_text(a['value'])}:{number_text(a.get('tolerance', 0))}"
            parts.append("=" + _percent(a["credit"]) + spec + _fb(a.get("feedback", "")))
        return f"{prompt} {{#{' '.join(parts)}{general}}}"
    if kind == "matching":
        parts = [f"={_guard(p['left'], '%100%')} -> {escape(p['right'])}" for p in c["pairs"]]
        parts += [f"= -> {escape(d)}" for d in c.get("distractors", [])]
        return f"{prompt} {{{' '.join(parts)}{general}}}"
    if kind == "essay":
        if c.get("rubric"):
            result.notes.append(f"{label}: GIFT has no rubric; it was left out.")
        return f"{prompt} {{####{escape(c['model_answer'])}}}"
    if kind == "cloze" and len(c["gaps"]) == 1:
        before, _, after = c["text"].partition("{{1}}")
        gap = c["gaps"][0]
        if "answers" in gap:
            inner = " ".join("=" + escape(a) for a in gap["answers"])
        else:
            inner = " ".join(
                ("=" if i == gap["correct"] else "~") + escape(o)
                for i, o in enumerate(gap["options"])
            )
        if not after.strip():
            result.left_out.append(f"{label}: GIFT has no gap at the end of a text.")
            return None
        return f"[markdown]{escape(before)}{{{inner}{general}}}{escape(after)}"
    if kind == "cloze":
        result.left_out.append(f"{label}: GIFT holds one gap per question, this one has more.")
    else:
        result.left_out.append(f"{label}: GIFT has no such question type.")
    return None
