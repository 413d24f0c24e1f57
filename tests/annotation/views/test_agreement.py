"""The agreement dashboard and the balance view: what they show from the stored reports, the
htmx recompute with its progress, and that they read stored aggregates only."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.models import AgreementReport, Document
from annotation.services.agreement.jobs import agreement_start
from annotation.services.store import annotation_save
from projects.cache_keys import job_progress as progress_key
from projects.models import Job, JobKind, JobStatus
from projects.services.jobs import job_progress
from tests.conftest import api_client_for, page_client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'
PER = {"start": 0, "end": 5, "label": "PER"}
ORG = {"start": 13, "end": 17, "label": "ORG"}
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def labelled(world):
    """Six documents from two sources, labelled by two annotators who disagree on one."""
    people = [UserFactory(username="ann-a"), UserFactory(username="ann-b")]
    docs = []
    for i in range(6):
        source = "news" if i < 4 else HOSTILE
        doc = Document.objects.create(project=world.project, text="Alice joined 阿里巴巴 in 2019",
                                      meta={"source": source}, content_hash=f"h{i}",
                                      external_id=f"src-{i}")
        docs.append(doc)
        for j, person in enumerate(people):
            sentiment = "negative" if (i == 5 and j == 1) or i == 3 else "positive"
            entities = [PER] if (i == 5 and j == 1) else [PER, ORG]
            annotation_save(document=doc, annotator=person, status="submitted", version=0,
                            content={"entities": entities, "sentiment": sentiment})
    annotation_save(document=docs[0], annotator=None, kind="gold", status="submitted",
                    version=0, content={"entities": [PER, ORG], "sentiment": "positive"})
    return docs


def _compute(world, capture):
    with capture(execute=True):
        job = agreement_start(project=world.project, by=world.users["manager"])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    return job


def _url(world, name="projects:agreement"):
    return reverse(name, kwargs={"project_id": world.project.pk})


def _svgs(html):
    """Every <svg> in the page, parsed as XML (fails on malformed markup)."""
    out, rest = [], html
    while "<svg" in rest:
        start = rest.index("<svg")
        end = rest.index("</svg>", start) + len("</svg>")
        out.append(ET.fromstring(rest[start:end]))
        rest = rest[end:]
    return out


def test_before_any_report_both_pages_say_so(world):
    client = page_client_for(world.users["consumer"])
    assert b'id="no-report"' in client.get(_url(world)).content
    assert b'id="no-report"' in client.get(_url(world, "projects:balance")).content


def test_the_dashboard_shows_headline_intervals_heatmaps_trend_and_worst_documents(
        world, labelled, django_capture_on_commit_callbacks):
    _compute(world, django_capture_on_commit_callbacks)
    _compute(world, django_capture_on_commit_callbacks)
    report = AgreementReport.objects.filter(project=world.project).first().report
    html = page_client_for(world.users["reviewer"]).get(_url(world)).content.decode()

    alpha = report["sentiment"]["krippendorff_alpha"]["nominal"]
    ci = report["sentiment"]["ci"]["krippendorff_alpha.nominal"]
    assert f"{alpha:.3f}" in html
    assert f"{ci['low']:.3f}" in html
    assert f"{ci['high']:.3f}" in html
    assert 'data-stat="relation_f1"' in html  # no relations: null, with the report's note
    assert "neither annotated any relation" in html
    charts = {svg.get("id"): svg for svg in _svgs(html)}
    assert {"trend-chart", "kappa-chart", "f1-chart", "confusion-chart"} <= set(charts)
    assert all(svg.get("role") == "img" for svg in charts.values())
    ns = "{http://www.w3.org/2000/svg}"
    assert len(charts["trend-chart"].findall(f"{ns}circle")) == 2 * 3  # 2 reports, 3 series
    assert html.count("<tr><td>ann-a · ann-b</td>") == 2  # κ and F1 pair tables
    # document 5 has the most disagreement and comes first, linked for reviewers
    first = html.index('data-document="', html.index('id="disagreements"'))
    assert html[first:].startswith(f'data-document="{labelled[5].pk}"')
    adjudicate = reverse("projects:adjudicate", args=[world.project.pk, labelled[5].pk])
    assert f'<a href="{adjudicate}">src-5</a>' in html
    assert HOSTILE not in html


def test_consumers_see_the_dashboard_without_review_links(world, labelled,
                                                          django_capture_on_commit_callbacks):
    _compute(world, django_capture_on_commit_callbacks)
    html = page_client_for(world.users["consumer"]).get(_url(world)).content.decode()
    assert 'id="headline"' in html
    assert "src-5</a>" not in html
    assert "src-5" in html
    assert 'id="recompute-button"' not in html  # read-only: no Recompute


def test_consumers_read_agreement_but_cannot_recompute(world, django_capture_on_commit_callbacks):
    page, api = page_client_for(world.users["consumer"]), api_client_for(world.users["consumer"])
    with django_capture_on_commit_callbacks(execute=True):
        refused = [page.post(_url(world), **HTMX).status_code, page.post(_url(world)).status_code,
                   api.post(reverse("api:agreement", args=[world.project.pk])).status_code]
    assert refused == [403, 403, 403]
    assert not Job.objects.filter(project=world.project, kind=JobKind.AGREEMENT).exists()
    assert api.get(reverse("api:agreement", args=[world.project.pk])).status_code == 200
    reviewer = page_client_for(world.users["reviewer"]).get(_url(world)).content.decode()
    assert 'id="recompute-button"' in reviewer


@pytest.mark.django_db(transaction=True)
def test_htmx_recompute_answers_the_progress_partial(world, labelled):
    """Commits are real here, so the eager task runs inside the POST, as on a server
    without REDIS_URL: the partial shows the finished job."""
    client = page_client_for(world.users["manager"])
    response = client.post(_url(world), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="recompute"')
    assert 'data-status="succeeded"' in html
    assert 'value="1.000"' in html
    assert 'id="show-new-report"' in html
    assert "hx-trigger" not in html
    job = Job.objects.get(kind=JobKind.AGREEMENT, project=world.project)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=0.0)
    cache.delete(progress_key(job.pk))
    job_progress(job_id=job.pk, progress=0.4, message="Computing the statistics")
    polled = client.get(_url(world), {"job": job.pk}, **HTMX).content.decode()
    assert 'data-status="running"' in polled
    assert 'value="0.400"' in polled
    assert "Computing the statistics" in polled
    assert f'hx-get="{_url(world)}?job={job.pk}"' in polled
    assert "disabled" in polled


def test_polling_another_projects_job_is_404(world, django_capture_on_commit_callbacks):
    other = Job.objects.create(kind=JobKind.IMPORT, project=world.project)
    client = page_client_for(world.users["manager"])
    assert client.get(_url(world), {"job": other.pk}, **HTMX).status_code == 404
    assert client.get(_url(world), {"job": other.pk + 999}, **HTMX).status_code == 404


@pytest.mark.parametrize("actor", ["annotator", "outsider"])
def test_recompute_and_polling_are_refused_without_the_right(world, actor):
    job = Job.objects.create(kind=JobKind.AGREEMENT, project=world.project)
    client = page_client_for(world.users[actor])
    expected = 403 if actor == "annotator" else 404
    assert client.post(_url(world), **HTMX).status_code == expected
    assert client.get(_url(world), {"job": job.pk}, **HTMX).status_code == expected
    assert client.get(_url(world, "projects:balance"), {"field": "source"}
                      ).status_code == expected


def test_the_balance_view_shows_distributions_warnings_and_slices(
        world, labelled, django_capture_on_commit_callbacks):
    _compute(world, django_capture_on_commit_callbacks)
    client = page_client_for(world.users["consumer"])
    html = client.get(_url(world, "projects:balance")).content.decode()
    # 12 submissions, each with PER; one left ORG out; 1 gold document with PER and ORG
    per = html[html.index('<tr data-label="PER">'):]
    assert per.split("</tr>")[0].split("<td>")[2].startswith("12<")
    org = html[html.index('<tr data-label="ORG">'):]
    assert org.split("</tr>")[0].split("<td>")[2].startswith("11<")
    # the only label under 2%: negative, never chosen in gold (submitted: 3 of 12)
    warnings = html[html.index('id="imbalance"'):html.index("</ul>", html.index('id="imbalance"'))]
    assert warnings.count("<li>") == 1
    assert "negative is 0.0% of sentiment in gold, under 2.0%." in warnings
    charts = {svg.get("id") for svg in _svgs(html)}
    assert {"entity-submitted-chart", "entity-gold-chart", "sentiment-submitted-chart"} <= charts

    warned = client.get(_url(world, "projects:balance"), {"min_share": 40}).content.decode()
    # sentiment: 9 positive, 3 negative = 25%, under 40%; relations: none at all, no warning
    assert "negative is 25.0% of sentiment in submitted annotations, under 40.0%." in warned

    sliced = client.get(_url(world, "projects:balance"), {"field": "source"}).content.decode()
    assert {"slice-agreement-chart", "slice-entity-submitted-chart"} <= {
        svg.get("id") for svg in _svgs(sliced)}
    assert 'data-value="news"' in sliced
    assert HOSTILE not in sliced
    assert "&lt;script&gt;" in sliced
    assert 'id="spread"' in sliced


def test_the_balance_partial_and_an_unknown_field(world, labelled,
                                                  django_capture_on_commit_callbacks):
    _compute(world, django_capture_on_commit_callbacks)
    client = page_client_for(world.users["manager"])
    partial = client.get(_url(world, "projects:balance"), {"field": "source"}, **HTMX)
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="balance-body">')
    assert "<nav" not in html
    unknown = client.get(_url(world, "projects:balance"), {"field": "nope"}).content.decode()
    assert "That field is not sliced in this report." in unknown


def test_a_report_from_before_balance_counts_says_to_recompute(world):
    AgreementReport.objects.create(project=world.project, computed_at="2025-01-01T00:00Z",
                                   report={"documents": 0, "notes": []})
    html = page_client_for(world.users["manager"]).get(_url(world, "projects:balance")).content
    assert b'id="outdated"' in html


@pytest.mark.parametrize("name", ["projects:agreement", "projects:balance"])
def test_pages_read_stored_reports_never_the_annotations(world, labelled, name,
                                                         django_capture_on_commit_callbacks):
    _compute(world, django_capture_on_commit_callbacks)
    client = page_client_for(world.users["manager"])
    client.get(_url(world, name))  # sessions, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(world, name), {"field": "source"})
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("annotation_annotation", "annotation_span", "annotation_relation",
                  "annotation_sentimentchoice"):
        assert table not in sql
    assert len(queries.captured_queries) <= 8
