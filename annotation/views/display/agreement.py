"""The agreement dashboard's view of a stored report: headline numbers with their intervals,
sample sizes and notes, per-label rows, and the charts (annotation/views/display/charts.py)."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from annotation.pure.agreement.slices import notes_for
from annotation.selectors.agreement_dashboard import Stored
from annotation.views.display.charts import heatmap, line_chart


@dataclass
class Headline:
    key: str
    label: str
    explain: str
    value: float | None
    n: int | None
    low: float | None = None
    high: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Chart:
    svg: SafeString
    rows: list[str]
    cols: list[str]
    values: list[list[Any]]

    @property
    def table(self) -> list[tuple[str, list[Any]]]:
        """The chart's numbers as table rows: (row name, values)."""
        return list(zip(self.rows, self.values, strict=True))


def _get(data: Any, *path: str) -> Any:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def headlines(data: dict[str, Any]) -> list[Headline]:
    """The numbers at the top of the page, each explained in one line."""
    s, e, r = data.get("sentiment") or {}, data.get("entities") or {}, data.get("relations") or {}
    alpha_key = "masi" if s.get("multi_label") else "nominal"
    notes = data.get("notes") or []
    rows = [
        ("sentiment_alpha", _("Sentiment α"), _get(s, "krippendorff_alpha", alpha_key),
         _get(s, "ci", f"krippendorff_alpha.{alpha_key}"), _get(s, "n", "krippendorff_alpha"),
         _("How far annotators agree on sentiment beyond chance: 1 is perfect, 0 is what "
           "random labels would give.")),
        ("sentiment_kappa", _("Mean Cohen's κ"), _get(s, "cohen_kappa", "mean"),
         _get(s, "ci", "cohen_kappa.mean"), _get(s, "n", "cohen_kappa"),
         _("The same idea for two annotators at a time, averaged over every pair.")),
        ("percent_agreement", _("Percent agreement"), s.get("percent_agreement"), None,
         _get(s, "n", "percent_agreement"),
         _("How often two annotators chose the same sentiment, not corrected for chance.")),
        ("fleiss_kappa", _("Fleiss' κ"), s.get("fleiss_kappa"), None,
         _get(s, "n", "fleiss_kappa"),
         _("Chance-corrected agreement of all annotators at once, on documents with equally "
           "many ratings.")),
        ("entity_f1", _("Entity F1 (exact)"), _get(e, "f1_exact", "mean"),
         _get(e, "ci", "f1_exact.mean"), _get(e, "n", "f1_exact"),
         _("The share of entities two annotators marked identically: same start, end and "
           "label.")),
        ("entity_f1_overlap", _("Entity F1 (overlap)"), _get(e, "f1_overlap", "mean"), None,
         _get(e, "n", "f1_overlap"),
         _("The same, counting overlapping spans with the same label as a match.")),
        ("relation_f1", _("Relation F1"), _get(r, "f1", "mean"), _get(r, "ci", "f1.mean"),
         _get(r, "n", "f1"),
         _("The share of relations two annotators drew identically: same head, tail and "
           "label.")),
    ]
    return [Headline(key=key, label=label, explain=explain, value=value, n=n,
                     low=(ci or {}).get("low"), high=(ci or {}).get("high"),
                     notes=notes_for(notes, key))
            for key, label, value, ci, n, explain in rows]


def _pair_matrix(annotators: list[str], pairs: list[dict[str, Any]]) -> list[list[Any]]:
    at = {name: i for i, name in enumerate(annotators)}
    out: list[list[Any]] = [[None] * len(annotators) for _ in annotators]
    for p in pairs:
        i, j = at.get(p["a"]), at.get(p["b"])
        if i is not None and j is not None:
            out[i][j] = out[j][i] = p.get("value")
    return out


