"""Who may do what: one predicate per rule, and the loaders views fetch objects through.

Predicates take the user and the object and answer yes or no; views, templates and
services all ask them. Loaders fetch an object for the signed-in user and refuse in
one call: 404 for what the user may not see (another student's card looks like no
card), 403 for what they may see but not change. A new rule is one predicate here
and, when views fetch by it, one loader next to it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from .extensions import db
from .models import (
    ClassMember,
    Question,
    QuestionBank,
    Quiz,
    QuizAttempt,
    ReviewCard,
    Role,
    SchoolClass,
    SourceDocument,
    Topic,
    User,
)

# Predicates. `user` may be Flask-Login's anonymous user, which passes none of them.


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_role(user: Any, *roles: Role) -> bool:
    """The user holds one of `roles`. Admins hold every role."""
    if not is_signed_in(user):
        return False
    return user.role_enum is Role.ADMIN or user.role_enum in roles


def is_admin(user: Any) -> bool:
    return has_role(user, Role.ADMIN)


def may_author(user: Any) -> bool:
    """May create banks (and so write questions in them): teachers and admins."""
    return has_role(user, Role.TEACHER)


def may_manage_users(user: Any) -> bool:
    return is_admin(user)


def may_view_bank(user: Any, bank: QuestionBank) -> bool:
    """Every signed-in user may browse, answer and study every bank.

    Banks a teacher shares with a class are therefore open to its students: sharing lists
    the bank on the class page; it never narrows who may see a bank.
    """
    return is_signed_in(user)


def may_edit_bank(user: Any, bank: QuestionBank) -> bool:
    """Admins edit every bank, ownerless (seeded) ones included; teachers edit their own."""
    if is_admin(user):
        return True
    return may_author(user) and bank.owner_id is not None and bank.owner_id == user.id


def owns_card(user: Any, card: ReviewCard) -> bool:
    return is_signed_in(user) and card.user_id == user.id


def owns_class(user: Any, school_class: SchoolClass) -> bool:
    """The class's owner, or an admin: adds co-teachers and archives."""
    if is_admin(user):
        return True
    return is_signed_in(user) and school_class.owner_id == user.id


def teaches(user: Any, school_class: SchoolClass) -> bool:
    """Its owner or a co-teacher (admins count as teachers of every class)."""
    if owns_class(user, school_class):
        return True
    if not may_author(user):
        return False
    member = _membership(user, school_class)
    return member is not None and member.role == "teacher"


def enrolled(user: Any, school_class: SchoolClass) -> bool:
    """A current student of the class; a removed student no longer is."""
    if not is_signed_in(user):
        return False
    member = _membership(user, school_class)
    return member is not None and member.role == "student" and member.removed_at is None


def _membership(user: Any, school_class: SchoolClass) -> ClassMember | None:
    """The user's row in the class: from the members when loaded, else one indexed lookup
    (a class of 500 students is not loaded whole to answer for one of them)."""
    if "members" in school_class.__dict__:
        return next((m for m in school_class.members if m.user_id == user.id), None)
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.user_id == user.id
        )
    )


def may_view_class(user: Any, school_class: SchoolClass) -> bool:
    return teaches(user, school_class) or enrolled(user, school_class)


def may_manage_quiz(user: Any, quiz: Quiz) -> bool:
    """Set up, preview, grade and give overrides: the class's teachers."""
    return teaches(user, quiz.school_class)


def may_take_quiz(user: Any, quiz: Quiz) -> bool:
    """A current student of the class, once the quiz is published."""
    return quiz.published and enrolled(user, quiz.school_class)


def may_view_quiz(user: Any, quiz: Quiz) -> bool:
    return may_manage_quiz(user, quiz) or may_take_quiz(user, quiz)


def owns_attempt(user: Any, attempt: QuizAttempt) -> bool:
    return is_signed_in(user) and attempt.user_id == user.id


def may_review_attempt(user: Any, attempt: QuizAttempt) -> bool:
    """The student who made it (a removed student keeps their history) and the teachers."""
    return owns_attempt(user, attempt) or may_manage_quiz(user, attempt.quiz)


def visible_banks_query(user: Any) -> Select[tuple[QuestionBank]]:
    """The banks `user` may see, by title: the one query every bank list starts from."""
    query = select(QuestionBank).order_by(QuestionBank.title, QuestionBank.id)
    if not is_signed_in(user):
        return query.where(false())
    return query


def visible_banks(session: Session, user: Any) -> list[QuestionBank]:
    return list(session.scalars(visible_banks_query(user)))


# Loaders for the signed-in user. Each aborts the request when the answer is no.


