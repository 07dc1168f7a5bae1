"""Copying a question into one's own bank or deck; deleting (or archiving) questions and banks."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import clock
from ..access import (
    bank_or_404,
    editable_bank_or_403,
    editable_banks,
    question_in_bank_or_404,
)
from ..curation import (
    Removal,
    copy_question,
    plan_bank_removal,
    plan_question_removal,
    remove_bank,
    remove_question,
)
from ..extensions import db
from ..web import render_form, reported_on
from .forms import ConfirmForm, CopyForm
from .views import bp


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _target_label(bank) -> str:  # type: ignore[no-untyped-def]
    return f"{bank.title} (my deck)" if bank.personal else bank.title


@bp.route("/<int:bank_id>/questions/<int:question_id>/copy", methods=["GET", "POST"])
@login_required
def copy(bank_id: int, question_id: int):
    question = question_in_bank_or_404(bank_or_404(bank_id), question_id)
    targets = editable_banks(db.session, current_user)
    form = CopyForm()
    form.target.choices = [(bank.id, _target_label(bank)) for bank in targets]
    if targets and form.validate_on_submit():
        target = editable_bank_or_403(form.target.data)
        with reported_on(form, fallback="target"):
            copied = copy_question(db.session, question, target, clock.now())
            db.session.commit()
            flash(f"Copied into “{target.title}”: edit it as you like.", "success")
            return redirect(
                url_for("banks.edit_question", bank_id=target.id, question_id=copied.id)
            )
    return render_form(
        "banks/copy_question.html", form, question=question, bank=question.bank, targets=targets
    )


def _outcome(removal: Removal, what: str) -> str:
    if removal.archive:
        return (
            f"{what} archived: it is gone from banks, practice and new study, and the "
            "reviews already made of it keep going."
        )
    return f"{what} deleted."


@bp.route("/<int:bank_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@login_required
def delete_question(bank_id: int, question_id: int):
    bank = editable_bank_or_403(bank_id)
    question = question_in_bank_or_404(bank, question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        removal = remove_question(db.session, question, clock.now())
        db.session.commit()
        flash(_outcome(removal, "Card" if bank.personal else "Question"), "success")
        return redirect(url_for("banks.bank", bank_id=bank.id))
    return render_template(
        "banks/remove.html",
        form=form,
        bank=bank,
        question=question,
        plan=plan_question_removal(db.session, question),
        plural=_plural,
    )


@bp.route("/<int:bank_id>/delete", methods=["GET", "POST"])
@login_required
def delete_bank(bank_id: int):
    bank = editable_bank_or_403(bank_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        personal, title = bank.personal, bank.title
        removal = remove_bank(db.session, bank, clock.now())
        db.session.commit()
        flash(_outcome(removal, f"{'Deck' if personal else 'Bank'} “{title}”"), "success")
        return redirect(url_for("decks.index" if personal else "banks.index"))
    return render_template(
        "banks/remove.html",
        form=form,
        bank=bank,
        question=None,
        plan=plan_bank_removal(db.session, bank),
        plural=_plural,
    )
