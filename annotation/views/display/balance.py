"""The balance view of a stored report's ``balance`` part: label shares per kind in the
submitted annotations and in gold, imbalance warnings, and the same per meta-field slice
with the agreement inside each slice."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from annotation.pure.balance import Share, shares, spread
from annotation.selectors.agreement_dashboard import Stored
from annotation.views.display.charts import bar_chart, heatmap, percent

KINDS = ("entity", "relation", "sentiment")
STATS = ("sentiment_alpha", "sentiment_kappa", "percent_agreement", "entity_f1", "relation_f1")


def kind_names() -> dict[str, str]:
    return {"entity": _("Entities"), "relation": _("Relations"), "sentiment": _("Sentiment")}


def stat_names() -> dict[str, str]:
    return {"sentiment_alpha": _("sentiment α"), "sentiment_kappa": _("mean κ"),
            "percent_agreement": _("% agreement"), "entity_f1": _("entity F1"),
            "relation_f1": _("relation F1")}


@dataclass
class KindView:
    kind: str
    title: str
    labels: list[str]
    submitted: list[Share]
    gold: list[Share]
    submitted_chart: Any = None
    gold_chart: Any = None
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[Share, Share]]:
        return list(zip(self.submitted, self.gold, strict=True))


def _warnings(title: str, where: str, rows: list[Share], floor: float) -> list[str]:
    return [_("%(label)s is %(share)s of %(kind)s in %(where)s, under %(floor)s.")
            % {"label": r.label, "share": percent(r.share), "kind": title.lower(),
               "where": where, "floor": percent(floor)} for r in rows if r.low]


def _bars(chart_id: str, title: str, rows: list[Share]) -> Any:
    if not any(r.count for r in rows):
        return None
    return bar_chart(chart_id=chart_id, title=title,
                     desc=_("Each label's share of its kind; the count follows it. A label "
                            "under the floor is orange and marked with !."),
                     labels=[r.label for r in rows], values=[r.share for r in rows],
                     notes=[str(r.count) for r in rows], flagged=[r.low for r in rows],
                     vmax=1.0)


def kinds(labels: dict[str, list[str]], group: dict[str, Any], floor: float
          ) -> list[KindView]:
    out = []
    for kind in KINDS:
        names = labels.get(kind) or []
        if not names:
            continue
        title = kind_names()[kind]
        view = KindView(kind, title, names, shares(names, group["submitted"][kind], floor),
                        shares(names, group["gold"][kind], floor))
        view.warnings = (_warnings(title, _("submitted annotations"), view.submitted, floor)
                         + _warnings(title, _("gold"), view.gold, floor))
        view.submitted_chart = _bars(f"{kind}-submitted-chart",
                                     _("%(kind)s in submitted annotations") % {"kind": title},
                                     view.submitted)
        view.gold_chart = _bars(f"{kind}-gold-chart", _("%(kind)s in gold") % {"kind": title},
                                view.gold)
        out.append(view)
    return out


@dataclass
class SliceKind:
    kind: str
    title: str
    labels: list[str]
    rows: list[tuple[str, list[Share], list[Share]]]  # value, submitted, gold
    submitted_chart: Any
    gold_chart: Any


def _slice_heatmap(chart_id: str, title: str, names: list[str], labels: list[str],
                   cells: list[list[Share]]) -> Any:
    if not any(s.count for row in cells for s in row):
        return None
    return heatmap(chart_id=chart_id, title=title,
                   desc=_("Each label's share of its kind within each slice (row). Darker is "
                          "a larger share; compare a column across rows to see bias."),
                   rows=names, cols=labels, values=[[s.share for s in row] for row in cells],
                   vmin=0.0, vmax=1.0, fmt=percent)


def _value_name(value: str | None) -> str:
    return _("(no value)") if value is None else value


def slices(labels: dict[str, list[str]], sliced: dict[str, Any], floor: float,
           overall: dict[str, Any]) -> dict[str, Any]:
    values = sliced["values"]
    names = [_value_name(v["value"]) for v in values]
    by_kind = []
    for kind in KINDS:
        kl = labels.get(kind) or []
        if not kl:
            continue
        title = kind_names()[kind]
        sub = [shares(kl, v["submitted"][kind], floor) for v in values]
        gold = [shares(kl, v["gold"][kind], floor) for v in values]
        by_kind.append(SliceKind(
            kind, title, kl, list(zip(names, sub, gold, strict=True)),
            _slice_heatmap(f"slice-{kind}-submitted-chart",
                           _("%(kind)s per slice, submitted") % {"kind": title}, names, kl, sub),
            _slice_heatmap(f"slice-{kind}-gold-chart",
                           _("%(kind)s per slice, gold") % {"kind": title}, names, kl, gold)))
    found = [(v.get("agreement") or {}).get("values") or {} for v in values]
    columns = [s for s in STATS if any(a.get(s) is not None for a in found)]
    table = [[a.get(s) for s in columns] for a in found]
    notes = [(name, stat_names()[s], message) for name, v, a in zip(names, values, found,
                                                                    strict=True)
             for s in columns if a.get(s) is None and v.get("agreement")
             for message in (v["agreement"].get("notes") or {}).get(s, [])[:1]]
    chart = heatmap(
        chart_id="slice-agreement-chart", title=_("Agreement per slice"),
        desc=_("Each headline statistic within each slice (row). Darker is higher agreement."),
        rows=names, cols=[stat_names()[s] for s in columns], values=table, vmin=0.0, vmax=1.0,
    ) if columns and values else None
    return {"name": sliced["name"], "kinds": by_kind,
            "agreement": list(zip(names, values, table, strict=True)),
            "columns": [(s, stat_names()[s]) for s in columns], "agreement_chart": chart,
            "spread": [spread([row[i] for row in table]) for i in range(len(columns))],
            "overall": [overall.get(s) if overall.get(s) is not None
                        else overall.get(f"{s}_masi") for s in columns],
            "notes": notes}


def balance(stored: Stored, *, field: str, min_share: float | None) -> dict[str, Any]:
    """What the page shows; ``min_share`` in percent (default CONCORD_BALANCE_MIN_SHARE)."""
    floor = settings.CONCORD_BALANCE_MIN_SHARE if min_share is None else min_share / 100
    data = stored.data.get("balance")
    base = {"stored": stored, "min_share": round(100 * floor, 3)}
    if not data:
        return {**base, "outdated": True}
    fields = {f["name"]: f for f in data["fields"]}
    chosen = field if field in fields else ""
    labels = data["labels"]
    views = kinds(labels, data["overall"], floor)
    return {**base, "overall": data["overall"], "kinds": views,
            "warnings": [w for view in views for w in view.warnings],
            "fields": list(fields), "field": chosen, "skipped_fields": data["skipped_fields"],
            "max_values": data.get("max_values"), "unknown_field": field and not chosen,
            "slices": slices(labels, fields[chosen], floor,
                             stored.data.get("overall_agreement") or {}) if chosen else None}
