"""Load the demo project through the services; safe to run twice.

The first run creates the users, one project with its labels, 60 documents, 120 submitted
annotations from three annotators who disagree in realistic ways, and 6 gold annotations.
A later run only makes sure the users (with the demo password) and memberships exist.

Once the data is committed, the demo starts an agreement job through the agreement service,
as the Recompute button does, unless the project has a report already: the report feeds the
agreement and balance dashboards and the review queue's disagreement order. Without
REDIS_URL the job runs in-process at once; with it, a worker computes it.
"""

import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from annotation.demo.corpus import DOCUMENTS, RELATION_RULES, SENTIMENTS, SOURCE, DemoDoc, Entity
from annotation.models import Annotation, AnnotationKind, AnnotationStatus, Document
from annotation.selectors.agreement import agreement_latest
from annotation.services import annotation_save, documents_create
from annotation.services.agreement.jobs import agreement_start
from annotation.services.assignments import assignments_backfill
from projects.models import Job, Membership, Project, Role
from projects.services import label_create, member_add, project_create

PROJECT_NAME = "Demo: World news"
PASSWORD = "concord-demo"
MEMBERS = [  # (username, role); admin is a superuser for the Django admin, not a member
    ("manager", Role.MANAGER), ("reviewer", Role.REVIEWER), ("annotator1", Role.ANNOTATOR),
    ("annotator2", Role.ANNOTATOR), ("annotator3", Role.ANNOTATOR), ("consumer", Role.CONSUMER),
]
ENTITY_LABELS = [("PER", "#4e79a7", "p"), ("ORG", "#f28e2b", "o"), ("LOC", "#59a14f", "l"),
                 ("DATE", "#b07aa1", "d")]
RELATION_LABELS = [("works_for", "#e15759", "w"), ("located_in", "#76b7b2", "i"),
                   ("born_in", "#edc948", "b")]
SENTIMENT_LABELS = [("negative", "#d37295", "1", -1.0), ("neutral", "#bab0ac", "2", 0.0),
                    ("positive", "#8cd17d", "3", 1.0)]
if [s[0] for s in SENTIMENT_LABELS] != list(SENTIMENTS):
    raise ImportError("the sentiment labels must follow the corpus's ordinal scale")

# Who labels which document, by position in DOCUMENTS: the first 30 get all three annotators
# (overlap 3, so "annotated"), the rest are partly labelled or untouched ("new").
COVERAGE = {"annotator1": range(45), "annotator2": [*range(30), *range(35, 45)],
            "annotator3": [*range(30), *range(45, 50)]}
GOLD_IDS = ("en-01", "zh-02", "en-04", "zh-07", "en-10", "zh-13")  # all fully annotated
SEED = 7

# How each annotator departs from the truth (probabilities per entity, relation or document).
STYLES: dict[str, dict[str, Any]] = {
    "annotator1": {"miss": 0.02, "miss_date": 0.03, "shrink": 0.03, "extend": 0.0,
                   "relabel": {}, "drop_rel": 0.03, "extra_rel": 0.0,
                   "sentiment": {"neutral": ("positive", 0.05)}},
    "annotator2": {"miss": 0.12, "miss_date": 0.12, "shrink": 0.12, "extend": 0.0,
                   "relabel": {"ORG": ("LOC", 0.15)}, "drop_rel": 0.25, "extra_rel": 0.0,
                   "sentiment": {"positive": ("neutral", 0.3), "neutral": ("positive", 0.15)}},
    "annotator3": {"miss": 0.05, "miss_date": 0.3, "shrink": 0.0, "extend": 0.12,
                   "relabel": {"LOC": ("ORG", 0.12), "ORG": ("PER", 0.04)}, "drop_rel": 0.1,
                   "extra_rel": 0.15,
                   "sentiment": {"negative": ("neutral", 0.3), "neutral": ("negative", 0.1),
                                 "positive": ("neutral", 0.1)}},
}

GUIDELINES = """\
# Guidelines: World news

The texts are short, fictional news items in English and Simplified Chinese. For each one,
mark the **entities**, link them with **relations**, and choose the **sentiment**.

## Entities

| Label | Key | What | Examples |
|---|---|---|---|
| PER | `p` | A named person | Maria Santos, 李明, Pieter de Vries |
| ORG | `o` | A company, institution, team or body | Helix Robotics, 蓉城银行, Harbor City FC |
| LOC | `l` | A city, region or country | Porto, 深圳, 内蒙古 |
| DATE | `d` | A date, day, month, year or season | 12 March 2024, 周二, 2025年底, spring 2026 |

### Boundaries

- Mark the shortest span that names the thing: `Maria Santos`, not `chief engineer Maria Santos`.
- Leave out titles and roles (CEO, 总经理, 程序员), articles (*the*) and punctuation.
- In `Boston-based`, mark `Boston` only. In Chinese, `北京市政府` is not a place: mark `北京`.
- Never include an emoji or flag (👩‍💻, 🇫🇷) in a span. The editor snaps to whole characters.
- Spans never overlap in this project.

## Relations

| Relation | Key | Head → tail | Example |
|---|---|---|---|
| works_for | `w` | PER → ORG | Sofia Rossi → Lumen Capital |
| located_in | `i` | ORG → LOC | Falcon Telecom → Dubai |
| born_in | `b` | PER → LOC | 王芳 → 成都 |

- Link only what the text states. *works_for* covers past, present and announced jobs.
- *located_in* is the organisation's home, not just a place where it does business.

## Sentiment

Choose one label for the whole text, from the reader's point of view of the news itself.

| Label | Key | Use when |
|---|---|---|
| negative | `1` | losses, closures, accidents, fines, job cuts |
| neutral | `2` | appointments, schedules, plain facts |
| positive | `3` | growth, records, awards, openings, new jobs |

When torn between neutral and a polar label, prefer **neutral**.
"""


