"""Moodle XML: reader and writer.

Read with defusedxml (a file declaring entities, or referring to external ones, is refused
with a clear message): `category` questions (the nested path becomes the topic), multichoice
(single and multiple, by fraction), truefalse, shortanswer, numerical (tolerance, the unit of
multiplier 1), matching, essay (the grader information is the model answer), ordering,
cloze (`multianswer` with SHORTANSWER, NUMERICAL and MULTICHOICE parts), per-answer and
general feedback, idnumbers (the question's id), tags (`<tags><tag><text>`; a space inside a
Moodle tag becomes `_`, since a tag here is one word as in Anki). HTML text is sanitized with
nh3 and becomes Markdown. A description is skipped with a notice. Embedded files (a
`<file encoding="base64">` beside the text, referred to as `@@PLUGINFILE@@/name`) come along
as media when they are images or sounds of an accepted type; others are reported.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET  # noqa: S405 - only for building output and ParseError
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..media import DEFAULT_MAX_BYTES, MEDIA_REFERENCE, reference, sha256_of, sniff_type
from .apkg import AnkiReadResult, MediaItem
from .common import ReadResult, WriteResult, html_to_markdown, number_text, parse_number
from .gift import DEFAULT_CLOZE_PROMPT, DEFAULT_MODEL_ANSWER, category_path
from .pipeline import FormatError, Location, QuestionDraft

NAME = "moodlexml"
SUFFIXES = (".xml",)
_EMBEDDED = re.compile(r"\{(\d*):([A-Z_]+):((?:\\.|[^\\}])*)\}")
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_IMG = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>""", re.IGNORECASE
)
_TOKEN = re.compile(r"\ue000(\d+)\ue001")
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_MARKDOWN_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(@@PLUGINFILE@@/([^)\s]+)\)")


def _fraction(element: ET.Element) -> float:
    try:
        return float(element.get("fraction", "0"))
    except ValueError:
        return 0.0


