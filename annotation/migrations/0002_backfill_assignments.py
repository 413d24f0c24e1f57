"""Annotations stored before assignments were kept for them (imports, the demo) get one,
so that they count among a document's k holders."""

from django.db import migrations

# A copy of annotation.services.assignments.BACKFILL_SQL as it was when this was written.
BACKFILL_SQL = """
INSERT INTO annotation_assignment
    (project_id, document_id, annotator_id, status, created_at, expires_at, finished_at)
SELECT a.project_id, a.document_id, a.annotator_id,
       CASE WHEN a.status = 'submitted' THEN 'submitted' ELSE 'expired' END,
       a.created_at, a.created_at, a.submitted_at
FROM annotation_annotation a
WHERE a.project_id = %s AND a.kind = 'annotation' AND NOT EXISTS (
    SELECT 1 FROM annotation_assignment s
    WHERE s.document_id = a.document_id AND s.annotator_id = a.annotator_id)
"""


def backfill(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    with schema_editor.connection.cursor() as cursor:
        for project_id in Project.objects.values_list("pk", flat=True):
            cursor.execute(BACKFILL_SQL, [project_id])


class Migration(migrations.Migration):
    dependencies = [("annotation", "0001_initial"), ("projects", "0001_initial")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
