from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from annotation.pure.exports import FORMATS
from annotation.selectors.exports import SCOPES, building_exports
from annotation.services.exports import export_start, version_delete
from projects.display import FORMAT_NAMES, SCOPE_NAMES
from projects.permissions import Access, Right
from projects.views.base import apply_service, context, form_status, project_view


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), initial="jsonl",
                               choices=[(f, FORMAT_NAMES.get(f, f)) for f in sorted(FORMATS)])
    scope = forms.ChoiceField(label=_("Scope"), choices=[(s, SCOPE_NAMES[s]) for s in SCOPES],
                              initial="gold",
                              help_text=_("gold: the reviewed documents with their gold; all: "
                                          "every document with every submitted annotation."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    pseudonymize = forms.BooleanField(label=_("Pseudonymize annotators"), required=False)


@project_view(Right.EXPORT)
@require_http_methods(["GET", "POST"])
def exports_page(request: HttpRequest, access: Access) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = apply_service(form, lambda: export_start(
            project=access.project, by=request.user, fmt=data["format"], scope=data["scope"],
            name=data["name"], pseudonymize=data["pseudonymize"]))
        if job:
            return redirect("projects:exports", project_id=access.project.pk)
    template = "annotation/exports.html#building" if request.htmx else "annotation/exports.html"
    return render(request, template, context(
        access, form=form, versions=access.project.versions.select_related("created_by"),
        building=building_exports(project=access.project)),
        status=form_status(form))


@project_view(Right.MANAGE)
@require_POST
def version_delete_view(request: HttpRequest, access: Access, version_id: int) -> HttpResponse:
    version = access.project.versions.filter(pk=version_id).first()
    if version is None:
        raise Http404("No such version.")
    version_delete(version=version, by=request.user)
    return redirect("projects:exports", project_id=access.project.pk)