class _Reader:
    def __init__(self, file: str | None) -> None:
        self.file = file
        # A result that carries media, as an Anki package's does.
        self.result = AnkiReadResult(NAME)
        self.location = Location(file)

    def error(self, message: str) -> FormatError:
        return FormatError(message, location=self.location)

    def rich(self, element: ET.Element | None, default_format: str = "html") -> str:
        """The text of an element with a <text> child, as Markdown."""
        if element is None:
            return ""
        text_el = element.find("text")
        holder = text_el if text_el is not None else element
        raw = (holder.text or "") + "".join(
            ET.tostring(child, encoding="unicode")
            for child in holder
            if child.tag not in ("file", "text", "feedback", "answer", "tolerance")
        )
        files = self.embedded_files(element)
        tokens: list[str] = []
        embedded = "@@PLUGINFILE@@" in raw
        if embedded:

            def image(match: re.Match[str]) -> str:
                source = match[1] or match[2] or match[3] or ""
                if not source.startswith("@@PLUGINFILE@@/"):
                    return match[0]
                name = unquote(source.removeprefix("@@PLUGINFILE@@/"))
                found = files.get(name)
                if found is None:
                    self.result.warnings.append(
                        f"{self.location}: the file {name!r} is used but not in the question."
                    )
                    return ""
                alt = _ALT.search(match[0])
                tokens.append(reference(*found, (alt[1] or alt[2]) if alt else name))
                return f" \ue000{len(tokens) - 1}\ue001 "

            raw = _IMG.sub(image, raw)

            def markdown_image(match: re.Match[str]) -> str:
                found = files.get(unquote(match[2]))
                if found is None:
                    self.result.warnings.append(
                        f"{self.location}: the file {match[2]!r} is used but not in the question."
                    )
                    return ""
                tokens.append(reference(*found, match[1] or unquote(match[2])))
                return f" \ue000{len(tokens) - 1}\ue001 "

            raw = _MARKDOWN_IMAGE.sub(markdown_image, raw)
        fmt = element.get("format", default_format)
        text = html_to_markdown(raw) if fmt == "html" else raw.strip()
        text = _TOKEN.sub(lambda m: tokens[int(m[1])], text)
        return re.sub(r"[ \t]{2,}", " ", text).strip() if embedded else text.strip()

    def embedded_files(self, element: ET.Element) -> dict[str, tuple[str, str]]:
        """The element's accepted files, kept in the result: name -> (sha256, type)."""
        found: dict[str, tuple[str, str]] = {}
        for file in element.findall("file"):
            name = (file.get("name") or "").strip()
            try:
                data = base64.b64decode("".join((file.text or "").split()), validate=True)
            except (binascii.Error, ValueError):
                data = b""
            mime = sniff_type(data) if data else None
            if not name or mime is None or len(data) > DEFAULT_MAX_BYTES:
                self.result.warnings.append(
                    f"{self.location}: the embedded file {name or '(unnamed)'!r} is left out: "
                    "only PNG, JPEG, GIF and WebP images and MP3, OGG, WAV and M4A audio of up "
                    f"to {DEFAULT_MAX_BYTES // 2**20} MB are kept."
                )
                continue
            sha256 = sha256_of(data)
            self.result.media[sha256] = MediaItem(name, sha256, mime, data)
            found[name] = (sha256, mime)
        return found

    def read(self, data: bytes | str) -> ReadResult:
        try:
            root = SafeET.fromstring(data, forbid_dtd=True)
        except DefusedXmlException as exc:
            raise FormatError(
                "the file declares a DOCTYPE, XML entities or external references; that is "
                f"refused for safety ({type(exc).__name__}). Remove the DOCTYPE and import it "
                "again.",
                location=Location(self.file),
            ) from exc
        except ET.ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else None
            raise FormatError(
                f"the file is not well-formed XML ({exc}).", location=Location(self.file, line)
            ) from exc
        if root.tag != "quiz":
            raise FormatError(
                f"a Moodle XML file starts with <quiz>, not <{root.tag}>.",
                location=Location(self.file),
            )
        topic: str | None = None
        for index, question in enumerate(root.findall("question"), start=1):
            kind = question.get("type", "")
            name = self.rich(question.find("name"), "plain_text")
            label = f"question {index}" + (f" ({name})" if name else "")
            self.location = Location(self.file, path=f"/quiz/question[{index}]", label=label)
            if kind == "category":
                topic = category_path(self.rich(question.find("category"), "plain_text"))
                continue
            if kind == "description":
                self.result.notices.append(f"{self.location}: a description was skipped.")
                continue
            try:
                draft = self.question(kind, question, topic)
            except FormatError as exc:
                self.result.drafts.append(exc)
                continue
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                self.result.drafts.append(self.error(f"cannot be read ({exc})."))
                continue
            self.result.drafts.append(draft)
        return self.result

    def question(self, kind: str, q: ET.Element, topic: str | None) -> QuestionDraft:
        prompt = self.rich(q.find("questiontext"))
        explanation = self.rich(q.find("generalfeedback")) or None
        idnumber = (q.findtext("idnumber") or "").strip() or None
        answers = q.findall("answer")
        content: dict[str, Any]
        if kind == "multichoice":
            single = (q.findtext("single") or "true").strip().lower() in ("true", "1")
            options = [
                {
                    "text": self.rich(a),
                    "correct": _fraction(a) >= 100 if single else _fraction(a) > 0,
                    "feedback": self.rich(a.find("feedback")),
                }
                for a in answers
            ]
            shuffle = (q.findtext("shuffleanswers") or "1").strip().lower()
            content = {"prompt": prompt, "options": options, "pin_order": shuffle in ("0", "false")}
            out_kind = "multiple_choice" if single else "multiple_response"
        elif kind == "truefalse":
            content = {"prompt": prompt}
            value = None
            for a in answers:
                which = self.rich(a, "plain_text").strip().lower()
                if which not in ("true", "false"):
                    raise self.error(f"a true/false answer reads {which!r}, not true or false.")
                content[f"feedback_{which}"] = self.rich(a.find("feedback"))
                if _fraction(a) >= 100:
                    value = which == "true"
            if value is None:
                raise self.error("neither true nor false has a fraction of 100.")
            content["answer"] = value
            out_kind = "true_false"
        elif kind == "shortanswer":
            content = {
                "prompt": prompt,
                "answers": [
                    {
                        "text": self.rich(a, "plain_text"),
                        "credit": _fraction(a) / 100,
                        "feedback": self.rich(a.find("feedback")),
                    }
                    for a in answers
                    if _fraction(a) > 0
                ],
            }
            out_kind = "short_answer"
        elif kind == "numerical":
            values = []
            for a in answers:
                text = self.rich(a, "plain_text")
                if text == "*":
                    continue  # Moodle's "any other answer"
                try:
                    value = parse_number(text)
                    tolerance = parse_number(a.findtext("tolerance") or "0")
                except ValueError:
                    raise self.error(f"{text[:40]!r} is not a number.") from None
                values.append(
                    {
                        "value": value,
                        "tolerance": abs(tolerance),
                        "credit": _fraction(a) / 100,
                        "feedback": self.rich(a.find("feedback")),
                    }
                )
            unit = ""
            for u in q.findall("units/unit"):
                if (u.findtext("multiplier") or "1").strip() in ("1", "1.0"):
                    unit = (u.findtext("unit_name") or "").strip()
                    break
            content = {"prompt": prompt, "answers": values, "unit": unit}
            out_kind = "numerical"
        elif kind == "matching":
            pairs, distractors = [], []
            for sub in q.findall("subquestion"):
                left = self.rich(sub)
                right = self.rich(sub.find("answer"), "plain_text")
                if left:
                    pairs.append({"left": left, "right": right})
                elif right:
                    distractors.append(right)
            content = {"prompt": prompt, "pairs": pairs, "distractors": distractors}
            out_kind = "matching"
        elif kind == "essay":
            model = self.rich(q.find("graderinfo")) or explanation or DEFAULT_MODEL_ANSWER
            content = {"prompt": prompt, "model_answer": model}
            out_kind = "essay"
        elif kind == "ordering":
            ordered = sorted(enumerate(answers), key=lambda ia: (_fraction(ia[1]), ia[0]))
            content = {"prompt": prompt, "items": [self.rich(a) for _, a in ordered]}
            out_kind = "ordering"
        elif kind in ("cloze", "multianswer"):
            content = self.cloze(prompt)
            out_kind = "cloze"
        else:
            raise self.error(f"the question type {kind!r} cannot be imported.")
        return QuestionDraft(
            kind=out_kind,
            content=content,
            external_id=idnumber,
            topic_path=topic,
            explanation=explanation
            if kind != "essay" or q.find("graderinfo") is not None
            else None,
            tags=self.tags(q),
            location=self.location,
        )

    def tags(self, q: ET.Element) -> list[str] | None:
        holder = q.find("tags")
        if holder is None:
            return None
        words = (" ".join((tag.findtext("text") or "").split()) for tag in holder.findall("tag"))
        return [word.replace(" ", "_") for word in words if word]

    def cloze(self, text: str) -> dict[str, Any]:
        gaps: list[dict[str, Any]] = []

        def replace(match: re.Match[str]) -> str:
            kind = match.group(2).upper()
            parts = _split_escaped(match.group(3), "~")
            entries = []
            for part in parts:
                weight = 0.0
                part = part.strip()
                if part.startswith("="):
                    weight, part = 100.0, part[1:]
                else:
                    w = _WEIGHT.match(part)
                    if w:
                        weight, part = float(w.group(1)), part[w.end() :]
                answer = _split_escaped(part, "#")[0]
                answer = re.sub(r"\\(.)", r"\1", answer).strip()
                if kind in ("NUMERICAL", "NM"):
                    answer = answer.split(":", 1)[0].strip()
                entries.append((answer, weight))
            if kind in (
                "SHORTANSWER",
                "SA",
                "MW",
                "SHORTANSWER_C",
                "SAC",
                "MWC",
                "NUMERICAL",
                "NM",
            ):
                gaps.append({"answers": [a for a, w in entries if w >= 100]})
            elif kind.startswith(("MULTICHOICE", "MC")) and not kind.startswith("MULTIRESPONSE"):
                correct = next((i for i, (_, w) in enumerate(entries) if w >= 100), -1)
                gaps.append({"options": [a for a, _ in entries], "correct": correct})
            else:
                raise self.error(f"the cloze part {kind} cannot be imported.")
            return "{{" + str(len(gaps)) + "}}"

        gapped = _EMBEDDED.sub(replace, text)
        return {"prompt": DEFAULT_CLOZE_PROMPT, "text": gapped, "gaps": gaps}