@dataclass
class DemoResult:
    created: bool
    project: Project
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    agreement: Job | None = None  # the agreement job this run started, as it stands now


def load_demo() -> DemoResult:
    """Create the demo, or, when it exists, only make sure its users and members exist;
    then make sure it has an agreement report (see the module's docstring)."""
    with transaction.atomic():
        users = _ensure_users()
        project = Project.objects.filter(name=PROJECT_NAME, deleted_at__isnull=True).first()
        created = project is None
        if project is None:
            project = _create_project(users["manager"])
        _ensure_members(project)
        if created:
            _load_documents(project, users)
    job = _ensure_agreement(project, users["manager"])
    logins = [("admin", PASSWORD, "superuser (Django admin)")]
    logins += [(name, PASSWORD, str(role)) for name, role in MEMBERS]
    return DemoResult(created=created, project=project, logins=logins,
                      counts=demo_counts(project), agreement=job)


def _ensure_agreement(project: Project, manager: Any) -> Job | None:
    """Start the agreement job unless a report exists (a later run starts none, and a demo
    loaded before reports were part of it gets one). Outside the loading transaction, so
    the job reads committed data: its task is sent when agreement_start's transaction
    commits, and without REDIS_URL it has run (or failed) by the time this returns. Inside
    an outer transaction (a test's), it runs when that one commits."""
    if agreement_latest(project=project) is not None:
        return None
    job = agreement_start(project=project, by=manager)
    job.refresh_from_db()
    return job


def demo_counts(project: Project) -> dict[str, int]:
    docs = Document.objects.filter(project=project)
    annotations = Annotation.objects.filter(project=project)
    counts = {"documents": docs.count()}
    for status in ("new", "annotated", "reviewed"):
        counts[status] = docs.filter(status=status).count()
    counts["annotations"] = annotations.filter(kind=AnnotationKind.ANNOTATION,
                                               status=AnnotationStatus.SUBMITTED).count()
    counts["gold"] = annotations.filter(kind=AnnotationKind.GOLD).count()
    return counts


def _ensure_users() -> dict[str, Any]:
    """Create missing users; always (re)set the demo password so the printed logins work."""
    users = {}
    for name in ["admin", *(n for n, _ in MEMBERS)]:
        user, _ = get_user_model().objects.get_or_create(username=name)
        user.is_active = True
        if name == "admin":
            user.is_staff = user.is_superuser = True
        elif name == "manager":
            user.is_staff = True  # staff may create projects
        user.set_password(PASSWORD)
        user.save()
        users[name] = user
    return users


def _ensure_members(project: Project) -> None:
    present = set(Membership.objects.filter(project=project)
                  .values_list("user__username", flat=True))
    for name, role in MEMBERS:
        if name not in present:
            member_add(project=project, username=name, role=role)


def _create_project(manager: Any) -> Project:
    project = project_create(
        creator=manager, name=PROJECT_NAME,
        description="Short fictional news items in English and Chinese, some with emoji. "
                    "Label people, organisations, places and dates, how they relate, "
                    "and the tone of each item.",
        guidelines=GUIDELINES, tasks=["ner", "relations", "sentiment"], overlap=3,
        sentiment_scale="ordinal", sentiment_multi_label=False,
    )
    for name, color, key in ENTITY_LABELS:
        label_create(project=project, kind="entity", name=name, color=color, shortcut=key)
    for name, color, key in RELATION_LABELS:
        heads, tails = RELATION_RULES[name]
        label_create(project=project, kind="relation", name=name, color=color, shortcut=key,
                     directed=True, head_labels=list(heads), tail_labels=list(tails))
    for name, color, key, value in SENTIMENT_LABELS:
        label_create(project=project, kind="sentiment", name=name, color=color, shortcut=key,
                     value=value)
    return project


