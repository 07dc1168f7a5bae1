"""Uploaded files: read a stored import, preview it (a dry run), apply it, export a bank.

An upload is kept as a row of `imports` (its bytes, format and options) so that the preview
and the confirm may run in different processes. `preview_import` plans it against its bank
and writes nothing; `apply_import` plans it again (the bank may have changed meanwhile) and
writes it in chunks, reporting progress, then drops the stored bytes and keeps the counts.
`apply_import_job` is the same as a background job. Nothing here imports Flask; nothing
commits.
"""

from __future__ import annotations

import codecs
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..errors import Conflict
from ..media import MediaStore, store_media
from ..scheduling.history import import_review_history
from .common import ReadResult, WriteResult
from .pipeline import Action, FormatError, Location, Plan, PlanRefused, apply, plan
from .registry import FORMATS, bank_drafts, read_file, with_topic, write_drafts

if TYPE_CHECKING:
    from ..models import ImportRecord, QuestionBank

# Names shown for the registry's formats; a format added to the registry without one here
# (or a LABEL of its own) is shown by its name.
FORMAT_LABELS = {
    "gift": "GIFT (Moodle)",
    "aiken": "Aiken",
    "moodlexml": "Moodle XML",
    "csv": "CSV / Quizlet",
    "json": "JSON (Recall)",
    "apkg": "Anki package",
}
APPLY_CHUNK = 500  # questions written between two progress reports
ProgressFn = Callable[..., None]


def format_names() -> list[str]:
    """Every format the registry reads, in its order."""
    return list(FORMATS)


def writable_formats() -> list[str]:
    return [name for name, module in FORMATS.items() if hasattr(module, "write")]


def format_label(name: str) -> str:
    module = FORMATS.get(name)
    return str(getattr(module, "LABEL", None) or FORMAT_LABELS.get(name) or name.upper())


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- reading and previewing -----------------------------------------------------------------


def read_stored(record: ImportRecord) -> ReadResult:
    """The drafts of the stored file, placed under the import's topic."""
    options = {k: v for k, v in (record.options or {}).items() if v}
    try:
        result = read_file(record.data or b"", record.file_name or None, record.format, **options)
    except FormatError as exc:
        result = ReadResult(record.format, drafts=[exc])
    result.drafts = with_topic(result.drafts, record.topic or None)
    return result


def target_bank(session: Session, record: ImportRecord) -> QuestionBank | None:
    from ..models import QuestionBank

    return session.get(QuestionBank, record.bank_id) if record.bank_id is not None else None


@dataclass
class Preview:
    """A dry run of an import: what applying it now would do."""

    format: str
    plan: Plan
    notices: list[str] = field(default_factory=list)
    # Past answers the file carries (an Anki package's review log), which may come along.
    past_reviews: int = 0

    @property
    def entries(self):  # type: ignore[no-untyped-def]
        return self.plan.entries

    @property
    def errors(self):  # type: ignore[no-untyped-def]
        return self.plan.invalid

    @property
    def counts(self) -> dict[str, Any]:
        return plan_counts(self.plan, self.notices, skip_invalid=False)


def plan_counts(the_plan: Plan, notices: list[str], *, skip_invalid: bool) -> dict[str, Any]:
    """created / updated / skipped (duplicates, notices, left-out errors) / errors / by type."""
    by_type: dict[str, int] = {}
    for entry in the_plan.entries:
        if entry.action in (Action.CREATE, Action.UPDATE) and entry.kind:
            by_type[entry.kind] = by_type.get(entry.kind, 0) + 1
    errors = the_plan.count(Action.INVALID)
    return {
        "created": the_plan.count(Action.CREATE),
        "updated": the_plan.count(Action.UPDATE),
        "unchanged": the_plan.count(Action.UNCHANGED),
        "skipped": the_plan.count(Action.UNCHANGED)
        + len(notices)
        + (errors if skip_invalid else 0),
        "errors": errors,
        "notices": len(notices),
        "by_type": dict(sorted(by_type.items())),
    }


def preview_import(session: Session, record: ImportRecord) -> Preview:
    """Read and plan the stored file against its bank (or a new one). Writes nothing."""
    result = read_stored(record)
    detected = result.format
    the_plan = plan(session, target_bank(session, record), result.drafts)
    history = getattr(result, "history", None) or {}
    return Preview(
        format=detected,
        plan=the_plan,
        notices=list(result.notices),
        past_reviews=sum(len(reviews) for reviews in history.values()),
    )


def question_count(record: ImportRecord) -> int:
    """How many questions (or unreadable parts) the file holds: decides job or request."""
    return len(read_stored(record).drafts)


# -- applying -------------------------------------------------------------------------------


