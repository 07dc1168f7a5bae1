"""Documents from pasted text and uploaded .txt, .md, .docx and .pdf files."""

from __future__ import annotations

import io

import docx
import pytest
from fpdf import FPDF

from app.drafting import MAX_UPLOAD_BYTES, draft_document, extract_pasted, extract_upload
from app.errors import Invalid
from app.sources.documents import excerpt_in_section, split_sections

BODY_1 = (
    "The Nile is the longest river in Africa and flows north for about 6650 kilometres "
    "into the Mediterranean Sea."
)
BODY_2 = "The Aswan High Dam was completed in 1970 and holds back Lake Nasser in southern Egypt."


def _docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("Rivers of Africa", level=0)
    document.add_paragraph("Notes for the geography class.")
    document.add_heading("The Nile", level=1)
    document.add_paragraph(BODY_1)
    document.add_heading("Dams", level=1)
    document.add_paragraph(BODY_2)
    table = document.add_table(rows=0, cols=2)
    for left, right in [
        ("Nile", "Flows north into the Mediterranean."),
        ("Congo", "Crosses the equator twice."),
        ("Niger", "Bends in a great arc through the Sahel."),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = left, right
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_bytes() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "The Nile", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, BODY_1)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "Dams", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, BODY_2)
    return bytes(pdf.output())


def _section_texts(extracted):
    sections = split_sections(extracted.text, extracted.sections)
    return {s.slug: s.text for s in sections}, sections


def test_pasted_markdown_keeps_the_text_and_finds_sections_at_headings():
    text = (
        f"# Rivers\n\nIntro line of the notes.\n\n## The Nile\n\n{BODY_1}\n\n## Dams\n\n{BODY_2}\n"
    )
    extracted = extract_pasted(text)
    assert extracted.text == text
    assert extracted.origin == "pasted text"
    assert [s["title"] for s in extracted.sections] == ["Rivers", "The Nile", "Dams"]
    texts, _ = _section_texts(extracted)
    assert texts["the-nile"] == BODY_1
    assert texts["dams"] == BODY_2


def test_plain_text_sections_from_short_title_like_lines():
    text = f"Rivers of Africa\n\nThe Nile\n{BODY_1}\n\nDams\n{BODY_2}\n"
    extracted = extract_upload("rivers.txt", text.encode())
    assert extracted.text == text
    assert [s["title"] for s in extracted.sections] == ["The Nile", "Dams"]
    texts, _ = _section_texts(extracted)
    assert texts["dams"] == BODY_2


def test_docx_headings_become_sections_and_tables_two_columns():
    extracted = extract_upload("Rivers.docx", _docx_bytes())
    assert extracted.origin == "uploaded Word document Rivers.docx"
    assert [s["title"] for s in extracted.sections] == ["The Nile", "Dams"]
    assert "Nile\tFlows north into the Mediterranean." in extracted.text
    texts, sections = _section_texts(extracted)
    assert BODY_1 in texts["the-nile"]
    drafts = draft_document("rivers", "Rivers", sections)
    table_cards = {
        d.key_term: d.content["back"]
        for d in drafts
        if d.basis == "table" and d.kind == "flashcard"
    }
    assert table_cards["Congo"] == "Crosses the equator twice."
    assert any(d.kind == "numerical" and d.key_term == "1970" for d in drafts)
    for draft in drafts:
        assert excerpt_in_section(sections, draft.citation.section, draft.citation.excerpt)


def test_pdf_text_and_sections():
    extracted = extract_upload("rivers.pdf", _pdf_bytes())
    assert extracted.origin == "uploaded PDF rivers.pdf"
    assert [s["title"] for s in extracted.sections] == ["The Nile", "Dams"]
    texts, sections = _section_texts(extracted)
    assert " ".join(BODY_1.split()) == texts["the-nile"]
    drafts = draft_document("rivers", "Rivers", sections)
    assert any(d.kind == "numerical" and d.content["answers"][0]["value"] == 6650 for d in drafts)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
        ("notes.docx", b"plain words", "not a Word document"),
        ("notes.pdf", b"%PDF-1.4\n garbage without objects", "not a PDF"),
        ("notes.pdf", b"\x00\x01\x02", "not a PDF"),
        ("notes.txt", "caf\u00e9".encode("latin-1"), "not UTF-8"),
        ("notes.txt", b"\x00\x00binary", "not a text file"),
        ("notes.txt", b"", "empty"),
        ("notes.txt", b"   \n\n ", "no text"),
        ("notes.odt", b"text", "Upload a .txt, .md, .docx or .pdf"),
        ("notes.txt", b"a" * (MAX_UPLOAD_BYTES + 1), "the limit is 5 MB"),
    ],
)
def test_bad_files_give_a_clear_message(name, data, message):
    with pytest.raises(Invalid) as caught:
        extract_upload(name, data)
    assert message in caught.value.message
    assert caught.value.field == "file"


def test_pdf_without_text_layer_is_refused():
    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(Invalid, match="no text layer"):
        extract_upload("scan.pdf", bytes(pdf.output()))


def test_empty_or_oversized_paste_is_refused():
    with pytest.raises(Invalid, match="empty"):
        extract_pasted("  \n ")
    with pytest.raises(Invalid, match="the limit is"):
        extract_pasted("word " * 300_000)


def test_seeded_documents_as_plain_text_get_the_manifest_sections_back():
    from tests.unit.drafting.conftest import seeded_documents

    for document in seeded_documents():
        extracted = extract_upload(document["file"], document["text"].encode())
        found = [s["start"] for s in extracted.sections]
        wanted = [s["start"] for s in document["sections"]]
        # Every heading found is one of the manifest's, in order; the manifest's lowercase
        # "de-stalinization political definition" is the one a reader would not take
        # for a heading either.
        assert [s for s in wanted if s in found] == found
        assert set(wanted) - set(found) <= {"de-stalinization political definition"}
