"""A teacher's document: uploaded, its section starts adjusted and previewed before it is
saved, drafted from; a student opens the cited passage. Screenshots of the sections page,
desktop and phone, are saved under test-results/documents/."""

from __future__ import annotations

from pathlib import Path

import docx
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import PendingDocument, Question, SourceDocument
from tests.factories import PASSWORD, make_class

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "documents"
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}

SUCCESSION = (
    "Nikita Khrushchev became First Secretary of the Communist Party in September 1953, "
    "after the death of Joseph Stalin."
)
SPEECH = (
    "In February 1956 Khrushchev delivered the Secret Speech to the Twentieth Party Congress, "
    "denouncing the cult of personality built around Stalin."
)
GULAG = "Between 1953 and 1956 about 1.5 million prisoners were released from the Gulag camps."


def log_in(page, live_url, user) -> None:
    page.goto(f"{live_url}/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _docx(path) -> None:
    document = docx.Document()
    document.add_heading("The Thaw", 0)
    document.add_heading("The Succession", 1)
    document.add_paragraph(SUCCESSION)
    document.add_heading("The Secret Speech", 1)
    document.add_paragraph(SPEECH)
    document.add_paragraph(GULAG)
    document.save(path)


def _count(app, model) -> int:
    with app.app_context():
        return len(db.session.scalars(select(model)).all())


def _fits(page) -> None:
    """Nothing wider than the phone: the page never scrolls sideways."""
    width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide"


def _true_statements(page):
    """The true/false drafts that state the document's own sentence (not a false variant)."""
    return (
        page.locator("article.draft")
        .filter(has_text="True/false")
        .filter(has_not_text="false variant")
    )


def test_teacher_drafts_from_a_docx_and_a_student_opens_the_cited_passage(
    app, live_url, browser, teacher, student, check_accessibility, tmp_path
):
    path = tmp_path / "thaw.docx"
    _docx(path)
    errors: list[str] = []
    page = browser.new_page()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_url, teacher)
    page.goto(f"{live_url}/sources/")
    page.get_by_role("link", name="Add a document").click()
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Check its sections").click()
    expect(page.get_by_role("heading", name="Where sections start")).to_be_visible()
    expect(page.get_by_label("The Succession", exact=True)).to_be_checked()
    expect(page.get_by_label("The Secret Speech", exact=True)).to_be_checked()
    expect(page.get_by_label(GULAG, exact=True)).not_to_be_checked()
    # Read and detected, but no document yet.
    assert _count(app, SourceDocument) == 0 and _count(app, PendingDocument) == 1
    check_accessibility(page)

    # A section starts at the Gulag sentence too, titled; the preview shows it, unsaved.
    page.get_by_label(GULAG, exact=True).check()
    page.get_by_role("row").filter(has_text=GULAG).get_by_role("textbox").fill("The Release")
    page.get_by_role("button", name="Preview the sections").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Preview: 3 sections")).to_be_visible()
    expect(preview.get_by_role("heading", name="The Release")).to_be_visible()
    expect(page.get_by_label(GULAG, exact=True)).to_be_checked()
    assert _count(app, SourceDocument) == 0
    check_accessibility(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "sections-desktop.png"), full_page=True)

    page.get_by_role("button", name="Save document").click()
    expect(page.get_by_role("heading", name="The Secret Speech")).to_be_visible()
    expect(page.get_by_role("heading", name="The Release")).to_be_visible()
    expect(page.get_by_text("saved with 3 sections")).to_be_visible()
    assert _count(app, PendingDocument) == 0

    page.get_by_role("button", name="Draft questions").click()
    expect(page.get_by_role("heading", name="Question drafts")).to_be_visible()
    page.get_by_role("button", name="Use this bank").click()
    expect(page.get_by_text("Accepted drafts go into “The Thaw”.")).to_be_visible()
    check_accessibility(page)
    # Keyboard: a focused draft is accepted with A.
    _true_statements(page).first.focus()
    page.keyboard.press("a")
    expect(page.get_by_text("Accepted into “The Thaw”")).to_be_visible()

    _true_statements(page).first.get_by_role("link", name="Edit").click()
    expect(page.get_by_text("saving accepts it into The Thaw")).to_be_visible()
    # Selecting a passage of the shown section fills the excerpt.
    passage = page.locator("#source-passage p").first
    expect(passage).to_be_visible()
    passage.select_text()
    passage.dispatch_event("mouseup")
    selected = passage.inner_text().strip()
    expect(page.get_by_label("Excerpt")).to_have_value(selected)
    check_accessibility(page)
    prompt = page.get_by_label("Prompt")
    prompt.fill("Edited. " + prompt.input_value())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Draft edited and accepted")).to_be_visible()

    with app.app_context():
        document = db.session.scalars(select(SourceDocument)).one()
        questions = db.session.scalars(select(Question)).all()
        assert len(questions) == 2
        assert all(
            q.kind == "true_false" and q.source_document_id == document.id for q in questions
        )
        assert sum(q.content["prompt"].startswith("Edited.") for q in questions) == 1
        make_class(teacher, students=[student], banks=[questions[0].bank])
        bank_title = questions[0].bank.title

    pupil = browser.new_page()
    pupil.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(pupil, live_url, student)
    pupil.goto(f"{live_url}/practice/")
    pupil.get_by_label(bank_title).check()
    pupil.get_by_label("Number of questions").fill("1")
    pupil.get_by_role("button", name="Start practising").click()
    pupil.locator("input[name=answer][value=true]").check()
    pupil.get_by_role("button", name="Check answer").click()
    expect(pupil.get_by_text("Correct", exact=True)).to_be_visible()
    pupil.get_by_role("link", name="Read the passage in context").click()
    cited = pupil.locator("mark#cited")
    expect(cited).to_be_visible()
    expect(cited).to_be_in_viewport()
    check_accessibility(pupil)
    assert errors == []


