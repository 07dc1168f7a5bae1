"""Teachers' own source documents: upload, sections before saving, visibility, edits, citing,
drafts."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.drafting import MAX_CHARS, extract_pasted
from app.extensions import db
from app.models import PendingDocument, Question, QuestionDraft, Role, SourceDocument
from app.sources.pending import start_pending
from tests.factories import make_bank, make_class, make_document, make_question

INTRO = (
    "Nikita Khrushchev became First Secretary of the Communist Party in September 1953, "
    "after the death of Joseph Stalin."
)
SPEECH = (
    "In February 1956 Khrushchev delivered the Secret Speech to the Twentieth Party Congress, "
    "denouncing the cult of personality built around Stalin."
)
GULAG = "Between 1953 and 1956 about 1.5 million prisoners were released from the Gulag camps."
MARKDOWN = (
    f"# The Thaw\n\n## The Succession\n\n{INTRO}\n\n## The Secret Speech\n\n{SPEECH} {GULAG}\n"
)


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("The Thaw", 0)
    document.add_heading("The Succession", 1)
    document.add_paragraph(INTRO)
    document.add_heading("The Secret Speech", 1)
    document.add_paragraph(SPEECH)
    document.add_paragraph(GULAG)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ("The Succession", INTRO, "The Secret Speech", SPEECH, GULAG):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    return bytes(pdf.output())


UPLOADS = {
    "txt": lambda: f"The Succession\n\n{INTRO}\n\nThe Secret Speech\n\n{SPEECH}\n".encode(),
    "md": lambda: MARKDOWN.encode(),
    "docx": _docx,
    "pdf": _pdf,
}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, name: str, data: bytes, **fields):
    return client.post(
        "/sources/new",
        data={"file": (io.BytesIO(data), name), **fields},
        content_type="multipart/form-data",
    )


def _own_document(owner, text: str | None = None, **fields) -> SourceDocument:
    text = text or f"The Succession\n{INTRO}\nThe Secret Speech\n{SPEECH}\n{GULAG}\n"
    return make_document(
        f"thaw-{owner.id}",
        title="The Thaw",
        text=text,
        sections=[
            {"slug": "succession", "title": "The Succession", "start": "The Succession"},
            {"slug": "speech", "title": "The Secret Speech", "start": "The Secret Speech"},
        ],
        skip_lines=[],
        owner_id=owner.id,
        file_type="txt",
        **fields,
    )


# -- adding a document ----------------------------------------------------------------------


def _pending_of(response) -> PendingDocument:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    pending_id = int(re.fullmatch(r"/sources/new/(\d+)", response.headers["Location"]).group(1))
    pending = db.session.get(PendingDocument, pending_id)
    assert pending is not None
    return pending


def _starts(pending: PendingDocument, *lines: str, titles: dict | None = None) -> dict:
    """The sections form of `pending` with `lines` ticked, titled from `titles` or as is."""
    numbered = [line.strip() for line in pending.text.splitlines()]
    data: dict = {"title": pending.title, "start": []}
    for line in lines:
        index = numbered.index(line)
        data["start"].append(str(index))
        data[f"title-{index}"] = (titles or {}).get(line, line)
    return data


@pytest.mark.parametrize("kind", list(UPLOADS))
def test_teacher_uploads_each_type_and_saves_it_with_its_sections(teacher_client, teacher, kind):
    response = _upload(teacher_client, f"thaw.{kind}", UPLOADS[kind]())
    pending = _pending_of(response)
    assert _count(SourceDocument) == 0
    assert pending.owner_id == teacher.id
    titles = [s["title"] for s in pending.sections]
    assert "The Succession" in titles and "The Secret Speech" in titles
    page = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Where sections start" in page and "The Secret Speech" in page
    assert "Save document" in page

    # The detected starts, as the page ticks them (the .md file's are "## ..." lines).
    detected = {s["start"]: s["title"] for s in pending.sections if s["title"] != "The Thaw"}
    data = _starts(pending, *detected, titles=detected)
    response = teacher_client.post(f"/sources/new/{pending.id}", data={**data, "action": "save"})
    assert response.status_code == 302
    document = db.session.scalars(select(SourceDocument)).one()
    assert response.headers["Location"] == f"/sources/{document.slug}"
    assert document.owner_id == teacher.id
    assert document.file_type == kind and document.file_name == f"thaw.{kind}"
    assert f"thaw.{kind}" in document.origin
    assert [s["title"] for s in document.sections] == ["The Succession", "The Secret Speech"]
    # The text is kept as read: every sentence is there, whitespace aside.
    assert " ".join(SPEECH.split()) in " ".join(document.text.split())
    assert _count(PendingDocument) == 0


def test_pasted_text_becomes_a_document_titled_by_its_heading(teacher_client):
    pending = _pending_of(teacher_client.post("/sources/new", data={"text": MARKDOWN}))
    assert pending.title == "The Thaw" and pending.file_type == "pasted"
    data = _starts(pending, "## The Succession", "## The Secret Speech")
    teacher_client.post(f"/sources/new/{pending.id}", data={**data, "action": "save"})
    document = db.session.scalars(select(SourceDocument)).one()
    assert document.title == "The Thaw" and document.file_type == "pasted"
    assert document.text == MARKDOWN


def test_section_starts_are_adjusted_and_previewed_before_the_document_exists(
    teacher_client, teacher
):
    pending = _pending_of(_upload(teacher_client, "thaw.md", MARKDOWN.encode()))
    assert _count(SourceDocument) == 0
    # Untick the succession, start a section at the Gulag sentence instead, rename both.
    data = _starts(
        pending,
        "## The Secret Speech",
        f"{SPEECH} {GULAG}",
        titles={"## The Secret Speech": "Speech", f"{SPEECH} {GULAG}": "Release"},
    )
    response = teacher_client.post(
        f"/sources/new/{pending.id}", data={**data, "title": "Thaw notes", "action": "preview"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sources/new/{pending.id}#preview"
    assert _count(SourceDocument) == 0
    db.session.refresh(pending)
    assert pending.title == "Thaw notes"
    assert [s["title"] for s in pending.sections] == ["Speech", "Release"]
    page = teacher_client.get(f"/sources/new/{pending.id}").get_data(as_text=True)
    preview = page.split('id="preview"', 1)[1]
    assert "Preview: 2 sections" in preview
    assert "Before the first section" in preview and "Speech" in preview
    assert "Release" in preview and "1 paragraph" in preview
    assert INTRO[:60] in preview  # the succession now opens the untitled lead
    # Saving takes the ticks as posted, previewed or not.
    data = _starts(
        pending,
        "## The Succession",
        "## The Secret Speech",
        titles={"## The Succession": "Succession", "## The Secret Speech": "Speech"},
    )
    response = teacher_client.post(
        f"/sources/new/{pending.id}", data={**data, "title": "Thaw notes", "action": "save"}
    )
    document = db.session.scalars(select(SourceDocument)).one()
    assert document.title == "Thaw notes"
    # The speech kept its start line, so its slug; the succession's start is new again.
    assert [(s["slug"], s["title"]) for s in document.sections] == [
        ("succession", "Succession"),
        ("the-secret-speech", "Speech"),
    ]
    assert _count(PendingDocument) == 0
    page = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "saved with 2 sections" in page and "Succession" in page


BAD_SECTIONS = [
    ({"start": []}, "Tick at least one line to start a section"),
    ({"start": ["999"]}, "not a line of this document"),
    ({"start": ["x"]}, "not a line number"),
    ({"title": "  "}, "Give the document a title"),
]


@pytest.mark.parametrize("action", ["save", "preview"])
@pytest.mark.parametrize(("change", "message"), BAD_SECTIONS, ids=[m for _, m in BAD_SECTIONS])
def test_bad_section_choices_are_refused_and_write_nothing(teacher_client, change, message, action):
    pending = _pending_of(_upload(teacher_client, "thaw.md", MARKDOWN.encode()))
    before = list(pending.sections)
    data = {**_starts(pending, "## The Secret Speech"), **change, "action": action}
    response = teacher_client.post(f"/sources/new/{pending.id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "Nothing was saved" in page
    assert _count(SourceDocument) == 0
    db.session.refresh(pending)
    assert pending.sections == before and pending.title == "The Thaw"


def test_cancelling_an_upload_writes_nothing(teacher_client):
    pending = _pending_of(_upload(teacher_client, "thaw.md", MARKDOWN.encode()))
    response = teacher_client.post(f"/sources/new/{pending.id}/cancel", follow_redirects=True)
    assert "nothing was added" in response.get_data(as_text=True)
    assert _count(PendingDocument) == 0 and _count(SourceDocument) == 0
    gone = teacher_client.get(f"/sources/new/{pending.id}")
    assert gone.status_code == 404 and "saved or cancelled" in gone.get_data(as_text=True)


def test_a_second_save_of_one_upload_makes_one_document(teacher_client):
    pending = _pending_of(_upload(teacher_client, "thaw.md", MARKDOWN.encode()))
    data = {**_starts(pending, "## The Secret Speech"), "action": "save"}
    first = teacher_client.post(f"/sources/new/{pending.id}", data=data)
    assert first.status_code == 302
    second = teacher_client.post(f"/sources/new/{pending.id}", data=data)
    assert second.status_code == 404
    assert "it was saved or cancelled" in second.get_data(as_text=True)
    assert _count(SourceDocument) == 1
    # Nor does cancelling it afterwards take the saved document away.
    assert teacher_client.post(f"/sources/new/{pending.id}/cancel").status_code == 404
    assert _count(SourceDocument) == 1


@pytest.mark.parametrize("action", ["save", "preview"])
def test_an_upload_saved_in_another_tab_meanwhile_is_not_saved_again(
    teacher_client, monkeypatch, action
):
    from sqlalchemy import delete

    from app.sources import views

    pending = _pending_of(_upload(teacher_client, "thaw.md", MARKDOWN.encode()))
    data = {**_starts(pending, "## The Secret Speech"), "action": action}
    read_starts = views._chosen_starts

    def other_tab_first():
        # The other tab's save commits after this request loaded the upload.
        with db.engine.begin() as conn:
            conn.execute(delete(PendingDocument).where(PendingDocument.id == pending.id))
        return read_starts()

    monkeypatch.setattr(views, "_chosen_starts", other_tab_first)
    response = teacher_client.post(f"/sources/new/{pending.id}", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/sources/"
    assert "already saved or cancelled" in response.get_data(as_text=True)
    assert _count(SourceDocument) == 0


def test_an_upload_is_its_owners_alone_until_saved(client, auth, make_user, teacher):
    auth.login(teacher)
    pending = _pending_of(_upload(client, "thaw.md", MARKDOWN.encode()))
    assert client.get(f"/sources/new/{pending.id}").status_code == 200
    listed = client.get("/sources/").get_data(as_text=True)
    assert "The Thaw" not in listed
    bank = make_bank("Mine", owner_id=teacher.id)
    form = client.get(f"/banks/{bank.id}/questions/new?type=flashcard").get_data(as_text=True)
    assert "The Thaw" not in form
    data = {**_starts(pending, "## The Secret Speech"), "action": "save"}
    for role in (Role.TEACHER, Role.ADMIN, Role.STUDENT):
        auth.logout()
        auth.login(make_user(role))
        assert client.get(f"/sources/new/{pending.id}").status_code == 404, role
        assert client.post(f"/sources/new/{pending.id}", data=data).status_code == 404, role
        assert client.post(f"/sources/new/{pending.id}/cancel").status_code == 404, role
        assert "The Thaw" not in client.get("/sources/").get_data(as_text=True), role
    assert _count(SourceDocument) == 0
    db.session.refresh(pending)
    assert pending.owner_id == teacher.id


def test_uploads_left_a_day_are_removed_when_another_is_made(teacher_client, make_user, clock):
    other = make_user(Role.TEACHER)
    old = start_pending(
        db.session,
        owner_id=other.id,
        title="Old",
        extracted=extract_pasted(MARKDOWN),
        file_name="",
        file_type="pasted",
        now=clock.now - timedelta(days=1, minutes=1),
    )
    recent = start_pending(
        db.session,
        owner_id=other.id,
        title="Recent",
        extracted=extract_pasted(MARKDOWN),
        file_name="",
        file_type="pasted",
        now=clock.now - timedelta(hours=23),
    )
    db.session.commit()
    old_id, recent_id = old.id, recent.id
    # A refused upload removes nothing.
    assert teacher_client.post("/sources/new", data={"text": " "}).status_code == 422
    assert _count(PendingDocument) == 2
    _pending_of(teacher_client.post("/sources/new", data={"text": MARKDOWN}))
    db.session.expire_all()
    assert db.session.get(PendingDocument, old_id) is None
    assert db.session.get(PendingDocument, recent_id) is not None
    assert _count(PendingDocument) == 2


BAD_FILES = [
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a Word document"),
    ("broken.pdf", b"%PDF-1.4 nothing else", "not a PDF"),
    ("notes.exe", b"MZ", "Upload a .txt, .md, .docx or .pdf file"),
    ("empty.txt", b"", "is empty"),
    ("latin1.txt", "Chruschtschow über".encode("latin-1"), "not UTF-8"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_malformed_files_get_a_clear_message_and_write_nothing(teacher_client, name, data, message):
    response = _upload(teacher_client, name, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _count(SourceDocument) == 0 and _count(PendingDocument) == 0


def test_oversized_files_are_refused_and_write_nothing(teacher_client, monkeypatch):
    monkeypatch.setattr("app.drafting.extraction.MAX_UPLOAD_BYTES", 1024 * 1024)
    response = _upload(teacher_client, "big.txt", b"a" * (1024 * 1024 + 10))
    assert response.status_code == 422
    assert "the limit is 1 MB" in response.get_data(as_text=True)
    # Beyond what the server takes at all, the request itself is refused.
    response = _upload(teacher_client, "huge.txt", b"a" * (5 * 1024 * 1024 + 10))
    assert response.status_code == 413
    assert _count(SourceDocument) == 0 and _count(PendingDocument) == 0


def test_nothing_given_is_refused(teacher_client):
    response = teacher_client.post("/sources/new", data={"text": "  "})
    assert response.status_code == 422
    assert "Upload a file or paste" in response.get_data(as_text=True)
    assert _count(SourceDocument) == 0 and _count(PendingDocument) == 0


def test_students_cannot_add_documents(student_client):
    assert student_client.get("/sources/new").status_code == 403
    assert student_client.post("/sources/new", data={"text": MARKDOWN}).status_code == 403
    assert _count(SourceDocument) == 0 and _count(PendingDocument) == 0


def test_teacher_adjusts_section_starts_keeping_slugs(teacher_client, teacher):
    document = _own_document(teacher)
    lines = document.text.splitlines()
    speech, gulag = lines.index("The Secret Speech"), lines.index(GULAG)
    page = teacher_client.get(f"/sources/{document.slug}/sections").get_data(as_text=True)
    assert f'value="{speech}" id="start-{speech}" checked' in page
    response = teacher_client.post(
        f"/sources/{document.slug}/sections",
        data={
            "start": [str(speech), str(gulag)],
            f"title-{speech}": "Speech",
            f"title-{gulag}": "Release",
        },
    )
    assert response.status_code == 302
    db.session.refresh(document)
    assert [(s["slug"], s["title"]) for s in document.sections] == [
        ("speech", "Speech"),
        ("release", "Release"),
    ]
    for refused, message in [("999", "not a line of this document"), ([], "Tick at least one")]:
        response = teacher_client.post(
            f"/sources/{document.slug}/sections", data={"start": refused}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        db.session.refresh(document)
        assert len(document.sections) == 2


# -- who sees a document ----------------------------------------------------------------------


@pytest.fixture
def people(make_user, teacher):
    return {
        "owner": teacher,
        "other_teacher": make_user(Role.TEACHER),
        "student": make_user(Role.STUDENT),
        "other_student": make_user(Role.STUDENT),
        "admin": make_user(Role.ADMIN),
    }


@pytest.fixture
def shared_document(people):
    document = _own_document(people["owner"])
    bank = make_bank("Thaw questions", owner_id=people["owner"].id)
    question = make_question(
        bank,
        source_document_id=document.id,
        source_section="speech",
        source_excerpt=SPEECH,
    )
    make_class(people["owner"], students=[people["student"]], banks=[bank])
    return document, question


VISIBLE = {
    "owner": 200,
    "other_teacher": 404,
    "student": 200,
    "other_student": 404,
    "anonymous": 302,
    "admin": 200,
}


def test_a_document_is_visible_where_its_questions_are(client, auth, people, shared_document):
    document, question = shared_document
    for who, expected in VISIBLE.items():
        auth.logout()
        if who != "anonymous":
            auth.login(people[who])
        response = client.get(f"/sources/{document.slug}?cite={question.id}")
        assert response.status_code == expected, who
        listed = client.get("/sources/").get_data(as_text=True)
        assert (document.title in listed) == (expected == 200), who
        if expected != 200:
            continue
        page = response.get_data(as_text=True)
        assert '<mark id="cited" class="cited" tabindex="-1">' in page, who
        # Only the owner and admins get to change it.
        assert ("Draft questions" in page) == (who in ("owner", "admin")), who
        status = client.get(f"/sources/{document.slug}/edit").status_code
        assert status == (200 if who in ("owner", "admin") else 403), who


def test_students_of_a_class_without_the_bank_do_not_see_it(client, auth, people, shared_document):
    document, _ = shared_document
    make_class(people["owner"], students=[people["other_student"]], name="Other")
    auth.login(people["other_student"])
    assert client.get(f"/sources/{document.slug}").status_code == 404


def test_seeded_documents_stay_public(student_client):
    make_document()
    assert student_client.get("/sources/thaw-notes").status_code == 200


# -- editing the text -------------------------------------------------------------------------


def test_editing_the_text_flags_questions_whose_excerpt_is_gone(
    teacher_client, teacher, people, shared_document
):
    document, question = shared_document
    kept = document.text.replace(GULAG, "Many prisoners came home.")
    response = teacher_client.post(
        f"/sources/{document.slug}/edit", data={"title": "The Thaw", "text": kept}
    )
    assert response.status_code == 302
    page = teacher_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "still finds its passage" in page and "no longer find" not in page

    changed = kept.replace("the Secret Speech", "a speech")
    response = teacher_client.post(
        f"/sources/{document.slug}/edit",
        data={"title": "The Thaw", "text": changed},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "1 question no longer find their excerpt" in page
    assert f"/banks/{question.bank_id}/questions/{question.id}/edit" in page
    db.session.refresh(document)
    assert document.text == changed
    # The flagged list stays on the document page until the excerpt is fixed.
    again = teacher_client.get(f"/sources/{document.slug}").get_data(as_text=True)
    assert "no longer find their excerpt" in again


def test_an_empty_text_is_refused(teacher_client, teacher):
    document = _own_document(teacher)
    response = teacher_client.post(
        f"/sources/{document.slug}/edit", data={"title": "T", "text": "   "}
    )
    assert response.status_code == 422
    db.session.refresh(document)
    assert INTRO in document.text


# -- citing one's own document when writing a question -----------------------------------------


def _flashcard(document, section: str, excerpt: str) -> dict:
    return {
        "prompt": "Who gave the Secret Speech?",
        "back": "Khrushchev",
        "source_document": document.slug,
        "source_section": section,
        "excerpt": excerpt,
        "action": "save",
    }


def test_authoring_checks_the_excerpt_against_the_section(teacher_client, teacher):
    document = _own_document(teacher)
    bank = make_bank("Mine", owner_id=teacher.id)
    url = f"/banks/{bank.id}/questions/new?type=flashcard"
    page = teacher_client.get(url).get_data(as_text=True)
    assert f'value="{document.slug}"' in page and "data-source-outline" in page
    wrong = teacher_client.post(url, data=_flashcard(document, "succession", SPEECH))
    assert wrong.status_code == 422
    assert "not in section" in wrong.get_data(as_text=True)
    assert _count(Question) == 0
    fragment = "delivered the Secret Speech to the Twentieth Party Congress"
    right = teacher_client.post(url, data=_flashcard(document, "speech", fragment))
    assert right.status_code == 302
    question = db.session.scalars(select(Question)).one()
    assert question.source_document_id == document.id and question.source_excerpt == fragment


def test_another_teachers_document_cannot_be_cited(teacher_client, make_user, teacher):
    document = _own_document(make_user(Role.TEACHER))
    bank = make_bank("Mine", owner_id=teacher.id)
    url = f"/banks/{bank.id}/questions/new?type=flashcard"
    response = teacher_client.post(url, data=_flashcard(document, "speech", SPEECH))
    assert response.status_code == 422
    assert _count(Question) == 0
    assert teacher_client.get(f"/sources/{document.slug}/outline").status_code == 404


def test_outline_lists_sections_with_their_text(teacher_client, teacher):
    document = _own_document(teacher)
    outline = teacher_client.get(f"/sources/{document.slug}/outline").get_json()
    assert [s["slug"] for s in outline["sections"]] == ["succession", "speech"]
    assert outline["sections"][1]["paragraphs"] == [SPEECH, GULAG]


# -- drafts -------------------------------------------------------------------------------------


@pytest.fixture
def drafted(teacher_client, teacher):
    document = _own_document(teacher)
    response = teacher_client.post(f"/sources/{document.slug}/drafts")
    assert response.status_code == 302
    return document


def _pending(document) -> list[QuestionDraft]:
    return list(
        db.session.scalars(
            select(QuestionDraft).where(
                QuestionDraft.document_id == document.id, QuestionDraft.state == "pending"
            )
        )
    )


def test_drafting_proposes_drafts_and_adds_no_question(teacher_client, drafted):
    drafts = _pending(drafted)
    assert len(drafts) >= 3
    assert {d.section for d in drafts} <= {"succession", "speech"}
    assert _count(Question) == 0
    page = teacher_client.get(f"/sources/{drafted.slug}/drafts").get_data(as_text=True)
    assert "The Secret Speech" in page and "Cited passage" in page
    assert "Choose the bank accepted drafts go into" in page


def test_accepting_a_draft_makes_a_question_citing_its_passage(teacher_client, teacher, drafted):
    draft = _pending(drafted)[0]
    # No bank chosen yet: nothing is accepted.
    teacher_client.post(f"/sources/{drafted.slug}/drafts/{draft.id}/accept")
    assert _count(Question) == 0
    teacher_client.post(f"/sources/{drafted.slug}/drafts/bank", data={"bank": "0"})
    db.session.refresh(drafted)
    assert drafted.draft_bank_id is not None
    response = teacher_client.post(f"/sources/{drafted.slug}/drafts/{draft.id}/accept")
    assert response.status_code == 302
    question = db.session.scalars(select(Question)).one()
    assert question.bank_id == drafted.draft_bank_id and question.bank.owner_id == teacher.id
    assert question.source_document_id == drafted.id
    assert question.source_section == draft.section and question.source_excerpt == draft.excerpt
    db.session.refresh(draft)
    assert draft.state == "accepted" and draft.question_id == question.id
    # A second click (another tab) adds nothing.
    teacher_client.post(f"/sources/{drafted.slug}/drafts/{draft.id}/accept")
    assert _count(Question) == 1
    # The accepted question's passage opens highlighted.
    page = teacher_client.get(f"/sources/{drafted.slug}?cite={question.id}").get_data(as_text=True)
    assert 'id="cited"' in page


def test_rejecting_a_draft_keeps_it_out_of_later_drafting(teacher_client, drafted):
    draft = _pending(drafted)[0]
    key, total = draft.draft_key, len(_pending(drafted))
    teacher_client.post(f"/sources/{drafted.slug}/drafts/{draft.id}/reject")
    db.session.refresh(draft)
    assert draft.state == "rejected"
    teacher_client.post(f"/sources/{drafted.slug}/drafts")
    again = _pending(drafted)
    assert len(again) == total - 1 and key not in {d.draft_key for d in again}
    assert _count(Question) == 0


def test_editing_a_draft_opens_the_question_form_prefilled(teacher_client, teacher, drafted):
    bank = make_bank("Mine", owner_id=teacher.id)
    teacher_client.post(f"/sources/{drafted.slug}/drafts/bank", data={"bank": str(bank.id)})
    draft = next(d for d in _pending(drafted) if d.kind == "flashcard" or d.kind == "cloze")
    response = teacher_client.get(f"/sources/{drafted.slug}/drafts/{draft.id}/edit")
    url = response.headers["Location"]
    assert url.startswith(f"/banks/{bank.id}/questions/new?type={draft.kind}&draft={draft.id}")
    page = teacher_client.get(url).get_data(as_text=True)
    assert "saving accepts it" in page and draft.excerpt in page
    # Post the prefilled form back as the browser would, the prompt edited.
    posted = _prefilled(page)
    posted["prompt"] = "Edited: " + posted.get("prompt", "")
    posted["action"] = "save"
    response = teacher_client.post(url, data=posted)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    question = db.session.scalars(select(Question)).one()
    assert question.bank_id == bank.id and question.source_excerpt == draft.excerpt
    db.session.refresh(draft)
    assert draft.state == "accepted" and draft.question_id == question.id


def _prefilled(page: str) -> dict:
    """The values of a rendered form's inputs, textareas and selected options."""
    from html import unescape

    data: dict = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data[name] = unescape(body).lstrip("\n")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"', body) or re.search(
            r'<option[^>]*value="([^"]*)"[^>]*selected', body
        )
        if chosen:
            data[name] = unescape(chosen.group(1))
    return data


