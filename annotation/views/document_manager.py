"""The document manager's actions and document page: bulk actions on chosen rows or on
every match of the list's filters, and one document with everything about it."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annotation.pure.exports import FORMATS
from annotation.selectors.document_search import document_for
from annotation.selectors.document_view import document_view
from annotation.serializers import DocumentFilter, json_ready
from annotation.services.document_actions import ACTIONS, Selection, documents_bulk
from annotation.services.exports import export_start
from annotation.views.documents import list_filters
from projects.display import FORMAT_NAMES
from projects.models import Job
from projects.permissions import Access, Right
from projects.views.base import apply_service, context, project_view

EXPORT = "export"


class BulkForm(forms.Form):
    """An action on the chosen rows (`ids`), or on every match of the list's filters
    (`every`, with the filters as the list's query string in `filters`)."""

    action = forms.ChoiceField(choices=[(a, a) for a in (*ACTIONS, EXPORT)])
    format = forms.ChoiceField(choices=[(f, FORMAT_NAMES.get(f, f)) for f in sorted(FORMATS)],
                               required=False)
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    every = forms.BooleanField(required=False)
    filters = forms.CharField(required=False, max_length=4000)
    annotators = forms.MultipleChoiceField(required=False)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data if hasattr(self.data, "getlist") else QueryDict()
        # any ids and usernames: the service checks them (404, 400 naming the one)
        self.fields["ids"].choices = [(v, v) for v in data.getlist("ids") if v.isdigit()]
        self.fields["annotators"].choices = [(v, v) for v in data.getlist("annotators")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("every") and not data.get("ids"):
            raise forms.ValidationError(_("Choose documents, or every document of the list."))
        if data.get("every"):
            found = DocumentFilter(data=list_filters(QueryDict(data.get("filters") or "")))
            if not found.is_valid():
                raise forms.ValidationError(_("The list's filters are not valid: %(fields)s.")
                                            % {"fields": ", ".join(found.errors)})
            data["filter"] = json_ready(found.validated_data)
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        if data.get("every"):
            return Selection(filter=data["filter"])
        return Selection(ids=list(dict.fromkeys(data["ids"])))


@project_view(Right.MANAGE)
@require_POST
def documents_bulk_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = BulkForm(request.POST)
    back = reverse("projects:documents", args=[access.project.pk]) + "?" + \
        request.POST.get("filters", "")
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    data = form.cleaned_data
    if data["action"] == "delete" and not data["confirmed"]:
        selection = form.selection()
        count = selection.documents(access.project).count()
        return render(request, "annotation/documents_delete.html",
                      context(access, form=form, count=count, back=back))
    if data["action"] == EXPORT:  # a dataset version of just this set, as a job
        done = apply_service(form, lambda: export_start(
            project=access.project, by=request.user, fmt=data["format"] or "jsonl",
            scope="all", selection=form.selection()))
    else:
        done = apply_service(form, lambda: documents_bulk(
            project=access.project, by=request.user, action=data["action"],
            selection=form.selection(), annotators=data["annotators"]))
    if done is None:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    elif isinstance(done, Job):
        return redirect("projects:job", job_id=done.pk)
    else:
        messages.success(request, outcome_message(done.as_dict()))
    return redirect(back)


def outcome_message(outcome: dict[str, Any]) -> str:
    counts = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in outcome.items()
                       if name not in ("action", "documents"))
    return _("%(action)s on %(n)d documents (%(counts)s).") % {
        "action": outcome["action"].replace("_", " ").capitalize(),
        "n": outcome["documents"], "counts": counts}


@project_view(Right.VIEW)
def document_page(request: HttpRequest, access: Access, document_id: int) -> HttpResponse:
    document = document_for(access=access, user=request.user, document_id=document_id)
    view = document_view(access=access, user=request.user, document=document)
    return render(request, "annotation/document.html", context(access, view=view,
                                                                document=document))
