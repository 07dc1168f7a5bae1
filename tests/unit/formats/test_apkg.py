"""Anki packages: real packages made by the official `anki` library, read by ours; ours read
back by that library; hostile archives refused with a FormatError and nothing else."""

from __future__ import annotations

import contextlib
import hashlib
import io
import zipfile
from pathlib import Path

import anki.collection as anki_collection  # a test dependency: a missing one fails
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.formats import apkg
from app.formats.pipeline import FormatError, QuestionDraft
from app.formats.registry import detect, read_file

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(200)
SVG = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"


def _export(col, path: Path, *, legacy: bool) -> bytes:
    options = anki_collection.ExportAnkiPackageOptions(
        with_scheduling=True, with_media=True, legacy=legacy
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path.read_bytes()


def _rezip(data: bytes, rename: dict[str, str | None]) -> bytes:
    """The package with entries renamed (None: dropped)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            name = rename.get(info.filename, info.filename)
            if name is not None:
                dst.writestr(name, src.read(info))
    return out.getvalue()


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, bytes]:
    """One collection with every kind of note, exported in every layout."""
    folder = tmp_path_factory.mktemp("anki")
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    try:
        picture = col.media.write_data("map of france.png", PNG)
        sound = col.media.write_data("paris.mp3", MP3)
        col.media.write_data("logo.svg", SVG)
        capitals = col.decks.id("Geography::Europe::Capitals")
        words = col.decks.id("French")
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"] = f'Capital of <b>France</b>? <img src="{picture}">'
        basic["Back"] = f"Paris [sound:{sound}]"
        basic.tags = ["geo", "europe::west"]
        col.add_note(basic, capitals)
        reversed_note = col.new_note(col.models.by_name("Basic (and reversed card)"))
        reversed_note["Front"] = "dog"
        reversed_note["Back"] = "le chien"
        col.add_note(reversed_note, words)
        optional = col.new_note(col.models.by_name("Basic (optional reversed card)"))
        optional["Front"] = "cat"
        optional["Back"] = "le chat"
        col.add_note(optional, words)
        cloze = col.new_note(col.models.by_name("Cloze"))
        cloze["Text"] = (
            "{{c1::Paris}} is the capital of {{c2::France::a country}}, on the {{c1::Seine}}."
        )
        cloze["Back Extra"] = 'Since 987. <img src="logo.svg">'
        col.add_note(cloze, capitals)
        card = basic.cards()[0]
        card.start_timer()
        col.sched.answerCard(card, 3)
        packages = {
            "current": _export(col, folder / "current.apkg", legacy=False),
            "legacy2": _export(col, folder / "legacy.apkg", legacy=True),
        }
        col.export_collection_package(str(folder / "all.colpkg"), include_media=True, legacy=False)
        packages["colpkg"] = (folder / "all.colpkg").read_bytes()
        # Anki 2.0's layout: the same schema-11 collection as collection.anki2, alone.
        packages["legacy1"] = _rezip(
            packages["legacy2"], {"collection.anki2": None, "collection.anki21": "collection.anki2"}
        )
        packages["ids"] = {"basic": basic.guid, "reversed": reversed_note.guid, "cloze": cloze.guid}
    finally:
        col.close()
    return packages


LAYOUTS = ["current", "legacy2", "legacy1", "colpkg"]


def by_id(result) -> dict[str, QuestionDraft]:
    assert result.errors == []
    return {d.external_id: d for d in result.drafts}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_reads_notes_decks_tags_cloze_and_media_in_every_layout(packages, layout):
    result = apkg.read(packages[layout], f"deck.{'colpkg' if layout == 'colpkg' else 'apkg'}")
    ids = packages["ids"]
    drafts = by_id(result)
    # Basic: one card; reversed: two, the second swapped; optional reverse left empty: one.
    assert len(drafts) == 5
    basic = drafts[f"anki-{ids['basic']}"]
    png_sha = hashlib.sha256(PNG).hexdigest()
    mp3_sha = hashlib.sha256(MP3).hexdigest()
    assert basic.kind == "flashcard"
    assert (
        basic.content["prompt"]
        == f"Capital of **France**? ![map of france.png](media:{png_sha}.png)"
    )
    assert basic.content["back"] == f"Paris ![paris.mp3](media:{mp3_sha}.mp3)"
    assert basic.topic_path == "Geography/Europe/Capitals"
    assert result.tags[basic.external_id] == ("europe::west", "geo")
    assert tuple(basic.tags) == ("europe::west", "geo")
    front = drafts[f"anki-{ids['reversed']}"]
    back = drafts[f"anki-{ids['reversed']}-2"]
    assert (front.content["prompt"], front.content["back"]) == ("dog", "le chien")
    assert (back.content["prompt"], back.content["back"]) == ("le chien", "dog")
    assert back.topic_path == "French" and back.tags is None
    cloze = drafts[f"anki-{ids['cloze']}"]
    assert cloze.kind == "cloze"
    assert cloze.content["text"] == "{{1}} is the capital of {{2}}, on the {{3}}."
    assert cloze.content["gaps"] == [
        {"answers": ["Paris"]},
        {"answers": ["France"]},
        {"answers": ["Seine"]},
    ]
    assert cloze.explanation == "Since 987."
    # Only checked image and audio types come along; the SVG is left out with a notice.
    assert set(result.media) == {png_sha, mp3_sha}
    assert result.media[png_sha].mime_type == "image/png" and result.media[png_sha].data == PNG
    assert any("logo.svg" in warning for warning in result.warnings)
    assert result.notices == []


@pytest.mark.parametrize("layout", ["current", "legacy2"])
def test_review_history_comes_along(packages, layout):
    result = apkg.read(packages[layout], "deck.apkg")
    history = result.history[f"anki-{packages['ids']['basic']}"]
    assert len(history) == 1
    assert history[0].rating == 3 and history[0].kind == "learn"
    assert f"anki-{packages['ids']['cloze']}" not in result.history


def test_registry_detects_and_reads_packages(packages):
    assert detect(packages["current"], "x.bin") == "apkg"
    assert detect(b"anything", "deck.colpkg") == "apkg"
    result = read_file(packages["current"], "deck.apkg")
    assert result.format == "apkg" and len(result.drafts) == 5
    too_small = read_file(packages["current"], "deck.apkg", max_media_bytes=10)
    assert too_small.media == {}
    assert any("map of france.png" in n for n in too_small.warnings)


# The writer, checked by the official library


def _import_into_anki(data: bytes, folder: Path):
    path = folder / "ours.apkg"
    path.write_bytes(data)
    col = anki_collection.Collection(str(folder / "fresh.anki2"))
    request = anki_collection.ImportAnkiPackageRequest(package_path=str(path))
    request.options.CopyFrom(col._backend.get_import_anki_package_presets())
    col.import_anki_package(request)
    return col


def test_written_package_opens_in_anki_note_by_note(tmp_path):
    sha = hashlib.sha256(PNG).hexdigest()
    drafts = [
        QuestionDraft(
            "flashcard",
            {"prompt": f"Capital of *France*? ![map](media:{sha}.png)", "back": "Paris"},
            external_id="geo-1",
            topic_path="Geography/Capitals",
            explanation="Since 987.",
            tags=("geo", "europe::west"),
        ),
        QuestionDraft(
            "cloze",
            {
                "prompt": "Fill in the gap.",
                "text": "{{1}} is on the {{2}}.",
                "gaps": [
                    {"answers": ["Paris", "paris"]},
                    {"options": ["Seine", "Rhine"], "correct": 0},
                ],
            },
            external_id="geo-2",
            topic_path="",
        ),
        QuestionDraft(
            "true_false", {"prompt": "Paris is in France.", "answer": True}, external_id="geo-3"
        ),
    ]
    written = apkg.write(drafts, media=lambda s: PNG if s == sha else None)
    assert written.written == 2 and written.by_type == {"flashcard": 1, "cloze": 1}
    assert written.left_out == [
        "geo-3 (true_false): Anki packages hold flashcards and cloze notes only."
    ]
    assert any("first is kept" in note for note in written.notes)
    col = _import_into_anki(written.data, tmp_path)
    try:
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert set(notes) == {"recall:geo-1", "recall:geo-2"}
        card = notes["recall:geo-1"]
        assert card.note_type()["name"] == "Recall Basic"
        assert (
            card["Front"] == f'<p>Capital of <em>France</em>? <img src="{sha}.png" alt="map"></p>'
        )
        assert card["Back"] == "<p>Paris</p>" and card["Explanation"] == "<p>Since 987.</p>"
        assert [col.decks.name(c.did) for c in card.cards()] == ["Geography::Capitals"]
        assert sorted(card.tags) == ["europe::west", "geo"]
        cloze = notes["recall:geo-2"]
        assert cloze.note_type()["name"] == "Recall Cloze"
        assert cloze["Text"] == "<p>{{c1::Paris}} is on the {{c2::Seine}}.</p>"
        assert len(cloze.cards()) == 2
        assert (Path(col.media.dir()) / f"{sha}.png").read_bytes() == PNG
    finally:
        col.close()
    # And back in: the same questions, ids and topics.
    again = by_id(apkg.read(written.data, "ours.apkg"))
    assert (
        again["geo-1"].content == drafts[0].content
        and again["geo-1"].topic_path == "Geography/Capitals"
    )
    assert again["geo-1"].explanation == "Since 987."
    assert sorted(again["geo-1"].tags) == ["europe::west", "geo"] and again["geo-2"].tags is None
    assert again["geo-2"].content["text"] == "{{1}} is on the {{2}}."
    assert again["geo-2"].content["prompt"] == "Fill in the gap."


def test_an_imported_deck_exports_with_its_own_note_ids(packages):
    drafts = [d for d in apkg.read(packages["current"], "deck.apkg").drafts]
    written = apkg.write(drafts)
    assert written.written == 5
    again = by_id(apkg.read(written.data, "again.apkg"))
    assert set(again) == {d.external_id for d in drafts}


def test_tags_arrive_on_the_questions_and_leave_again_in_an_exported_package(
    app, packages, tmp_path
):
    from sqlalchemy import select

    from app.extensions import db
    from app.formats.registry import bank_drafts, find_bank, import_drafts
    from app.models import Question

    result = apkg.read(packages["current"], "deck.apkg")
    report = import_drafts(db.session, "Tagged", result)
    assert report.written and report.created == 5
    tags = {q.external_id: q.tags for q in db.session.scalars(select(Question))}
    basic = f"anki-{packages['ids']['basic']}"
    assert tags[basic] == ["europe::west", "geo"]
    assert tags[f"anki-{packages['ids']['cloze']}"] == []
    again = import_drafts(db.session, "Tagged", apkg.read(packages["current"], "deck.apkg"))
    assert (again.created, again.updated) == (0, 0)

    written = apkg.write(bank_drafts(db.session, find_bank(db.session, "Tagged")))
    col = _import_into_anki(written.data, tmp_path)
    try:
        notes = {col.get_note(nid).guid: col.get_note(nid) for nid in col.find_notes("")}
        assert sorted(notes[packages["ids"]["basic"]].tags) == ["europe::west", "geo"]
        assert notes[packages["ids"]["cloze"]].tags == []
        assert sorted(col.tags.all()) == ["europe::west", "geo"]
    finally:
        col.close()


# Hostile packages


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def refused(data: bytes, *words: str) -> None:
    with pytest.raises(FormatError) as caught:
        apkg.read(data, "bad.apkg")
    message = caught.value.message.lower()
    assert all(word in message for word in words), message


def test_not_a_zip_and_a_zip_without_a_collection_are_refused():
    refused(b"SQLite format 3\x00" + bytes(100), "not a zip")
    refused(b"PK\x03\x04" + bytes(60), "damaged")
    refused(_zip({"notes.txt": b"hello"}), "no anki collection")
    refused(_zip({"collection.anki2": b"not a database"}), "not an sqlite database")
    refused(_zip({"collection.anki21b": b"not zstd"}), "not zstd-compressed")


@pytest.mark.parametrize(
    "name", ["../evil.txt", "/etc/passwd", "a/../../b", "C:\\x", "media/..\\..\\x"]
)
def test_entries_outside_the_archive_are_refused(name):
    refused(_zip({"collection.anki2": b"x", name: b"x"}), "outside the archive")


def test_too_many_entries_are_refused(monkeypatch):
    monkeypatch.setattr(apkg, "MAX_ENTRIES", 10)
    refused(_zip({str(i): b"" for i in range(11)}), "11 entries")


def test_zip_bombs_are_refused_before_they_unpack(monkeypatch):
    monkeypatch.setattr(apkg, "MAX_TOTAL_BYTES", 1024 * 1024)
    bomb = _zip({"collection.anki2": bytes(2 * 1024 * 1024)}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 10_000
    refused(bomb, "unpacks to more than")


def test_zstd_bombs_are_cut_at_the_limit(monkeypatch):
    import zstandard

    monkeypatch.setattr(apkg, "MAX_COLLECTION_BYTES", 1024 * 1024)
    # Streamed like Anki's, without a declared size: only the cap stops it.
    compressor = zstandard.ZstdCompressor()
    stream = io.BytesIO()
    with compressor.stream_writer(stream, closefd=False) as writer:
        writer.write(b"SQLite format 3\x00" + bytes(8 * 1024 * 1024))
    refused(_zip({"collection.anki21b": stream.getvalue()}), "unpacks to more than")


def test_a_collection_without_anki_tables_is_refused(tmp_path):
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("create table notes (x)")
        conn.execute("create view cards as select 1")
    refused(_zip({"collection.anki2": path.read_bytes()}), "not an anki collection")


@settings(max_examples=60)
@given(st.binary(max_size=2000))
def test_random_bytes_raise_only_format_errors(data):
    for blob in (data, b"PK\x03\x04" + data, _zip({"collection.anki2": data})):
        with contextlib.suppress(FormatError):
            apkg.read(blob, "random.apkg")


@settings(max_examples=40)
@given(st.data())
def test_mutated_packages_raise_only_format_errors(packages, data):
    with zipfile.ZipFile(io.BytesIO(packages["legacy2"])) as archive:
        collection = bytearray(archive.read("collection.anki21"))
        media = archive.read("media")
    original = bytes(packages["legacy2"])
    whole = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        whole[data.draw(st.integers(0, len(whole) - 1))] = data.draw(st.integers(0, 255))
        collection[data.draw(st.integers(0, len(collection) - 1))] = data.draw(st.integers(0, 255))
    for blob in (bytes(whole), _zip({"collection.anki21": bytes(collection), "media": media})):
        with contextlib.suppress(FormatError):
            apkg.read(blob, "mutated.apkg")


# The command line, same engine: media stored with the questions, and exported again


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(a) for a in args])


def test_cli_imports_a_package_with_its_media_and_exports_it_again(app, packages, tmp_path):
    import json

    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import MediaFile, Question, Topic

    path = tmp_path / "deck.apkg"
    path.write_bytes(packages["current"])
    dry = _cli(app, "import-questions", path, "--bank", "Anki", "--json", "--dry-run")
    assert json.loads(dry.stdout)["created"] == 5
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0
    done = _cli(app, "import-questions", path, "--bank", "Anki", "--json")
    report = json.loads(done.stdout)
    assert done.exit_code == 0, done.output
    assert (report["format"], report["created"], report["errors"]) == ("apkg", 5, [])
    assert report["by_type"] == {"flashcard": 4, "cloze": 1}
    assert report["skipped"] == 0  # the SVG left out is said, but skips no question
    assert "logo.svg" in _cli(app, "import-questions", path, "--bank", "Anki", "--dry-run").output
    stored = {m.sha256: m.mime_type for m in db.session.scalars(select(MediaFile))}
    png_sha = hashlib.sha256(PNG).hexdigest()
    assert stored == {png_sha: "image/png", hashlib.sha256(MP3).hexdigest(): "audio/mpeg"}
    assert (Path(app.config["MEDIA_ROOT"]) / png_sha[:2] / png_sha).read_bytes() == PNG
    assert "Geography/Europe/Capitals" in set(db.session.scalars(select(Topic.path)))
    assert db.session.scalar(select(func.count()).select_from(Question)) == 5
    again = json.loads(_cli(app, "import-questions", path, "--bank", "Anki", "--json").stdout)
    assert (again["created"], again["updated"]) == (0, 0)

    out = tmp_path / "out.apkg"
    exported = _cli(app, "export-questions", "--bank", "Anki", "--format", "apkg", "--output", out)
    assert exported.exit_code == 0, exported.output
    assert "Exported 5 questions (apkg)" in exported.output
    back = apkg.read(out.read_bytes(), "out.apkg")
    assert len(back.drafts) == 5 and set(back.media) == set(stored)


def test_cli_brings_the_review_history_into_a_students_reviews(app, packages, tmp_path, student):
    import json

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Question, ReviewCard, ReviewLog

    path = tmp_path / "deck.apkg"
    path.write_bytes(packages["legacy2"])
    done = _cli(
        app, "import-questions", path, "--bank", "Mine", "--json", "--history-for", student.email
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["created"] == 5
    card = db.session.scalar(select(ReviewCard).where(ReviewCard.user_id == student.id))
    assert card.question.external_id == f"anki-{packages['ids']['basic']}"
    assert card.reps == 1 and card.last_review is not None
    log = db.session.scalar(select(ReviewLog))
    assert (log.rating, log.was_new) == (3, True)
    assert db.session.query(Question).count() == 5
    unknown = _cli(app, "import-questions", path, "--bank", "Mine", "--history-for", "x@y.z")
    assert unknown.exit_code == 1 and "no user" in unknown.output
