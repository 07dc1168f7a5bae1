"""Load seed_data/ into the database: source documents and question banks.

Idempotent: a second run changes nothing. A question edited in seed_data/ is
updated in place and its version goes up; questions are matched on their
stable id, so answers and review history that point at them are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Question, QuestionBank, SourceDocument, Topic
from .questions import ValidationError, validate_content
from .sources.documents import excerpt_in_section, split_sections

QUESTION_KEYS = {"id", "type", "difficulty", "section", "explanation", "source"}
MAX_EXCERPT_CHARS = 300


class SeedError(ValueError):
    """seed_data/ is inconsistent; the message names the file and question."""


@dataclass
class SeedReport:
    documents_created: int = 0
    documents_updated: int = 0
    banks_created: int = 0
    questions_created: int = 0
    questions_updated: int = 0
    questions_unchanged: int = 0
    by_type: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        total = self.questions_created + self.questions_updated + self.questions_unchanged
        return (
            f"Sources: {self.documents_created} created, {self.documents_updated} updated. "
            f"Banks: {self.banks_created} created. Questions: {total} in seed data, "
            f"{self.questions_created} created, {self.questions_updated} updated, "
            f"{self.questions_unchanged} unchanged."
        )


@dataclass
class QuestionDraft:
    """A question read and validated from a bank file, not yet written."""

    bank_slug: str
    topic_path: str
    external_id: str
    kind: str
    content: dict[str, Any]
    explanation: str
    difficulty: int
    document_slug: str | None
    section: str | None
    excerpt: str | None
    where: str


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path.name}: cannot be read: {exc}") from exc


def read_documents(directory: Path) -> list[dict[str, Any]]:
    manifest = _read_yaml(directory / "sources" / "manifest.yaml") or {}
    documents = []
    for spec in manifest.get("documents", []):
        for key in ("slug", "title", "file", "sections"):
            if key not in spec:
                raise SeedError(f"sources/manifest.yaml: a document lacks {key!r}.")
        text = (directory / "sources" / spec["file"]).read_text(encoding="utf-8")
        lines = {line.strip() for line in text.splitlines()}
        for section in spec["sections"]:
            if section["start"] not in lines:
                raise SeedError(
                    f"sources/manifest.yaml: section {section['slug']!r} of {spec['slug']} "
                    f"starts at a line that is not in {spec['file']}."
                )
        documents.append({**spec, "text": text})
    return documents


def read_banks(directory: Path, documents: list[dict[str, Any]]) -> tuple[list, list]:
    """Read and validate every bank file; raise SeedError on the first problem."""
    banks_file = directory / "banks" / "banks.yaml"
    banks = (_read_yaml(banks_file) or {}).get("banks", []) if banks_file.exists() else []
    bank_slugs = {b["slug"] for b in banks}
    structure = {
        d["slug"]: split_sections(d["text"], d["sections"], d.get("skip", ())) for d in documents
    }
    drafts: list[QuestionDraft] = []
    seen: set[tuple[str, str]] = set()
    for path in sorted((directory / "banks").glob("*.yaml")):
        if path.name == "banks.yaml":
            continue
        data = _read_yaml(path) or {}
        bank_slug = data.get("bank")
        if bank_slug not in bank_slugs:
            raise SeedError(f"{path.name}: bank {bank_slug!r} is not listed in banks.yaml.")
        topic = str(data.get("topic") or "").strip()
        if not topic:
            raise SeedError(f"{path.name}: the file names no topic.")
        for number, item in enumerate(data.get("questions") or [], start=1):
            draft = _read_question(path.name, number, bank_slug, topic, item, structure)
            key = (bank_slug, draft.external_id)
            if key in seen:
                raise SeedError(f"{draft.where}: the id {draft.external_id!r} is used twice.")
            seen.add(key)
            drafts.append(draft)
    return banks, drafts


def _read_question(
    file_name: str,
    number: int,
    bank_slug: str,
    topic: str,
    item: dict[str, Any],
    structure: dict[str, list],
) -> QuestionDraft:
    external_id = str(item.get("id") or "").strip()
    where = f"{file_name}: question {number}" + (f" ({external_id})" if external_id else "")
    if not external_id:
        raise SeedError(f"{where}: no id.")
    kind = item.get("type")
    content = {k: v for k, v in item.items() if k not in QUESTION_KEYS}
    try:
        content = validate_content(str(kind), content)
    except ValidationError as exc:
        raise SeedError(f"{where}: {exc}") from exc
    difficulty = item.get("difficulty", 2)
    if difficulty not in (1, 2, 3):
        raise SeedError(f"{where}: difficulty must be 1, 2 or 3.")
    source = item.get("source") or {}
    document_slug = source.get("document")
    excerpt = source.get("excerpt")
    section = item.get("section")
    if document_slug is not None:
        if document_slug not in structure:
            raise SeedError(f"{where}: unknown source document {document_slug!r}.")
        if not excerpt or len(" ".join(excerpt.split())) > MAX_EXCERPT_CHARS:
            raise SeedError(f"{where}: the excerpt is missing or over {MAX_EXCERPT_CHARS} chars.")
        if not excerpt_in_section(structure[document_slug], section, excerpt):
            raise SeedError(
                f"{where}: the excerpt is not in section {section!r} of {document_slug}."
            )
    return QuestionDraft(
        bank_slug=bank_slug,
        topic_path=topic,
        external_id=external_id,
        kind=str(kind),
        content=content,
        explanation=str(item.get("explanation") or ""),
        difficulty=int(difficulty),
        document_slug=document_slug,
        section=section,
        excerpt=" ".join(excerpt.split()) if excerpt else None,
        where=where,
    )


def load_seed_data(session: Session, directory: Path) -> SeedReport:
    """Validate everything first, then write; the caller commits."""
    report = SeedReport()
    documents = read_documents(directory)
    banks, drafts = read_banks(directory, documents)

    doc_rows: dict[str, SourceDocument] = {}
    for spec in documents:
        row = session.scalar(select(SourceDocument).where(SourceDocument.slug == spec["slug"]))
        values = {
            "title": spec["title"],
            "short_title": spec.get("short_title", ""),
            "origin": spec.get("origin", ""),
            "text": spec["text"],
            "sections": [
                {"slug": s["slug"], "title": s["title"], "start": s["start"]}
                for s in spec["sections"]
            ],
            "skip_lines": list(spec.get("skip", [])),
        }
        if row is None:
            row = SourceDocument(slug=spec["slug"], **values)
            session.add(row)
            report.documents_created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.documents_updated += 1
        doc_rows[spec["slug"]] = row

    bank_rows: dict[str, QuestionBank] = {}
    for spec in banks:
        row = session.scalar(select(QuestionBank).where(QuestionBank.slug == spec["slug"]))
        if row is None:
            row = QuestionBank(
                slug=spec["slug"], title=spec["title"], description=spec.get("description", "")
            )
            session.add(row)
            report.banks_created += 1
        else:
            row.title = spec["title"]
            row.description = spec.get("description", "")
        bank_rows[spec["slug"]] = row
    session.flush()

    topics: dict[tuple[int, str], Topic] = {}
    existing = {
        (q.bank_id, q.external_id): q
        for q in session.scalars(
            select(Question).where(Question.bank_id.in_([b.id for b in bank_rows.values()]))
        )
    }
    for draft in drafts:
        bank = bank_rows[draft.bank_slug]
        topic = ensure_topic(session, bank.id, draft.topic_path, topics)
        document = doc_rows.get(draft.document_slug) if draft.document_slug else None
        values = {
            "kind": draft.kind,
            "content": draft.content,
            "explanation": draft.explanation,
            "difficulty": draft.difficulty,
            "topic_id": topic.id,
            "source_document_id": document.id if document else None,
            "source_section": draft.section,
            "source_excerpt": draft.excerpt,
        }
        report.by_type[draft.kind] = report.by_type.get(draft.kind, 0) + 1
        question = existing.get((bank.id, draft.external_id))
        if question is None:
            session.add(Question(bank_id=bank.id, external_id=draft.external_id, **values))
            report.questions_created += 1
        elif any(getattr(question, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(question, k, v)
            question.version += 1
            report.questions_updated += 1
        else:
            report.questions_unchanged += 1
    session.flush()
    return report


def ensure_topic(
    session: Session, bank_id: int, path: str, cache: dict[tuple[int, str], Topic] | None = None
) -> Topic:
    """The topic at `path` ("Parent/Child") in the bank, creating missing levels."""
    cache = {} if cache is None else cache
    parent: Topic | None = None
    parts = [p.strip() for p in path.split("/") if p.strip()]
    for depth in range(1, len(parts) + 1):
        sub_path = "/".join(parts[:depth])
        key = (bank_id, sub_path)
        topic = cache.get(key) or session.scalar(
            select(Topic).where(Topic.bank_id == bank_id, Topic.path == sub_path)
        )
        if topic is None:
            topic = Topic(
                bank_id=bank_id,
                name=parts[depth - 1],
                path=sub_path,
                parent_id=parent.id if parent else None,
            )
            session.add(topic)
            session.flush()
        cache[key] = topic
        parent = topic
    assert parent is not None, "a topic path has at least one part"
    return parent
