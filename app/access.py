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

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_login import LoginManager, current_user
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session, contains_eager

from .extensions import db
from .models import (
    ClassBank,
    ClassMember,
    ImportRecord,
    MediaFile,
    PendingDocument,
    Question,
    QuestionBank,
    QuestionDraft,
    Quiz,
    QuizAttempt,
    ReviewCard,
    Role,
    SchoolClass,
    SourceDocument,
    Topic,
    User,
)
from .web import error_page

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
    """Every signed-in user may browse, answer and study every bank but personal decks.

    A personal deck is its owner's alone: other students, teachers and admins alike never
    see it. Banks a teacher shares with a class are open to everyone anyway: sharing lists
    the bank on the class page; it never narrows who may see a bank.
    """
    if not is_signed_in(user):
        return False
    return not bank.personal or (bank.owner_id is not None and bank.owner_id == user.id)


def may_edit_bank(user: Any, bank: QuestionBank) -> bool:
    """A personal deck's owner edits it, whatever their role; admins edit every other bank,
    ownerless (seeded) ones included; teachers edit their own. Archived banks are closed."""
    if not is_signed_in(user) or bank.archived_at is not None:
        return False
    if bank.personal:
        return bank.owner_id is not None and bank.owner_id == user.id
    if is_admin(user):
        return True
    return may_author(user) and bank.owner_id is not None and bank.owner_id == user.id


def may_share_bank(user: Any, bank: QuestionBank) -> bool:
    """A bank a teacher may list on a class page: visible to them, live, and not a deck."""
    return may_view_bank(user, bank) and not bank.personal and bank.archived_at is None


def may_create_deck(user: Any) -> bool:
    """Any signed-in user keeps personal decks."""
    return is_signed_in(user)


def owns_import(user: Any, record: ImportRecord) -> bool:
    """Only its uploader previews, confirms or discards an upload; admins see it in the history."""
    return is_signed_in(user) and record.user_id is not None and record.user_id == user.id


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
    """The user's row in the class: from the members when loaded, or as a loader of this
    request fetched it with the object, else one indexed lookup (a class of 500 students
    is not loaded whole to answer for one of them)."""
    if "members" in school_class.__dict__:
        return next((m for m in school_class.members if m.user_id == user.id), None)
    fetched = g.get("memberships_fetched")
    if fetched is not None and (school_class.id, user.id) in fetched:
        return fetched[(school_class.id, user.id)]
    return db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.user_id == user.id
        )
    )


def may_view_media(user: Any, media: MediaFile) -> bool:
    """Every signed-in user may see a stored image or sound: each is named by the hash of
    its bytes, reached from a question's text, and shared by every question that uses it."""
    return is_signed_in(user)


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


def was_student_of(user_id: int, school_class: SchoolClass) -> bool:
    """Whether `user_id` is or was a student of the class (a removed student keeps grades)."""
    member = db.session.scalar(
        select(ClassMember).where(
            ClassMember.class_id == school_class.id, ClassMember.user_id == user_id
        )
    )
    return member is not None and member.role == "student"


def visible_banks_query(user: Any) -> Select[tuple[QuestionBank]]:
    """The live banks `user` may see, by title: the one query every bank list starts from.

    Personal decks are in it for their owner only; archived banks for no one.
    """
    query = (
        select(QuestionBank)
        .where(QuestionBank.archived_at.is_(None))
        .order_by(QuestionBank.title, QuestionBank.id)
    )
    if not is_signed_in(user):
        return query.where(false())
    return query.where(or_(QuestionBank.personal.is_(False), QuestionBank.owner_id == user.id))


def visible_banks(session: Session, user: Any) -> list[QuestionBank]:
    return list(session.scalars(visible_banks_query(user)))


def own_decks(session: Session, user: Any) -> list[QuestionBank]:
    """The user's live personal decks, by title."""
    if not is_signed_in(user):
        return []
    return list(
        session.scalars(
            visible_banks_query(user).where(
                QuestionBank.personal.is_(True), QuestionBank.owner_id == user.id
            )
        )
    )


def _documents_cited_in_classes_of(user_id: int) -> Select[tuple[int | None]]:
    """Ids of documents cited by questions of banks shared with a class the user is in."""
    return (
        select(Question.source_document_id)
        .join(ClassBank, ClassBank.bank_id == Question.bank_id)
        .join(ClassMember, ClassMember.class_id == ClassBank.class_id)
        .where(
            ClassMember.user_id == user_id,
            ClassMember.removed_at.is_(None),
            Question.source_document_id.is_not(None),
        )
    )


