"""Source documents: the list, each document with a cited passage highlighted, and a
teacher's own documents: adding one (read, then its section starts checked before it is
saved), its sections, its text, and the drafts drawn from it."""

from __future__ import annotations

from pathlib import PurePosixPath

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape
from sqlalchemy import func, select

from ..access import (
    author_or_403,
    citable_document_or_404,
    document_or_404,
    editable_document_or_403,
    is_admin,
    may_author,
    may_edit_bank,
    may_edit_document,
    own_draft_or_404,
    own_pending_document_or_404,
    question_or_404,
    visible_documents_query,
)
from ..clock import now as clock_now
from ..drafting import MAX_CHARS, MAX_UPLOAD_BYTES, extract_pasted, extract_upload
from ..errors import Conflict, DomainError, Invalid
from ..extensions import db
from ..inputs import accepts_files, accepts_long_text, db_int
from ..jobs import enqueue, latest_job
from ..models import Job, Question, QuestionBank, QuestionDraft, SourceDocument
from ..questions import QUESTION_TYPES, grade, present
from ..web import refused, render_form, reported_on
from .documents import locate_excerpt, normalize_space, split_sections
from .forms import (
    ActionForm,
    DraftBankForm,
    EditDocumentForm,
    NewDocumentForm,
    PendingDocumentForm,
    SectionsForm,
)
from .library import (
    DRAFT_JOB,
    accept_draft,
    draft_counts,
    draft_questions,
    edit_text,
    pending_drafts,
    reject_draft,
    runs_in_background,
    section_candidates,
    set_sections,
    stale_citations,
)
from .pending import adjust_pending, cancel_pending, preview_sections, save_pending, start_pending

FIRST_MARK = '<mark id="cited" class="cited" tabindex="-1">'
MARK = '<mark class="cited">'
NEW_BANK = 0

bp = Blueprint("sources", __name__, url_prefix="/sources", template_folder="templates")


@bp.get("/")
@login_required
def index():
    documents = db.session.scalars(visible_documents_query(current_user)).all()
    ids = [d.id for d in documents]
    counts = dict(
        db.session.execute(
            select(Question.source_document_id, func.count())
            .where(Question.source_document_id.in_(ids))
            .group_by(Question.source_document_id)
        ).all()
    )
    return render_template(
        "sources/index.html", documents=documents, counts=counts, may_add=may_author(current_user)
    )


@bp.route("/new", methods=["GET", "POST"])
@accepts_files
@login_required
def new_document():
    user = author_or_403()
    form = NewDocumentForm()
    if form.validate_on_submit():
        upload = request.files.get("file")
        with reported_on(form, fallback="file"):
            if upload is not None and upload.filename:
                file_name = PurePosixPath(upload.filename.replace("\\", "/")).name
                # One byte past the limit is enough to say the file is too large.
                extracted = extract_upload(file_name, upload.read(MAX_UPLOAD_BYTES + 1))
                file_type = file_name.rsplit(".", 1)[-1].lower()
            elif (form.text.data or "").strip():
                extracted = extract_pasted(form.text.data)
                file_name, file_type = "", "pasted"
            else:
                raise Invalid("Upload a file or paste the document's text.", field="file")
            pending = start_pending(
                db.session,
                owner_id=user.id,
                title=form.title.data,
                extracted=extracted,
                file_name=file_name,
                file_type=file_type,
                now=clock_now(),
            )
            db.session.commit()
            found = len(pending.sections)
            flash(
                f"“{pending.title}” is read, with {found} section{'s' if found != 1 else ''} "
                "found. Check where they start, then save the document.",
                "success",
            )
            return redirect(url_for("sources.pending", pending_id=pending.id))
    return render_form("sources/new.html", form)


def _chosen_starts() -> list[tuple[int, str]]:
    """The ticked start lines of a sections form, each with the title typed beside it."""
    chosen = []
    for raw in request.form.getlist("start"):
        try:
            index = int(raw)
        except ValueError:
            raise Invalid("A chosen section start is not a line number.", field="start") from None
        chosen.append((index, request.form.get(f"title-{index}", "")))
    return chosen


