"""The app's own JSON format: every field of a question, citations included.

A file is `{"format": "recall-questions", "version": 1, "questions": [...]}` (or just the
list); each question has the shape of a question in seed_data/ (see seed_data/README.md):
`id`, `type`, `topic`, `difficulty`, `explanation`, `tags` (a list of words), `section`,
`source: {document, excerpt}` and the type's own content fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .common import ReadResult, WriteResult, decode
from .pipeline import Citation, FormatError, Location, QuestionDraft

NAME = "json"
SUFFIXES = (".json",)
FORMAT_TAG = "recall-questions"
VERSION = 1
KEYS = {"id", "type", "topic", "difficulty", "explanation", "tags", "section", "source"}


def read(data: bytes | str, file: str | None = None) -> ReadResult:
    result = ReadResult(NAME)
    text = decode(data, file)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(
            f"the file is not valid JSON ({exc.msg}).", location=Location(file, exc.lineno)
        ) from exc
    except RecursionError as exc:
        raise FormatError("the JSON is nested too deeply.", location=Location(file)) from exc
    except ValueError as exc:  # e.g. a number with thousands of digits
        raise FormatError(
            f"the file cannot be read as JSON ({exc}).", location=Location(file)
        ) from exc
    if isinstance(document, dict):
        tag = document.get("format")
        if tag is not None and tag != FORMAT_TAG:
            raise FormatError(
                f"the file's format is {tag!r}, not {FORMAT_TAG!r}.", location=Location(file)
            )
        version = document.get("version", VERSION)
        if version != VERSION:
            raise FormatError(
                f"version {version!r} of the format is not known.", location=Location(file)
            )
        questions = document.get("questions")
    else:
        questions = document
    if not isinstance(questions, list):
        raise FormatError("the file holds no list of questions.", location=Location(file))
    for number, item in enumerate(questions, start=1):
        location = Location(file, path=f"questions[{number - 1}]", label=f"question {number}")
        result.drafts.append(_draft(item, location))
    return result


def _draft(item: Any, location: Location) -> QuestionDraft | FormatError:
    if not isinstance(item, dict):
        return FormatError("a question must be an object of named fields.", location=location)
    source = item.get("source")
    if source is not None and not isinstance(source, dict):
        return FormatError(
            "`source` must be an object naming a document and an excerpt.", location=location
        )
    citation = None
    if source is not None or "section" in item:
        source = source or {}
        citation = Citation(source.get("document"), item.get("section"), source.get("excerpt"))
    external_id = item.get("id")
    topic = item.get("topic")
    explanation = item.get("explanation")
    for name, value in (("id", external_id), ("topic", topic), ("explanation", explanation)):
        if value is not None and not isinstance(value, str):
            return FormatError(f"`{name}` must be text.", location=location)
    tags = item.get("tags")
    if tags is not None and not isinstance(tags, list):
        return FormatError("`tags` must be a list of words.", location=location)
    return QuestionDraft(
        kind=str(item.get("type")),
        content={k: v for k, v in item.items() if k not in KEYS},
        external_id=external_id,
        topic_path=topic,
        explanation=explanation,
        difficulty=item.get("difficulty"),
        citation=citation,
        tags=tags,
        location=location,
    )


def question_object(draft: QuestionDraft) -> dict[str, Any]:
    item: dict[str, Any] = {"id": draft.external_id, "type": draft.kind}
    if draft.topic_path is not None:
        item["topic"] = draft.topic_path
    if draft.difficulty is not None:
        item["difficulty"] = draft.difficulty
    item.update(draft.content)
    if draft.explanation is not None:
        item["explanation"] = draft.explanation
    if draft.tags:
        item["tags"] = list(draft.tags)
    if draft.citation is not None and draft.citation.document:
        item["section"] = draft.citation.section
        item["source"] = {"document": draft.citation.document, "excerpt": draft.citation.excerpt}
    return item


def write(drafts: Iterable[QuestionDraft]) -> WriteResult:
    result = WriteResult(NAME, b"")
    questions = []
    for draft in drafts:
        questions.append(question_object(draft))
        result.count(draft.kind)
    document = {"format": FORMAT_TAG, "version": VERSION, "questions": questions}
    result.data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return result