def editable_banks(session: Session, user: Any) -> list[QuestionBank]:
    """The live banks the user may write questions in (copy targets): their decks first."""
    banks = [bank for bank in visible_banks(session, user) if may_edit_bank(user, bank)]
    return sorted(banks, key=lambda bank: not bank.personal)


def may_view_document(user: Any, document: SourceDocument) -> bool:
    """A document is visible where its questions are.

    The seeded (ownerless) documents are open to every signed-in user. A teacher's own
    document is visible to its owner, admins, and the members of a class that is given a
    bank whose questions cite it.
    """
    if not is_signed_in(user):
        return False
    if document.owner_id is None or document.owner_id == user.id or is_admin(user):
        return True
    cited = _documents_cited_in_classes_of(user.id).where(
        Question.source_document_id == document.id
    )
    return db.session.scalar(cited.limit(1)) is not None


def may_edit_document(user: Any, document: SourceDocument) -> bool:
    """Its owner edits a document's text and sections and drafts from it; admins every one."""
    if is_admin(user):
        return True
    return may_author(user) and document.owner_id is not None and document.owner_id == user.id


def owns_pending_document(user: Any, pending: PendingDocument) -> bool:
    """An upload not saved yet is its uploader's alone, while they may add documents: not
    even an admin sees another's, since it is no document yet."""
    return may_author(user) and pending.owner_id == user.id


def may_cite_document(user: Any, document: SourceDocument) -> bool:
    """Questions a user writes may cite the seeded documents and the user's own."""
    return may_author(user) and (document.owner_id is None or may_edit_document(user, document))


def visible_documents_query(user: Any) -> Select[tuple[SourceDocument]]:
    query = select(SourceDocument).order_by(SourceDocument.title, SourceDocument.id)
    if not is_signed_in(user):
        return query.where(false())
    if is_admin(user):
        return query
    return query.where(
        or_(
            SourceDocument.owner_id.is_(None),
            SourceDocument.owner_id == user.id,
            SourceDocument.id.in_(_documents_cited_in_classes_of(user.id)),
        )
    )


def citable_documents_query(user: Any) -> Select[tuple[SourceDocument]]:
    """The documents `user` may cite when writing a question."""
    query = select(SourceDocument).order_by(SourceDocument.slug)
    if not may_author(user):
        return query.where(false())
    if is_admin(user):
        return query
    return query.where(or_(SourceDocument.owner_id.is_(None), SourceDocument.owner_id == user.id))


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
    """A live bank the user may see; an archived bank has no pages any more."""
    bank = db.session.get(QuestionBank, bank_id)
    if bank is None or bank.archived_at is not None or not may_view_bank(current_user, bank):
        abort(404)
    return bank


def editable_bank_or_403(bank_id: int) -> QuestionBank:
    """Fetch a bank the user may edit: 404 if there is none, 403 if it is not theirs."""
    bank = bank_or_404(bank_id)
    authorize(may_edit_bank(current_user, bank))
    return bank


def question_in_bank_or_404(bank: QuestionBank, question_id: int) -> Question:
    """A live question of `bank` (already authorized); one from another bank, or one
    archived, is not found."""
    question = db.session.get(Question, question_id)
    if question is None or question.bank_id != bank.id or question.archived_at is not None:
        abort(404)
    return question


def question_or_404(question_id: int) -> Question:
    """A question of a bank the user may see, archived ones included: the passage a
    studied card cites stays readable."""
    question = db.session.get(Question, question_id)
    if question is None or not may_view_bank(current_user, question.bank):
        abort(404)
    return question