def test_others_cannot_touch_a_teachers_drafts(client, auth, people, drafted):
    draft = _pending(drafted)[0]
    auth.logout()
    auth.login(people["other_teacher"])
    assert client.get(f"/sources/{drafted.slug}/drafts").status_code == 404
    assert client.post(f"/sources/{drafted.slug}/drafts/{draft.id}/reject").status_code == 404
    bank = make_bank("Theirs", owner_id=people["other_teacher"].id)
    url = f"/banks/{bank.id}/questions/new?type={draft.kind}&draft={draft.id}"
    assert client.get(url).status_code == 404
    db.session.refresh(draft)
    assert draft.state == "pending"


def test_a_large_document_is_drafted_in_the_background(teacher_client, teacher, monkeypatch):
    from app.jobs import wait_for_threads

    monkeypatch.setattr("app.sources.library.BACKGROUND_DRAFTING_CHARS", 10)
    document = _own_document(teacher)
    response = teacher_client.post(f"/sources/{document.slug}/drafts", follow_redirects=True)
    assert "being made" in response.get_data(as_text=True)
    assert wait_for_threads()
    db.session.expire_all()
    assert len(_pending(document)) >= 3


def _edit(client, document, text: str, title: str = "The Thaw"):
    """The edit form as the browser posts it: multipart."""
    return client.post(
        f"/sources/{document.slug}/edit",
        data={"title": title, "text": text},
        content_type="multipart/form-data",
    )


