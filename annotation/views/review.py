"""The reviewer's pages: the review queue, and adjudicating one document into gold."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from annotation.selectors.gold import document_labellings, gold_of, gold_revisions
from annotation.selectors.review import QueueFilter, queue_next, review_queue
from annotation.selectors.words import document_words
from annotation.views.labeling import label_palette, project_settings
from annotation.views.messages import MESSAGES as WORKBENCH_MESSAGES
from projects.models import Project
from projects.permissions import Access, Right
from projects.selectors import label_list, member_list
from projects.views.base import context, project_view

SORT_CHOICES = [("disagreement", _lazy("Most disagreement first")),
                ("oldest", _lazy("Oldest first")), ("newest", _lazy("Newest first"))]
FILTERS = ("sort", "label", "annotator", "meta")


class QueueQuery(forms.Form):
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label=_lazy("Order"))
    label = forms.TypedChoiceField(coerce=int, required=False, empty_value=None,
                                   label=_lazy("Label"))
    annotator = forms.CharField(max_length=150, required=False, label=_lazy("Annotator"),
                                widget=forms.TextInput(attrs={"list": "members"}))
    meta = forms.RegexField(regex=r"^[^=]+=.*$", max_length=300, required=False,
                            label=_lazy("Meta"), help_text=_lazy("key=value"),
                            error_messages={"invalid": _lazy("Write it as key=value.")})
    after = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, project: Project, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.project = project
        # The choices need no head and tail labels: no prefetch (two queries fewer).
        self.labels = {lb.pk: lb for lb in label_list(project=project).prefetch_related(None)}
        self.fields["label"].choices = [("", _("Any label"))] + [
            (pk, f"{lb.name} ({lb.get_kind_display()})") for pk, lb in self.labels.items()]

    def queue_filter(self) -> QueueFilter:
        data = self.cleaned_data if self.is_valid() else {}
        annotator = None
        if data.get("annotator"):
            found = (get_user_model().objects.filter(username=data["annotator"])
                     .values_list("pk", flat=True).first())
            annotator = found if found is not None else 0  # nobody: an empty queue
        meta = tuple(data["meta"].split("=", 1)) if data.get("meta") else None
        return QueueFilter(label=self.labels.get(data.get("label") or 0),
                           annotator_id=annotator, meta=meta)  # type: ignore[arg-type]

    @property
    def order(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else None) or "disagreement"

    def params(self) -> str:
        """The filters (without the cursor) as a query string, for links."""
        data = self.cleaned_data if self.is_valid() else {}
        return urlencode({k: data[k] for k in FILTERS if data.get(k)})


@project_view(Right.ADJUDICATE)
def review_queue_page(request: HttpRequest, access: Access) -> HttpResponse:
    query = QueueQuery(request.GET, project=access.project)
    page = review_queue(project=access.project, where=query.queue_filter(), sort=query.order,
                        after=query.cleaned_data.get("after") if query.is_valid() else None)
    template = "annotation/review.html"
    if request.htmx:
        template += "#queue-table"
    return render(request, template, context(
        access, page=page, query=query, params=query.params(),
        members=member_list(project=access.project).select_related("user")))


MESSAGES = {**WORKBENCH_MESSAGES,
            "save_saved": _lazy("Gold saved"),
            "save_pending": _lazy("Unsaved gold"),
            "save_conflict": _lazy("Someone else saved this document's gold since you opened "
                                   "it. Reload to see their version; nothing was overwritten."),
            "save_forbidden": _lazy("Not saved: you may not write this document's gold."),
            "recovered": _lazy("Unsaved gold from your last visit was restored."),
            "accept": _lazy("Accept"), "reject": _lazy("Reject"),
            "in_gold": _lazy("in gold"), "rejected": _lazy("rejected"),
            "of": _lazy("%(n)s of %(k)s"), "no_sentiment": _lazy("no sentiment"),
            "entity_help": _lazy("A label key relabels it; Delete removes it from the gold; a "
                                 "relation key, then a click on another entity, links them."),
            "lane_help": _lazy("Enter accepts it into the gold, Delete rejects it."),
            "saved_version": _lazy("Gold saved (version %s)."),
            "nothing_next": _lazy("No other document is waiting for review."),
            "reviewed": _lazy("Reviewed"), "just_now": _lazy("just now")}


@project_view(Right.ADJUDICATE)
def adjudicate_page(request: HttpRequest, access: Access, document_id: int) -> HttpResponse:
    project = access.project
    document = project.documents.select_related("project").filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    query = QueueQuery(request.GET, project=project)
    params = query.params()
    nxt = queue_next(project=project, where=query.queue_filter(), sort=query.order,
                     exclude=document.pk)
    queue_url = reverse("projects:review", args=[project.pk]) + (f"?{params}" if params else "")
    next_url = (reverse("projects:adjudicate", args=[project.pk, nxt])
                + (f"?{params}" if params else "")) if nxt else None
    labellings = document_labellings(document=document)
    labels = label_palette(project)
    data = {"document": {"id": document.pk, "external_id": document.external_id,
                         "text": document.text,
                         "words": document_words(project=project, document=document)},
            "lanes": [{"annotator": lab.annotator, **lab.content} for lab in labellings],
            "gold": gold_of(document=document), "labels": labels,
            "project": project_settings(project), "user": request.user.get_username(),
            "urls": {"gold": reverse("api:gold", args=[project.pk, document.pk]),
                     "next": next_url, "queue": queue_url},
            "messages": MESSAGES}
    return render(request, "annotation/adjudicate.html", context(
        access, document=document, labels=labels, data=data, lanes=labellings,
        revisions=gold_revisions(document=document), queue_url=queue_url, next_url=next_url))