def _split_escaped(text: str, separator: str) -> list[str]:
    """Split at each separator not escaped by a backslash; escapes are kept."""
    parts, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def read(data: bytes | str, file: str | None = None) -> ReadResult:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return _Reader(file).read(data)


# -- writing ---------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _rich(
    parent: ET.Element, tag: str, text: str, fmt: str = "markdown", **attrs: str
) -> ET.Element:
    element = _sub(parent, tag, format=fmt, **attrs)
    _sub(element, "text", text)
    return element


def _embed_media(
    element: ET.Element,
    media: Callable[[str], bytes | None] | None,
    result: WriteResult,
    label: str,
) -> None:
    """Point the text's images and sounds at files embedded beside it, as Moodle does."""
    text_el = element.find("text")
    text = text_el.text or "" if text_el is not None else ""
    if not MEDIA_REFERENCE.search(text):
        return

    def embed(match: re.Match[str]) -> str:
        sha256, ext = match[2], match[3]
        data = media(sha256) if media is not None else None
        if data is None:
            result.notes.append(f"{label}: a file it shows is not in the media store; left out.")
            return ""
        name = f"{sha256[:16]}.{ext}"
        file = _sub(element, "file", name=name, path="/", encoding="base64")
        file.text = base64.b64encode(data).decode("ascii")
        return f"![{match[1]}](@@PLUGINFILE@@/{name})"

    assert text_el is not None
    text_el.text = MEDIA_REFERENCE.sub(embed, text)