@bp.route("/new/<int:pending_id>", methods=["GET", "POST"])
@login_required
def pending(pending_id: int):
    """Where the sections of an upload start, before it is saved: tick, title, preview, save."""
    upload = own_pending_document_or_404(pending_id)
    form = PendingDocumentForm(data={"title": upload.title})
    if form.validate_on_submit():
        with reported_on(form):
            chosen = _chosen_starts()
            try:
                if request.form.get("action") == "save":
                    document = save_pending(
                        db.session, upload, form.title.data, chosen, clock_now()
                    )
                else:
                    adjust_pending(db.session, upload, form.title.data, chosen)
                    document = None
            except Conflict as exc:
                # Saved or cancelled in another tab meanwhile: this page has nothing to show.
                return refused(exc, url_for("sources.index"), "info")
            db.session.commit()
            if document is None:
                return redirect(url_for("sources.pending", pending_id=pending_id) + "#preview")
            flash(f"“{document.title}” saved with {len(document.sections)} sections.", "success")
            return redirect(url_for("sources.document", slug=document.slug))
    return render_form(
        "sources/pending.html",
        form,
        upload=upload,
        candidates=section_candidates(upload),
        preview=preview_sections(upload),
    )


@bp.post("/new/<int:pending_id>/cancel")
@login_required
def cancel_pending_upload(pending_id: int):
    upload = own_pending_document_or_404(pending_id)
    back = url_for("sources.pending", pending_id=upload.id)
    if not ActionForm().validate_on_submit():
        return refused("The form expired: reload the page and try again.", back)
    if not cancel_pending(db.session, upload):
        return refused("This upload was already saved or cancelled.", url_for("sources.index"))
    db.session.commit()
    flash("The upload was cancelled; nothing was added.", "info")
    return redirect(url_for("sources.index"))


def _highlighted(doc: SourceDocument, cited: Question | None):
    sections = split_sections(doc.text, doc.sections, doc.skip_lines)
    passage = locate_excerpt(sections, cited.source_excerpt) if cited else None
    highlights = {}
    if passage:
        highlights = {(passage.section_slug, i): (lo, hi) for i, lo, hi in passage.spans}
    rendered = []
    for section in sections:
        paragraphs = []
        for index, paragraph in enumerate(section.paragraphs):
            text = normalize_space(paragraph)
            span = highlights.get((section.slug, index))
            if span is None:
                paragraphs.append(escape(text))
                continue
            lo, hi = span
            # The first marked piece carries the id the source link scrolls to.
            first = passage is not None and index == passage.spans[0][0]
            opening = FIRST_MARK if first else MARK
            paragraphs.append(
                escape(text[:lo])
                + Markup(opening)  # noqa: S704 - a constant tag
                + escape(text[lo:hi])
                + Markup("</mark>")
                + escape(text[hi:])
            )
        rendered.append((section, paragraphs))
    return rendered, passage is not None


@bp.get("/<slug>")
@login_required
def document(slug: str):
    doc = document_or_404(slug)
    cited = None
    question_id = request.args.get("cite", type=db_int)
    if question_id is not None:
        cited = question_or_404(question_id)
        if cited.source_document_id != doc.id or not cited.source_excerpt:
            abort(404)
    rendered, found = _highlighted(doc, cited)
    editable = may_edit_document(current_user, doc)
    return render_template(
        "sources/document.html",
        doc=doc,
        sections=rendered,
        cited=cited,
        found=found,
        editable=editable,
        flagged=stale_citations(db.session, doc) if editable else [],
        counts=draft_counts(db.session, doc, current_user.id) if editable else {},
        action_form=ActionForm(),
    )