def _load_documents(project: Project, users: dict[str, Any]) -> None:
    documents_create(project=project, records=(
        {"id": d.external_id, "text": d.text, "meta": {"source": SOURCE, "lang": d.lang}}
        for d in DOCUMENTS))
    stored = {d.external_id: d for d in Document.objects.filter(project=project)}
    rng = random.Random(SEED)
    for pos, demo in enumerate(DOCUMENTS):
        document = stored[demo.external_id]
        for name in ("annotator1", "annotator2", "annotator3"):
            if pos not in COVERAGE[name]:
                continue
            content = perturb(demo, STYLES[name], rng)
            seconds = min(180.0, rng.uniform(20, 60) + len(demo.text) * rng.uniform(0.3, 0.9))
            annotation_save(document=document, content=content, annotator=users[name],
                            status=AnnotationStatus.SUBMITTED, version=0,
                            seconds_spent=round(seconds, 1))
        if demo.external_id in GOLD_IDS:
            annotation_save(document=document, content=truth(demo), annotator=users["reviewer"],
                            kind=AnnotationKind.GOLD, status=AnnotationStatus.SUBMITTED,
                            version=0, seconds_spent=round(rng.uniform(30, 90), 1))
    assignments_backfill(project_id=project.pk)


def _content(entities: list[Entity | None], relations: list[tuple[int, int, str]],
             sentiment: str | None) -> dict[str, Any]:
    """Native content; entity ids are T<index in the truth>, so dropped ones leave gaps."""
    ents = [{"id": f"T{i}", "start": e.start, "end": e.end, "label": e.label}
            for i, e in enumerate(entities) if e is not None]
    rels = []
    for head, tail, name in relations:
        h, t = entities[head], entities[tail]
        allowed_heads, allowed_tails = RELATION_RULES[name]
        if h is not None and t is not None and h.label in allowed_heads \
                and t.label in allowed_tails:
            rels.append({"head": f"T{head}", "tail": f"T{tail}", "label": name})
    return {"entities": ents, "relations": rels, "sentiment": sentiment}


def truth(demo: DemoDoc) -> dict[str, Any]:
    return _content(list(demo.entities), list(demo.relations), demo.sentiment)


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _shrink(demo: DemoDoc, ent: Entity) -> Entity:
    """Drop the last word (English) or character (Chinese) of a longer entity."""
    if demo.lang == "zh":
        end = ent.end - 1 if ent.end - ent.start >= 3 else ent.end
    else:
        cut = ent.text.rfind(" ")
        end = ent.start + cut if cut > 0 else ent.end
    return Entity(ent.start, end, ent.label, demo.text[ent.start:end])


def _extend(demo: DemoDoc, ent: Entity, floor: int) -> Entity:
    """Take in the word (English) or character (Chinese) before the entity, never past floor."""
    text, start = demo.text, ent.start
    if demo.lang == "zh":
        if start - 1 >= floor and _is_cjk(text[start - 1]):
            start -= 1
    elif start - 2 >= floor and text[start - 1] == " " and text[start - 2].isalpha():
        k = start - 2
        while k - 1 >= floor and text[k - 1].isalpha():
            k -= 1
        if k == 0 or not text[k - 1].isalpha():  # a whole word, never half of one
            start = k
    return Entity(start, ent.end, ent.label, text[start:ent.end])


def perturb(demo: DemoDoc, style: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One annotator's version of the truth, with the departures their style makes."""
    entities: list[Entity | None] = []
    floor = 0  # end of the previous kept span: a changed span never overlaps it
    for ent in demo.entities:
        miss = style["miss_date"] if ent.label == "DATE" else style["miss"]
        if rng.random() < miss:
            entities.append(None)
            continue
        if rng.random() < style["shrink"]:
            ent = _shrink(demo, ent)
        elif rng.random() < style["extend"]:
            ent = _extend(demo, ent, floor)
        new_label, p = style["relabel"].get(ent.label, (ent.label, 0.0))
        if rng.random() < p:
            ent = Entity(ent.start, ent.end, new_label, ent.text)
        if not (floor <= ent.start < ent.end <= len(demo.text)):
            raise AssertionError(f"{demo.external_id}: bad perturbed span {ent}")
        entities.append(ent)
        floor = ent.end
    relations = [r for r in demo.relations if rng.random() >= style["drop_rel"]]
    if rng.random() < style["extra_rel"]:
        relations += _extra_relation(entities, demo.relations, rng)
    sentiment: str | None = demo.sentiment
    alternative, p = style["sentiment"].get(demo.sentiment, (demo.sentiment, 0.0))
    if rng.random() < p:
        sentiment = alternative
    return _content(entities, relations, sentiment)


def _extra_relation(entities: list[Entity | None], truth_rels: tuple, rng: random.Random
                    ) -> list[tuple[int, int, str]]:
    """A plausible relation that the truth does not have, if the entities allow one."""
    have = {(h, t) for h, t, _ in truth_rels}
    options = [(h, t, name) for name, (heads, tails) in RELATION_RULES.items()
               for h, eh in enumerate(entities) for t, et in enumerate(entities)
               if eh and et and h != t and (h, t) not in have
               and eh.label in heads and et.label in tails]
    return [rng.choice(options)] if options else []
