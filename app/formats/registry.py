"""Every format by name: detecting a file's format, reading it, exporting a bank.

`read_file` returns a reader's drafts; `import_drafts` plans (and, unless a dry run, applies)
them into a bank by name, creating the bank if missing; `export_bank` turns a bank's questions
into drafts and hands them to a writer. Nothing here imports Flask; nothing commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import aiken, apkg, csvfile, gift, jsonfile, moodlexml
from .common import ReadResult, WriteResult
from .pipeline import Action, Citation, FormatError, Location, Plan, QuestionDraft, apply, plan

if TYPE_CHECKING:
    from ..media import MediaStore

MAX_BANK_TITLE_CHARS = 200  # question_banks.title
FORMATS: dict[str, ModuleType] = {
    "gift": gift,
    "aiken": aiken,
    "moodlexml": moodlexml,
    "csv": csvfile,
    "json": jsonfile,
    "apkg": apkg,
}
# The options each reader takes besides the data and the file's name.
READER_OPTIONS = {
    "csv": {"term_separator", "card_separator"},
    "apkg": {"max_media_bytes"},
}


def detect(data: bytes, file_name: str | None = None) -> str:
    """The format of a file, from its name and first bytes."""
    name = (file_name or "").lower()
    if name.endswith(apkg.SUFFIXES) or data.startswith(b"PK\x03\x04"):
        return "apkg"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if name.endswith(".xml") or head.startswith(b"<"):
        return "moodlexml"
    if name.endswith(".json") or head.startswith((b"{", b"[")):
        return "json"
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith(".gift"):
        return "gift"
    if name.endswith(".aiken"):
        return "aiken"
    try:
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    except Exception:  # pragma: no cover - decode with replace does not fail
        text = ""
    if csvfile.is_multi_column(text):
        return "csv"
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if any(line.upper().startswith("ANSWER:") for line in lines) and not any(
        "{" in line for line in lines
    ):
        return "aiken"
    if any("{" in line and "}" in line for line in lines) or any(
        line.startswith(("::", "$CATEGORY:", "//")) for line in lines
    ):
        return "gift"
    return "csv"


def read_file(
    data: bytes, file_name: str | None = None, fmt: str = "auto", **options: Any
) -> ReadResult:
    """Read a file in `fmt` ("auto" detects it). A file that cannot be read at all gives a
    result holding that one error."""
    if fmt == "auto":
        fmt = detect(data, file_name)
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)}).")
    reader: Callable[..., ReadResult] = FORMATS[fmt].read
    options = {k: v for k, v in options.items() if k in READER_OPTIONS.get(fmt, ())}
    try:
        return reader(data, file_name, **options)
    except FormatError as exc:
        return ReadResult(fmt, drafts=[exc])
    except RecursionError:
        return ReadResult(
            fmt,
            drafts=[FormatError("the file is nested too deeply.", location=Location(file_name))],
        )


def with_topic(
    drafts: Sequence[QuestionDraft | FormatError], topic: str | None
) -> list[QuestionDraft | FormatError]:
    """Drafts placed under `topic`: their own topic paths become its sub-topics."""
    if not topic:
        return list(drafts)
    out: list[QuestionDraft | FormatError] = []
    for draft in drafts:
        if isinstance(draft, QuestionDraft):
            path = f"{topic}/{draft.topic_path}" if draft.topic_path else topic
            draft = replace(draft, topic_path=path)
        out.append(draft)
    return out


@dataclass
class ImportReport:
    bank: str
    format: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    written: bool = False
    plan: Plan | None = None
    reviews_imported: int = 0  # past answers brought into the importing student's reviews

    def as_json(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "format": self.format,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "by_type": self.by_type,
            "errors": self.errors,
        }


def find_bank(session: Session, name: str):
    """The bank with this slug, else with this title (None if there is none).

    Students' personal decks and archived banks are never found by name.
    """
    from ..errors import Conflict
    from ..models import QuestionBank

    banks = list(
        session.scalars(
            select(QuestionBank)
            .where(
                or_(QuestionBank.slug == name, QuestionBank.title == name),
                QuestionBank.personal.is_(False),
                QuestionBank.archived_at.is_(None),
            )
            .order_by(QuestionBank.id)
        )
    )
    by_slug = [b for b in banks if b.slug == name]
    if by_slug:
        return by_slug[0]
    if len(banks) > 1:
        raise Conflict(f"{len(banks)} banks are titled {name!r}; name one by its slug.")
    return banks[0] if banks else None


def import_drafts(
    session: Session,
    bank_name: str,
    result: ReadResult,
    *,
    topic: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    media: MediaStore | None = None,
    now: datetime | None = None,
    history_for: int | None = None,
) -> ImportReport:
    """Plan the drafts into the bank named `bank_name` and, unless a dry run or refused, write
    them (flush, never commit). With errors nothing is written unless `skip_invalid`.

    The images and sounds a result carries (an Anki package's) are kept in `media` when the
    questions are written; without a store they are reported as not kept. With `history_for`
    (a user id), the review history a result carries (an Anki package's) becomes that user's
    review cards and logs, FSRS state recomputed (app.scheduling.history)."""
    from ..models import QuestionBank

    name = bank_name.strip()
    if not name:
        raise FormatError("the bank needs a name.", field="bank")
    if len(name) > MAX_BANK_TITLE_CHARS:
        raise FormatError(
            f"the bank's name is over {MAX_BANK_TITLE_CHARS} characters.", field="bank"
        )
    bank = find_bank(session, name)
    drafts = with_topic(result.drafts, topic)
    the_plan = plan(session, bank, drafts)
    report = ImportReport(bank=bank.title if bank else name, format=result.format, plan=the_plan)
    report.notices = list(result.notices) + list(getattr(result, "warnings", []))
    for entry in the_plan.invalid:
        report.errors.append({"line": entry.location.line, "message": entry.describe()})
    for entry in the_plan.entries:
        if entry.action in (Action.CREATE, Action.UPDATE):
            report.by_type[entry.kind] = report.by_type.get(entry.kind, 0) + 1
    report.created = the_plan.count(Action.CREATE)
    report.updated = the_plan.count(Action.UPDATE)
    report.skipped = the_plan.count(Action.UNCHANGED) + len(result.notices)
    if report.errors and skip_invalid:
        report.skipped += len(report.errors)
    if dry_run or (report.errors and not skip_invalid):
        return report
    when = now or datetime.now(UTC)
    files = getattr(result, "media", None) or {}
    if files and media is None:
        report.notices.append(f"{len(files)} media files are not kept (no media store).")
    elif files and media is not None:
        from ..media import store_media

        for item in files.values():
            store_media(session, media, item.data, when, name=item.name)
    if bank is None:
        bank = QuestionBank(title=name, description="")
        session.add(bank)
        session.flush()
    apply(session, the_plan, bank=bank, skip_invalid=skip_invalid)
    report.written = True
    history = getattr(result, "history", None) or {}
    if history_for is not None and history:
        from ..scheduling.history import import_review_history

        done = import_review_history(session, history_for, bank.id, history, when)
        report.reviews_imported = done.reviews
        report.notices.append(
            f"{done.reviews} past reviews of {done.cards} cards are now in your reviews"
            + (
                f"; {done.kept} cards you already review were left as they are."
                if done.kept
                else "."
            )
        )
    return report


def bank_drafts(session: Session, bank) -> list[QuestionDraft]:
    """Every question of the bank as a draft, in topic and id order."""
    from ..models import Question, SourceDocument, Topic

    topics = dict(
        session.execute(select(Topic.id, Topic.path).where(Topic.bank_id == bank.id)).all()
    )
    slugs = dict(session.execute(select(SourceDocument.id, SourceDocument.slug)).all())
    questions = session.scalars(
        select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
    )
    drafts = []
    for q in questions:
        citation = None
        if q.source_document_id is not None:
            citation = Citation(slugs.get(q.source_document_id), q.source_section, q.source_excerpt)
        drafts.append(
            QuestionDraft(
                kind=q.kind,
                content=dict(q.content),
                external_id=q.external_id,
                topic_path=topics.get(q.topic_id, "") if q.topic_id is not None else "",
                explanation=q.explanation or "",
                difficulty=q.difficulty,
                citation=citation,
                tags=tuple(q.tags or ()),
            )
        )
    drafts.sort(key=lambda d: d.topic_path or "")
    return drafts


def export_bank(
    session: Session, bank_name: str, fmt: str, *, media: MediaStore | None = None
) -> WriteResult:
    """A bank's questions in `fmt`; an Anki package takes its images and sounds from `media`."""
    from ..errors import NotFound

    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r} (expected one of: {', '.join(FORMATS)}).")
    bank = find_bank(session, bank_name.strip())
    if bank is None:
        raise NotFound(f"There is no bank named {bank_name!r}.")
    return write_drafts(fmt, bank_drafts(session, bank), media)


def write_drafts(fmt: str, drafts: list[QuestionDraft], media: MediaStore | None) -> WriteResult:
    """The drafts in `fmt`; formats that hold files (Anki packages, Moodle XML) take the
    images and sounds the questions show from `media`."""
    module = FORMATS[fmt]
    if not getattr(module, "WRITES_MEDIA", False):
        return module.write(drafts)
    from ..media import load_media

    loader = (lambda sha256: load_media(media, sha256)) if media is not None else None
    return module.write(drafts, media=loader)
