from . import dashboard, optimizer_views, views  # noqa: F401  (routes register on bp)
from .blueprint import bp

__all__ = ["bp"]
