"""Teachers' own documents: making one, adjusting its sections, editing its text, and the
question drafts drawn from it (an upload waits in `app.sources.pending` until it is saved).
No Flask: functions take a session and plain values, take `now` as an argument, flush and
never commit.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..drafting import MAX_CHARS, ExtractedDocument, draft_document
from ..errors import Conflict, Invalid
from ..formats import ensure_topic
from ..models import PendingDocument, Question, QuestionBank, QuestionDraft, SourceDocument
from ..questions import ValidationError, validate_content
from .documents import excerpt_in_section, split_sections

MAX_TITLE_CHARS = 200
MAX_SECTION_TITLE_CHARS = 200
MAX_CANDIDATE_CHARS = 160
MAX_CANDIDATES = 400
# Drafting reads about 30 000 characters a second; past this a request would keep the
# teacher waiting for seconds, so the drafter runs as a background job instead.
BACKGROUND_DRAFTING_CHARS = 60_000
DRAFT_JOB = "draft_document"
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def _slugify(text: str, limit: int) -> str:
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:limit].strip("-")


def checked_title(title: str | None) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Invalid("Give the document a title.", field="title")
    if len(title) > MAX_TITLE_CHARS:
        raise Invalid(f"Keep the title to {MAX_TITLE_CHARS} characters.", field="title")
    return title


def document_title(title: str | None, extracted: ExtractedDocument, file_name: str) -> str:
    """The title given, else the document's own first heading, else the file's name."""
    return checked_title(title or _first_heading(extracted) or file_name.rsplit(".", 1)[0])


def detected_sections(extracted: ExtractedDocument, title: str) -> list[dict[str, Any]]:
    """The sections found at the headings; without any, one from the first line on, until
    the teacher marks more."""
    if extracted.sections:
        return extracted.sections
    first = next(line.strip() for line in extracted.text.splitlines() if line.strip())
    return [{"slug": _slugify(title, 50) or "text", "title": title, "start": first}]


def new_document(
    session: Session,
    *,
    owner_id: int,
    title: str,
    origin: str,
    text: str,
    sections: list[dict[str, Any]],
    file_name: str,
    file_type: str,
    now: datetime,
) -> SourceDocument:
    """The SourceDocument row, under a slug no other document has."""
    base = _slugify(title, 60) or "document"
    slug = f"{base}-{secrets.token_hex(3)}"
    while session.scalar(select(SourceDocument.id).where(SourceDocument.slug == slug)):
        slug = f"{base}-{secrets.token_hex(3)}"
    document = SourceDocument(
        slug=slug,
        title=title,
        short_title=title[:80],
        origin=origin[:300],
        text=text,
        sections=sections,
        skip_lines=[],
        owner_id=owner_id,
        file_name=file_name[:255],
        file_type=file_type,
        created_at=now,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    return document


def _first_heading(extracted: ExtractedDocument) -> str:
    """The document's own title: its first line when that reads as one, else its first
    section's title."""
    first = next((line.strip() for line in extracted.text.splitlines() if line.strip()), "")
    first = first.lstrip("#").strip()
    if first and len(first) <= 120 and len(first.split()) <= 12 and first[-1] not in ".,;:":
        return first
    return extracted.sections[0]["title"] if extracted.sections else ""


# -- sections -----------------------------------------------------------------------------


@dataclass
class Candidate:
    """A line that could start a section, and whether it does now."""

    index: int
    line: str
    title: str
    checked: bool


def section_candidates(document: SourceDocument | PendingDocument) -> list[Candidate]:
    """The document's current section starts, checked, among the short lines that could be."""
    starts = {s["start"]: s["title"] for s in document.sections}
    found: list[Candidate] = []
    seen: set[str] = set()
    for index, raw in enumerate(document.text.splitlines()):
        line = raw.strip()
        if not line or line in seen:
            continue
        if line in starts or (len(line) <= MAX_CANDIDATE_CHARS and "\t" not in line):
            seen.add(line)
            found.append(Candidate(index, line, starts.get(line, line), line in starts))
    # A long document has many short lines: keep the starts and the first others.
    others = MAX_CANDIDATES - len(starts)
    return [c for c in found if c.checked or (others := others - 1) >= 0]


