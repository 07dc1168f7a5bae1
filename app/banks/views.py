"""Browsing banks and answering a question once."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Question, QuestionBank
from ..questions import QUESTION_TYPES, grade, parse_response, present
from .blueprint import bp
from .service import bank_summaries, filtered_questions, presentation_rng, topic_options

PAGE_SIZE = 25


@bp.get("/")
@login_required
def index():
    return render_template(
        "banks/index.html", summaries=bank_summaries(db.session), types=QUESTION_TYPES
    )


@bp.get("/<int:bank_id>")
@login_required
def bank(bank_id: int):
    bank = db.get_or_404(QuestionBank, bank_id)
    filters = {
        "topic_id": request.args.get("topic", type=int),
        "kind": request.args.get("type") if request.args.get("type") in QUESTION_TYPES else None,
        "difficulty": request.args.get("difficulty", type=int),
        "search": request.args.get("q", "").strip() or None,
    }
    page = db.paginate(
        filtered_questions(db.session, bank.id, **filters), per_page=PAGE_SIZE, error_out=False
    )
    summary = bank_summaries(db.session, [bank.id])[0]
    return render_template(
        "banks/bank.html",
        bank=bank,
        summary=summary,
        page=page,
        topics=topic_options(db.session, bank.id),
        types=QUESTION_TYPES,
        filters=filters,
    )


def _question_in_bank(bank_id: int, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.bank_id != bank_id:
        abort(404)
    return question


@bp.route("/<int:bank_id>/questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(bank_id: int, question_id: int):
    question = _question_in_bank(bank_id, question_id)
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