def apply_import(
    session: Session,
    record: ImportRecord,
    now: datetime,
    progress: ProgressFn | None = None,
    *,
    personal: bool = False,
    media: MediaStore | None = None,
    history_for: int | None = None,
) -> dict[str, Any]:
    """Write the import into its bank (created now if new: a personal deck of the uploader
    when `personal`), in one transaction the caller commits. With errors nothing is written
    (PlanRefused) unless `record.skip_invalid`. Drops the stored bytes, records the counts.

    The images and sounds the file carries (an Anki package's) are kept in `media`; with
    `history_for` (a user id) its review history becomes that user's reviews."""
    from ..models import QuestionBank

    report = progress or (lambda fraction, message=None: None)
    report(0.02, "Reading the file.")
    result = read_stored(record)
    bank = target_bank(session, record)
    if record.bank_id is not None and bank is None:
        raise Conflict("The bank of this import was deleted; upload the file again.")
    the_plan = plan(session, bank, result.drafts)
    if the_plan.invalid and not record.skip_invalid:
        raise PlanRefused(the_plan.invalid)
    writes = [e for e in the_plan.entries if e.action is not Action.INVALID]
    total = max(len(writes), 1)
    # SQLite has one writer: once this transaction has written, a progress report (its own
    # transaction) would wait for the lock until it gives up, so it reports only once.
    one_writer = session.get_bind().dialect.name == "sqlite"
    report(0.1, f"Writing {len(writes)} questions.")
    if bank is None:
        bank = QuestionBank(
            title=record.bank_name,
            description="",
            owner_id=record.user_id,
            personal=personal,
            created_at=now,
            updated_at=now,
        )
        session.add(bank)
        session.flush()
        the_plan = Plan(bank_id=bank.id, entries=the_plan.entries)
    files = getattr(result, "media", None) or {}
    if files and media is not None:
        for item in files.values():
            store_media(session, media, item.data, now, name=item.name)
    for start in range(0, len(writes), APPLY_CHUNK):
        chunk = writes[start : start + APPLY_CHUNK]
        apply(session, Plan(bank_id=bank.id, entries=chunk), bank=bank)
        done = start + len(chunk)
        if not one_writer:
            report(0.1 + 0.85 * done / total, f"Written {done} of {len(writes)} questions.")
    counts = plan_counts(the_plan, list(result.notices), skip_invalid=record.skip_invalid)
    history = getattr(result, "history", None) or {}
    if history_for is not None and history:
        done_history = import_review_history(session, history_for, bank.id, history, now)
        counts["reviews_imported"] = done_history.reviews
    record.bank_id = bank.id
    record.bank_name = bank.title
    record.format = result.format
    record.counts = counts
    record.state = "applied"
    record.message = ""
    record.data = None
    record.applied_at = now
    session.flush()
    return counts


def apply_import_job(
    session: Session, params: dict[str, Any], progress: ProgressFn, now: datetime
) -> dict[str, Any]:
    """The background job of a large import (its row was claimed: state "running")."""
    from ..models import ImportRecord

    record = session.get(ImportRecord, int(params["import_id"]))
    if record is None or record.state != "running":
        raise Conflict("This import is no longer waiting to be written.")
    store = MediaStore(Path(params["media_root"]), int(params["media_max_bytes"]))
    counts = apply_import(
        session,
        record,
        now,
        progress,
        personal=bool(params.get("personal")),
        media=store,
        history_for=params.get("history_for"),
    )
    return {"message": import_summary(counts), "import_id": record.id, **counts}


def import_summary(counts: dict[str, Any]) -> str:
    return (
        f"{counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
        f"{counts.get('skipped', 0)} skipped, {counts.get('errors', 0)} with errors."
    )


def describe_location(location: Location) -> str:
    """Where in the file: "line 12", "/quiz/question[3]", "card 4"; "the file" when unknown."""
    parts = [
        f"line {location.line}" if location.line is not None else None,
        location.path,
        location.label,
    ]
    return ", ".join(p for p in parts if p) or "the file"


# -- exporting ------------------------------------------------------------------------------


@dataclass
class ExportFile:
    name: str
    media_type: str
    result: WriteResult


def export_questions(
    session: Session, bank: QuestionBank, fmt: str, media: MediaStore | None = None
) -> ExportFile:
    """The bank's questions written in `fmt`, with a file name and media type (and the
    images and sounds they show, from `media`, in formats that hold files)."""
    if fmt not in writable_formats():
        raise FormatError(f"unknown format {fmt!r}.", field="format")
    module = FORMATS[fmt]
    result = write_drafts(fmt, bank_drafts(session, bank), media)
    suffix = str(getattr(module, "EXPORT_SUFFIX", None) or (module.SUFFIXES or (".txt",))[0])
    media_type = getattr(module, "MEDIA_TYPE", None) or mimetypes.guess_type("f" + suffix)[0]
    if media_type is None:
        media_type = "text/plain" if _is_text(result.data) else "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith(("json", "xml")):
        media_type += "; charset=utf-8"
    return ExportFile(name=file_stem(bank.title) + suffix, media_type=media_type, result=result)


def _is_text(data: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:4096], final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in data[:4096]


def file_stem(title: str) -> str:
    """A safe file name from a bank's title: ASCII letters, digits and dashes."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-").lower()
    return stem[:80] or "questions"
