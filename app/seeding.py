"""Load seed_data/ into the database: source documents and question banks.

One reader (`app.formats.seed`) and the import pipeline: every bank is planned before
anything is written, so one bad question refuses the whole run. Idempotent: a second run
changes nothing. A question edited in seed_data/ is updated in place (its version goes up
when its content does); questions are matched on their stable id, so answers and review
history that point at them are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .formats import MAX_EXCERPT_CHARS, Plan, apply, ensure_topic, plan
from .formats.seed import QUESTION_KEYS, SeedError, document_sections, read_banks, read_documents
from .models import QuestionBank, SourceDocument

__all__ = [
    "MAX_EXCERPT_CHARS",
    "QUESTION_KEYS",
    "SeedError",
    "SeedReport",
    "ensure_topic",
    "load_seed_data",
]


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


def load_seed_data(session: Session, directory: Path) -> SeedReport:
    """Read and plan everything first, then write; the caller commits.

    Raises SeedError, having written nothing, when seed_data/ is inconsistent.
    """
    report = SeedReport()
    documents = read_documents(directory)
    specs = read_banks(directory)
    sources = document_sections(documents)

    bank_rows = {
        row.slug: row
        for row in session.scalars(
            select(QuestionBank).where(QuestionBank.slug.in_([s.slug for s in specs]))
        )
    }
    plans: list[tuple[Plan, str]] = []
    for spec in specs:
        planned = plan(session, bank_rows.get(spec.slug), spec.drafts, sources=sources)
        plans.append((planned, spec.slug))
    problems = [entry.describe() for planned, _ in plans for entry in planned.invalid]
    if problems:
        raise SeedError("\n".join(problems))

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
            session.add(SourceDocument(slug=spec["slug"], **values))
            report.documents_created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.documents_updated += 1

    for spec in specs:
        row = bank_rows.get(spec.slug)
        if row is None:
            row = QuestionBank(slug=spec.slug, title=spec.title, description=spec.description)
            session.add(row)
            bank_rows[spec.slug] = row
            report.banks_created += 1
        else:
            row.title = spec.title
            row.description = spec.description
    session.flush()

    for planned, slug in plans:
        result = apply(session, planned, bank=bank_rows[slug])
        report.questions_created += result.created
        report.questions_updated += result.updated
        report.questions_unchanged += result.unchanged
        for kind, n in result.by_type.items():
            report.by_type[kind] = report.by_type.get(kind, 0) + n
    return report
