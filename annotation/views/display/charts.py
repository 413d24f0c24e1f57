"""Server-rendered SVG charts from plain numbers: heatmaps, line charts, horizontal bars.

No JavaScript and no chart service. Each chart is an accessible image (``role="img"``, a
``<title>`` and a ``<desc>`` it is labelled by), every cell, point and bar carries its own
``<title>`` (the browser shows it on hover), and every piece of text is escaped. Pages put
the same numbers in a table next to each chart. Styling that must follow the theme (text
colour) comes from the ``chart`` classes in concord.css; fills are SVG attributes, not
inline styles, so the Content Security Policy needs no 'unsafe-inline'.
"""

from collections.abc import Callable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

Number = float | int | None
Format = Callable[[Number], str]
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000")
LOW, HIGH, EMPTY = (247, 251, 255), (8, 69, 148), "#d9d9d9"
WARN = "#d55e00"


def number(value: Number) -> str:
    """The pages' number format: three decimals, integers as they are, an en dash for none."""
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def percent(value: Number) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _mix(t: float) -> str:
    t = min(1.0, max(0.0, t))
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(LOW, HIGH, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = _e(chart_id)
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{cid}-title {cid}-desc">',
            f'<title id="{cid}-title">{_e(title)}</title>',
            f'<desc id="{cid}-desc">{_e(desc)}</desc>']


def heatmap(*, chart_id: str, title: str, desc: str, rows: Sequence[str],
            cols: Sequence[str], values: Sequence[Sequence[Number]], vmin: float = 0.0,
            vmax: float | None = None, fmt: Format = number, cell: int = 46,
            label_chars: int = 16) -> SafeString:
    """A matrix of coloured cells, darker for larger values (clamped to [vmin, vmax]; vmax
    defaults to the largest value). A missing value is a grey cell showing an en dash."""
    flat = [v for row in values for v in row if v is not None]
    top = vmax if vmax is not None else max(flat, default=1.0)
    span = (top - vmin) or 1.0
    left = 12 + 7 * min(label_chars, max((len(r) for r in rows), default=1))
    head = 12 + 7 * min(label_chars, max((len(c) for c in cols), default=1))
    # the column names are drawn at -45°: leave room on the right for the last one
    width = left + cell * len(cols) + 8 + int(0.72 * (head - 12))
    height = head + cell * len(rows) + 8
    out = _open(chart_id, title, desc, width, height)
    for j, col in enumerate(cols):
        x, y = left + j * cell + cell / 2, head - 6
        out.append(f'<text class="chart-label" x="{x:.1f}" y="{y}" text-anchor="start" '
                   f'transform="rotate(-45 {x:.1f} {y})"><title>{_e(col)}</title>'
                   f'{_e(_short(col, label_chars))}</text>')
    for i, (row, row_values) in enumerate(zip(rows, values, strict=True)):
        y = head + i * cell
        out.append(f'<text class="chart-label" x="{left - 6}" y="{y + cell / 2 + 4:.1f}" '
                   f'text-anchor="end"><title>{_e(row)}</title>'
                   f'{_e(_short(row, label_chars))}</text>')
        for j, value in enumerate(row_values):
            x = left + j * cell
            shade = None if value is None else (value - vmin) / span
            fill = EMPTY if shade is None else _mix(shade)
            ink = "#ffffff" if shade is not None and shade > 0.55 else "#1d2330"
            tip = f"{row} × {cols[j]}: {fmt(value)}"
            out.append(f'<g class="chart-cell"><title>{_e(tip)}</title>'
                       f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                       f'fill="{fill}" rx="3"/><text x="{x + cell / 2 - 1:.1f}" '
                       f'y="{y + cell / 2 + 4:.1f}" text-anchor="middle" fill="{ink}" '
                       f'font-size="11">{_e(fmt(value))}</text></g>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through _e


def _ticks(n: int, most: int = 6) -> list[int]:
    if n <= most:
        return list(range(n))
    step = (n - 1) / (most - 1)
    return sorted({round(i * step) for i in range(most)})


def line_chart(*, chart_id: str, title: str, desc: str, x_labels: Sequence[str],
               series: Sequence[tuple[str, Sequence[Number]]], ymin: float = 0.0,
               ymax: float = 1.0, fmt: Format = number, width: int = 640,
               height: int = 240) -> SafeString:
    """One line per series over evenly spaced points (a gap where a value is missing), a
    marker with its own title per point, and a legend."""
    left, right, top, bottom = 44, 16, 14, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y_at(v: float) -> float:
        v = min(ymax, max(ymin, v))
        return top + plot_h * (1 - (v - ymin) / ((ymax - ymin) or 1.0))

    out = _open(chart_id, title, desc, width, height)
    for k in range(5):
        v = ymin + (ymax - ymin) * k / 4
        y = y_at(v)
        out.append(f'<line class="chart-grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" '
                   f'y2="{y:.1f}"/><text class="chart-label" x="{left - 6}" y="{y + 4:.1f}" '
                   f'text-anchor="end">{_e(f"{v:.2g}")}</text>')
    for i in _ticks(n):
        out.append(f'<text class="chart-label" x="{x_at(i):.1f}" y="{top + plot_h + 16}" '
                   f'text-anchor="middle">{_e(x_labels[i])}</text>')
    for s, (name, values) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{x_at(i):.1f},{y_at(v):.1f}")
        for run in runs:
            if len(run) > 1:
                out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" '
                           f'points="{" ".join(run)}"/>')
        for i, v in enumerate(values):
            if v is not None:
                tip = f"{name}, {x_labels[i]}: {fmt(v)}"
                out.append(f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="4" '
                           f'fill="{color}"><title>{_e(tip)}</title></circle>')
        lx = left + (s % 4) * (plot_w / 4)
        ly = height - 22 + 14 * (s // 4)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" fill="{color}"/>'
                   f'<text class="chart-label" x="{lx + 14:.1f}" y="{ly}">{_e(name)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through _e


def bar_chart(*, chart_id: str, title: str, desc: str, labels: Sequence[str],
              values: Sequence[Number], notes: Sequence[str] | None = None,
              flagged: Sequence[bool] | None = None, vmax: float | None = None,
              fmt: Format = percent, width: int = 520, label_chars: int = 18) -> SafeString:
    """Horizontal bars, one per label, with the value (and a note, e.g. the count) written
    after the bar. A flagged bar is drawn in the warning colour and marked with "!"."""
    row_h, left = 24, 12 + 7 * min(label_chars, max((len(lb) for lb in labels), default=1))
    room = width - left - 130
    top_value = vmax if vmax is not None else max((v for v in values if v is not None),
                                                  default=1.0) or 1.0
    height = 8 + row_h * len(labels)
    out = _open(chart_id, title, desc, width, height)
    for i, label in enumerate(labels):
        v = values[i]
        y = 4 + i * row_h
        low = bool(flagged and flagged[i])
        w = 0.0 if v is None else max(1.0, room * min(1.0, v / top_value)) if v > 0 else 0.0
        text = fmt(v) + (f" ({notes[i]})" if notes else "") + (" !" if low else "")
        tip = f"{label}: {text}"
        out.append(f'<g class="chart-bar{" chart-low" if low else ""}"><title>{_e(tip)}</title>'
                   f'<text class="chart-label" x="{left - 6}" y="{y + 16}" text-anchor="end">'
                   f'{_e(_short(label, label_chars))}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" '
                   f'fill="{WARN if low else PALETTE[0]}" rx="2"/>'
                   f'<text class="chart-label" x="{left + w + 6:.1f}" y="{y + 16}">'
                   f'{_e(text)}</text></g>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through _e