@bp.route("/<slug>/sections", methods=["GET", "POST"])
@login_required
def sections(slug: str):
    doc = editable_document_or_403(slug)
    form = SectionsForm()
    if form.validate_on_submit():
        with reported_on(form):
            flagged = set_sections(db.session, doc, _chosen_starts(), clock_now())
            db.session.commit()
            _say_flagged(flagged, f"Sections saved: {len(doc.sections)}.")
            return redirect(url_for("sources.document", slug=doc.slug))
    return render_form("sources/sections.html", form, doc=doc, candidates=section_candidates(doc))


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@accepts_long_text("text", chars=MAX_CHARS)
@login_required
def edit(slug: str):
    """The title and whole text, up to the length an upload may have."""
    doc = editable_document_or_403(slug)
    form = EditDocumentForm(data={"title": doc.title, "text": doc.text})
    if form.validate_on_submit():
        with reported_on(form):
            flagged = edit_text(db.session, doc, form.title.data, form.text.data, clock_now())
            db.session.commit()
            _say_flagged(flagged, "The document's text is saved.")
            return redirect(url_for("sources.document", slug=doc.slug))
    return render_form("sources/edit.html", form, doc=doc, limit=MAX_CHARS)


def _say_flagged(flagged: list[Question], done: str) -> None:
    if flagged:
        flash(
            f"{done} {len(flagged)} question{'s' if len(flagged) != 1 else ''} no longer "
            "find their excerpt in their section: they are listed below.",
            "warning",
        )
    else:
        flash(f"{done} Every question citing it still finds its passage.", "success")


@bp.get("/<slug>/outline")
@login_required
def outline(slug: str):
    """The sections of a document the author may cite, for the question form's picker."""
    doc = citable_document_or_404(slug)
    sections = split_sections(doc.text, doc.sections, doc.skip_lines)
    return jsonify(
        {
            "slug": doc.slug,
            "title": doc.title,
            "sections": [
                {
                    "slug": s.slug,
                    "title": s.title,
                    "paragraphs": [normalize_space(p) for p in s.paragraphs],
                }
                for s in sections
                if s.slug
            ],
        }
    )


# -- drafts -------------------------------------------------------------------------------


def _latest_job(doc: SourceDocument) -> Job | None:
    job = latest_job(db.session, current_user.id, DRAFT_JOB, clock_now())
    if job is None or (job.params or {}).get("document_id") != doc.id:
        return None
    return job


def _running_job(doc: SourceDocument) -> Job | None:
    job = _latest_job(doc)
    return job if job is not None and not job.finished else None


@bp.post("/<slug>/drafts")
@login_required
def make_drafts(slug: str):
    doc = editable_document_or_403(slug)
    to = url_for("sources.drafts", slug=doc.slug)
    if not ActionForm().validate_on_submit():
        return refused("The form expired: reload the page and try again.", to)
    if not any(s.get("slug") for s in doc.sections):
        return refused("The document has no sections yet: mark where they start first.", to)
    if runs_in_background(doc):
        if _running_job(doc) is None:
            enqueue(
                DRAFT_JOB, user_id=current_user.id, document_id=doc.id, owner_id=current_user.id
            )
        flash("The drafts are being made; this page shows them when they are ready.", "info")
        return redirect(to)
    added = draft_questions(db.session, doc, current_user.id, clock_now())
    db.session.commit()
    flash(
        f"{added} draft{'s' if added != 1 else ''} proposed. Accept, edit or reject each.",
        "success",
    )
    return redirect(to)


def _editable_banks() -> list[QuestionBank]:
    query = select(QuestionBank).order_by(QuestionBank.title, QuestionBank.id)
    if not is_admin(current_user):
        query = query.where(QuestionBank.owner_id == current_user.id)
    return list(db.session.scalars(query))


def _draft_bank(doc: SourceDocument) -> QuestionBank | None:
    bank = db.session.get(QuestionBank, doc.draft_bank_id) if doc.draft_bank_id else None
    return bank if bank is not None and may_edit_bank(current_user, bank) else None


def _bank_form(doc: SourceDocument, bank: QuestionBank | None) -> DraftBankForm:
    form = DraftBankForm(data={"bank": bank.id if bank else NEW_BANK})
    form.bank.choices = [(NEW_BANK, f"A new bank, “{doc.title[:120]}”")] + [
        (b.id, b.title) for b in _editable_banks()
    ]
    return form


