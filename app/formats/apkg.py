"""Anki packages (`.apkg`, `.colpkg`): notes in, flashcards and cloze notes out.

A package is a zip holding a collection (an SQLite database) and its media. Three layouts
exist, and the reader takes the newest one a package holds:

- current Anki (2.1.50+): `collection.anki21b`, zstd-compressed, in the schema-18 layout
  (tables `notetypes`, `fields`, `templates`, `decks`, configs as protobuf); `media` is a
  zstd-compressed protobuf `MediaEntries` list, and entry `N` (zstd-compressed) is file N;
- legacy 2: `collection.anki21`, schema 11 (note types and decks as JSON in table `col`);
- legacy 1: `collection.anki2`, the same schema (Anki 2.0); both legacy ones have a JSON
  `media` map `{"0": "name.png"}` with the files stored as they are.

Current Anki also writes a `collection.anki2` holding one "please update" note next to a
newer collection; it is read only when nothing newer is there.

Each card of a normal note becomes a flashcard (its template's front and back, so Basic
gives one and "Basic (and reversed card)" two, the second with front and back swapped); a
cloze note becomes one cloze question whose gaps are its `{{cN::...}}` deletions in order
(hints are dropped). The deck `A::B` becomes the topic `A/B` (Anki's `Default` deck: no
topic); tags, the review history (revlog) and the media the notes use are in the result.
Field HTML is sanitized and becomes Markdown; `<img src>` and `[sound:...]` become media
references (app/media.py), checked by their bytes.

Everything is bounded before it is read: entries, total size, each entry's size (zstd
output included), names (no absolute paths, no `..`), and the time SQLite may spend.
Any package that breaks a rule or cannot be read is one FormatError; nothing else escapes.

The writer builds a legacy-1 package (`collection.anki2`, which every Anki reads) with genanki:
flashcards as notes of type "Recall Basic" (Front, Back, Explanation), cloze questions as
"Recall Cloze" (Text, Prompt, Back Extra); other question types are listed as left out.
"""

from __future__ import annotations

import io
import json
import re
import sqlite3
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as with_fields
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path
from typing import Any

from ..media import (
    AUDIO_EXTENSIONS,
    MEDIA_REFERENCE,
    reference,
    sha256_of,
    sniff_type,
)
from ..questions import render_plain
from ..questions.rendering import render_markdown
from .common import ReadResult, WriteResult, html_to_markdown
from .gift import DEFAULT_CLOZE_PROMPT
from .pipeline import FormatError, Location, QuestionDraft

NAME = "apkg"
SUFFIXES = (".apkg", ".colpkg")

MAX_ENTRIES = 20_000
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all entries, uncompressed, as the zip declares them
MAX_COLLECTION_BYTES = 256 * 1024 * 1024  # the collection database, after zstd
MAX_MEDIA_MAP_BYTES = 16 * 1024 * 1024
MAX_MEDIA_BYTES = 5 * 1024 * 1024  # one image or sound (the default; MEDIA_MAX_BYTES)
# SQLite virtual-machine steps between checks, and the time a collection may take to read:
# a hand-made database (views, deep nesting) must not keep a worker busy.
_SQLITE_CHECK_EVERY = 10_000
MAX_QUERY_SECONDS = 60.0

MAX_GUID_CHARS = 100
# The guid of a note the app writes: this prefix and the question's id.
GUID_PREFIX = "recall:"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
FIELD_SEPARATOR = "\x1f"
DEFAULT_DECK_ID = 1

# Anki revlog.type values.
REVIEW_KINDS = {0: "learn", 1: "review", 2: "relearn", 3: "filtered", 4: "manual", 5: "rescheduled"}


@dataclass(frozen=True)
class MediaItem:
    """A file a note uses, with the type its bytes show."""

    name: str
    sha256: str
    mime_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class ReviewEntry:
    """One line of Anki's review log for a card of a note."""

    reviewed_at: datetime
    rating: int  # 1 Again .. 4 Easy; 0 for a manual reschedule
    kind: str  # REVIEW_KINDS
    interval_days: float  # negative intervals in Anki are seconds (learning steps)
    duration_ms: int
    card_ord: int


