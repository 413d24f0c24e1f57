"""The progress dashboard and the gold-checks page."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from annotation.selectors.gold_checks import check_candidates, gold_check_list
from annotation.selectors.progress import progress_dashboard
from annotation.services.gold_checks import gold_checks_mark, gold_checks_unmark
from annotation.services.progress import progress_current
from annotation.views.display.progress import per_day_chart
from projects.errors import ServiceError
from projects.permissions import Access, Right
from projects.views.base import context, project_view

CHECKS_SHOWN = 500


@project_view(Right.PROGRESS)
def progress_page(request: HttpRequest, access: Access) -> HttpResponse:
    snapshot, updating = progress_current(project=access.project)
    board = progress_dashboard(project=access.project, snapshot=snapshot, updating=updating,
                               team=access.can(Right.SEE_OTHERS),
                               checks=access.can(Right.MANAGE))
    template = "annotation/progress.html" + ("#figures" if request.htmx else "")
    return render(request, template, context(access, board=board,
                                             chart=per_day_chart(board.days)))


class IdList(forms.Field):
    """Document ids from repeated fields (checkboxes); the service checks the project's."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: list[str] | None) -> list[int]:
        if any(not str(v).isdigit() for v in value or []):
            raise forms.ValidationError(_("Document ids are numbers."))
        return [int(v) for v in value or []]


class GoldCheckForm(forms.Form):
    action = forms.ChoiceField(choices=[("mark", _lazy("Mark")), ("unmark", _lazy("Unmark"))])
    documents = IdList(required=False)


@project_view(Right.MANAGE)
@require_http_methods(["GET", "POST"])
def gold_checks_page(request: HttpRequest, access: Access) -> HttpResponse:
    project = access.project
    if request.method == "POST":
        form = GoldCheckForm(request.POST)
        if form.is_valid():
            act = gold_checks_mark if form.cleaned_data["action"] == "mark" else gold_checks_unmark
            try:
                n = act(project=project, document_ids=form.cleaned_data["documents"])
                messages.success(request, ngettext("%(n)d document changed.",
                                                   "%(n)d documents changed.", n) % {"n": n})
            except ServiceError as exc:
                messages.error(request, exc.errors[0]["message"] if exc.errors else exc.detail)
        else:
            messages.error(request, _("Choose documents and an action."))
        return redirect("projects:gold-checks", project_id=project.pk)
    after = request.GET.get("after", "")
    return render(request, "annotation/gold_checks.html", context(
        access, checks=gold_check_list(project=project, limit=CHECKS_SHOWN),
        candidates=check_candidates(project=project,
                                    after=int(after) if after.isdigit() else None)))