@bp.get("/<slug>/drafts")
@login_required
def drafts(slug: str):
    doc = editable_document_or_403(slug)
    bank = _draft_bank(doc)
    pending = pending_drafts(db.session, doc, current_user.id)
    titles = {s["slug"]: s["title"] for s in doc.sections}
    groups: dict[str, list] = {}
    for draft in pending:
        groups.setdefault(draft.section, []).append((draft, _shown(draft)))
    job = _latest_job(doc)
    db.session.commit()  # a lost job was just marked failed
    failed = job if job is not None and job.state == "failed" else None
    if job is not None and job.finished:
        job = None
    return render_template(
        "sources/drafts.html",
        doc=doc,
        bank=bank,
        bank_form=_bank_form(doc, bank),
        action_form=ActionForm(),
        groups=[(titles.get(slug, slug), slug, items) for slug, items in groups.items()],
        counts=draft_counts(db.session, doc, current_user.id),
        job=job,
        failed_job=failed,
        types=QUESTION_TYPES,
    )


def _shown(draft: QuestionDraft) -> dict:
    """What a student would see of the draft, and its answer."""
    import random

    try:
        presentation = present(draft.kind, draft.content, rng=random.Random(0))
        answer = grade(draft.kind, draft.content, {}).answer_text
    except (KeyError, TypeError, ValueError):
        return {"prompt_html": "", "answer": ""}
    return {"prompt_html": presentation.prompt_html, "answer": answer}


@bp.post("/<slug>/drafts/bank")
@login_required
def draft_bank(slug: str):
    doc = editable_document_or_403(slug)
    to = url_for("sources.drafts", slug=doc.slug)
    form = _bank_form(doc, _draft_bank(doc))
    if not form.validate_on_submit():
        return refused("Choose one of your banks.", to)
    if form.bank.data == NEW_BANK:
        bank = QuestionBank(
            title=doc.title,
            description=f"Questions drawn from {doc.title}.",
            owner_id=current_user.id,
        )
        db.session.add(bank)
        db.session.flush()
    else:
        bank = db.session.get(QuestionBank, form.bank.data)
        if bank is None or not may_edit_bank(current_user, bank):
            return refused("Choose one of your banks.", to)
    doc.draft_bank_id = bank.id
    db.session.commit()
    flash(f"Accepted drafts go into “{bank.title}”.", "success")
    return redirect(to)


def _draft_action(slug: str, draft_id: int):
    doc = editable_document_or_403(slug)
    draft = own_draft_or_404(draft_id, doc)
    return doc, draft, url_for("sources.drafts", slug=doc.slug)


@bp.post("/<slug>/drafts/<int:draft_id>/accept")
@login_required
def accept(slug: str, draft_id: int):
    doc, draft, to = _draft_action(slug, draft_id)
    if not ActionForm().validate_on_submit():
        return refused("The form expired: reload the page and try again.", to)
    bank = _draft_bank(doc)
    if bank is None:
        return refused("Choose the bank accepted drafts go into first.", to)
    try:
        question = accept_draft(db.session, draft, bank, clock_now())
    except DomainError as exc:
        return refused(exc, to)
    db.session.commit()
    flash(f"Accepted into “{bank.title}” as {question.external_id}.", "success")
    return redirect(to)


@bp.post("/<slug>/drafts/<int:draft_id>/reject")
@login_required
def reject(slug: str, draft_id: int):
    doc, draft, to = _draft_action(slug, draft_id)
    if not ActionForm().validate_on_submit():
        return refused("The form expired: reload the page and try again.", to)
    try:
        reject_draft(db.session, draft, clock_now())
    except DomainError as exc:
        return refused(exc, to)
    db.session.commit()
    flash("Draft rejected.", "info")
    return redirect(to)


@bp.get("/<slug>/drafts/<int:draft_id>/edit")
@login_required
def edit_draft(slug: str, draft_id: int):
    doc, draft, to = _draft_action(slug, draft_id)
    bank = _draft_bank(doc)
    if bank is None:
        flash("Choose the bank accepted drafts go into first.", "error")
        return redirect(to)
    if draft.state != "pending":
        flash("This draft was already accepted or rejected.", "error")
        return redirect(to)
    return redirect(url_for("banks.new_question", bank_id=bank.id, type=draft.kind, draft=draft.id))
