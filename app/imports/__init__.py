"""Importing question files in the browser (upload, preview, confirm, history) and exporting."""

from ..formats.uploads import apply_import_job
from ..jobs import register_job
from .views import bp

# Large imports are written by this job; an RQ worker's app imports this package too.
register_job("import", apply_import_job)

__all__ = ["bp"]
