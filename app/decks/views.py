"""The list of one's personal decks and creating a deck.

A deck is a bank with `personal` set: its pages, card forms, study and practice are the
banks' own, and `app.access` keeps it to its owner.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import login_required

from .. import clock
from ..access import authorize, may_create_deck, own_decks, signed_in_user
from ..banks.forms import BankForm
from ..banks.service import bank_summaries
from ..curation import create_deck
from ..extensions import db
from ..questions import QUESTION_TYPES
from ..web import render_form, reported_on

bp = Blueprint("decks", __name__, url_prefix="/decks", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    user = signed_in_user()
    authorize(may_create_deck(user))
    form = BankForm()
    if form.validate_on_submit():
        with reported_on(form):
            deck = create_deck(
                db.session, user.id, form.title.data, form.description.data or "", clock.now()
            )
            db.session.commit()
            flash(f"Deck “{deck.title}” created. Add its first card.", "success")
            return redirect(url_for("banks.new_question", bank_id=deck.id))
    return render_form(
        "decks/index.html",
        form,
        summaries=bank_summaries(db.session, own_decks(db.session, user)),
        types=QUESTION_TYPES,
    )
