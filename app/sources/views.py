"""Source documents: the list, and each document with a cited passage highlighted."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required
from markupsafe import Markup, escape
from sqlalchemy import func, select

from ..access import document_or_404, question_or_404
from ..extensions import db
from ..inputs import db_int
from ..models import Question, SourceDocument
from .documents import locate_excerpt, normalize_space, split_sections

FIRST_MARK = '<mark id="cited" class="cited" tabindex="-1">'
MARK = '<mark class="cited">'

bp = Blueprint("sources", __name__, url_prefix="/sources", template_folder="templates")


@bp.get("/")
@login_required
def index():
    counts = dict(
        db.session.execute(
            select(Question.source_document_id, func.count()).group_by(Question.source_document_id)
        ).all()
    )
    documents = db.session.scalars(select(SourceDocument).order_by(SourceDocument.title)).all()
    return render_template("sources/index.html", documents=documents, counts=counts)


@bp.get("/<slug>")
@login_required
def document(slug: str):
    doc = document_or_404(slug)
    sections = split_sections(doc.text, doc.sections, doc.skip_lines)
    cited = None
    question_id = request.args.get("cite", type=db_int)
    if question_id is not None:
        cited = question_or_404(question_id)
        if cited.source_document_id != doc.id or not cited.source_excerpt:
            abort(404)
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
    return render_template(
        "sources/document.html", doc=doc, sections=rendered, cited=cited, found=passage is not None
    )
