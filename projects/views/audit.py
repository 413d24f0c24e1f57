from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from projects import selectors
from projects.models import AuditAction
from projects.permissions import Access, Right
from projects.views.base import context, project_view


class AuditQuery(forms.Form):
    action = forms.ChoiceField(choices=AuditAction.choices, required=False)
    page = forms.IntegerField(min_value=1, required=False)


@project_view(Right.MANAGE)
def audit_log(request: HttpRequest, access: Access) -> HttpResponse:
    query = AuditQuery(request.GET)
    params = query.cleaned_data if query.is_valid() else {}
    action = params.get("action") or None
    page = selectors.audit_event_page(project=access.project, action=action,
                                      page=params.get("page") or 1)
    template = "projects/audit.html"
    if request.htmx:
        template += "#audit-table"
    return render(request, template, context(access, page=page, action=action,
                                             actions=AuditAction.choices))
