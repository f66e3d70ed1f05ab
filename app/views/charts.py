"""Small bar charts drawn on the server as inline SVG: no script and no external library (the
Content-Security-Policy allows neither), readable without JavaScript and by screen readers (a
<title> and a <desc> for the chart, a <title> for each bar). Rows in, an SVG string out: no
queries here (the figures come from app.services.reports.home_figures)."""

from dataclasses import dataclass

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.views.labels import enum_label

WIDTH = 360
LABEL_WIDTH = 90  # left column of the bars' labels
VALUE_ROOM = 44  # right of the longest bar, for its value
ROW = 24
TOP = 30  # room for the chart's visible title
BAR = "#337ab7"
HIGHLIGHT = "#d9534f"
TEXT = "#333333"


@dataclass(frozen=True)
class Bar:
    label: str  # the short label beside the bar
    value: int
    title: str = ""  # the full wording (tooltip and screen readers); the label when empty
    highlight: bool = False


def _bar(index: int, bar: Bar, scale: float) -> str:
    y = TOP + index * ROW
    length = round(bar.value * scale)
    middle = y + ROW / 2
    value = format_decimal(bar.value)
    return (
        f'<g class="chart-bar{" highlight" if bar.highlight else ""}">'
        f"<title>{escape(bar.title or bar.label)} : {value}</title>"
        f'<text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(bar.label)}</text>'
        f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" height="{ROW - 8}" '
        f'fill="{HIGHLIGHT if bar.highlight else BAR}"></rect>'
        f'<text class="chart-value" x="{LABEL_WIDTH + length + 4}" y="{middle}" '
        f'dominant-baseline="middle">{value}</text></g>'
    )


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> Markup:
    """A horizontal bar chart: one row per bar, its label, its bar and its value."""
    height = TOP + len(bars) * ROW + 6
    largest = max((bar.value for bar in bars), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest if largest else 0
    summary = " ; ".join(f"{bar.title or bar.label} : {format_decimal(bar.value)}" for bar in bars)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{escape(chart_id)}" class="chart" '
        f'role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="12" fill="{TEXT}" '
        f'style="max-width: 100%; height: auto">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(summary)}</desc>'
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>'
        + "".join(_bar(index, bar, scale) for index, bar in enumerate(bars))
        + "</svg>"
    )


def home_charts(figures) -> list[Markup]:
    """The home page's two charts: the workforce by category, the visits due by month."""
    categories = [
        Bar(category.value, count, str(enum_label(category)))
        for category, count in figures.categories
    ]
    due = [Bar(_("Overdue"), figures.overdue, _("Overdue visits"), highlight=True)]
    due += [
        Bar(
            format_date(month, "MMM yyyy"),
            count,
            _("Due in %(month)s", month=format_date(month, "MMMM yyyy")),
        )
        for month, count in figures.months
    ]
    return [
        bar_chart("chart-categories", _("Workforce by follow-up category"), categories),
        bar_chart("chart-due", _("Visits due in the coming months"), due),
    ]