def _answer(
    parent: ET.Element, fraction: float, text: str, feedback: str = "", fmt: str = "markdown"
) -> ET.Element:
    answer = _rich(parent, "answer", text, fmt, fraction=number_text(round(fraction * 100, 7)))
    _rich(answer, "feedback", feedback)
    return answer


def _cloze_escape(text: str) -> str:
    return re.sub(r"([\\}~#])", r"\\\1", text)


# Writers that take `media` (a stored file's bytes by its sha256) embed the files they show.
WRITES_MEDIA = True


def write(
    drafts: Iterable[QuestionDraft], *, media: Callable[[str], bytes | None] | None = None
) -> WriteResult:
    result = WriteResult(NAME, b"")
    quiz = ET.Element("quiz")
    topic = None
    for draft in drafts:
        c = draft.content
        kind = draft.kind
        label = f"{draft.external_id or 'a question'} ({kind})"
        types = {
            "multiple_choice": "multichoice",
            "multiple_response": "multichoice",
            "true_false": "truefalse",
            "short_answer": "shortanswer",
            "numerical": "numerical",
            "matching": "matching",
            "essay": "essay",
            "ordering": "ordering",
            "cloze": "cloze",
        }
        if kind not in types:
            result.left_out.append(f"{label}: Moodle XML has no such question type.")
            continue
        if draft.topic_path is not None and draft.topic_path != topic:
            topic = draft.topic_path
            category = _sub(quiz, "question", type="category")
            _rich(
                category, "category", "$course$/top" + (f"/{topic}" if topic else ""), "plain_text"
            )
        q = _sub(quiz, "question", type=types[kind])
        name = draft.external_id or " ".join(c.get("prompt", "").split())[:60]
        _rich(q, "name", name, "plain_text")
        if kind == "cloze":
            gaps = iter(c["gaps"])

            def embed(match: re.Match[str], gaps=gaps) -> str:
                gap = next(gaps)
                if "answers" in gap:
                    inner = "~".join("%100%" + _cloze_escape(a) for a in gap["answers"])
                    return "{1:SHORTANSWER:" + inner + "}"
                inner = "~".join(
                    ("%100%" if i == gap["correct"] else "%0%") + _cloze_escape(o)
                    for i, o in enumerate(gap["options"])
                )
                return "{1:MULTICHOICE:" + inner + "}"

            _rich(q, "questiontext", re.sub(r"\{\{\d+\}\}", embed, c["text"]))
            if c["prompt"] != DEFAULT_CLOZE_PROMPT:
                result.notes.append(
                    f"{label}: Moodle's cloze has no separate prompt; it was left out."
                )
        else:
            _embed_media(_rich(q, "questiontext", c["prompt"]), media, result, label)
        _rich(q, "generalfeedback", draft.explanation or "")
        if draft.external_id:
            _sub(q, "idnumber", draft.external_id)
        if draft.tags:
            holder = _sub(q, "tags")
            for tag in draft.tags:
                _sub(_sub(holder, "tag"), "text", tag)
        if kind in ("multiple_choice", "multiple_response"):
            single = kind == "multiple_choice"
            _sub(q, "single", "true" if single else "false")
            _sub(q, "shuffleanswers", "0" if c.get("pin_order") else "1")
            n = sum(1 for o in c["options"] if o["correct"])
            for o in c["options"]:
                fraction = (1.0 if single else 1 / n) if o["correct"] else 0.0
                _answer(q, fraction, o["text"], o.get("feedback", ""))
        elif kind == "true_false":
            for which in (True, False):
                _answer(
                    q,
                    1.0 if c["answer"] is which else 0.0,
                    str(which).lower(),
                    c.get(f"feedback_{str(which).lower()}", ""),
                    "moodle_auto_format",
                )
        elif kind == "short_answer":
            _sub(q, "usecase", "0")
            for a in c["answers"]:
                _answer(q, a["credit"], a["text"], a.get("feedback", ""), "moodle_auto_format")
        elif kind == "numerical":
            for a in c["answers"]:
                if "min" in a:
                    value = (a["min"] + a["max"]) / 2
                    tolerance = (a["max"] - a["min"]) / 2
                    result.notes.append(f"{label}: a range became a value with a tolerance.")
                else:
                    value, tolerance = a["value"], a.get("tolerance", 0)
                answer = _answer(
                    q, a["credit"], number_text(value), a.get("feedback", ""), "moodle_auto_format"
                )
                _sub(answer, "tolerance", number_text(tolerance))
            if c.get("unit"):
                units = _sub(q, "units")
                unit = _sub(units, "unit")
                _sub(unit, "multiplier", "1")
                _sub(unit, "unit_name", c["unit"])
        elif kind == "matching":
            for pair in c["pairs"]:
                sub = _rich(q, "subquestion", pair["left"])
                _sub(_sub(sub, "answer"), "text", pair["right"])
            for distractor in c.get("distractors", []):
                sub = _rich(q, "subquestion", "")
                _sub(_sub(sub, "answer"), "text", distractor)
        elif kind == "essay":
            _rich(q, "graderinfo", c["model_answer"])
            if c.get("rubric"):
                result.notes.append(f"{label}: Moodle's essay has no rubric; it was left out.")
        elif kind == "ordering":
            for position, item in enumerate(c["items"], start=1):
                _rich(q, "answer", item, fraction=str(position))
        result.count(kind)
    ET.indent(quiz)
    result.data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        + ET.tostring(quiz, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )
    return result
