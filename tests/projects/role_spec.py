"""What every URL pattern of the urlconf answers to whom: the access matrix's expectations.

Written out independently of projects.permissions (DESIGN.md's role table, docs/permissions.md),
so a wrong entry in the code is caught. Patterns are keyed by name, or by route when unnamed.
tests/projects/test_role_matrix.py walks the urlconf and fails when a pattern has no entry
here, or an entry names a pattern that no longer exists.
"""

import re

from django.urls import URLPattern, URLResolver, get_resolver

# --- project-scoped URLs (<int:project_id> in the route) ---------------------------------

# DESIGN.md's table, plus BROWSE (listing documents) and PROGRESS (the progress dashboard),
# documented in docs/permissions.md.
TABLE = {
    "manager": {"view", "manage", "label", "browse", "see_others", "adjudicate", "agreement",
                "recompute", "export", "progress"},
    "reviewer": {"view", "label", "browse", "see_others", "adjudicate", "agreement",
                 "recompute", "progress"},
    "annotator": {"view", "label"},
    "consumer": {"view", "browse", "agreement", "export", "progress"},
}

# URL name -> {method: right}. Every project-scoped route must appear here.
SPEC = {
    "projects:detail": {"GET": "view"},
    "projects:settings": {"GET": "manage", "POST": "manage"},
    "projects:guidelines": {"GET": "manage", "POST": "manage"},
    "projects:guidelines-preview": {"POST": "manage"},
    "projects:delete": {"GET": "manage", "POST": "manage"},
    "projects:labels": {"GET": "manage", "POST": "manage"},
    "projects:label-edit": {"GET": "manage", "POST": "manage"},
    "projects:label-delete": {"POST": "manage"},
    "projects:members": {"GET": "manage", "POST": "manage"},
    "projects:member-role": {"POST": "manage"},
    "projects:member-remove": {"POST": "manage"},
    "projects:audit": {"GET": "manage"},
    "projects:documents": {"GET": "view"},  # annotators: their own documents
    "projects:documents-requeue": {"POST": "manage"},
    "projects:documents-bulk": {"POST": "manage"},
    "projects:document": {"GET": "view"},
    "projects:import": {"GET": "manage", "POST": "manage"},
    "api:project": {"GET": "view", "PUT": "manage", "PATCH": "manage", "DELETE": "manage"},
    "api:labels": {"GET": "view", "POST": "manage"},
    "api:label": {"GET": "view", "PUT": "manage", "PATCH": "manage", "DELETE": "manage"},
    "api:members": {"GET": "manage", "POST": "manage"},
    "api:member": {"GET": "manage", "PATCH": "manage", "DELETE": "manage"},
    # every member: browse gives every document, label (annotators) their own ones
    # (tests/annotation/apis/test_documents.py)
    "api:documents": {"GET": "view"},
    "api:document": {"GET": "view"},
    "api:documents-bulk": {"POST": "manage"},
    "api:imports": {"POST": "manage"},
    "projects:label": {"GET": "label"},
    "projects:workbench": {"GET": "label"},
    "projects:skip": {"POST": "label"},
    "api:next": {"GET": "label"},
    "api:annotation": {"GET": "label", "PUT": "label"},
    "api:annotations": {"GET": "see_others"},
    "api:skip": {"POST": "label"},
    "projects:agreement": {"GET": "agreement", "POST": "recompute"},
    "api:agreement": {"GET": "agreement", "POST": "recompute"},
    "api:quality": {"GET": "adjudicate"},  # managers and reviewers (DESIGN.md)
    "projects:balance": {"GET": "agreement"},
    "projects:models": {"GET": "agreement", "POST": "manage"},
    "api:agents": {"GET": "agreement"},
    "api:agent": {"GET": "agreement", "PATCH": "manage"},
    "api:agent-train": {"POST": "manage"},
    # A document's suggestions: anyone's for those who see others' work, else one's lease.
    "api:suggestions": {"GET": "label", "POST": "label"},
    "projects:progress": {"GET": "progress"},
    "api:progress": {"GET": "progress"},
    "projects:gold-checks": {"GET": "manage", "POST": "manage"},
    "api:gold-checks": {"GET": "manage", "POST": "manage"},
    "api:gold-check": {"DELETE": "manage"},
    "api:export": {"GET": "export"},
    "api:exports": {"GET": "export", "POST": "export"},
    "api:version": {"GET": "export", "DELETE": "manage"},
    "api:version-download": {"GET": "export"},
    "projects:exports": {"GET": "export", "POST": "export"},
    "projects:version-delete": {"POST": "manage"},
    "api:gold": {"GET": "adjudicate", "PUT": "adjudicate"},
    "projects:review": {"GET": "adjudicate"},
    "projects:adjudicate": {"GET": "adjudicate"},
}
# Allowed GETs that answer something other than 200: "start labeling" redirects to the
# document it leases.
GET_OK = {"projects:label": 302}
ACTORS = ["anonymous", "outsider", "manager", "reviewer", "annotator", "consumer"]