@dataclass
class AnkiReadResult(ReadResult):
    """A ReadResult with what an Anki package carries besides questions, by external id."""

    media: dict[str, MediaItem] = field(default_factory=dict)  # by sha256
    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    history: dict[str, list[ReviewEntry]] = field(default_factory=dict)
    # Media left out (missing, too large, another type): said, but no question is skipped.
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Notetype:
    name: str
    is_cloze: bool
    fields: list[str]
    templates: list[tuple[str, str, str]]  # name, front, back


# Reading


def read(
    data: bytes | str, file: str | None = None, *, max_media_bytes: int = MAX_MEDIA_BYTES
) -> AnkiReadResult:
    if isinstance(data, str):
        raise FormatError("an Anki package is a binary file, not text.", location=Location(file))
    where = Location(file)
    if not data.startswith(b"PK"):
        raise FormatError("this is not an Anki package (it is not a zip archive).", location=where)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise FormatError(
            "this is not an Anki package (the zip archive is damaged).", location=where
        ) from exc
    package = _Package(archive, _checked_entries(infos, where), where)
    result = AnkiReadResult(NAME)
    raw_db = package.collection()
    with _open_database(raw_db, where) as conn:
        _Reader(conn, package, result, where, max_media_bytes).run()
    return result


def _checked_entries(
    infos: Sequence[zipfile.ZipInfo], where: Location
) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > MAX_ENTRIES:
        raise FormatError(
            f"the package has {len(infos)} entries; at most {MAX_ENTRIES} are accepted.",
            location=where,
        )
    total = 0
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if (
            name.startswith(("/", "\\"))
            or re.match(r"[A-Za-z]:", name)
            or ".." in parts
            or "\x00" in name
        ):
            raise FormatError(
                f"the package holds an entry with a path outside the archive ({name[:80]!r}).",
                location=where,
            )
        if info.flag_bits & 0x1:
            raise FormatError("the package is encrypted.", location=where)
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise FormatError(
                f"the package unpacks to more than {MAX_TOTAL_BYTES // (1024 * 1024)} MB.",
                location=where,
            )
        entries[name] = info
    return entries


class _Package:
    """Bounded reads of a package's entries."""

    def __init__(
        self, archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], where: Location
    ) -> None:
        self.archive = archive
        self.entries = entries
        self.where = where

    def read(self, name: str, limit: int, *, zstd: bool | None = False) -> bytes:
        """An entry's bytes (zstd-decompressed if `zstd`, or if None and it starts like
        zstd), refusing more than `limit` bytes whatever the archive claims."""
        info = self.entries[name]
        if info.file_size > limit:
            raise self._too_large(name, limit)
        try:
            with self.archive.open(info) as stream:
                raw = stream.read(limit + 1)
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            EOFError,
            OSError,
            ValueError,
        ) as exc:
            raise FormatError(
                f"the package's entry {name!r} cannot be unpacked (the archive is damaged).",
                location=self.where,
            ) from exc
        if len(raw) > limit:
            raise self._too_large(name, limit)
        if zstd or (zstd is None and raw.startswith(ZSTD_MAGIC)):
            return _unzstd(raw, limit, name, self.where)
        return raw

    def _too_large(self, name: str, limit: int) -> FormatError:
        return FormatError(
            f"the package's entry {name!r} is over {limit // (1024 * 1024) or 1} MB.",
            location=self.where,
        )

    def collection(self) -> bytes:
        for name in COLLECTIONS:
            if name in self.entries:
                return self.read(
                    name, MAX_COLLECTION_BYTES, zstd=True if name.endswith("b") else None
                )
        raise FormatError(
            "the zip archive holds no Anki collection (collection.anki21b, collection.anki21 "
            "or collection.anki2); export it from Anki as a deck package (.apkg).",
            location=self.where,
        )

    def media_names(self) -> dict[str, str]:
        """Media file name -> the entry holding it."""
        if "media" not in self.entries:
            return {}
        raw = self.read("media", MAX_MEDIA_MAP_BYTES, zstd=None)
        if self.entries.get("collection.anki21b") is not None and not raw.lstrip().startswith(b"{"):
            return _media_entries(raw, self.where)
        try:
            mapping = json.loads(raw.decode("utf-8") or "{}")
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise FormatError(
                "the package's media list is not readable JSON.", location=self.where
            ) from exc
        if not isinstance(mapping, dict):
            raise FormatError("the package's media list is not a JSON object.", location=self.where)
        return {str(name): str(entry) for entry, name in mapping.items()}