def test_teacher_adds_a_pdf_on_a_phone_adjusts_its_sections_and_drafts_from_it(
    app, live_url, browser, teacher, check_accessibility, tmp_path
):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in ("The Succession", SUCCESSION, "The Secret Speech", SPEECH, GULAG):
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    path = tmp_path / "thaw.pdf"
    path.write_bytes(bytes(pdf.output()))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_url, teacher)
    page.goto(f"{live_url}/sources/new")
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Check its sections").tap()
    expect(page.get_by_role("heading", name="Where sections start")).to_be_visible()
    expect(page.get_by_label("The Secret Speech", exact=True)).to_be_checked()
    _fits(page)
    check_accessibility(page)
    # The succession is no section of its own: its text opens the document untitled.
    page.get_by_label("The Succession", exact=True).uncheck()
    page.get_by_role("button", name="Preview the sections").tap()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Before the first section")).to_be_visible()
    expect(preview.get_by_role("heading", name="Preview: 1 section")).to_be_visible()
    _fits(page)
    check_accessibility(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "sections-phone.png"), full_page=True)
    assert _count(app, SourceDocument) == 0
    page.get_by_role("button", name="Save document").tap()
    expect(page.get_by_role("heading", name="The Secret Speech")).to_be_visible()
    with app.app_context():
        document = db.session.scalars(select(SourceDocument)).one()
        assert [s["title"] for s in document.sections] == ["The Secret Speech"]
    page.get_by_role("button", name="Draft questions").tap()
    expect(page.get_by_role("heading", name="Question drafts")).to_be_visible()
    expect(page.locator("article.draft").first).to_be_visible()
    check_accessibility(page)
    context.close()
    assert errors == []


def test_teacher_cancels_an_upload_and_nothing_is_added(
    app, live_url, page, teacher, console_errors, tmp_path
):
    path = tmp_path / "thaw.docx"
    _docx(path)
    log_in(page, live_url, teacher)
    page.goto(f"{live_url}/sources/new")
    page.get_by_label("Upload a file").set_input_files(str(path))
    page.get_by_role("button", name="Check its sections").click()
    expect(page.get_by_role("heading", name="Where sections start")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("The upload was cancelled; nothing was added.")).to_be_visible()
    expect(page.get_by_role("link", name="The Thaw")).to_have_count(0)
    assert _count(app, SourceDocument) == 0 and _count(app, PendingDocument) == 0
    assert console_errors == []