def chosen_sections(
    text: str, chosen: list[tuple[int, str]], previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The sections starting at the chosen line numbers of `text`, titled as given.

    A start line kept keeps its slug in `previous`, so questions citing it still find it.
    At least one line must be chosen: a document without sections has nothing to cite.
    """
    lines = text.splitlines()
    slugs = {s["start"]: s["slug"] for s in previous}
    taken: set[str] = set()
    sections: list[dict[str, Any]] = []
    starts: set[str] = set()
    for index, title in sorted(chosen):
        if not 0 <= index < len(lines) or not lines[index].strip():
            raise Invalid("A chosen section start is not a line of this document.", field="start")
        start = lines[index].strip()
        if start in starts:
            continue
        starts.add(start)
        title = " ".join((title or "").split()) or start
        if len(title) > MAX_SECTION_TITLE_CHARS:
            raise Invalid(
                f"Keep section titles to {MAX_SECTION_TITLE_CHARS} characters.", field="start"
            )
        slug = slugs.get(start)
        if slug is None or slug in taken:
            slug = _unique_slug(_slugify(title, 50) or "section", taken | set(slugs.values()))
        taken.add(slug)
        sections.append({"slug": slug, "title": title, "start": start})
    if not sections:
        raise Invalid("Tick at least one line to start a section.", field="start")
    return sections


def set_sections(
    session: Session, document: SourceDocument, chosen: list[tuple[int, str]], now: datetime
) -> list[Question]:
    """Sections start at the chosen line numbers, titled as given (see `chosen_sections`).

    Returns the questions whose excerpt is no longer in their section.
    """
    document.sections = chosen_sections(document.text, chosen, document.sections)
    document.updated_at = now
    session.flush()
    return stale_citations(session, document)


def _unique_slug(base: str, taken: set[str]) -> str:
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def edit_text(
    session: Session, document: SourceDocument, title: str | None, text: str | None, now: datetime
) -> list[Question]:
    """New title and text. Sections whose start line is gone are dropped; the questions whose
    excerpt no longer occurs in their section are returned, for the teacher to fix."""
    title = checked_title(title)
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Invalid("The document cannot be empty.", field="text")
    if len(text) > MAX_CHARS:
        # The limit an upload's text has (app.drafting.extraction).
        raise Invalid(
            f"The text has {len(text):,} characters; a document holds at most {MAX_CHARS:,}.",
            field="text",
        )
    lines = {line.strip() for line in text.splitlines()}
    document.title = title
    document.short_title = title[:80]
    document.text = text
    document.sections = [s for s in document.sections if s["start"] in lines]
    document.updated_at = now
    session.flush()
    return stale_citations(session, document)


def citing_questions(session: Session, document: SourceDocument) -> list[Question]:
    return list(
        session.scalars(
            select(Question)
            .where(Question.source_document_id == document.id)
            .order_by(Question.bank_id, Question.external_id)
        )
    )


def stale_citations(session: Session, document: SourceDocument) -> list[Question]:
    """The questions citing `document` whose excerpt is not (any longer) in their section."""
    sections = split_sections(document.text, document.sections, document.skip_lines)
    return [
        question
        for question in citing_questions(session, document)
        if question.source_excerpt
        and not excerpt_in_section(sections, question.source_section or "", question.source_excerpt)
    ]


# -- drafts -------------------------------------------------------------------------------


def runs_in_background(document: SourceDocument) -> bool:
    return len(document.text) > BACKGROUND_DRAFTING_CHARS


def draft_questions(
    session: Session, document: SourceDocument, owner_id: int, now: datetime
) -> int:
    """Draft questions from the document; replaces the owner's pending drafts of it.

    A draft already accepted or rejected is not proposed again. Returns how many are new.
    """
    sections = split_sections(document.text, document.sections, document.skip_lines)
    drafts = draft_document(document.slug, document.title, [s for s in sections if s.slug])
    decided = set(
        session.scalars(
            select(QuestionDraft.draft_key).where(
                QuestionDraft.document_id == document.id,
                QuestionDraft.owner_id == owner_id,
                QuestionDraft.state != "pending",
            )
        )
    )
    session.execute(
        delete(QuestionDraft).where(
            QuestionDraft.document_id == document.id,
            QuestionDraft.owner_id == owner_id,
            QuestionDraft.state == "pending",
        )
    )
    added = 0
    for position, draft in enumerate(drafts):
        if draft.key in decided:
            continue
        session.add(
            QuestionDraft(
                document_id=document.id,
                owner_id=owner_id,
                kind=draft.kind,
                content=draft.content,
                section=draft.citation.section,
                excerpt=draft.citation.excerpt,
                basis=draft.basis[:40],
                draft_key=draft.key,
                needs_review=draft.needs_review,
                position=position,
                created_at=now,
            )
        )
        added += 1
    session.flush()
    return added


def draft_questions_job(
    session: Session, params: dict[str, Any], progress: Any, now: datetime
) -> dict[str, Any]:
    """The background job of `draft_questions`, for large documents."""
    document = session.get(SourceDocument, int(params["document_id"]))
    if document is None:
        raise Invalid("The document was deleted before its drafts were made.")
    progress(0.1, "Reading the document.")
    added = draft_questions(session, document, int(params["owner_id"]), now)
    return {"message": f"{added} drafts proposed.", "drafts": added, "slug": document.slug}


def pending_drafts(
    session: Session, document: SourceDocument, owner_id: int
) -> list[QuestionDraft]:
    return list(
        session.scalars(
            select(QuestionDraft)
            .where(
                QuestionDraft.document_id == document.id,
                QuestionDraft.owner_id == owner_id,
                QuestionDraft.state == "pending",
            )
            .order_by(QuestionDraft.position, QuestionDraft.id)
        )
    )


def draft_counts(session: Session, document: SourceDocument, owner_id: int) -> dict[str, int]:
    counts = {state: 0 for state in ("pending", "accepted", "rejected")}
    for state in session.scalars(
        select(QuestionDraft.state).where(
            QuestionDraft.document_id == document.id, QuestionDraft.owner_id == owner_id
        )
    ):
        counts[state] = counts.get(state, 0) + 1
    return counts


def _decide(
    session: Session, draft: QuestionDraft, state: str, now: datetime, question_id: int | None
) -> None:
    # Only a pending draft is decided: two tabs accepting the same draft add it once.
    changed = session.execute(
        update(QuestionDraft)
        .where(QuestionDraft.id == draft.id, QuestionDraft.state == "pending")
        .values(state=state, decided_at=now, question_id=question_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict("This draft was already accepted or rejected.")
    session.expire(draft)


def reject_draft(session: Session, draft: QuestionDraft, now: datetime) -> None:
    _decide(session, draft, "rejected", now, None)


def mark_draft_accepted(
    session: Session, draft: QuestionDraft, question: Question, now: datetime
) -> None:
    """The draft became `question` (accepted as it was, or edited first)."""
    _decide(session, draft, "accepted", now, question.id)


def draft_topic(draft: QuestionDraft) -> str:
    titles = {s["slug"]: s["title"] for s in draft.document.sections}
    return titles.get(draft.section, draft.section).replace("/", "-")[:200]


def accept_draft(
    session: Session, draft: QuestionDraft, bank: QuestionBank, now: datetime
) -> Question:
    """The draft as an ordinary question of `bank`, citing its passage."""
    if draft.state != "pending":
        raise Conflict("This draft was already accepted or rejected.")
    try:
        content = validate_content(draft.kind, draft.content)
    except ValidationError as exc:
        raise Invalid(f"This draft cannot be accepted as it is ({exc}); edit it.") from exc
    topic = ensure_topic(session, bank.id, draft_topic(draft))
    external_id = f"d-{draft.draft_key or draft.id}"
    n = 2
    while session.scalar(
        select(Question.id).where(Question.bank_id == bank.id, Question.external_id == external_id)
    ):
        external_id, n = f"d-{draft.draft_key or draft.id}-{n}", n + 1
    question = Question(
        bank_id=bank.id,
        kind=draft.kind,
        external_id=external_id,
        content=content,
        explanation="",
        topic_id=topic.id,
        source_document_id=draft.document_id,
        source_section=draft.section,
        source_excerpt=draft.excerpt,
        difficulty=2,
        created_at=now,
        updated_at=now,
    )
    session.add(question)
    session.flush()
    mark_draft_accepted(session, draft, question, now)
    return question