# --- every other URL: the expected answer per actor, written out -------------------------

# `admin` is staff and superuser, like the demo's admin; superusers act as managers on every
# project and staff may create projects (docs/permissions.md).
GLOBAL_ACTORS = [*ACTORS, "admin"]
# The admin's URLs are also asked by `staff`: staff without superuser and without any model
# permission, who may sign into the admin but not see, add, change or delete any model there.
ADMIN_ACTORS = [*GLOBAL_ACTORS, "staff"]


def to(name: str) -> tuple[int, str]:
    """A 302 to the URL pattern `name` (its query string aside)."""
    return (302, name)


def everyone(answer) -> dict:
    return dict.fromkeys(GLOBAL_ACTORS, answer)


def signed_in(answer, *, anonymous) -> dict:
    return {**everyone(answer), "anonymous": anonymous}


PAGE_LOGIN, ADMIN_LOGIN = to("login"), to("admin:login")


def staff_only(answer, *, others=ADMIN_LOGIN, staff=None) -> dict:
    """An admin URL's answers: `answer` to the admin, `staff` to staff without permissions
    (the admin's answer unless given), `others` to everyone else."""
    return {**dict.fromkeys(ADMIN_ACTORS, others), "admin": answer,
            "staff": answer if staff is None else staff}


CREATORS_ONLY = {**signed_in(403, anonymous=PAGE_LOGIN), "admin": 200}
# "api:job" and "projects:job" depend on the job's kind: see JOB_RIGHTS.
JOBS = "jobs"

# key -> {method: {actor: answer}}. Allowed writes get an empty body.
GLOBAL = {
    "login": {"GET": signed_in(to("projects:list"), anonymous=200),
              "POST": signed_in(to("projects:list"), anonymous=200)},  # empty: the form again
    "logout": {"POST": everyone(to("login"))},  # Django 5: POST only
    "set_language": {"POST": everyone(to("projects:list"))},
    "healthz": {"GET": everyone(200)},
    "favicon.ico": {"GET": everyone(301)},  # to the static icon
    "projects:list": {"GET": signed_in(200, anonymous=PAGE_LOGIN)},
    "projects:create": {"GET": CREATORS_ONLY, "POST": CREATORS_ONLY},  # POST: the form again
    # POST without `action` creates (or regenerates) the requester's own token.
    "projects:account": {"GET": signed_in(200, anonymous=PAGE_LOGIN),
                         "POST": signed_in(200, anonymous=PAGE_LOGIN)},
    "projects:job": {"GET": JOBS},
    # No authentication needed: the body carries the actor's (anonymous: the outsider's)
    # username and password.
    "api:token": {"POST": everyone(200)},
    "api:root": {"GET": everyone(200)},  # links only: public, like the schema
    "api:schema": {"GET": everyone(200)},  # public, like the Swagger UI
    "api:docs": {"GET": everyone(200)},
    "api:job": {"GET": JOBS},
    "api:projects": {"GET": signed_in(200, anonymous=401),
                     "POST": {**signed_in(403, anonymous=401), "admin": 400}},
    # The catch-all under /api/v1/: a JSON 404 to anyone, whatever the method.
    "api:not-found": dict.fromkeys(["GET", "POST", "PUT", "PATCH", "DELETE"], everyone(404)),
}

# Which right follows a job of each kind, for members other than its creator
# (docs/permissions.md). "own": a job the requester created, whatever its kind.
JOB_RIGHTS = {"import": "manage", "export": "export", "agreement": "agreement",
              "project_delete": "manage", "train": "agreement", "own": None}

