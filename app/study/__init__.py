from . import dashboard, views  # noqa: F401  (routes register on bp)
from .blueprint import bp

__all__ = ["bp"]
