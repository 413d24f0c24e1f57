"""Hostile content: labels, a project name, guidelines, documents, meta, an upload's file name
and a dataset version's name carry script payloads; every page that shows them is opened,
and no script runs.

Three checks on every page: no dialog opens (every payload calls alert); the DOM holds none
of the payloads as elements or attributes (escaping worked, whatever the CSP would have
stopped); and the browser reports no console error (the page fixture fails on any, CSP
violations included), so our own pages keep to the CSP."""

import json
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from annotation.models import Document
from annotation.services.agreement.jobs import agreement_start
from annotation.services.exports import export_start
from projects import services
from projects.models import AuditAction
from projects.services.audit import audit_record
from tests.browser.conftest import log_in
from tests.factories import AssignmentFactory

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = '<script>alert("script")</script>'
IMG = '<img src=x onerror=alert("img")>'
SVG = '<svg onload=alert("svg")><script>alert("svg-script")</script></svg>'
BREAK = '"><img src=x onerror=alert("attr")>\'><svg/onload=alert("attr2")>'
LINK = "javascript:alert('link')"
PAYLOADS = [SCRIPT, IMG, SVG, BREAK]
GUIDELINES = f"""# Rules {SCRIPT}

Click [here]({LINK}) or <a href="{LINK}">there</a>
or [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==).

{IMG}

{SVG}

<iframe src="{LINK}"></iframe> <object data="{LINK}"></object>
<div onmouseover="alert('hover')" style="background:url(javascript:alert('css'))">hover me</div>
![pic]({LINK})
"""
# Elements and attributes that would mean a payload became markup.
PROBE = """() => {
  const bad = [];
  const sel = ['img[src="x"]', 'svg[onload]', '[onerror]', '[onload]', '[onmouseover]',
               'iframe', 'object', 'embed', 'a[href^="javascript:" i]', 'a[href^="data:" i]',
               'img[src^="javascript:" i]'];
  for (const s of sel) for (const el of document.querySelectorAll(s)) bad.push(el.outerHTML);
  for (const el of document.querySelectorAll('script'))
    if (!el.src && el.type !== 'application/json') bad.push(el.outerHTML);
  return bad;
}"""
FILENAME = '<img src=x onerror=alert("file")>.jsonl'


def _records(labels: dict[str, str]) -> list[dict]:
    text = f"Alice {SCRIPT} met Bob {IMG} at {SVG} then {BREAK} end."
    start = text.index("<script>")
    span = {"id": "T1", "start": start, "end": start + len(SCRIPT), "label": labels["entity"]}
    bob = text.index("Bob")
    span2 = {"id": "T2", "start": bob, "end": bob + 3, "label": labels["entity"]}
    content = {"entities": [span, span2],
               "relations": [{"head": "T1", "tail": "T2", "label": labels["relation"]}],
               "sentiment": labels["sentiment"]}
    meta = {"source": SCRIPT, IMG: BREAK, "lang": SVG}
    return [
        {"id": f"doc-{SCRIPT}", "text": text, "meta": meta,
         "annotations": [{"annotator": "ann-one", **content},
                         {"annotator": "ann-two", **content, "sentiment": labels["other"]}]},
        {"id": "doc-plain", "text": f"Second {IMG} document {SCRIPT}.", "meta": meta,
         "annotations": [{"annotator": "ann-one", **content, "entities": [], "relations": []}]},
        {"id": "doc-bad", "text": "Unknown label here.", "meta": {"k": SCRIPT},
         "annotations": [{"annotator": "ann-one", "entities": [
             {"start": 0, "end": 7, "label": f"NOPE{IMG}"}]}]},
    ]


@pytest.fixture
def hostile(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = world.project
    services.project_update(project=project, name=f"News {SCRIPT}{IMG}"[:200],
                            description=f"About {SVG} {BREAK}", guidelines=GUIDELINES)
    labels = {
        "entity": services.label_create(project=project, kind="entity", name=IMG[:100],
                                        shortcut="x").name,
        "relation": services.label_create(project=project, kind="relation",
                                          name=SVG[:100]).name,
        "sentiment": services.label_create(project=project, kind="sentiment",
                                           name=BREAK[:100]).name,
        "other": services.label_create(project=project, kind="sentiment",
                                       name=SCRIPT[:100]).name,
    }
    upload = tmp_path / FILENAME
    upload.write_text("\n".join(json.dumps(r) for r in _records(labels)))
    audit_record(project=project, actor=world.users["manager"], action=AuditAction.ROLE_CHANGE,
                 target=BREAK, data={SCRIPT: IMG})
    return world, upload


def _check(page, path: str, dialogs: list[str]) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    found = page.evaluate(PROBE)
    assert found == [], (path, found)
    assert dialogs == [], (path, dialogs)


def test_no_payload_runs_on_any_page(hostile, page):
    world, upload = hostile
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    manager = world.users["manager"]
    log_in(page, manager.username)
    pk = world.project.pk

    # The import, through the page, with an upload whose very name is a payload.
    page.goto(f"/projects/{pk}/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.select_option("select[name=on_error]", "skip")
    page.get_by_role("button", name="Start import").click()
    page.wait_for_url("**/jobs/*/")
    page.locator('#job-status[data-status="succeeded"]').wait_for(timeout=30_000)
    job_path = page.url
    assert page.locator("#import-report").inner_text()
    doc = Document.objects.get(external_id=f"doc-{SCRIPT}")
    assert SCRIPT in doc.text

    agreement_start(project=world.project, by=manager)
    export_start(project=world.project, by=manager, fmt="jsonl", scope="all",
                 name=f"v {SCRIPT}")
    label_id = world.project.labels.get(kind="entity", name=IMG).pk
    pages = [
        reverse("projects:list"),
        reverse("projects:detail", args=[pk]),
        reverse("projects:settings", args=[pk]),
        reverse("projects:guidelines", args=[pk]),
        reverse("projects:labels", args=[pk]),
        reverse("projects:label-edit", args=[pk, label_id]),
        reverse("projects:members", args=[pk]),
        reverse("projects:audit", args=[pk]),
        reverse("projects:documents", args=[pk]),
        job_path,
        reverse("projects:agreement", args=[pk]),
        reverse("projects:exports", args=[pk]),
        reverse("projects:account"),
    ]
    # Pages that other work adds, where they exist.
    for name, args in (("projects:balance", [pk]), ("projects:review", [pk]),
                       ("projects:progress", [pk]), ("projects:gold-checks", [pk]),
                       ("projects:adjudicate", [pk, doc.pk])):
        try:
            pages.append(reverse(name, args=args))
        except NoReverseMatch:  # a page not built yet
            continue
    for path in pages:
        _check(page, path, dialogs)

    # The workbench on the hostile document: its text, spans and labels are drawn by script.
    annotator = world.users["annotator"]
    AssignmentFactory(document=doc, annotator=annotator)
    page.context.clear_cookies()
    log_in(page, annotator.username)
    _check(page, reverse("projects:workbench", args=[pk, doc.pk]), dialogs)
    shown = page.locator("main").inner_text()
    assert SCRIPT in shown  # the document's payloads are shown, as text
    assert IMG in shown
    page.screenshot(path=str(ARTIFACTS / "hostile-workbench.png"), full_page=True)
    page.keyboard.press("x")  # the hostile entity label's shortcut, on no selection
    assert page.evaluate(PROBE) == []
    _check(page, reverse("projects:detail", args=[pk]), dialogs)
