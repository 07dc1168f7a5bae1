"""Progress figures and the SVG charts that show them (no Flask here)."""

from .charts import bar_chart, calendar_heatmap, format_number, grouped_bar_chart, line_chart
from .progress import CardsByState, ProgressReport, TopicMastery, progress_report

__all__ = [
    "CardsByState",
    "ProgressReport",
    "TopicMastery",
    "bar_chart",
    "calendar_heatmap",
    "format_number",
    "grouped_bar_chart",
    "line_chart",
    "progress_report",
]
