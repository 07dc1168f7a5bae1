"""All models, imported here so Alembic and create_all see every table."""

from .banks import QuestionBank, Topic
from .questions import Question
from .sources import SourceDocument
from .users import Role, User, normalize_email

__all__ = [
    "Question",
    "QuestionBank",
    "Role",
    "SourceDocument",
    "Topic",
    "User",
    "normalize_email",
]