def _unzstd(raw: bytes, limit: int, name: str, where: Location) -> bytes:
    import zstandard

    if not raw.startswith(ZSTD_MAGIC):
        raise FormatError(f"the package's entry {name!r} is not zstd-compressed.", location=where)
    out = bytearray()
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw))
        while True:
            chunk = reader.read(min(1024 * 1024, limit + 1 - len(out)) or 1)
            if not chunk:
                break
            out += chunk
            if len(out) > limit:
                raise FormatError(
                    f"the package's entry {name!r} unpacks to more than "
                    f"{limit // (1024 * 1024) or 1} MB.",
                    location=where,
                )
    except zstandard.ZstdError as exc:
        raise FormatError(
            f"the package's entry {name!r} cannot be decompressed (zstd: the data is damaged).",
            location=where,
        ) from exc
    return bytes(out)


# Protocol buffers: only the few messages a package carries are read, field by field.


def _proto_fields(buf: bytes) -> Iterator[tuple[int, int | bytes]]:
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, value
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > end:
                raise ValueError("truncated")
            yield number, buf[pos : pos + size]
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError("wire type")
        if pos > end:
            raise ValueError("truncated")


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("bad varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _media_entries(raw: bytes, where: Location) -> dict[str, str]:
    # anki/import_export.proto: MediaEntries { repeated MediaEntry entries = 1; }
    # MediaEntry { string name = 1; uint32 size = 2; bytes sha1 = 3;
    #              optional uint32 legacy_zip_filename = 255; }
    names: dict[str, str] = {}
    try:
        index = 0
        for number, value in _proto_fields(raw):
            if number != 1 or not isinstance(value, bytes):
                continue
            name, entry = "", str(index)
            for sub, sub_value in _proto_fields(value):
                if sub == 1 and isinstance(sub_value, bytes):
                    name = sub_value.decode("utf-8")
                elif sub == 255 and isinstance(sub_value, int):
                    entry = str(sub_value)
            names[name] = entry
            index += 1
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError("the package's media list is damaged.", location=where) from exc
    return names


def _proto_string(buf: bytes, wanted: int) -> str:
    for number, value in _proto_fields(buf):
        if number == wanted and isinstance(value, bytes):
            return value.decode("utf-8")
    return ""


def _proto_int(buf: bytes, wanted: int) -> int:
    for number, value in _proto_fields(buf):
        if number == wanted and isinstance(value, int):
            return value
    return 0


# The collection database


# What reading a damaged or hand-made collection can raise, all turned into a FormatError.
_DATABASE_ERRORS = (
    sqlite3.Error,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    OverflowError,
)


class _open_database:
    """The collection bytes as an in-memory SQLite database, with a time budget."""

    def __init__(self, raw: bytes, where: Location) -> None:
        self.raw, self.where = raw, where

    def __enter__(self) -> sqlite3.Connection:
        if not self.raw.startswith(b"SQLite format 3\x00"):
            raise FormatError(
                "the package's collection is not an SQLite database.", location=self.where
            )
        self.conn = sqlite3.connect(":memory:")
        deadline = time.monotonic() + MAX_QUERY_SECONDS
        self.conn.set_progress_handler(
            lambda: 1 if time.monotonic() > deadline else 0, _SQLITE_CHECK_EVERY
        )
        try:
            # A collection saved in WAL mode (header bytes 18 and 19 are 2) cannot be opened
            # from memory; marked as a rollback-journal database it reads the same.
            raw = self.raw
            if raw[18:20] == b"\x02\x02":
                raw = raw[:18] + b"\x01\x01" + raw[20:]
            self.conn.deserialize(raw)
            self.conn.execute("PRAGMA trusted_schema = OFF")
            self.conn.execute("PRAGMA query_only = ON")
        except (sqlite3.Error, OverflowError, MemoryError) as exc:
            self.conn.close()
            raise FormatError(
                "the package's collection is not a readable Anki database.", location=self.where
            ) from exc
        return self.conn

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        self.conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "interrupted" in str(exc):
            raise FormatError(
                "the package's collection took too long to read.", location=self.where
            ) from exc
        if isinstance(exc, _DATABASE_ERRORS) and (not isinstance(exc, FormatError)):
            raise FormatError(
                "the package's collection is not a readable Anki database "
                f"({type(exc).__name__}: {str(exc)[:120]}).",
                location=self.where,
            ) from exc


class _Reader:
    def __init__(
        self,
        conn: sqlite3.Connection,
        package: _Package,
        result: AnkiReadResult,
        where: Location,
        max_media_bytes: int,
    ) -> None:
        self.conn = conn
        self.package = package
        self.result = result
        self.where = where
        self.max_media_bytes = max_media_bytes
        self.media_names: dict[str, str] | None = None
        self.media_refs: dict[str, tuple[str, str] | None] = {}  # name -> (sha256, mime)

    def run(self) -> None:
        tables = dict(
            self.conn.execute(
                "SELECT name, type FROM sqlite_master WHERE name IN "
                "('notes', 'cards', 'revlog', 'col', 'notetypes', 'fields', 'templates', 'decks')"
            ).fetchall()
        )
        if any(kind != "table" for kind in tables.values()) or not {"notes", "cards"} <= set(
            tables
        ):
            raise FormatError(
                "the package's collection is not an Anki collection (no notes and cards tables).",
                location=self.where,
            )
        if "notetypes" in tables:
            notetypes, decks = self._schema18()
        elif "col" in tables:
            notetypes, decks = self._schema11()
        else:
            raise FormatError(
                "the package's collection describes no note types.", location=self.where
            )
        cards: dict[int, list[tuple[int, int, int]]] = {}
        for card_id, note_id, deck_id, original_deck, ordinal in self.conn.execute(
            "SELECT id, nid, did, odid, ord FROM cards ORDER BY nid, ord, id"
        ):
            cards.setdefault(int(note_id), []).append(
                (int(card_id), int(original_deck or 0) or int(deck_id), int(ordinal))
            )
        reviews = self._revlog() if "revlog" in tables else {}
        for note_id, guid, notetype_id, tags, fields in self.conn.execute(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
        ):
            location = Location(self.where.file, label=f"note {note_id}")
            notetype = notetypes.get(int(notetype_id))
            if notetype is None:
                self.result.drafts.append(
                    FormatError(
                        "the note uses a note type the package does not describe.",
                        location=location,
                    )
                )
                continue
            values = str(fields or "").split(FIELD_SEPARATOR)
            named = {
                name: (values[i] if i < len(values) else "")
                for i, name in enumerate(notetype.fields)
            }
            note_cards = cards.get(int(note_id), [])
            deck = decks.get(note_cards[0][1], "") if note_cards else ""
            tag_list = tuple(str(tags or "").split())
            guid = str(guid or note_id)
            if len(guid) > MAX_GUID_CHARS:
                self.result.drafts.append(
                    FormatError("the note's id (guid) is too long.", location=location)
                )
                continue
            try:
                if notetype.is_cloze:
                    drafts = self._cloze(notetype, named, guid, deck, location)
                else:
                    drafts = self._cards(notetype, named, guid, deck, location, note_cards)
            except FormatError as exc:
                self.result.drafts.append(exc)
                continue
            for draft, ordinals in drafts:
                if tag_list:
                    draft = with_fields(draft, tags=tag_list)
                self.result.drafts.append(draft)
                key = draft.external_id or ""
                if tag_list:
                    self.result.tags[key] = tag_list
                history = [
                    entry
                    for card_id, _, ordinal in note_cards
                    if ordinal in ordinals
                    for entry in reviews.get(card_id, [])
                ]
                if history:
                    history.sort(key=lambda e: e.reviewed_at)
                    self.result.history[key] = history

    # Note types and decks

    def _schema18(self) -> tuple[dict[int, _Notetype], dict[int, str]]:
        notetypes: dict[int, _Notetype] = {}
        for notetype_id, name, config in self.conn.execute(
            "SELECT id, name, config FROM notetypes"
        ):
            # anki/notetypes.proto: Notetype.Config { Kind kind = 1; ... } with CLOZE = 1.
            kind = _proto_int(bytes(config or b""), 1)
            notetypes[int(notetype_id)] = _Notetype(str(name), kind == 1, [], [])
        for notetype_id, _, name in self.conn.execute(
            "SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"
        ):
            if int(notetype_id) in notetypes:
                notetypes[int(notetype_id)].fields.append(str(name))
        for notetype_id, _, name, config in self.conn.execute(
            "SELECT ntid, ord, name, config FROM templates ORDER BY ntid, ord"
        ):
            if int(notetype_id) in notetypes:
                # Template.Config { string q_format = 1; string a_format = 2; ... }
                config = bytes(config or b"")
                notetypes[int(notetype_id)].templates.append(
                    (str(name), _proto_string(config, 1), _proto_string(config, 2))
                )
        decks = {
            int(deck_id): _topic(str(name).split(FIELD_SEPARATOR), int(deck_id))
            for deck_id, name in self.conn.execute("SELECT id, name FROM decks")
        }
        return notetypes, decks

    def _schema11(self) -> tuple[dict[int, _Notetype], dict[int, str]]:
        row = self.conn.execute("SELECT models, decks FROM col LIMIT 1").fetchone()
        if row is None:
            raise FormatError("the package's collection is empty.", location=self.where)
        try:
            models, deck_map = json.loads(row[0] or "{}"), json.loads(row[1] or "{}")
        except (ValueError, RecursionError) as exc:
            raise FormatError(
                "the package's note types are not readable JSON.", location=self.where
            ) from exc
        if not isinstance(models, dict) or not isinstance(deck_map, dict):
            raise FormatError("the package's note types are damaged.", location=self.where)
        notetypes = {}
        for key, model in models.items():
            if not isinstance(model, dict):
                continue
            fields = sorted(
                (f for f in model.get("flds") or [] if isinstance(f, dict)),
                key=lambda f: int(f.get("ord") or 0),
            )
            templates = sorted(
                (t for t in model.get("tmpls") or [] if isinstance(t, dict)),
                key=lambda t: int(t.get("ord") or 0),
            )
            notetypes[int(model.get("id") or key)] = _Notetype(
                str(model.get("name") or ""),
                model.get("type") == 1,
                [str(f.get("name") or "") for f in fields],
                [
                    (str(t.get("name") or ""), str(t.get("qfmt") or ""), str(t.get("afmt") or ""))
                    for t in templates
                ],
            )
        decks = {}
        for key, deck in deck_map.items():
            if isinstance(deck, dict):
                deck_id = int(deck.get("id") or key)
                decks[deck_id] = _topic(str(deck.get("name") or "").split("::"), deck_id)
        return notetypes, decks

    def _revlog(self) -> dict[int, list[ReviewEntry]]:
        by_card: dict[int, list[ReviewEntry]] = {}
        rows = self.conn.execute("SELECT id, cid, ease, ivl, type, time FROM revlog ORDER BY id")
        ordinals = dict(self.conn.execute("SELECT id, ord FROM cards").fetchall())
        for review_id, card_id, ease, interval, kind, taken in rows:
            try:
                when = datetime.fromtimestamp(int(review_id) / 1000, UTC)
            except (OverflowError, OSError, ValueError):
                continue
            interval = int(interval or 0)
            by_card.setdefault(int(card_id), []).append(
                ReviewEntry(
                    reviewed_at=when,
                    rating=int(ease or 0) if 0 <= int(ease or 0) <= 4 else 0,
                    kind=REVIEW_KINDS.get(int(kind or 0), "review"),
                    interval_days=interval if interval >= 0 else interval / -86400,
                    duration_ms=max(0, int(taken or 0)),
                    card_ord=int(ordinals.get(card_id, 0) or 0),
                )
            )
        return by_card

    # Notes to drafts

    def _cards(
        self,
        notetype: _Notetype,
        named: dict[str, str],
        guid: str,
        deck: str,
        location: Location,
        note_cards: list[tuple[int, int, int]],
    ) -> list[tuple[QuestionDraft, set[int]]]:
        # The app's own notes carry the explanation in a field of its own (see `write`).
        explanation = named.pop("Explanation", None)
        ordinals = sorted({ordinal for _, _, ordinal in note_cards}) or [0]
        drafts = []
        for ordinal in ordinals:
            if ordinal >= len(notetype.templates):
                raise FormatError(
                    f"the note has a card for template {ordinal + 1}, which its note type "
                    f"{notetype.name!r} lacks.",
                    location=location,
                )
            _, front_format, back_format = notetype.templates[ordinal]
            front = self._text(_render_template(front_format, named))
            back = self._text(_render_template(back_format, named, answer_side=True))
            if not front:
                self.result.notices.append(f"{location}: a card with an empty front is skipped.")
                continue
            external_id = _external_id(guid, ordinal)
            draft = QuestionDraft(
                kind="flashcard",
                content={"prompt": front, "back": back},
                external_id=external_id,
                topic_path=deck,
                explanation=self._text(explanation) if explanation is not None else None,
                location=location,
            )
            drafts.append((draft, {ordinal}))
        return drafts

    def _cloze(
        self,
        notetype: _Notetype,
        named: dict[str, str],
        guid: str,
        deck: str,
        location: Location,
    ) -> list[tuple[QuestionDraft, set[int]]]:
        front_format = notetype.templates[0][1] if notetype.templates else ""
        match = re.search(r"\{\{cloze:([^}]+)\}\}", front_format)
        text_field = match[1].strip() if match else (notetype.fields or [""])[0]
        raw = named.get(text_field, "")
        if "image-occlusion:" in raw:
            self.result.notices.append(f"{location}: image occlusion notes are skipped.")
            return []
        text = self._text(raw)
        gaps: list[dict[str, Any]] = []
        numbers: set[int] = set()

        def gap(m: re.Match[str]) -> str:
            answer = render_plain(m[2]).strip()
            if not answer:
                return m[0]
            numbers.add(int(m[1]))
            gaps.append({"answers": [answer]})
            return f"{{{{{len(gaps)}}}}}"

        # Anki: {{c1::answer}} or {{c1::answer::hint}}; the hint is not kept.
        text = _CLOZE.sub(gap, text)
        if not gaps:
            raise FormatError("the cloze note has no deletions ({{c1::...}}).", location=location)
        prompt = self._text(named.get("Prompt", "")) or DEFAULT_CLOZE_PROMPT
        extra_field = next((f for f in ("Back Extra", "Extra") if f in named), None)
        explanation = self._text(named[extra_field]) if extra_field else None
        draft = QuestionDraft(
            kind="cloze",
            content={"prompt": prompt, "text": text, "gaps": gaps},
            external_id=_external_id(guid, 0),
            topic_path=deck,
            explanation=explanation,
            location=location,
        )
        return [(draft, {n - 1 for n in numbers})]

    # Field HTML to Markdown, with media

    def _text(self, html: str) -> str:
        tokens: list[str] = []

        def keep(markdown: str) -> str:
            tokens.append(markdown)
            return f" \ue000{len(tokens) - 1}\ue001 "

        def image(m: re.Match[str]) -> str:
            alt = _ALT.search(m[0])
            name = unescape(m[1] or m[2] or m[3] or "")
            return keep(self._media(name, unescape(alt[1] or alt[2] or "") if alt else None))

        html = _IMG.sub(image, html)
        html = _SOUND.sub(lambda m: keep(self._media(unescape(m[1]))), html)
        text = html_to_markdown(html)
        text = _TOKEN.sub(lambda m: tokens[int(m[1])], text)
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def _media(self, name: str, alt: str | None = None) -> str:
        name = name.strip()
        if name not in self.media_refs:
            self.media_refs[name] = self._load_media(name)
        found = self.media_refs[name]
        return reference(found[0], found[1], name if alt is None else alt) if found else ""

    def _load_media(self, name: str) -> tuple[str, str] | None:
        if self.media_names is None:
            self.media_names = self.package.media_names()
        entry = self.media_names.get(name)
        found = None
        if entry is None or entry not in self.package.entries:
            self.result.warnings.append(f"{self.where}: {name!r} is used but not in the package.")
        else:
            try:
                data = self.package.read(entry, self.max_media_bytes, zstd=None)
            except FormatError as exc:
                self.result.warnings.append(f"{self.where}: {name!r} is left out: {exc.message}")
                data = None
            mime = sniff_type(data) if data else None
            if data and mime is None:
                self.result.warnings.append(
                    f"{self.where}: {name!r} is left out: only PNG, JPEG, GIF and WebP "
                    "images and MP3, OGG, WAV and M4A audio are kept."
                )
            elif data and mime:
                sha256 = sha256_of(data)
                self.result.media[sha256] = MediaItem(name, sha256, mime, data)
                found = (sha256, mime)
        return found


_IMG = re.compile(
    r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>""", re.IGNORECASE
)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_SOUND = re.compile(r"\[sound:([^\]]+)\]")
_TOKEN = re.compile(r"\ue000(\d+)\ue001")
_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
_SECTION = re.compile(
    r"\{\{([#^])\s*([^}]+?)\s*\}\}((?:(?!\{\{[#^]).)*?)\{\{/\s*\2\s*\}\}", re.DOTALL
)
_REPLACEMENT = re.compile(r"\{\{([^#^/}][^}]*)\}\}")
_SPECIAL_FIELDS = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "Type", "CardFlag"}


def _render_template(template: str, fields: Mapping[str, str], *, answer_side: bool = False) -> str:
    """A card side, as Anki's templates make it, with the front left out of the back."""
    for _ in range(50):  # sections innermost first; a template nests only a few deep
        rendered = _SECTION.sub(
            lambda m: m[3] if (bool(_plain(fields.get(m[2], ""))) == (m[1] == "#")) else "",
            template,
        )
        if rendered == template:
            break
        template = rendered

    def replace(m: re.Match[str]) -> str:
        parts = [p.strip() for p in m[1].split(":")]
        name, filters = parts[-1], parts[:-1]
        if name in _SPECIAL_FIELDS or "type" in filters:
            return ""
        value = fields.get(name, "")
        if "text" in filters:
            return escape(_plain(value))
        return value

    html = _REPLACEMENT.sub(replace, template)
    if answer_side:
        html = re.sub(r"<hr\s+id\s*=\s*['\"]?answer['\"]?\s*/?>", "", html, flags=re.IGNORECASE)
    return html


def _external_id(guid: str, ordinal: int) -> str:
    """A card's stable id: the note's guid, and the template's number after the first. A
    note the app wrote carries the question's own id in its guid."""
    base = guid[len(GUID_PREFIX) :] if guid.startswith(GUID_PREFIX) else f"anki-{guid}"
    return base if ordinal == 0 else f"{base}-{ordinal + 1}"


def _guid(external_id: str, first_field: str) -> str:
    import genanki

    if external_id.startswith("anki-") and not re.fullmatch(r"anki-.+-\d+", external_id):
        return external_id[len("anki-") :]
    return GUID_PREFIX + external_id if external_id else genanki.guid_for(first_field)


def _plain(html: str) -> str:
    return re.sub(r"<[^>]*>|&nbsp;|\s", "", html or "")


def _topic(parts: list[str], deck_id: int) -> str:
    names = [p.strip().replace("/", "-") for p in parts if p.strip()]
    if deck_id == DEFAULT_DECK_ID and names == ["Default"]:
        return ""
    return "/".join(names)


# Writing

# Fixed ids: a package the app writes twice names the same note types, so Anki updates
# the notes it imported before instead of adding a copy of each note type.
BASIC_MODEL_ID = 1_733_100_000_001
CLOZE_MODEL_ID = 1_733_100_000_002
_CSS = ".card { font-family: arial; font-size: 20px; text-align: center; }"


# Writers that take `media` (a stored file's bytes by its sha256) embed the files they show.
WRITES_MEDIA = True


def write(
    drafts: Sequence[QuestionDraft], *, media: Callable[[str], bytes | None] | None = None
) -> WriteResult:
    """A `.apkg` of the drafts; `media` gives a stored file's bytes by its sha256."""
    import genanki

    result = WriteResult(NAME, b"")
    basic = genanki.Model(
        BASIC_MODEL_ID,
        "Recall Basic",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Explanation"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"
                "{{#Explanation}}<br><br>{{Explanation}}{{/Explanation}}",
            }
        ],
        css=_CSS,
    )
    cloze = genanki.Model(
        CLOZE_MODEL_ID,
        "Recall Cloze",
        fields=[{"name": "Text"}, {"name": "Prompt"}, {"name": "Back Extra"}],
        templates=[
            {
                "name": "Cloze",
                "qfmt": "{{Prompt}}<br>{{cloze:Text}}",
                "afmt": "{{Prompt}}<br>{{cloze:Text}}<br>{{Back Extra}}",
            }
        ],
        css=_CSS,
        model_type=genanki.Model.CLOZE,
    )
    decks: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    missing: set[str] = set()

    def html_of(markdown: str) -> str:
        def attach(m: re.Match[str]) -> str:
            sha256, ext = m[2], m[3]
            data = media(sha256) if media is not None else None
            if data is None:
                missing.add(sha256)
                return m[1]
            files[f"{sha256}.{ext}"] = data
            if ext in AUDIO_EXTENSIONS:
                return f"[sound:{sha256}.{ext}]"
            return f"![{m[1]}]({sha256}.{ext})"

        return render_markdown(MEDIA_REFERENCE.sub(attach, markdown or ""))

    for draft in drafts:
        content = draft.content
        label = f"{draft.external_id or '(no id)'} ({draft.kind})"
        if draft.kind == "flashcard":
            model = basic
            fields = [
                html_of(content.get("prompt", "")),
                html_of(content.get("back", "")),
                html_of(draft.explanation or ""),
            ]
        elif draft.kind == "cloze":
            model = cloze
            gaps = list(content.get("gaps") or [])

            def deletion(m: re.Match[str], gaps: list[Any] = gaps) -> str:
                gap = gaps[int(m[1]) - 1] if 0 < int(m[1]) <= len(gaps) else {}
                if "answers" in gap:
                    answer = gap["answers"][0]
                else:
                    answer = (gap.get("options") or [""])[gap.get("correct") or 0]
                answer = str(answer).replace("}}", "} }").replace("::", ": :")
                return f"{{{{c{m[1]}::{answer}}}}}"

            if any("options" in gap or len(gap.get("answers") or []) > 1 for gap in gaps):
                result.notes.append(
                    f"{label}: Anki cloze deletions hold one answer; only the first is kept."
                )
            text = re.sub(r"\{\{(\d+)\}\}", deletion, str(content.get("text") or ""))
            prompt = str(content.get("prompt") or "")
            fields = [
                html_of(text),
                "" if prompt == DEFAULT_CLOZE_PROMPT else html_of(prompt),
                html_of(draft.explanation or ""),
            ]
        else:
            result.left_out.append(f"{label}: Anki packages hold flashcards and cloze notes only.")
            continue
        topic = draft.topic_path or ""
        if topic not in decks:
            name = "::".join(topic.split("/")) if topic else "Default"
            deck_id = DEFAULT_DECK_ID if not topic else _stable_id(topic)
            decks[topic] = genanki.Deck(deck_id, name)
        guid = _guid(draft.external_id or "", fields[0])
        decks[topic].add_note(
            genanki.Note(
                model=model,
                fields=fields,
                guid=guid,
                tags=list(draft.tags or ()),
                sort_field=fields[0][:80],
            )
        )
        result.count(draft.kind)
    if missing:
        result.notes.append(f"{len(missing)} media files are not in the media store; left out.")
    with tempfile.TemporaryDirectory(prefix="recall-apkg-") as folder:
        paths = []
        for name, data in files.items():
            path = Path(folder) / name
            path.write_bytes(data)
            paths.append(str(path))
        out = Path(folder) / "deck.apkg"
        package = genanki.Package(
            list(decks.values()) or [genanki.Deck(DEFAULT_DECK_ID, "Default")]
        )
        package.media_files = paths
        package.write_to_file(str(out))
        result.data = out.read_bytes()
    return result


def _stable_id(text: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:6], "big") + (1 << 40)
