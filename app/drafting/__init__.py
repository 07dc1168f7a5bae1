"""Question drafts drawn from a document's own text, offline.

`draft_document(slug, title, sections)` proposes drafts of several kinds, each citing a
verbatim excerpt of one section; `extract_upload` and `extract_pasted` turn an uploaded
file or pasted text into a document's text and its sections.
"""

from app.drafting.drafter import Citation, Draft, draft_document
from app.drafting.extraction import (
    MAX_CHARS,
    MAX_UPLOAD_BYTES,
    ExtractedDocument,
    extract_pasted,
    extract_upload,
    find_sections,
)

__all__ = [
    "MAX_CHARS",
    "MAX_UPLOAD_BYTES",
    "Citation",
    "Draft",
    "ExtractedDocument",
    "draft_document",
    "extract_pasted",
    "extract_upload",
    "find_sections",
]
