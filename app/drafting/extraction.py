"""A document's text and sections from pasted text or an uploaded file.

Supported: plain text (`.txt`), Markdown (`.md`), Word (`.docx`, python-docx) and PDF
(`.pdf`, pypdf). The text is kept as extracted; sections start at headings: Markdown
headings, Word heading styles, or short title-like lines. The result's `sections` have
the shape `app.sources.documents.split_sections` takes (slug, title, start). Anything that
cannot be read raises `app.errors.Invalid` with a message for the teacher.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from app.errors import Invalid

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CHARS = 1_000_000
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_PDF_PAGES = 500
EXTENSIONS = (".txt", ".md", ".docx", ".pdf")

MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?P<title>\S.*?)\s*#*\s*$")
SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass
class ExtractedDocument:
    text: str
    origin: str
    sections: list[dict[str, Any]] = field(default_factory=list)


def extract_pasted(text: str) -> ExtractedDocument:
    if not isinstance(text, str) or not text.strip():
        raise Invalid("The pasted text is empty.", field="text")
    text = _check_text(text.replace("\r\n", "\n").replace("\r", "\n"), "text")
    return ExtractedDocument(text, "pasted text", find_sections(text, markdown=True))


def extract_upload(filename: str, data: bytes) -> ExtractedDocument:
    name = (filename or "").strip()
    lowered = name.lower()
    extension = next((e for e in EXTENSIONS if lowered.endswith(e)), None)
    if extension is None:
        raise Invalid(
            "Upload a .txt, .md, .docx or .pdf file"
            + (f" ({name} is none of these)." if name else "."),
            field="file",
        )
    if not data:
        raise Invalid(f"{name} is empty.", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(
            f"{name} is {len(data) / 1048576:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // 1048576} MB.",
            field="file",
        )
    if extension in (".txt", ".md"):
        text = _decode(name, data)
        text = _check_text(text, "file")
        return ExtractedDocument(
            text, f"uploaded file {name}", find_sections(text, markdown=extension == ".md")
        )
    if extension == ".docx":
        return _docx(name, data)
    return _pdf(name, data)


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data:
        raise Invalid(f"{name} is not a text file.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid(
            f"{name} is not UTF-8 text (unreadable byte at position {exc.start}); "
            "save it as UTF-8 and upload it again.",
            field="file",
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_text(text: str, field_name: str) -> str:
    if len(text) > MAX_CHARS:
        raise Invalid(
            f"The document has {len(text):,} characters; the limit is {MAX_CHARS:,}.",
            field=field_name,
        )
    if not text.strip():
        raise Invalid("The document holds no text.", field=field_name)
    return text


def _docx(name: str, data: bytes) -> ExtractedDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise Invalid(f"{name} unpacks to more than 50 MB.", field="file")
    except zipfile.BadZipFile as exc:
        raise Invalid(
            f"{name} is not a Word document (.docx) that can be read.", field="file"
        ) from exc
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        headings: list[str] = []
        for block in document.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = Paragraph(block, document)
                text = paragraph.text.strip()
                if not text:
                    continue
                style = (paragraph.style.name if paragraph.style is not None else "") or ""
                lines.append(text)
                if style.startswith("Heading") or style == "Title":
                    headings.append(text)
            elif tag == "tbl":
                for row in Table(block, document).rows:
                    cells = [" ".join(c.text.split()) for c in row.cells]
                    if any(cells):
                        lines.append("\t".join(cells))
                lines.append("")
    except Invalid:
        raise
    except Exception as exc:  # python-docx raises many kinds on a damaged file
        raise Invalid(
            f"{name} is not a Word document (.docx) that can be read.", field="file"
        ) from exc
    text = _check_text("\n\n".join(line for line in lines if line is not None).strip(), "file")
    titled = [
        h for h in headings if h != (headings[0] if headings and _is_title(document, h) else None)
    ]
    sections = _sections_at(text, titled) if titled else find_sections(text, markdown=False)
    return ExtractedDocument(text, f"uploaded Word document {name}", sections)


def _is_title(document: Any, heading: str) -> bool:
    for paragraph in document.paragraphs:
        if paragraph.text.strip() == heading:
            return (paragraph.style.name if paragraph.style is not None else "") == "Title"
    return False


def _pdf(name: str, data: bytes) -> ExtractedDocument:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Invalid(
                f"{name} is password-protected; upload an unprotected copy.", field="file"
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            raise Invalid(f"{name} has more than {MAX_PDF_PAGES} pages.", field="file")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except Invalid:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise Invalid(f"{name} is not a PDF that can be read.", field="file") from exc
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise Invalid(
            f"{name} has no text layer (a scan?); upload a PDF with selectable text.", field="file"
        )
    text = _check_text(text, "file")
    return ExtractedDocument(text, f"uploaded PDF {name}", find_sections(text, markdown=False))


# -- sections -------------------------------------------------------------------------------


def _slug(title: str, taken: set[str]) -> str:
    base = SLUG_CHARS.sub("-", title.lower()).strip("-")[:50].strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _sections_at(text: str, starts: list[str]) -> list[dict[str, Any]]:
    taken: set[str] = set()
    lines = {line.strip() for line in text.splitlines()}
    sections, seen = [], set()
    for start in starts:
        if start in lines and start not in seen:
            seen.add(start)
            title = MARKDOWN_HEADING.sub(r"\g<title>", start).strip() or start
            sections.append({"slug": _slug(title, taken), "title": title, "start": start})
    return sections


def _title_like(line: str, previous: str, following: str) -> bool:
    words = line.split()
    if line.endswith((".", ",", ";", "?", "!", '"', "”")) or line[:1].islower():
        return False
    if (
        "\t" in line
        or line.startswith("|")
        or line[:1].isdigit()
        and not re.match(r"^\d+(\.\d+)*\.?\s+[A-Z]", line)
    ):
        return False
    if previous and following and following[:1].islower():
        return False  # a wrapped line inside a paragraph
    after_paragraph = not previous or previous.endswith((".", "!", "?", '"', "”", ":"))
    long_after = len(following) > 2 * len(line) and len(following.split()) > 12
    head, colon, _subtitle = line.partition(": ")
    if colon and 1 <= len(head.split()) <= 6 and len(words) <= 25 and len(line) <= 200:
        # "Economic Reforms: Shifting from heavy industry to ...": a heading with a subtitle.
        head_words = [w for w in head.split() if w[:1].isalpha()]
        if head_words and all(w[:1].isupper() or w.lower() in _SMALL_WORDS for w in head_words):
            return after_paragraph and long_after
    if not 1 <= len(words) <= 10 or len(line) > 80:
        return False
    letters = [w for w in words if w[:1].isalpha()]
    if not letters:
        return False
    capitalized = sum(1 for w in letters if w[:1].isupper() or w.lower() in _SMALL_WORDS)
    # Title Case or ALL CAPS; or a short label after a finished paragraph, before a long one.
    return capitalized == len(letters) or (len(words) <= 6 and after_paragraph and long_after)


_SMALL_WORDS = {"a", "an", "and", "of", "the", "in", "on", "for", "to", "with", "or", "at", "by"}


def find_sections(text: str, *, markdown: bool) -> list[dict[str, Any]]:
    """Section starts: Markdown headings if there are any, else short title-like lines."""
    lines = text.splitlines()
    starts: list[str] = []
    if markdown:
        starts = [line.strip() for line in lines if MARKDOWN_HEADING.match(line.strip())]
    if not starts:
        stripped = [line.strip() for line in lines]
        for i, line in enumerate(stripped):
            if not line:
                continue
            previous = stripped[i - 1] if i > 0 else ""
            following = next((s for s in stripped[i + 1 :] if s), "")
            if following and _title_like(line, previous, following) and len(following.split()) > 6:
                starts.append(line)
    return _sections_at(text, starts)