def signed_in_user() -> User:
    """The signed-in user; an anonymous visitor is sent to log in."""
    if not is_signed_in(current_user):
        abort(current_app.login_manager.unauthorized())
    return current_user  # type: ignore[return-value]


def authorize(allowed: bool) -> None:
    if not allowed:
        abort(403)


def admin_or_403() -> User:
    user = signed_in_user()
    authorize(may_manage_users(user))
    return user


def author_or_403() -> User:
    user = signed_in_user()
    authorize(may_author(user))
    return user


def bank_or_404(bank_id: int) -> QuestionBank:
    bank = db.session.get(QuestionBank, bank_id)
    if bank is None or not may_view_bank(current_user, bank):
        abort(404)
    return bank


def editable_bank_or_403(bank_id: int) -> QuestionBank:
    """Fetch a bank the user may edit: 404 if there is none, 403 if it is not theirs."""
    bank = bank_or_404(bank_id)
    authorize(may_edit_bank(current_user, bank))
    return bank


def question_in_bank_or_404(bank: QuestionBank, question_id: int) -> Question:
    """A question of `bank` (already authorized); one from another bank is not found."""
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank.id:
        abort(404)
    return question


def question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not may_view_bank(current_user, question.bank):
        abort(404)
    return question


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or not may_view_bank(current_user, topic.bank):
        abort(404)
    return topic


def own_card_or_404(card_id: int) -> ReviewCard:
    """The user's own review card; another user's card is as absent as a missing one."""
    card = db.session.get(ReviewCard, card_id)
    if card is None or not owns_card(current_user, card):
        abort(404)
    return card


def class_or_404(class_id: int) -> SchoolClass:
    """A class the user teaches or is enrolled in; any other is not found."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or not may_view_class(current_user, school_class):
        abort(404)
    return school_class


def taught_class_or_403(class_id: int) -> SchoolClass:
    """A class the user teaches: 404 if they cannot see it, 403 for its students."""
    school_class = class_or_404(class_id)
    authorize(teaches(current_user, school_class))
    return school_class


def owned_class_or_403(class_id: int) -> SchoolClass:
    """A class the user owns: 404 if they cannot see it, 403 for co-teachers and students."""
    school_class = class_or_404(class_id)
    authorize(owns_class(current_user, school_class))
    return school_class


def quiz_or_404(quiz_id: int) -> Quiz:
    """A quiz the user teaches or may take; any other is not found."""
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or not may_view_quiz(current_user, quiz):
        abort(404)
    return quiz


def managed_quiz_or_403(quiz_id: int) -> Quiz:
    """A quiz the user teaches: 404 if they cannot see it, 403 for its students."""
    quiz = quiz_or_404(quiz_id)
    authorize(may_manage_quiz(current_user, quiz))
    return quiz


def takeable_quiz_or_403(quiz_id: int) -> Quiz:
    """A quiz the user may take: 404 if they cannot see it, 403 for its teachers."""
    quiz = quiz_or_404(quiz_id)
    authorize(may_take_quiz(current_user, quiz))
    return quiz


def own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    """The user's own attempt at a quiz they may still take; any other is not found."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or not owns_attempt(current_user, attempt):
        abort(404)
    if not may_take_quiz(current_user, attempt.quiz):
        abort(404)
    return attempt


def reviewable_attempt_or_404(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or not may_review_attempt(current_user, attempt):
        abort(404)
    return attempt


def document_or_404(slug: str) -> SourceDocument:
    document = db.session.scalar(select(SourceDocument).where(SourceDocument.slug == slug))
    if document is None or not is_signed_in(current_user):
        abort(404)
    return document


# Templates ask the same predicates: {% if may_edit_bank(current_user, bank) %}.
TEMPLATE_PREDICATES = {
    fn.__name__: fn
    for fn in (
        has_role,
        is_admin,
        may_author,
        may_manage_users,
        may_view_bank,
        may_edit_bank,
        owns_class,
        teaches,
        enrolled,
        may_manage_quiz,
        may_take_quiz,
    )
}


def register_access(app: Flask, login_manager: LoginManager) -> None:
    app.jinja_env.globals.update(TEMPLATE_PREDICATES, Role=Role)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    # Sign-ins can be ended (see accounts.start_session), so a changed address or browser
    # version only marks the session not fresh instead of logging the user out.
    login_manager.session_protection = "basic"

    @app.before_request
    def load_user_per_request() -> None:
        # The signed-in user is looked up for every request, even when an application
        # context outlives one request (tests, embedding): a sign-in ended meanwhile counts.
        g.pop("_login_user", None)

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        from .accounts import user_for_session

        return user_for_session(db.session, token)

    @login_manager.unauthorized_handler
    def unauthorized():  # type: ignore[no-untyped-def]
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths: no open redirect through a `next` value."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return fallback
