"""Imported predictions were stored as annotations of kind `prediction`; they are suggestions
now (DESIGN.md, "Agents and suggestions"). Each project's become suggestions of its agent
`imported` (created when missing): every span an entity, every relation a relation with its
head's and tail's offsets, every sentiment choice a sentiment, with no model version and a
score of 1. Then the prediction annotations (with their spans, relations and sentiment) are
deleted. Backwards it does nothing: the suggestions stay."""

from collections import defaultdict

from django.db import migrations

CHUNK = 2000


def forward(apps, schema_editor):
    Annotation = apps.get_model("annotation", "Annotation")
    Agent = apps.get_model("annotation", "Agent")
    Suggestion = apps.get_model("annotation", "Suggestion")
    Span = apps.get_model("annotation", "Span")
    Relation = apps.get_model("annotation", "Relation")
    SentimentChoice = apps.get_model("annotation", "SentimentChoice")
    predictions = Annotation.objects.filter(kind="prediction")
    projects = sorted(set(predictions.values_list("project_id", flat=True)))
    for project_id in projects:
        agent = (Agent.objects.filter(project_id=project_id, name="imported").first()
                 or Agent.objects.create(project_id=project_id, name="imported",
                                         kind="imported"))
        ids = list(predictions.filter(project_id=project_id).order_by("id")
                   .values_list("id", "document_id"))
        for at in range(0, len(ids), CHUNK):
            chunk = dict(ids[at:at + CHUNK])
            rows = defaultdict(list)

            def add(ann, kind, label, start=None, end=None, tail_start=None, tail_end=None,
                    rows=rows, chunk=chunk):
                rows[ann].append(Suggestion(
                    project_id=project_id, document_id=chunk[ann], agent_id=agent.pk,
                    model_version="", kind=kind, label_id=label, start=start, end=end,
                    tail_start=tail_start, tail_end=tail_end, score=1.0, detail={}))

            for ann, label, start, end in (Span.objects.filter(annotation_id__in=chunk)
                                           .order_by("annotation_id", "start", "end", "id")
                                           .values_list("annotation_id", "label_id", "start",
                                                        "end")):
                add(ann, "entity", label, start, end)
            for ann, label, hs, he, ts, te in (
                    Relation.objects.filter(annotation_id__in=chunk)
                    .order_by("annotation_id", "id")
                    .values_list("annotation_id", "label_id", "head__start", "head__end",
                                 "tail__start", "tail__end")):
                add(ann, "relation", label, hs, he, ts, te)
            for ann, label in (SentimentChoice.objects.filter(annotation_id__in=chunk)
                               .order_by("annotation_id", "id")
                               .values_list("annotation_id", "label_id")):
                add(ann, "sentiment", label)
            Suggestion.objects.bulk_create([row for ann in chunk for row in rows[ann]],
                                           batch_size=1000)
            Annotation.objects.filter(pk__in=chunk).delete()


class Migration(migrations.Migration):
    dependencies = [("annotation", "0009_agents")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
