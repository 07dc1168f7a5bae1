from . import views  # noqa: F401  (routes register on bp)
from .blueprint import bp

try:  # the progress dashboard registers its own routes
    from . import dashboard  # noqa: F401
except ImportError:  # pragma: no cover
    pass

__all__ = ["bp"]