def topic_or_404(topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.bank.archived_at is not None:
        abort(404)
    if not may_view_bank(current_user, topic.bank):
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


def own_import_or_404(import_id: int) -> ImportRecord:
    """An import the user uploaded; anyone else's is as absent as a missing one."""
    record = db.session.get(ImportRecord, import_id)
    if record is None or not owns_import(current_user, record):
        abort(404)
    return record


def _with_membership(query: Select) -> Any:
    """Run `query` (selecting an object joined to its quiz) with the signed-in user's row in
    the quiz's class, in one statement; the row is kept for this request's predicates."""
    if not is_signed_in(current_user):
        return db.session.scalar(query)
    row = db.session.execute(
        query.add_columns(ClassMember).outerjoin(
            ClassMember,
            (ClassMember.class_id == Quiz.class_id) & (ClassMember.user_id == current_user.id),
        )
    ).first()
    if row is None:
        return None
    found, member = row
    class_id = found.class_id if isinstance(found, Quiz) else found.quiz.class_id
    g.setdefault("memberships_fetched", {})[(class_id, current_user.id)] = member
    return found


def _quiz_query() -> Select:
    return select(Quiz).join(Quiz.school_class).options(contains_eager(Quiz.school_class))


def quiz_or_404(quiz_id: int) -> Quiz:
    """A quiz the user teaches or may take; any other is not found."""
    quiz = _with_membership(_quiz_query().where(Quiz.id == quiz_id))
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


def _attempt_query(attempt_id: int) -> Select:
    """The attempt with its quiz and class, one statement for what every attempt page reads."""
    return (
        select(QuizAttempt)
        .join(QuizAttempt.quiz)
        .join(Quiz.school_class)
        .options(contains_eager(QuizAttempt.quiz).contains_eager(Quiz.school_class))
        .where(QuizAttempt.id == attempt_id)
    )


def own_attempt_or_404(attempt_id: int) -> QuizAttempt:
    """The user's own attempt at a quiz they may still take; any other is not found."""
    attempt = _with_membership(_attempt_query(attempt_id))
    if attempt is None or not owns_attempt(current_user, attempt):
        abort(404)
    if not may_take_quiz(current_user, attempt.quiz):
        abort(404)
    return attempt


def reviewable_attempt_or_404(attempt_id: int) -> QuizAttempt:
    attempt = _with_membership(_attempt_query(attempt_id))
    if attempt is None or not may_review_attempt(current_user, attempt):
        abort(404)
    return attempt


def student_in_quiz_or_404(quiz: Quiz, user_id: int) -> User:
    """A student (current or removed) of the quiz's class; anyone else is not found."""
    if not was_student_of(user_id, quiz.school_class):
        abort(404)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def document_or_404(slug: str) -> SourceDocument:
    """A document the user may read; one they may not is as absent as a missing one."""
    document = db.session.scalar(select(SourceDocument).where(SourceDocument.slug == slug))
    if document is None or not may_view_document(current_user, document):
        abort(404)
    return document


def media_or_404(sha256: str) -> MediaFile:
    from .media import find_media

    media = find_media(db.session, sha256)
    if media is None or not may_view_media(current_user, media):
        abort(404)
    return media


def editable_document_or_403(slug: str) -> SourceDocument:
    """A document the user may edit: 404 if they cannot read it, 403 if it is not theirs."""
    document = document_or_404(slug)
    authorize(may_edit_document(current_user, document))
    return document


def citable_document_or_404(slug: str) -> SourceDocument:
    """A document the user may cite in a question they write; any other is not found."""
    document = document_or_404(slug)
    if not may_cite_document(current_user, document):
        abort(404)
    return document


PENDING_GONE = (
    "No upload of yours is waiting here: it was saved or cancelled. "
    "Your documents are listed under Sources."
)


def own_pending_document_or_404(pending_id: int) -> PendingDocument:
    """The user's own unsaved upload. Anyone else's is as absent as a missing one, and the
    page says so in words, for the second click of a double-clicked Save."""
    pending = db.session.get(PendingDocument, pending_id)
    if pending is None or not owns_pending_document(current_user, pending):
        abort(make_response(error_page(404, PENDING_GONE)))
    return pending


def own_draft_or_404(draft_id: int, document: SourceDocument | None = None) -> QuestionDraft:
    """A question draft of the user's (of `document`, when given); another's is not found."""
    draft = db.session.get(QuestionDraft, draft_id)
    if (
        draft is None
        or not is_signed_in(current_user)
        or draft.owner_id != current_user.id
        or (document is not None and draft.document_id != document.id)
    ):
        abort(404)
    return draft


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
        may_share_bank,
        may_create_deck,
        owns_import,
        may_view_document,
        may_edit_document,
        may_cite_document,
        owns_class,
        teaches,
        enrolled,
        may_manage_quiz,
        may_take_quiz,
    )
}


def may_open_document(document: SourceDocument) -> bool:
    """For macros, which see no request context: may the signed-in user open `document`?"""
    return may_view_document(current_user, document)


def register_access(app: Flask, login_manager: LoginManager) -> None:
    app.jinja_env.globals.update(
        TEMPLATE_PREDICATES, Role=Role, may_open_document=may_open_document
    )
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
