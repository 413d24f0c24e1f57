"""The progress dashboard's chart: submissions per day as an accessible SVG column chart,
drawn on the server as charts.py beside it draws its charts (role="img", a title and a
description, a <title> per column, escaped text, fills as attributes). The page puts the
same numbers in a table beside it."""

from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from annotation.selectors.progress import Day
from annotation.views.display.charts import PALETTE, _e, _open


def per_day_chart(days: Sequence[Day], *, chart_id: str = "per-day-chart",
                  width: int = 640, height: int = 200) -> SafeString:
    left, bottom, top = 40, 34, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((d.submitted for d in days), default=0) or 1
    slot = plot_w / max(len(days), 1)
    first, last = (days[0].day, days[-1].day) if days else ("", "")
    desc = _("Submissions per day from %(first)s to %(last)s; the highest is %(peak)d.") % {
        "first": first, "last": last, "peak": peak if any(d.submitted for d in days) else 0}
    out = _open(chart_id, _("Submissions per day"), desc, width, height)
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        out.append(f'<line class="chart-grid" x1="{left}" x2="{width - 8}" y1="{y:.1f}" '
                   f'y2="{y:.1f}"/><text class="chart-label" x="{left - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_e(round(peak * frac))}</text>')
    for i, d in enumerate(days):
        h = plot_h * d.submitted / peak
        x = left + i * slot + slot * 0.15
        out.append(f'<g class="chart-bar"><title>{_e(d.day.isoformat())}: '
                   f'{_e(d.submitted)}</title><rect x="{x:.1f}" y="{top + plot_h - h:.1f}" '
                   f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[0]}"/></g>')
        if (len(days) - 1 - i) % 7 == 0:  # a label a week, the latest day's included
            out.append(f'<text class="chart-label" x="{x + slot * 0.35:.1f}" '
                       f'y="{height - bottom + 16}" text-anchor="middle">'
                       f'{_e(d.day.strftime("%m-%d"))}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through _e
