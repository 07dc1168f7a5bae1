"""Import pages: upload, preview (a dry run), confirm, history; and a bank's export.

The uploaded file is stored in the `imports` table, not in the process, so the preview and
the confirm may be served by different workers. Small files are written in the request,
large ones (more than IMPORT_JOB_THRESHOLD questions) by a background job whose progress
the preview page shows.
"""

from __future__ import annotations

import io
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select, update

from ..access import (
    authorize,
    editable_bank_or_403,
    editable_banks,
    is_admin,
    may_author,
    may_create_deck,
    may_edit_bank,
    own_import_or_404,
    signed_in_user,
)
from ..clock import now
from ..core.views import media_store
from ..errors import DomainError
from ..extensions import db
from ..formats.pipeline import Action
from ..formats.uploads import (
    apply_import,
    describe_location,
    export_questions,
    format_label,
    import_summary,
    preview_import,
    question_count,
    sha256_of,
    target_bank,
    writable_formats,
)
from ..inputs import accepts_uploads_up_to, db_int, size_text
from ..jobs import JobNotFound, enqueue, get_job
from ..models import ImportRecord
from ..questions import QUESTION_TYPES
from ..web import refused, render_form
from .forms import NEW_BANK, ConfirmForm, ImportForm

bp = Blueprint("imports", __name__, url_prefix="/imports", template_folder="templates")

PAGE_SIZE = 50
SHOWN = {"all": None, "create": Action.CREATE, "update": Action.UPDATE}
SHOWN |= {"unchanged": Action.UNCHANGED, "invalid": Action.INVALID}


@bp.route("/", methods=["GET", "POST"])
@login_required
@accepts_uploads_up_to("IMPORT_MAX_BYTES")
def new():
    user = signed_in_user()
    banks = editable_banks(db.session, user)
    may_create = may_author(user) or may_create_deck(user)
    form = ImportForm(banks, may_create, new_is_deck=not may_author(user))
    if request.method == "GET":
        chosen = request.args.get("bank", type=db_int)
        if chosen is not None and any(bank.id == chosen for bank in banks):
            form.bank.data = str(chosen)
    context: dict[str, Any] = {
        "may_import": bool(banks) or may_create,
        "types": QUESTION_TYPES,
        "limit": size_text(int(current_app.config["IMPORT_MAX_BYTES"])),
    }
    if not context["may_import"]:
        return render_template("imports/new.html", form=form, **context)
    if form.validate_on_submit():
        record = _stored_upload(form)
        if record is not None:
            db.session.add(record)
            db.session.commit()
            return redirect(url_for("imports.preview", import_id=record.id))
    return render_form("imports/new.html", form, **context)


def _stored_upload(form: ImportForm) -> ImportRecord | None:
    """The upload as an `imports` row, or None with the reason on the form."""
    options = form.separators()
    if options is None:
        return None
    bank_id = None
    name = ""
    if form.bank.data == NEW_BANK:
        name = (form.new_bank.data or "").strip()
        if not name:
            form.new_bank.errors = [*form.new_bank.errors, "Name the new bank."]
            return None
    else:
        bank_id = int(form.bank.data)
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    upload = form.file.data
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        form.file.errors = [
            *form.file.errors,
            f"The file is too large: at most {size_text(limit)}.",
        ]
        return None
    if not data:
        form.file.errors = [*form.file.errors, "The file is empty."]
        return None
    return ImportRecord(
        user_id=current_user.id,
        bank_id=bank_id,
        bank_name=name,
        topic=(form.topic.data or "").strip(),
        format=form.format.data,
        options=options,
        file_name=_file_name(upload.filename),
        sha256=sha256_of(data),
        size=len(data),
        data=data,
        state="pending",
        counts={},
        created_at=now(),
    )


