"""The seed_data/ reader: source documents, bank specs and question drafts from YAML.

Reading only: the drafts are validated (content, difficulty, citations grounded in their
section) by `app.formats.plan`. A file that cannot be read at all raises SeedError; a
question that cannot become a draft (not a mapping, no id) is a FormatError in the list
of drafts, with its file and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..sources.documents import Section, split_sections
from .pipeline import Citation, FormatError, Location, QuestionDraft

# Keys of a question in a bank file that are not part of its content.
QUESTION_KEYS = {"id", "type", "difficulty", "section", "explanation", "source", "tags"}


class SeedError(FormatError):
    """seed_data/ is inconsistent; the message names the file and question."""


@dataclass
class BankSpec:
    slug: str
    title: str
    description: str = ""
    drafts: list[QuestionDraft | FormatError] = field(default_factory=list)


def _read_yaml(path: Path) -> tuple[Any, list[int]]:
    """The file's data, and the line of each item of its `questions` list."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{path.name}: cannot be read: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise SeedError(
            f"{path.name}: cannot be read: {exc}", location=Location(path.name, line)
        ) from exc
    finally:
        loader.dispose()
    lines: list[int] = []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "questions" and isinstance(value, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value.value]
    return data, lines


def read_documents(directory: Path) -> list[dict[str, Any]]:
    """The documents of sources/manifest.yaml, each with its `text`."""
    manifest, _ = _read_yaml(directory / "sources" / "manifest.yaml")
    documents = []
    for spec in (manifest or {}).get("documents", []):
        for key in ("slug", "title", "file", "sections"):
            if key not in spec:
                raise SeedError(f"sources/manifest.yaml: a document lacks {key!r}.")
        try:
            text = (directory / "sources" / spec["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SeedError(f"sources/{spec['file']}: cannot be read: {exc}") from exc
        lines = {line.strip() for line in text.splitlines()}
        for section in spec["sections"]:
            if section["start"] not in lines:
                raise SeedError(
                    f"sources/manifest.yaml: section {section['slug']!r} of {spec['slug']} "
                    f"starts at a line that is not in {spec['file']}."
                )
        documents.append({**spec, "text": text})
    return documents


def document_sections(documents: Sequence[dict[str, Any]]) -> dict[str, list[Section]]:
    """Each document's sections, for checking citations before the documents are stored."""
    return {
        d["slug"]: split_sections(d["text"], d["sections"], d.get("skip", ())) for d in documents
    }


def read_banks(directory: Path) -> list[BankSpec]:
    """banks/banks.yaml and every bank file, as bank specs holding their drafts."""
    banks_file = directory / "banks" / "banks.yaml"
    listed = (_read_yaml(banks_file)[0] or {}).get("banks", []) if banks_file.exists() else []
    banks: dict[str, BankSpec] = {}
    for spec in listed:
        if not isinstance(spec, dict) or not spec.get("slug") or not spec.get("title"):
            raise SeedError("banks.yaml: every bank needs a slug and a title.")
        banks[spec["slug"]] = BankSpec(
            spec["slug"], str(spec["title"]), str(spec.get("description") or "")
        )
    for path in sorted((directory / "banks").glob("*.yaml")):
        if path.name == "banks.yaml":
            continue
        data, lines = _read_yaml(path)
        data = data if isinstance(data, dict) else {}
        bank_slug = data.get("bank")
        if bank_slug not in banks:
            raise SeedError(f"{path.name}: bank {bank_slug!r} is not listed in banks.yaml.")
        topic = str(data.get("topic") or "").strip()
        if not topic:
            raise SeedError(f"{path.name}: the file names no topic.")
        questions = data.get("questions") or []
        if not isinstance(questions, list):
            raise SeedError(f"{path.name}: `questions` must be a list.")
        for number, item in enumerate(questions, start=1):
            line = lines[number - 1] if number <= len(lines) else None
            banks[bank_slug].drafts.append(_draft(path.name, line, number, topic, item))
    return list(banks.values())


def _draft(
    file_name: str, line: int | None, number: int, topic: str, item: Any
) -> QuestionDraft | FormatError:
    if not isinstance(item, dict):
        return FormatError(
            "a question must be a set of named fields.",
            location=Location(file_name, line, label=f"question {number}"),
        )
    external_id = str(item.get("id") or "").strip()
    label = f"question {number}" + (f" ({external_id})" if external_id else "")
    location = Location(file_name, line, label=label)
    if not external_id:
        return FormatError("no id.", location=location)
    source = item.get("source") or {}
    if not isinstance(source, dict):
        return FormatError("`source` must name a document and an excerpt.", location=location)
    return QuestionDraft(
        kind=str(item.get("type")),
        content={k: v for k, v in item.items() if k not in QUESTION_KEYS},
        external_id=external_id,
        topic_path=topic,
        explanation=str(item.get("explanation") or ""),
        difficulty=item.get("difficulty", 2),
        citation=Citation(source.get("document"), item.get("section"), source.get("excerpt")),
        tags=item.get("tags"),
        location=location,
    )
