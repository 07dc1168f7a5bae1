"""Creating and editing banks and questions (teachers and admins, in banks they own)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import (
    author_or_403,
    editable_bank_or_403,
    own_draft_or_404,
    question_in_bank_or_404,
)
from ..clock import now
from ..core.views import media_store
from ..errors import Invalid
from ..extensions import db
from ..formats import ensure_topic, update_question_content
from ..inputs import accepts_files, db_int
from ..media import check_media, reference, store_media
from ..models import Question, QuestionBank, QuestionDraft, SourceDocument
from ..questions import QUESTION_TYPES, ValidationError, grade, present, validate_content
from ..sources.library import draft_topic, mark_draft_accepted
from ..web import render_form
from .forms import (
    FORMS,
    BankForm,
    QuestionForm,
    apply_validation_error,
    question_form_data,
)
from .views import bp


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_bank():
    author_or_403()
    form = BankForm()
    if form.validate_on_submit():
        bank = QuestionBank(
            title=form.title.data.strip(),
            description=(form.description.data or "").strip(),
            owner_id=current_user.id,
        )
        db.session.add(bank)
        db.session.commit()
        flash(f"Bank “{bank.title}” created.", "success")
        return redirect(url_for("banks.bank", bank_id=bank.id))
    return render_form("banks/new_bank.html", form)


@bp.route("/<int:bank_id>/questions/new", methods=["GET", "POST"])
@accepts_files
@login_required
def new_question(bank_id: int):
    bank = editable_bank_or_403(bank_id)
    kind = request.args.get("type")
    if kind is None:
        return render_template("banks/choose_type.html", bank=bank, types=QUESTION_TYPES)
    if kind not in QUESTION_TYPES:
        abort(404)
    draft_id = request.args.get("draft", type=db_int)
    draft = own_draft_or_404(draft_id) if draft_id is not None else None
    if draft is not None and draft.kind != kind:
        abort(404)
    if draft is not None and draft.state != "pending":
        flash("This draft was already accepted or rejected.", "error")
        return redirect(url_for("sources.drafts", slug=draft.document.slug))
    form = FORMS[kind](bank_id=bank.id, data=_draft_form_data(draft) if draft else None)
    if draft is not None and request.method == "GET":
        form.fill(draft.content)
    return _author(bank, kind, form, question=None, draft=draft)


def _draft_form_data(draft: QuestionDraft) -> dict[str, Any]:
    """A question draft as the question form's shared fields: its source and its topic."""
    return {
        "source_document": draft.document.slug,
        "source_section": draft.section,
        "excerpt": draft.excerpt,
        "topic": draft_topic(draft),
    }


@bp.route("/<int:bank_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@accepts_files
@login_required
def edit_question(bank_id: int, question_id: int):
    bank = editable_bank_or_403(bank_id)
    question = question_in_bank_or_404(bank, question_id)
    form = FORMS[question.kind](
        data=question_form_data(question), bank_id=bank.id, question_id=question.id
    )
    if request.method == "GET":
        form.fill(question.content)
    return _author(bank, question.kind, form, question=question)


def _checked_content(kind: str, form: QuestionForm) -> dict[str, Any] | None:
    """Validate the form and the question it describes; None (with errors shown) if bad."""
    fields_ok = form.validate()
    try:
        content = validate_content(kind, form.to_content())
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return None
    return content if fields_ok else None


def _author(
    bank: QuestionBank,
    kind: str,
    form: QuestionForm,
    question: Question | None,
    draft: QuestionDraft | None = None,
):
    preview = None
    status = 200
    if request.method == "POST":
        content = _checked_content(kind, form)
        attachment = _checked_attachment(form)
        if content is None or attachment is False:
            status = 422
        elif request.form.get("action") == "preview":
            if attachment:
                content = _attach(kind, content, form, *attachment)
                db.session.commit()  # the file only: the preview itself saves nothing
            preview = _preview(kind, content, form)
        else:
            if attachment:
                content = _attach(kind, content, form, *attachment)
            question = _save(bank, kind, form, content, question)
            if draft is not None:
                mark_draft_accepted(db.session, draft, question, now())
                db.session.commit()
                flash(f"Draft edited and accepted as {question.external_id}.", "success")
                return redirect(url_for("sources.drafts", slug=draft.document.slug))
            db.session.commit()
            flash("Question saved.", "success")
            return redirect(url_for("banks.question", bank_id=bank.id, question_id=question.id))
    return (
        render_template(
            "banks/edit_question.html",
            bank=bank,
            kind=kind,
            qtype=QUESTION_TYPES[kind],
            form=form,
            question=question,
            preview=preview,
            failed=status == 422,
            draft=draft,
        ),
        status,
    )


def _checked_attachment(form: QuestionForm) -> tuple[bytes, str] | None | bool:
    """The uploaded file's bytes and name; None without one, False (error shown) if bad."""
    upload = form.attachment.data
    name = str(getattr(upload, "filename", "") or "")
    if not name:
        return None
    limit = media_store().max_bytes
    data = upload.read(limit + 1)
    try:
        check_media(data, limit, name=Path(name).name)
    except Invalid as exc:
        form.attachment.errors = [exc.message]
        return False
    return data, name


def _attach(
    kind: str, content: dict[str, Any], form: QuestionForm, data: bytes, name: str
) -> dict[str, Any]:
    """Keep the file and refer to it at the end of the prompt (in the form too, so the
    page shown next carries it without a second upload)."""
    media = store_media(db.session, media_store(), data, now(), name=Path(name).name)
    ref = reference(media.sha256, media.mime_type, Path(name).stem)
    form.prompt.data = f"{(form.prompt.data or '').rstrip()}\n\n{ref}".strip()
    return validate_content(kind, {**content, "prompt": form.prompt.data})


def _preview(kind: str, content: dict[str, Any], form: QuestionForm) -> dict[str, Any]:
    """What a student would see, and the answer; nothing is written."""
    try:
        answer = grade(kind, content, {}).answer_text
    except (KeyError, TypeError, ValueError):
        answer = ""
    return {
        # A fixed seed: previewing twice shows the same shuffle.
        "p": present(kind, content, rng=random.Random(0)),
        "answer": answer,
        "explanation": (form.explanation.data or "").strip(),
        "excerpt": " ".join((form.excerpt.data or "").split()),
    }


def _save(
    bank: QuestionBank,
    kind: str,
    form: QuestionForm,
    content: dict[str, Any],
    question: Question | None,
) -> Question:
    topic_path = (form.topic.data or "").strip()
    topic = ensure_topic(db.session, bank.id, topic_path) if topic_path.strip("/ ") else None
    slug = form.source_document.data or ""
    document = (
        db.session.scalar(select(SourceDocument).where(SourceDocument.slug == slug))
        if slug
        else None
    )
    excerpt = " ".join((form.excerpt.data or "").split())
    values: dict[str, Any] = {
        "content": content,
        "explanation": (form.explanation.data or "").strip(),
        "difficulty": form.difficulty.data,
        "tags": form.tag_list(),
        "topic_id": topic.id if topic else None,
        "source_document_id": document.id if document else None,
        "source_section": ((form.source_section.data or "").strip() or None) if document else None,
        "source_excerpt": (excerpt or None) if document else None,
    }
    if question is None:
        question = Question(
            bank_id=bank.id, kind=kind, external_id=form.new_external_id(), **values
        )
        db.session.add(question)
        db.session.flush()
        return question
    external_id = (form.external_id.data or "").strip() or question.external_id
    values["external_id"] = external_id
    # The import pipeline's rule: the version goes up only when the content changes.
    update_question_content(question, kind, **values)  # values hold the content
    return question
