"""Media files: accepted by their bytes only, size-limited, stored once by content hash, and
shown by the question renderer as <img> or <audio> from /media/<sha256>."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.media import MEDIA_TYPES, MediaStore, check_media, reference, sniff_type, store_media
from app.models import MediaFile
from app.questions.rendering import render_inline, render_markdown, render_plain
from tests.factories import CLOCK_START, MP3_BYTES, PNG_BYTES

SAMPLES = {
    "image/png": PNG_BYTES,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "image/gif": b"GIF89a\x01\x00\x01\x00",
    "image/webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ",
    "audio/mpeg": MP3_BYTES,
    "audio/ogg": b"OggS\x00\x02" + bytes(20),
    "audio/wav": b"RIFF\x10\x00\x00\x00WAVEfmt ",
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00",
}


@pytest.mark.parametrize("mime", sorted(SAMPLES))
def test_accepted_kinds_are_told_by_their_bytes(mime):
    assert sniff_type(SAMPLES[mime]) == mime
    assert sniff_type(b"\xff\xfb\x90\x00" + bytes(10)) == "audio/mpeg"  # a bare MPEG frame


@pytest.mark.parametrize(
    "data",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"<html><script>alert(1)</script>",
        b"%PDF-1.7",
        b"\xff\xf1\x50\x80",  # AAC in ADTS, not MP3
        b"\x00\x00\x00\x20ftypqt  ",  # a QuickTime film
        b"RIFF\x10\x00\x00\x00AVI ",
    ],
)
def test_other_bytes_are_refused_whatever_their_name(data):
    assert sniff_type(data) is None
    with pytest.raises(Invalid, match="not a PNG"):
        check_media(data, name="photo.png")


def test_size_and_emptiness_are_checked():
    with pytest.raises(Invalid, match="over 0.0 MB"):
        check_media(PNG_BYTES, max_bytes=10)
    with pytest.raises(Invalid, match="empty"):
        check_media(b"")


def test_a_file_is_stored_once_by_its_hash(app, tmp_path):
    store = MediaStore(tmp_path / "media", max_bytes=1024)
    first = store_media(db.session, store, PNG_BYTES, CLOCK_START)
    again = store_media(db.session, store, PNG_BYTES, CLOCK_START)
    sha = hashlib.sha256(PNG_BYTES).hexdigest()
    assert first is again and first.sha256 == sha
    assert (first.mime_type, first.size) == ("image/png", len(PNG_BYTES))
    assert (tmp_path / "media" / sha[:2] / sha).read_bytes() == PNG_BYTES
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 1
    assert [p.name for p in (tmp_path / "media" / sha[:2]).iterdir()] == [sha]


def test_a_refused_file_writes_nothing(app, tmp_path):
    store = MediaStore(tmp_path / "media", max_bytes=1024)
    with pytest.raises(Invalid):
        store_media(db.session, store, b"<svg/>", CLOCK_START)
    with pytest.raises(Invalid):
        store.path_of("../../etc/passwd")
    assert not (tmp_path / "media").exists()
    assert db.session.scalar(select(func.count()).select_from(MediaFile)) == 0


def test_references_render_as_image_or_audio_from_the_media_route():
    sha = "ab" * 32
    image = reference(sha, "image/png", "map [of] France")
    sound = reference(sha, "audio/mpeg", "paris.mp3")
    assert image == f"![map of France](media:{sha}.png)"
    assert (
        render_markdown(f"See {image}")
        == f'<p>See <img src="/media/{sha}" alt="map of France"></p>'
    )
    assert render_inline(sound) == (
        f'<audio controls="" preload="none" src="/media/{sha}" title="paris.mp3"></audio>'
    )
    assert render_plain(f"See {image}") == "See"


def test_the_renderer_knows_every_accepted_extension():
    for ext in MEDIA_TYPES.values():
        assert "/media/" in render_markdown(f"![a](media:{'ab' * 32}.{ext})")


def test_other_image_sources_are_untouched_and_unsafe_ones_dropped():
    assert 'src="https://example.org/a.png"' in render_markdown("![a](https://example.org/a.png)")
    assert "<img" not in render_markdown("![a](javascript:alert(1))")
    assert "src" not in render_markdown(f"![a](media:{'ab' * 32}.svg)")
    assert "<audio" not in render_markdown('<audio src="/media/x"></audio>')
