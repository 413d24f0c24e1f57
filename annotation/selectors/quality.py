"""The quality API's answer: each annotator's reliability and each document's posterior,
from the latest agreement report (annotation/pure/reliability/corpus.py computes them)."""

from typing import Any

from annotation.models import DocumentPosterior
from annotation.selectors.agreement import agreement_latest
from projects.models import Project

PAGE_SIZE = 500  # documents' posteriors per answer; `next_after` goes on
NOT_YET = ("likely label errors (label_issues) are not computed yet; the field stays null "
           "until they are")


def quality_of(*, project: Project, after: int = 0) -> dict[str, Any]:
    report = agreement_latest(project=project)
    notes = [NOT_YET]
    if report is None:
        return {"computed_at": None, "annotators": [], "documents": [], "next_after": None,
                "label_issues": None, "notes": ["no agreement report yet", *notes]}
    part = (report.report.get("quality") or {}).get("sentiment")
    if part is None:
        part = {"annotators": [], "reason": "this report predates reliability estimates: "
                "compute the agreement again"}
    if part.get("reason"):
        notes.insert(0, part["reason"])
    rows = list(DocumentPosterior.objects.filter(report=report, document_id__gt=after)
                .order_by("document_id").values_list("document_id", "posterior")
                [:PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return {"computed_at": report.computed_at, "annotators": part["annotators"],
            "documents": [{"id": pk, "posterior": posterior} for pk, posterior in rows],
            "next_after": rows[-1][0] if more else None, "label_issues": None,
            "notes": notes}
