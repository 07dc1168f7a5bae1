"""Uploads waiting to become documents.

An upload (or pasted text) is read and its sections detected, then kept as a
PendingDocument: its owner ticks and titles the section starts, previews the sections, and
saves it as a SourceDocument or cancels it. Until saved it is no document: nobody else sees
it and no question cites it. No Flask: functions take a session and plain values, take `now`
as an argument, flush and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..drafting import ExtractedDocument
from ..errors import Conflict
from ..models import PendingDocument, SourceDocument
from .documents import normalize_space, split_sections
from .library import checked_title, chosen_sections, detected_sections, document_title, new_document

# An upload left unsaved this long is abandoned: the next upload removes it.
KEPT_FOR = timedelta(days=1)
OPENING_CHARS = 160


def start_pending(
    session: Session,
    *,
    owner_id: int,
    title: str | None,
    extracted: ExtractedDocument,
    file_name: str,
    file_type: str,
    now: datetime,
) -> PendingDocument:
    """Keep the extracted text with its detected sections until its owner saves it."""
    title = document_title(title, extracted, file_name)
    remove_abandoned(session, now)
    pending = PendingDocument(
        owner_id=owner_id,
        title=title,
        origin=extracted.origin[:300],
        file_name=file_name[:255],
        file_type=file_type,
        text=extracted.text,
        sections=detected_sections(extracted, title),
        created_at=now,
    )
    session.add(pending)
    session.flush()
    return pending


def remove_abandoned(session: Session, now: datetime) -> int:
    """Delete every upload older than KEPT_FOR, whoever made it; how many went."""
    return session.execute(
        delete(PendingDocument)
        .where(PendingDocument.created_at < now - KEPT_FOR)
        .execution_options(synchronize_session=False)
    ).rowcount


def adjust_pending(
    session: Session, pending: PendingDocument, title: str | None, chosen: list[tuple[int, str]]
) -> None:
    """Keep the chosen title and section starts (line number, title) for the preview.

    Conflict when the upload was saved or cancelled meanwhile (another tab).
    """
    values = {
        "title": checked_title(title),
        "sections": chosen_sections(pending.text, chosen, pending.sections),
    }
    changed = session.execute(
        update(PendingDocument)
        .where(PendingDocument.id == pending.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise Conflict("This upload was already saved or cancelled.")
    session.expire(pending)


def save_pending(
    session: Session,
    pending: PendingDocument,
    title: str | None,
    chosen: list[tuple[int, str]],
    now: datetime,
) -> SourceDocument:
    """The upload as a document with the chosen sections; the pending row goes.

    Everything is checked before anything is written. Of two saves of one upload (two tabs,
    a double click) only the one that deletes the row makes a document: on PostgreSQL the
    second DELETE waits for the first transaction and then finds no row; SQLite runs one
    writer at a time. The other gets Conflict.
    """
    title = checked_title(title)
    sections = chosen_sections(pending.text, chosen, pending.sections)
    fields = {
        "owner_id": pending.owner_id,
        "origin": pending.origin,
        "text": pending.text,
        "file_name": pending.file_name,
        "file_type": pending.file_type,
    }
    claimed = session.execute(
        delete(PendingDocument)
        .where(PendingDocument.id == pending.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Conflict("This upload was already saved or cancelled.")
    session.expunge(pending)
    return new_document(session, title=title, sections=sections, now=now, **fields)


def cancel_pending(session: Session, pending: PendingDocument) -> bool:
    """Drop the upload; False when it was already saved or cancelled meanwhile."""
    dropped = session.execute(
        delete(PendingDocument)
        .where(PendingDocument.id == pending.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.expunge(pending)
    return bool(dropped)


@dataclass
class SectionPreview:
    """How a section of the document would read: its title, size and first words."""

    title: str
    paragraphs: int
    words: int
    opening: str


def preview_sections(pending: PendingDocument) -> list[SectionPreview]:
    """The sections the upload's current starts make, in order; text before the first start
    is shown untitled."""
    previews = []
    for section in split_sections(pending.text, pending.sections):
        text = normalize_space(" ".join(section.paragraphs))
        opening = text[:OPENING_CHARS]
        if len(text) > OPENING_CHARS:
            opening = opening.rsplit(" ", 1)[0] + " …"
        previews.append(
            SectionPreview(section.title, len(section.paragraphs), len(text.split()), opening)
        )
    return previews