def pair_heatmap(chart_id: str, title: str, annotators: list[str],
                 pairs: list[dict[str, Any]], what: str) -> Chart | None:
    if len(annotators) < 2 or not pairs:
        return None
    values = _pair_matrix(annotators, pairs)
    desc = _("%(what)s for each pair of annotators, over the documents both submitted; the "
             "diagonal is empty. Darker is higher.") % {"what": what}
    svg = heatmap(chart_id=chart_id, title=title, desc=desc, rows=annotators, cols=annotators,
                  values=values, vmin=0.0, vmax=1.0)
    return Chart(svg, annotators, annotators, values)


def confusion_heatmap(confusion: dict[str, Any] | None) -> Chart | None:
    labels = (confusion or {}).get("labels") or []
    matrix = (confusion or {}).get("matrix") or []
    if not labels or not any(any(row) for row in matrix):
        return None
    svg = heatmap(chart_id="confusion-chart", title=_("Sentiment confusion between annotators"),
                  desc=_("How often one annotator's label (row) met another's (column) on the "
                         "same document, over all pairs of annotators. Darker is more often."),
                  rows=labels, cols=labels, values=matrix)
    return Chart(svg, labels, labels, matrix)


TREND_SERIES = (("sentiment_alpha", "sentiment_alpha_masi"), ("sentiment_kappa",),
                ("entity_f1",), ("relation_f1",))


def trend_chart(points: list[dict[str, Any]]) -> Chart | None:
    if not points:
        return None
    names = {"sentiment_alpha": _("sentiment α"), "sentiment_kappa": _("mean κ"),
             "entity_f1": _("entity F1"), "relation_f1": _("relation F1")}
    dates = [date_format(p["computed_at"], "SHORT_DATETIME_FORMAT") for p in points]
    series = []
    for keys in TREND_SERIES:
        values = [next((p[k] for k in keys if p.get(k) is not None), None) for p in points]
        if any(v is not None for v in values):
            series.append((names[keys[0]], values))
    if not series:
        return None
    low = min([0.0, *(v for _, vs in series for v in vs if v is not None)])
    svg = line_chart(chart_id="trend-chart", title=_("Agreement over time"),
                     desc=_("One point per computed report, oldest on the left."),
                     x_labels=dates, series=series, ymin=max(-1.0, low), ymax=1.0)
    return Chart(svg, dates, [name for name, _ in series],
                 [[vs[i] for _, vs in series] for i in range(len(points))])


def _ordered(per_label: dict[str, Any], order: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The stored per-label rows in the label order (the database may reorder JSON keys)."""
    known = [name for name in order if name in per_label]
    return [(name, per_label[name]) for name in known + sorted(set(per_label) - set(known))]


def dashboard(stored: Stored, trend: list[dict[str, Any]], worst: list[dict[str, Any]]
              ) -> dict[str, Any]:
    data = stored.data
    s, e, r = data.get("sentiment") or {}, data.get("entities") or {}, data.get("relations") or {}
    annotators = data.get("annotators") or []
    order = data.get("label_order") or {}
    return {
        "stored": stored, "data": data, "headlines": headlines(data), "worst": worst,
        "sentiment_labels": _ordered(s.get("per_label") or {}, order.get("sentiment")
                                     or _get(s, "confusion", "labels") or []),
        "entity_labels": _ordered(e.get("per_label") or {}, order.get("entity") or []),
        "relation_labels": _ordered(r.get("per_label") or {}, order.get("relation") or []),
        "kappa_chart": pair_heatmap("kappa-chart", _("Cohen's κ between annotators (sentiment)"),
                                    annotators, _get(s, "cohen_kappa", "pairs") or [],
                                    _("Cohen's κ on sentiment")),
        "f1_chart": pair_heatmap("f1-chart", _("Entity F1 between annotators (exact)"),
                                 annotators, _get(e, "f1_exact", "pairs") or [],
                                 _("Exact entity F1")),
        "confusion_chart": confusion_heatmap(s.get("confusion")),
        "trend_chart": trend_chart(trend),
    }
