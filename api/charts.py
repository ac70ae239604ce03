"""Report charts as SVG (pygal), for the staff pages and for printing: no script, no network.

pygal puts its configuration in an inline script for its tooltips; Kerro's pages allow no
inline script, and a printed chart needs none, so it is taken out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import pygal
from pygal.style import Style

# pygal adds an import hook for its map plugins in the finder protocol that Python 3.12
# dropped, so that every failed import (an optional one of numpy's, say) warns. Kerro draws
# no maps: the hook is taken out.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
]

_SCRIPT = re.compile(rb"<script[^>]*>.*?</script>", re.DOTALL)
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222222",
    foreground_strong="#000000",
    foreground_subtle="#666666",
    colors=("#1f5fa8", "#c2571a", "#2a8a4a", "#8a2a7a", "#555555"),
    font_family="sans-serif",
)


def _svg(chart: pygal.graph.graph.Graph) -> bytes:
    return _SCRIPT.sub(b"", chart.render())


def trend_svg(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    low: float,
    high: float,
) -> bytes:
    """Lines over periods; a missing point (None: suppressed or no answers) is a gap."""
    chart = pygal.Line(
        js=[],
        style=_STYLE,
        title=title,
        range=(low, high),
        show_dots=True,
        allow_interruptions=True,
        width=800,
        height=400,
        x_label_rotation=30,
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return _svg(chart)


def bars_svg(
    *, title: str, bars: Sequence[tuple[str, float | None]], low: float, high: float
) -> bytes:
    """One bar per group (a unit, the organisation); a suppressed group has no bar."""
    chart = pygal.Bar(
        js=[],
        style=_STYLE,
        title=title,
        range=(low, high),
        width=800,
        height=400,
        x_label_rotation=30,
        show_legend=False,
    )
    chart.x_labels = [name for name, _ in bars]
    chart.add(title, [value for _, value in bars])
    return _svg(chart)