def _file_name(name: str | None) -> str:
    """The uploaded file's own name, without a client's folders or control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in base if c.isprintable())[-255:]


@bp.get("/<int:import_id>")
@login_required
def preview(import_id: int):
    record = own_import_or_404(import_id)
    job = _follow_job(record)
    context: dict[str, Any] = {"record": record, "job": job, "format_label": format_label}
    if record.state in ("pending", "failed") and record.data is not None:
        shown = request.args.get("show", "all")
        shown = shown if shown in SHOWN else "all"
        result = preview_import(db.session, record)
        db.session.rollback()  # planning writes nothing; nothing to keep
        action = SHOWN[shown]
        entries = [e for e in result.entries if action is None or e.action is action]
        pages = max(1, -(-len(entries) // PAGE_SIZE))
        page = min(max(request.args.get("page", 1, type=db_int), 1), pages)
        context |= {
            "preview": result,
            "counts": result.counts,
            "entries": entries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
            "first": (page - 1) * PAGE_SIZE,
            "page": page,
            "pages": pages,
            "shown": shown,
            "form": ConfirmForm(),
            "types": QUESTION_TYPES,
            "where": describe_location,
            "bank": target_bank(db.session, record),
        }
    return render_template("imports/preview.html", **context)


def _follow_job(record: ImportRecord):  # type: ignore[no-untyped-def]
    """The job writing a large import; a failed job marks the import failed."""
    if record.job_id is None:
        return None
    try:
        job = get_job(db.session, record.job_id, now())
    except JobNotFound:
        return None
    if record.state == "running" and job.state == "failed":
        record.state = "failed"
        record.message = job.message
    db.session.commit()
    return job


@bp.post("/<int:import_id>/confirm")
@login_required
def confirm(import_id: int):
    record = own_import_or_404(import_id)
    back = url_for("imports.preview", import_id=record.id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return refused("The confirmation could not be read; confirm again.", back)
    if record.state not in ("pending", "failed") or record.data is None:
        return refused("This import was already confirmed.", back, "info")
    bank = target_bank(db.session, record)
    if record.bank_id is not None:
        if bank is None:
            return refused("The bank of this import was deleted; upload the file again.", back)
        authorize(may_edit_bank(current_user, bank))
    else:
        authorize(may_author(current_user) or may_create_deck(current_user))
    # A student's new bank is a personal deck; a teacher's or an admin's a shared bank.
    personal = record.bank_id is None and not may_author(current_user)
    record.skip_invalid = bool(form.skip_invalid.data)
    # An Anki package's past answers become the importer's own reviews, when asked.
    history_for = current_user.id if form.with_history.data else None
    store = media_store()
    # Claim the upload: of two confirms (two tabs, two workers) only one writes it.
    claimed = db.session.execute(
        update(ImportRecord)
        .where(ImportRecord.id == record.id, ImportRecord.state == record.state)
        .values(state="running", skip_invalid=record.skip_invalid, message="")
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        return refused("This import was already confirmed.", back, "info")
    if question_count(record) > int(current_app.config["IMPORT_JOB_THRESHOLD"]):

        def link(job) -> None:  # type: ignore[no-untyped-def]
            record.job_id = job.id

        enqueue(
            "import",
            user_id=current_user.id,
            on_record=link,
            import_id=record.id,
            personal=personal,
            history_for=history_for,
            media_root=str(store.root),
            media_max_bytes=store.max_bytes,
        )
        flash("The import is being written; this page shows how far it has got.", "info")
        return redirect(back)
    try:
        counts = apply_import(
            db.session, record, now(), personal=personal, media=store, history_for=history_for
        )
    except DomainError as exc:
        return refused(exc, back)
    db.session.commit()
    flash(f"Imported into “{record.bank_name}”: {import_summary(counts)}", "success")
    return redirect(url_for("banks.bank", bank_id=record.bank_id))


@bp.post("/<int:import_id>/discard")
@login_required
def discard(import_id: int):
    """Drop an upload that will not be confirmed: its bytes go, the history keeps its hash."""
    record = own_import_or_404(import_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return refused("The request could not be read; try again.", url_for("imports.new"))
    dropped = db.session.execute(
        update(ImportRecord)
        .where(ImportRecord.id == record.id, ImportRecord.state.in_(("pending", "failed")))
        .values(state="discarded", data=None)
    ).rowcount
    db.session.commit()
    if not dropped:
        return refused(
            "This import was already confirmed.", url_for("imports.preview", import_id=record.id)
        )
    flash("The upload was discarded; nothing was imported.", "info")
    return redirect(url_for("imports.new"))


@bp.get("/history")
@login_required
def history():
    user = signed_in_user()
    query = select(ImportRecord).order_by(ImportRecord.created_at.desc(), ImportRecord.id.desc())
    if not is_admin(user):
        query = query.where(ImportRecord.user_id == user.id)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("imports/history.html", page=page, format_label=format_label)


@bp.get("/export/<int:bank_id>")
@login_required
def export(bank_id: int):
    bank = editable_bank_or_403(bank_id)
    fmt = request.args.get("format", "")
    if fmt not in writable_formats():
        if fmt:
            flash("Choose one of the formats listed.", "error")
        return render_template("imports/export.html", bank=bank, file=None)
    exported = export_questions(db.session, bank, fmt, media_store())
    db.session.rollback()
    result = exported.result
    if (result.left_out or result.notes) and request.args.get("anyway") != "1":
        return render_template(
            "imports/export.html",
            bank=bank,
            file=exported,
            fmt=fmt,
            label=format_label(fmt),
        )
    return send_file(
        io.BytesIO(result.data),
        mimetype=exported.media_type,
        as_attachment=True,
        download_name=exported.name,
    )


@bp.app_template_global()
def export_formats() -> list[tuple[str, str]]:
    """The registry's writers, for the "Download as" menus."""
    return [(name, format_label(name)) for name in writable_formats()]
