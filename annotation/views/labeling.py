"""The annotator's pages: start labeling (next document), the workbench, skip."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from annotation import selectors
from annotation.models import SKIP_REASON_MAX, Document
from annotation.selectors.words import document_words
from annotation.services.assignments import assignment_next, assignment_skip
from annotation.views.messages import MESSAGES
from projects.errors import ServiceError
from projects.markdown import render_markdown
from projects.models import Project
from projects.permissions import Access, Right
from projects.selectors import label_list
from projects.views.base import context, project_view


@project_view(Right.LABEL)
def label_next(request: HttpRequest, access: Access) -> HttpResponse:
    if problems := selectors.setup_problems(project=access.project):
        return render(request, "annotation/not_ready.html",
                      context(access, problems=problems), status=400)
    assignment = assignment_next(project=access.project, user=request.user)
    if assignment is None:
        progress = selectors.progress_of(project=access.project, user=request.user)
        return render(request, "annotation/done.html", context(access, progress=progress))
    return redirect("projects:workbench", project_id=access.project.pk,
                    document_id=assignment.document_id)


def label_palette(project: Project) -> list[dict]:
    """The project's labels as the workbench's modules read them."""
    return [{"id": lb.pk, "kind": lb.kind, "name": lb.name, "color": lb.color,
             "shortcut": lb.shortcut, "value": lb.value, "directed": lb.directed,
             "head": [h.name for h in lb.head_labels.all()],
             "tail": [t.name for t in lb.tail_labels.all()]}
            for lb in label_list(project=project).prefetch_related("head_labels", "tail_labels")]


def project_settings(project: Project) -> dict:
    return {"id": project.pk, "tasks": project.tasks, "overlap": project.overlap,
            "allow_overlap": project.allow_overlapping_spans,
            "multi_label": project.sentiment_multi_label, "scale": project.sentiment_scale}


def _leased_document(access: Access, request: HttpRequest, document_id: int) -> Document:
    """The requester's document to label: 403 for another of the project, 404 for none."""
    document = selectors.labeling_document(project=access.project, user=request.user,
                                           document_id=document_id)
    if document is None:
        if access.project.documents.filter(pk=document_id).exists():
            raise PermissionDenied(_("This document is not assigned to you."))
        raise Http404("No such document.")
    return document


def _workbench_data(access: Access, request: HttpRequest, document_id: int) -> dict:
    project = access.project
    document = _leased_document(access, request, document_id)
    labels = label_palette(project)
    ids = {"project_id": project.pk, "document_id": document.pk}
    api = reverse("api:annotation", kwargs=ids)
    return {"document": document, "labels": labels, "skip_reason_max": SKIP_REASON_MAX, "data": {
        "document": {"id": document.pk, "external_id": document.external_id, "text": document.text,
                     "words": document_words(project=project, document=document)},
        "annotation": selectors.annotation_of(document=document, user=request.user),
        "predictions": selectors.suggestions_of(project=project, document=document),
        "rejected": selectors.rejected_suggestions(document=document, user=request.user),
        "labels": labels, "user": request.user.get_username(),
        "project": project_settings(project),
        "urls": {"annotation": api, "next": reverse("projects:label", args=[project.pk]),
                 "suggestions": reverse("api:suggestions", kwargs=ids)},
        "messages": MESSAGES}}


@project_view(Right.LABEL)
def workbench(request: HttpRequest, access: Access, document_id: int) -> HttpResponse:
    bench = _workbench_data(access, request, document_id)
    return render(request, "annotation/workbench.html", context(
        access, **bench, progress=selectors.progress_of(project=access.project, user=request.user),
        guidelines=render_markdown(access.project.guidelines)))


@project_view(Right.LABEL)
@require_POST
def skip(request: HttpRequest, access: Access, document_id: int) -> HttpResponse:
    document = _leased_document(access, request, document_id)
    try:
        assignment_skip(project=access.project, user=request.user, document=document,
                        reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("projects:label", project_id=access.project.pk)
