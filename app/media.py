"""Images and audio stored by the hash of their bytes: checked, size-limited, deduplicated.

A file is accepted only when its first bytes say it is one of the kinds in MEDIA_TYPES (the
name and the type a client claims count for nothing), and only up to the store's size limit.
Its bytes live under the store's root as `<first two hex digits>/<sha256>`, written once; the
`media_files` row records its type and size. Questions refer to a file in their Markdown as
`![name](media:<sha256>.<ext>)`, which app.questions.rendering turns into an <img> or an
<audio> pointing at /media/<sha256>.

No Flask here: callers pass the store (built from the MEDIA_ROOT and MEDIA_MAX_BYTES
settings), the session and `now`; the row is flushed, never committed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from .errors import Invalid

if TYPE_CHECKING:
    from .models import MediaFile

# mime type -> the extension a media reference carries (it tells images from audio).
MEDIA_TYPES = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/wav": "wav",
    "audio/mp4": "m4a",
}
MIME_BY_EXTENSION = {ext: mime for mime, ext in MEDIA_TYPES.items()}
AUDIO_EXTENSIONS = frozenset(ext for mime, ext in MEDIA_TYPES.items() if mime.startswith("audio/"))
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")
# ![alt](media:<sha256>.<ext>): how question text refers to a stored file.
MEDIA_REFERENCE = re.compile(r"!\[([^\]\n]*)\]\(media:([0-9a-f]{64})\.([a-z0-9]{2,4})\)")
# MP4 brands of audio files (M4A, M4B) and of the general containers audio is saved in.
_MP4_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"mp42", b"mp41", b"isom", b"iso2"}


@dataclass(frozen=True)
class MediaStore:
    """Where media files live and how large one may be."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    def path_of(self, sha256: str) -> Path:
        if not SHA256.fullmatch(sha256):
            raise Invalid("a media file is named by the 64 hex digits of its SHA-256.")
        return self.root / sha256[:2] / sha256


def sniff_type(data: bytes) -> str | None:
    """The mime type the bytes start like, if it is one of MEDIA_TYPES."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    # An MPEG audio frame: 11 sync bits, then a layer other than 00 (00 is AAC's ADTS).
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06:
        return "audio/mpeg"
    if head[4:8] == b"ftyp" and head[8:12] in _MP4_AUDIO_BRANDS:
        return "audio/mp4"
    return None


def check_media(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES, name: str = "the file") -> str:
    """The file's mime type; Invalid if it is empty, too large or not an accepted kind."""
    if not data:
        raise Invalid(f"{name} is empty.")
    if len(data) > max_bytes:
        raise Invalid(f"{name} is over {_megabytes(max_bytes)} (it has {_megabytes(len(data))}).")
    mime = sniff_type(data)
    if mime is None:
        raise Invalid(
            f"{name} is not a PNG, JPEG, GIF or WebP image, nor MP3, OGG, WAV or M4A audio."
        )
    return mime


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def reference(sha256: str, mime: str, name: str = "") -> str:
    """The Markdown a question holds to show a stored file."""
    alt = re.sub(r"[\[\]\n\\]", "", name).strip()
    return f"![{alt}](media:{sha256}.{MEDIA_TYPES[mime]})"


def referenced_hashes(text: str) -> list[str]:
    return [match[2] for match in MEDIA_REFERENCE.finditer(text or "")]


def store_media(
    session: Session, store: MediaStore, data: bytes, now: datetime, name: str = "the file"
) -> MediaFile:
    """Check the bytes and keep them (once per content); the row is flushed."""
    from .models import MediaFile

    mime = check_media(data, store.max_bytes, name)
    sha256 = sha256_of(data)
    path = store.path_of(sha256)
    if not path.is_file() or path.stat().st_size != len(data):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside its final name and renamed: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    media = session.get(MediaFile, sha256)
    if media is None:
        media = MediaFile(sha256=sha256, mime_type=mime, size=len(data), created_at=now)
        session.add(media)
        session.flush()
    return media


def find_media(session: Session, sha256: str) -> MediaFile | None:
    from .models import MediaFile

    if not SHA256.fullmatch(sha256 or ""):
        return None
    return session.get(MediaFile, sha256)


def load_media(store: MediaStore, sha256: str) -> bytes | None:
    """A stored file's bytes, or None when there is no such file."""
    try:
        return store.path_of(sha256).read_bytes()
    except (Invalid, OSError):
        return None


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
