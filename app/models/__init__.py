"""All models, imported here so Alembic and create_all see every table."""

from .banks import QuestionBank, Topic
from .classes import ClassBank, ClassMember, SchoolClass
from .imports import ImportRecord
from .jobs import Job
from .media import MediaFile
from .practice import PracticeItem, PracticeSession
from .questions import Question
from .quizzes import GradeOverride, Quiz, QuizAttempt, QuizItem, QuizOverride, QuizSlot
from .reviews import ExamDate, ReviewCard, ReviewLog, StudyAction, StudySettings
from .sources import PendingDocument, QuestionDraft, SourceDocument
from .users import AuditEntry, PasswordResetToken, Role, User, UserSession, normalize_email

__all__ = [
    "AuditEntry",
    "PasswordResetToken",
    "UserSession",
    "ClassBank",
    "ClassMember",
    "SchoolClass",
    "ExamDate",
    "GradeOverride",
    "ImportRecord",
    "Job",
    "MediaFile",
    "PendingDocument",
    "PracticeItem",
    "PracticeSession",
    "ReviewCard",
    "ReviewLog",
    "StudyAction",
    "StudySettings",
    "Question",
    "QuestionDraft",
    "Quiz",
    "QuizAttempt",
    "QuizItem",
    "QuizOverride",
    "QuizSlot",
    "QuestionBank",
    "Role",
    "SourceDocument",
    "Topic",
    "User",
    "normalize_email",
]
