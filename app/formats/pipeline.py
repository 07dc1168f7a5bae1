"""The import pipeline: readers turn a file into drafts, `plan` decides, `apply` writes.

A reader (the seed_data/ reader, and the readers of other formats) only parses: it yields
`QuestionDraft`s, each with the `Location` it came from, and a `FormatError` for a part it
cannot read. `plan` validates every draft and matches it against the bank, writing nothing,
so a dry run and a preview are the same call. `apply` writes what a plan says (flush, never
commit). Matching makes re-importing the same file create nothing: a draft is the question
with the same external id in the bank, else the one of the same kind and normalized prompt.

The version rule lives here too (`update_question_content`): a question's version goes up
only when its kind or content changes, since a new version is a new question for students
(a reshuffle, a new snapshot); moving it to another topic or rewording its explanation is not.

Models are imported inside the functions that touch the database: they are Flask-SQLAlchemy
classes, and a reader that only builds drafts must not load Flask.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from ..errors import Conflict, Invalid
from ..questions import QUESTION_TYPES, ValidationError, render_plain, validate_content
from ..sources.documents import Section, excerpt_in_section, normalize_space, split_sections

if TYPE_CHECKING:
    from ..models import Question, QuestionBank, Topic

MAX_EXCERPT_CHARS = 300
MAX_EXTERNAL_ID_CHARS = 120  # questions.external_id
MAX_TOPIC_NAME_CHARS = 120  # topics.name
MAX_TOPIC_PATH_CHARS = 500  # topics.path
DIFFICULTIES = (1, 2, 3)
MAX_TAGS = 30
MAX_TAG_CHARS = 100


@dataclass(frozen=True)
class Location:
    """Where a draft came from, for messages: a file and line, or an XML path."""

    file: str | None = None
    line: int | None = None
    path: str | None = None  # e.g. "/quiz/question[3]" for XML
    label: str | None = None  # e.g. "question 3 (explainer-faq-001)"

    def __str__(self) -> str:
        parts = [
            self.file,
            f"line {self.line}" if self.line is not None else None,
            self.path,
            self.label,
        ]
        return ", ".join(p for p in parts if p) or "input"


class FormatError(Invalid):
    """A reader could not read part of its input; `line` (and `location`) say where."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        *,
        location: Location | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, field=field)
        if location is None:
            location = Location(line=line)
        elif line is not None and location.line is None:
            location = Location(location.file, line, location.path, location.label)
        self.location = location
        self.line = location.line

    def describe(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class Citation:
    """The passage a question cites: a source document's slug, its section, a verbatim excerpt.

    A draft's `citation` of None leaves a matched question's citation as it is; a Citation
    with no document clears it.
    """

    document: str | None = None
    section: str | None = None
    excerpt: str | None = None


@dataclass
class QuestionDraft:
    """One question as a reader found it, not yet validated nor written.

    Optional fields left as None are not given by the format: a matched question keeps its
    value, a new one gets the default (no topic, no explanation, difficulty 2).
    """

    kind: str
    content: Mapping[str, Any]
    external_id: str | None = None  # the stable key; generated for new questions without one
    topic_path: str | None = None  # "Parent/Child"; "" means no topic
    explanation: str | None = None
    difficulty: int | None = None
    citation: Citation | None = None
    tags: Sequence[str] | None = None  # None: not given; normalized by `normalize_tags`
    location: Location = field(default_factory=Location)


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass
class PlanEntry:
    """What applying the plan does with one draft (or with one part a reader could not read)."""

    action: Action
    location: Location
    # For a valid draft, the draft normalized: validated content, trimmed id and topic path.
    # The draft as read for an invalid one; None for a part the reader could not read.
    draft: QuestionDraft | None = None
    question_id: int | None = None  # the matched question, for update and unchanged
    matched_by: str | None = None  # "external_id" or "prompt"
    changes: tuple[str, ...] = ()  # the fields an update changes
    message: str | None = None  # why the draft is invalid

    @property
    def kind(self) -> str | None:
        return self.draft.kind if self.draft is not None else None

    @property
    def bumps_version(self) -> bool:
        return "kind" in self.changes or "content" in self.changes

    def describe(self) -> str:
        if self.action is Action.INVALID:
            return f"{self.location}: {self.message}"
        return f"{self.location}: {self.action.value}"


@dataclass
class Plan:
    bank_id: int | None  # None: the bank does not exist yet, every valid draft is created
    entries: list[PlanEntry]

    def count(self, action: Action) -> int:
        return sum(1 for e in self.entries if e.action is action)

    @property
    def invalid(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.action is Action.INVALID]

    @property
    def counts(self) -> dict[str, int]:
        return {action.value: self.count(action) for action in Action}


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # invalid drafts left out
    by_type: dict[str, int] = field(default_factory=dict)
    question_ids: list[int] = field(default_factory=list)  # written or matched, in draft order


class PlanRefused(Invalid):
    """The plan has invalid drafts and skipping them was not asked for; nothing was written."""

    def __init__(self, entries: Sequence[PlanEntry]) -> None:
        n = len(entries)
        noun = "part of the input cannot" if n == 1 else f"{n} parts of the input cannot"
        super().__init__(f"Nothing was written: {noun} be imported.")
        self.entries = list(entries)


# -- the version rule ------------------------------------------------------------------------


def content_changes(question: Question, kind: str, content: Mapping[str, Any]) -> bool:
    """Whether giving the question this kind and content makes it a new version."""
    return question.kind != kind or question.content != content


def update_question_content(
    question: Question, kind: str, content: dict[str, Any], **values: Any
) -> bool:
    """Set kind, content and other columns; True when anything changed.

    The version goes up only when the kind or the content really changes.
    """
    new_version = content_changes(question, kind, content)
    changed = [k for k, v in values.items() if getattr(question, k) != v]
    if not new_version and not changed:
        return False
    if new_version:
        question.kind = kind
        question.content = content
        question.version += 1
    for key in changed:
        setattr(question, key, values[key])
    return True


# -- tags ------------------------------------------------------------------------------------


def normalize_tags(tags: Iterable[Any] | str) -> list[str]:
    """Tags as Anki keeps them: trimmed, no spaces inside, no repeats (first spelling kept,
    compared without case), at most MAX_TAGS of MAX_TAG_CHARS. `::` nests them ("geo::europe").

    A string is split on spaces, as Anki and the question form write tags. Raise Invalid with
    a plain message for a tag that is not text, has a space inside, or is too long.
    """
    if isinstance(tags, str):
        tags = tags.split()
    out: list[str] = []
    seen: set[str] = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise Invalid("a tag must be text.", field="tags")
        tag = unicodedata.normalize("NFC", tag).strip()
        if not tag:
            continue
        if any(c.isspace() for c in tag):
            raise Invalid(
                f"the tag {tag[:40]!r} has a space inside; tags are one word.", field="tags"
            )
        if not tag.isprintable():
            raise Invalid("a tag has a control character.", field="tags")
        if len(tag) > MAX_TAG_CHARS:
            raise Invalid(f"a tag is over {MAX_TAG_CHARS} characters.", field="tags")
        key = tag.casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(tag)
    if len(out) > MAX_TAGS:
        raise Invalid(f"a question has at most {MAX_TAGS} tags.", field="tags")
    return out


# -- topics ----------------------------------------------------------------------------------


def topic_parts(path: str) -> list[str]:
    return [p.strip() for p in path.split("/") if p.strip()]


def ensure_topic(
    session: Session, bank_id: int, path: str, cache: dict[tuple[int, str], Topic] | None = None
) -> Topic:
    """The topic at `path` ("Parent/Child") in the bank, creating missing levels."""
    from ..models import Topic

    cache = {} if cache is None else cache
    parent: Topic | None = None
    parts = topic_parts(path)
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


def topic_ids(session: Session, bank_id: int, paths: Iterable[str]) -> dict[str, int]:
    """The id of the topic at each path in the bank, creating the missing ones (and their
    missing parents) with one INSERT per depth rather than one flush per topic."""
    from ..models import Topic

    wanted: set[str] = set()
    for path in paths:
        parts = topic_parts(path)
        wanted.update("/".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    ids = dict(session.execute(select(Topic.path, Topic.id).where(Topic.bank_id == bank_id)).all())
    missing = sorted(wanted - ids.keys(), key=lambda p: (p.count("/"), p))
    for depth in sorted({p.count("/") for p in missing}):
        rows = [
            {
                "bank_id": bank_id,
                "name": path.rsplit("/", 1)[-1],
                "path": path,
                "parent_id": ids[path.rsplit("/", 1)[0]] if "/" in path else None,
            }
            for path in missing
            if path.count("/") == depth
        ]
        created = session.execute(
            insert(Topic).returning(Topic.path, Topic.id, sort_by_parameter_order=True), rows
        ).all()
        ids.update(dict(created))
    return {path: ids[path] for path in wanted}


# -- plan ------------------------------------------------------------------------------------


# Characters that can make inline Markdown differ from its plain text.
_MARKUP = re.compile(r"[\\*_`\[\]!<>&~]")


def _plain(text: str) -> str:
    # Rendering is the slow part of matching thousands of drafts; plain text needs none.
    return render_plain(text) if _MARKUP.search(text) else text


def prompt_key(kind: str, content: Mapping[str, Any]) -> tuple[str, str]:
    """Kind and question text, without markup, case or spacing: what duplicates share."""
    text = " ".join(_plain(str(content.get(k) or "")) for k in ("prompt", "text"))
    return kind, " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def plan(
    session: Session,
    bank: QuestionBank | None,
    drafts: Iterable[QuestionDraft | FormatError],
    *,
    sources: Mapping[str, Sequence[Section]] | None = None,
) -> Plan:
    """Say per draft: create, update, unchanged or invalid (with its message). Writes nothing.

    `bank` None plans for a bank that does not exist yet. `sources` maps the slugs of source
    documents to their sections, for checking citations; by default they are read from the
    database.
    """
    from ..models import Question, SourceDocument, Topic

    with session.no_autoflush:
        items = list(drafts)
        documents = {
            row.id: row.slug
            for row in session.execute(select(SourceDocument.id, SourceDocument.slug))
        }
        if sources is None:
            sources = _sources_in_database(session, items)
        entries: list[PlanEntry | None] = []
        checked: dict[int, QuestionDraft] = {}
        first_use: dict[str, Location] = {}
        for index, item in enumerate(items):
            if isinstance(item, FormatError):
                entries.append(PlanEntry(Action.INVALID, item.location, message=item.message))
                continue
            try:
                good = _check(item, sources)
            except Invalid as exc:
                entries.append(
                    PlanEntry(Action.INVALID, item.location, draft=item, message=exc.message)
                )
                continue
            if good.external_id is not None:
                if good.external_id in first_use:
                    entries.append(
                        PlanEntry(
                            Action.INVALID,
                            item.location,
                            draft=item,
                            message=f"the id {good.external_id!r} is used twice "
                            f"(first at {first_use[good.external_id]}).",
                        )
                    )
                    continue
                first_use[good.external_id] = item.location
            entries.append(None)
            checked[index] = good

        questions: list[Question] = []
        topics: dict[int, str] = {}
        if bank is not None and bank.id is not None:
            questions = list(
                session.scalars(
                    select(Question).where(Question.bank_id == bank.id).order_by(Question.id)
                )
            )
            topics = dict(
                session.execute(select(Topic.id, Topic.path).where(Topic.bank_id == bank.id)).all()
            )
        matches = _match(checked, questions)
        for index, good in checked.items():
            question = matches.get(index)
            if question is None:
                entries[index] = PlanEntry(Action.CREATE, good.location, draft=good)
                continue
            changes = _changes(question, good, topics, documents)
            entries[index] = PlanEntry(
                Action.UPDATE if changes else Action.UNCHANGED,
                good.location,
                draft=good,
                question_id=question.id,
                matched_by="external_id" if question.external_id == good.external_id else "prompt",
                changes=changes,
            )
    return Plan(
        bank_id=bank.id if bank is not None else None,
        entries=[e for e in entries if e is not None],
    )


def _sources_in_database(
    session: Session, items: Sequence[QuestionDraft | FormatError]
) -> dict[str, list[Section]]:
    from ..models import SourceDocument

    slugs = {
        item.citation.document
        for item in items
        if isinstance(item, QuestionDraft) and item.citation and item.citation.document
    }
    if not slugs:
        return {}
    rows = session.scalars(select(SourceDocument).where(SourceDocument.slug.in_(slugs)))
    return {row.slug: split_sections(row.text, row.sections, row.skip_lines) for row in rows}


def _check(draft: QuestionDraft, sources: Mapping[str, Sequence[Section]]) -> QuestionDraft:
    """The draft validated and normalized; raise Invalid with a plain message."""
    kind = str(draft.kind or "")
    if kind not in QUESTION_TYPES:
        known = ", ".join(sorted(QUESTION_TYPES))
        raise Invalid(f"unknown question type {draft.kind!r} (expected one of: {known}).")
    try:
        content = validate_content(kind, draft.content)
    except ValidationError as exc:
        raise Invalid(str(exc), field=exc.field) from exc
    external_id = None
    if draft.external_id is not None:
        external_id = str(draft.external_id).strip() or None
        if external_id and len(external_id) > MAX_EXTERNAL_ID_CHARS:
            raise Invalid(f"the id is over {MAX_EXTERNAL_ID_CHARS} characters.")
    if draft.difficulty is not None and (
        type(draft.difficulty) is not int or draft.difficulty not in DIFFICULTIES
    ):
        raise Invalid("difficulty must be 1, 2 or 3.")
    topic_path = None
    if draft.topic_path is not None:
        parts = topic_parts(str(draft.topic_path))
        topic_path = "/".join(parts)
        if any(len(p) > MAX_TOPIC_NAME_CHARS for p in parts):
            raise Invalid(f"a topic name is over {MAX_TOPIC_NAME_CHARS} characters.")
        if len(topic_path) > MAX_TOPIC_PATH_CHARS:
            raise Invalid(f"the topic path is over {MAX_TOPIC_PATH_CHARS} characters.")
    tags = None
    if draft.tags is not None:
        if not isinstance(draft.tags, (str, list, tuple)):
            raise Invalid("tags must be a list of words.", field="tags")
        tags = tuple(normalize_tags(draft.tags))
    return replace(
        draft,
        kind=kind,
        content=content,
        external_id=external_id,
        topic_path=topic_path,
        tags=tags,
        citation=_check_citation(draft, sources),
    )


def _check_citation(
    draft: QuestionDraft, sources: Mapping[str, Sequence[Section]]
) -> Citation | None:
    citation = draft.citation
    if citation is None:
        return None
    if not citation.document:
        return Citation()
    slug = citation.document
    if slug not in sources:
        raise Invalid(f"unknown source document {slug!r}.")
    excerpt = normalize_space(str(citation.excerpt or ""))
    if not excerpt or len(excerpt) > MAX_EXCERPT_CHARS:
        raise Invalid(f"the excerpt is missing or over {MAX_EXCERPT_CHARS} chars.")
    section = citation.section
    if not excerpt_in_section(sources[slug], str(section or ""), excerpt):
        raise Invalid(f"the excerpt is not in section {section!r} of {slug}.")
    return Citation(slug, str(section), excerpt)


def _match(checked: dict[int, QuestionDraft], questions: list[Question]) -> dict[int, Question]:
    """Pair drafts with the bank's questions: by external id, else by kind and prompt.

    Each question is matched at most once. Among questions sharing a prompt, one with the
    same content is preferred, so re-importing a file that repeats a prompt changes nothing.
    """
    by_id = {q.external_id: q for q in questions}
    matches: dict[int, Question] = {}
    claimed: set[int] = set()
    for index, good in checked.items():
        question = by_id.get(good.external_id) if good.external_id else None
        if question is not None:
            matches[index] = question
            claimed.add(question.id)
    rest = [index for index in checked if index not in matches]
    if not rest:
        return matches
    by_prompt: dict[tuple[str, str], list[Question]] = {}
    for question in questions:
        if question.id not in claimed:
            by_prompt.setdefault(prompt_key(question.kind, question.content), []).append(question)
    keys = {index: prompt_key(checked[index].kind, checked[index].content) for index in rest}
    for same_content in (True, False):
        for index in rest:
            if index in matches:
                continue
            for question in by_prompt.get(keys[index], []):
                if question.id in claimed:
                    continue
                if same_content and question.content != checked[index].content:
                    continue
                matches[index] = question
                claimed.add(question.id)
                break
    return matches


def _changes(
    question: Question,
    draft: QuestionDraft,
    topics: Mapping[int, str],
    documents: Mapping[int, str],
) -> tuple[str, ...]:
    changes = []
    if question.kind != draft.kind:
        changes.append("kind")
    if question.content != draft.content:
        changes.append("content")
    if draft.explanation is not None and question.explanation != draft.explanation:
        changes.append("explanation")
    if draft.difficulty is not None and question.difficulty != draft.difficulty:
        changes.append("difficulty")
    if draft.tags is not None and list(question.tags or []) != list(draft.tags):
        changes.append("tags")
    if draft.topic_path is not None:
        current = topics.get(question.topic_id) if question.topic_id is not None else None
        if (current or "") != draft.topic_path:
            changes.append("topic")
    if draft.citation is not None:
        slug = documents.get(question.source_document_id) if question.source_document_id else None
        current = Citation(slug, question.source_section, question.source_excerpt)
        if slug is None:
            current = Citation()
        if current != draft.citation:
            changes.append("citation")
    return tuple(changes)


# -- apply -----------------------------------------------------------------------------------


def apply(
    session: Session,
    plan: Plan,
    *,
    bank: QuestionBank | None = None,
    skip_invalid: bool = False,
) -> ApplyResult:
    """Write the plan's creates and updates (flush, never commit) and count them.

    Refuses (PlanRefused, nothing written) when the plan has invalid drafts, unless
    `skip_invalid`. A plan made for a bank that did not exist yet is applied to `bank`, which
    must still have no questions. If the bank changed since the plan was made so that the plan
    no longer fits, raises Conflict; the caller rolls back and plans again.
    """
    from ..models import Question, SourceDocument

    invalid = plan.invalid
    if invalid and not skip_invalid:
        raise PlanRefused(invalid)
    if plan.bank_id is None:
        if bank is None:
            raise ValueError("a plan made for a new bank needs the bank to apply it to")
        if bank.id is None:
            session.flush()
        elif session.scalar(select(exists().where(Question.bank_id == bank.id))):
            raise Conflict("The bank has questions now; preview the import again.")
        bank_id = bank.id
    else:
        if bank is not None and bank.id != plan.bank_id:
            raise ValueError("the plan was made for another bank")
        bank_id = plan.bank_id

    result = ApplyResult(skipped=len(invalid))
    writes = [e for e in plan.entries if e.action is not Action.INVALID]
    matched_ids = [e.question_id for e in writes if e.question_id is not None]
    # The whole bank in one query (an IN list of thousands of ids would not be portable).
    questions = {
        q.id: q for q in session.scalars(select(Question).where(Question.bank_id == bank_id))
    }
    if not set(matched_ids) <= questions.keys():
        raise Conflict("Questions of the bank were deleted since the preview; preview it again.")
    taken = {q.external_id for q in questions.values()}
    slugs = {
        e.draft.citation.document
        for e in writes
        if e.draft is not None and e.draft.citation and e.draft.citation.document
    }
    documents = (
        dict(
            session.execute(
                select(SourceDocument.slug, SourceDocument.id).where(SourceDocument.slug.in_(slugs))
            ).all()
        )
        if slugs
        else {}
    )
    missing = slugs - documents.keys()
    if missing:
        raise Conflict(f"Unknown source document {sorted(missing)[0]!r}.")

    # Every topic first: creating one while questions are pending would flush them in
    # small batches, one per new topic.
    topic_cache = topic_ids(
        session, bank_id, (e.draft.topic_path for e in writes if e.draft and e.draft.topic_path)
    )
    new_rows: list[dict[str, Any]] = []
    new_positions: list[int] = []
    for position, entry in enumerate(writes):
        draft = entry.draft
        assert draft is not None
        values = _values(session, bank_id, draft, documents, topic_cache)
        result.by_type[draft.kind] = result.by_type.get(draft.kind, 0) + 1
        if entry.question_id is None:
            external_id = (draft.external_id or "").strip() or _new_external_id(taken)
            if external_id in taken:
                raise Conflict(
                    f"{entry.location}: a question with the id {external_id!r} was added since "
                    "the preview; preview it again."
                )
            taken.add(external_id)
            new_rows.append(
                {
                    "bank_id": bank_id,
                    "kind": draft.kind,
                    "content": dict(draft.content),
                    "external_id": external_id,
                    "explanation": "",
                    "difficulty": 2,
                    "tags": [],
                    "topic_id": None,
                    "source_document_id": None,
                    "source_section": None,
                    "source_excerpt": None,
                    **values,
                }
            )
            new_positions.append(position)
            result.created += 1
            result.question_ids.append(0)
            continue
        question = questions[entry.question_id]
        if update_question_content(question, draft.kind, dict(draft.content), **values):
            result.updated += 1
        else:
            result.unchanged += 1
        result.question_ids.append(question.id)
    session.flush()
    if new_rows:
        # One multi-row INSERT ... RETURNING rather than the unit of work's per-object
        # bookkeeping: most of an import's time went there. Ids come back in row order.
        ids = session.scalars(
            insert(Question).returning(Question.id, sort_by_parameter_order=True), new_rows
        ).all()
        for position, question_id in zip(new_positions, ids, strict=True):
            result.question_ids[position] = question_id
    return result


def _values(
    session: Session,
    bank_id: int,
    draft: QuestionDraft,
    documents: Mapping[str, int],
    topic_cache: Mapping[str, int],
) -> dict[str, Any]:
    """The columns besides kind and content that the draft sets."""
    values: dict[str, Any] = {}
    if draft.explanation is not None:
        values["explanation"] = draft.explanation
    if draft.difficulty is not None:
        values["difficulty"] = draft.difficulty
    if draft.tags is not None:
        values["tags"] = list(draft.tags)
    if draft.topic_path is not None:
        path = draft.topic_path
        key = "/".join(topic_parts(path)) if path else ""
        values["topic_id"] = topic_cache[key] if key else None
    citation = draft.citation
    if citation is not None:
        if citation.document:
            values["source_document_id"] = documents[citation.document]
            values["source_section"] = citation.section
            values["source_excerpt"] = citation.excerpt
        else:
            values.update(source_document_id=None, source_section=None, source_excerpt=None)
    return values


def _new_external_id(taken: set[str]) -> str:
    while True:
        candidate = "q-" + secrets.token_hex(4)
        if candidate not in taken:
            return candidate