def test_a_long_document_is_edited_in_the_browser(teacher_client, teacher):
    body = ("Die Entstalinisierung begann 1956 mit der Geheimrede. " * 2_800)[:150_000]
    text = f"The Succession\n{INTRO}\nThe Secret Speech\n{SPEECH}\n{body}\n"
    document = _own_document(teacher, text=text)
    assert len(document.text) > 150_000
    page = teacher_client.get(f"/sources/{document.slug}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html and body[:2000] in html
    changed = text.replace(SPEECH, "A speech was given.") + "Ein neuer Absatz über Tauwetter.\n"
    response = _edit(teacher_client, document, changed)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.refresh(document)
    assert document.text == changed
    assert [s["slug"] for s in document.sections] == ["succession", "speech"]


def test_a_text_longer_than_an_upload_may_be_is_refused_with_the_limit(
    app, teacher_client, teacher, people, shared_document
):
    document, _ = shared_document
    before = document.text
    too_long = before + "x" * (MAX_CHARS - len(before) + 1)
    response = _edit(teacher_client, document, too_long)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"a document holds at most {MAX_CHARS:,}" in page and "Nothing was saved" in page
    # Far past it, the request itself is refused before it is read.
    response = _edit(teacher_client, document, "x" * (app.config["MAX_CONTENT_LENGTH"] + 1))
    assert response.status_code == 413
    assert f"at most {MAX_CHARS:,} characters" in response.get_data(as_text=True)
    db.session.refresh(document)
    assert document.text == before


def test_a_long_text_posted_elsewhere_keeps_the_field_limit(teacher_client):
    response = teacher_client.post("/sources/new", data={"text": "x" * 100_001})
    assert response.status_code == 413
    assert "at most 100,000 characters" in response.get_data(as_text=True)
    assert _count(PendingDocument) == 0


def test_a_failed_background_drafting_is_reported(teacher_client, teacher, monkeypatch):
    from app.jobs import wait_for_threads

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("app.sources.library.BACKGROUND_DRAFTING_CHARS", 10)
    monkeypatch.setattr("app.sources.library.draft_document", broken)
    document = _own_document(teacher)
    teacher_client.post(f"/sources/{document.slug}/drafts")
    assert wait_for_threads()
    page = teacher_client.get(f"/sources/{document.slug}/drafts").get_data(as_text=True)
    assert "The last drafting did not finish" in page
    assert _pending(document) == []


def test_a_question_offers_its_passage_only_to_those_who_may_open_the_document(
    client, auth, people, shared_document
):
    document, question = shared_document
    link = f"/sources/{document.slug}?cite={question.id}#cited"
    for who, sees in [("student", True), ("other_student", False), ("owner", True)]:
        auth.logout()
        auth.login(people[who])
        # The passage is shown with the feedback, once the card is answered.
        page = client.post(
            f"/banks/{question.bank_id}/questions/{question.id}", data={"self_score": "1"}
        )
        text = page.get_data(as_text=True)
        assert page.status_code == 200, who
        assert (link.replace("&", "&amp;") in text or link in text) == sees, who
        assert SPEECH[:40] in text, who  # the excerpt itself is part of the question
        if not sees:
            assert "From a document of the question" in text
