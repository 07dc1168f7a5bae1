"""Browsing banks and answering a question once."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from ..access import bank_or_404, question_in_bank_or_404, visible_banks
from ..extensions import db
from ..inputs import db_int
from ..questions import QUESTION_TYPES, grade, parse_response, present
from .service import bank_summaries, filtered_questions, presentation_rng, topic_options

bp = Blueprint("banks", __name__, url_prefix="/banks", template_folder="templates")

PAGE_SIZE = 25


@bp.get("/")
@login_required
def index():
    return render_template(
        "banks/index.html",
        # Personal decks have their own page, My decks.
        summaries=bank_summaries(
            db.session,
            [bank for bank in visible_banks(db.session, current_user) if not bank.personal],
        ),
        types=QUESTION_TYPES,
    )


@bp.get("/<int:bank_id>")
@login_required
def bank(bank_id: int):
    bank = bank_or_404(bank_id)
    filters = {
        "topic_id": request.args.get("topic", type=db_int),
        "kind": request.args.get("type") if request.args.get("type") in QUESTION_TYPES else None,
        "difficulty": request.args.get("difficulty", type=db_int),
        "search": request.args.get("q", "").strip() or None,
        "tag": request.args.get("tag", "").strip() or None,
    }
    page = db.paginate(
        filtered_questions(db.session, bank.id, **filters), per_page=PAGE_SIZE, error_out=False
    )
    summary = bank_summaries(db.session, [bank])[0]
    return render_template(
        "banks/bank.html",
        bank=bank,
        summary=summary,
        page=page,
        topics=topic_options(db.session, bank.id),
        types=QUESTION_TYPES,
        filters=filters,
    )


@bp.route("/<int:bank_id>/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(bank_id: int, question_id: int):
    question = question_in_bank_or_404(bank_or_404(bank_id), question_id)
    presentation = present(
        question.kind, question.content, rng=presentation_rng(current_user.id, question)
    )
    result = None
    if request.method == "POST":
        response = parse_response(question.kind, question.content, request.form)
        result = grade(question.kind, question.content, response)
    return render_template(
        "banks/question.html",
        question=question,
        bank=question.bank,
        p=presentation,
        result=result,
        qtype=QUESTION_TYPES[question.kind],
    )