# --- the Django admin: generated from its own URL patterns --------------------------------

# Site-level admin views, by name (or route), and the answers per actor. Anonymous users and
# signed-in users who are not staff are sent to the admin's login.
ADMIN_SITE = {
    "admin:index": {"GET": staff_only(200)},
    "admin:login": {"GET": staff_only(to("admin:index"), others=200),
                    "POST": staff_only(200, others=200)},  # empty: the form again
    "admin:logout": {"POST": staff_only(to("login"), others=to("admin:index"))},
    "admin:password_change": {"GET": staff_only(200), "POST": staff_only(200)},
    "admin:password_change_done": {"GET": staff_only(200)},
    # Autocomplete needs the view permission on the field's model (here the user).
    "admin:autocomplete": {"GET": staff_only(200, staff=403)},
    "admin:jsi18n": {"GET": staff_only(200)},
    "admin:view_on_site": {"GET": staff_only(404)},  # no model has a page of its own
    "admin:app_list": {"GET": staff_only(200, staff=404)},  # an app with nothing they may see
    "admin:auth_user_password_change": {"GET": staff_only(200, staff=403),
                                        "POST": staff_only(200, staff=403)},
    "admin/(?P<url>.*)$": {"GET": staff_only(404)},  # the catch-all: no such admin page
}
# Whose admin index lists the registered models (a link to each changelist and add page):
# the admin's lists them all, that of staff without permissions none.
INDEX_LISTS_MODELS = {"admin": True, "staff": False}
# Each registered model's views and the methods their forms use.
MODEL_VIEWS = {"changelist": ["GET", "POST"], "add": ["GET", "POST"],
               "change": ["GET", "POST"], "delete": ["GET", "POST"], "history": ["GET"]}
# Read-only admins: what the admin gets instead of 200, by (view, method). Staff without
# permissions get 403 from every model view.
_NO_ADD = {("add", "GET"): 403, ("add", "POST"): 403}
EXCEPTIONS = {
    # The audit log is never edited (docs/security.md).
    "projects_auditevent": {**_NO_ADD, ("change", "POST"): 403, ("delete", "GET"): 403,
                            ("delete", "POST"): 403},
    # Imported identities: made by imports, deleted with their project (docs/imports.md).
    "annotation_importedidentity": {**_NO_ADD, ("change", "POST"): 403,
                                    ("delete", "GET"): 403, ("delete", "POST"): 403},
    # django-axes' records: no adding; every field is read-only, so saving changes nothing.
    **{f"axes_{model}": {**_NO_ADD, ("change", "POST"): to(f"admin:axes_{model}_changelist")}
       for model in ("accessattempt", "accesslog", "accessfailurelog")},
}
_MODEL_VIEW = re.compile(r"^admin:(?P<model>\w+?)_(?P<view>changelist|add|change|delete|history)$")
_MODEL_REDIRECT = re.compile(r"^admin/(?P<app>\w+)/(?P<model>\w+)/<path:object_id>/$")


def admin_entry(key: str) -> dict | None:
    """{method: {actor: answer}} for an admin pattern, or None when no rule covers it."""
    if key in ADMIN_SITE:
        return ADMIN_SITE[key]
    if match := _MODEL_VIEW.match(key):
        model, view = match["model"], match["view"]
        special = EXCEPTIONS.get(model, {})
        return {method: staff_only(special.get((view, method), 200), staff=403)
                for method in MODEL_VIEWS[view]}
    if match := _MODEL_REDIRECT.match(key):  # the old change URL, redirected to the new one
        # (no permission checked there: the change view it leads to answers staff 403)
        return {"GET": staff_only(to(f"admin:{match['app']}_{match['model']}_change"))}
    return None


# --- the urlconf ---------------------------------------------------------------------------


def routes(resolver=None, prefix="", namespace=""):
    """(key, route, pattern) for every pattern; the key is the name, or the route."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry, route, ns)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else route), route, entry


def is_admin(route: str) -> bool:
    return route.startswith("admin/")


def admin_spec() -> dict:
    return {key: admin_entry(key) for key, route, _ in routes() if is_admin(route)}
