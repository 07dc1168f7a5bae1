"""Progress figures and the SVG charts that show them (no Flask here)."""

from .charts import bar_chart, calendar_heatmap, format_number, line_chart
from .progress import CardsByState, ProgressReport, TopicMastery, progress_report

__all__ = [
    "CardsByState",
    "ProgressReport",
    "TopicMastery",
    "bar_chart",
    "calendar_heatmap",
    "format_number",
    "line_chart",
    "progress_report",
]
