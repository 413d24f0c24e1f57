"""GoldCheckScore and ProgressSnapshot move from the projects app to this one (issue 16):
the models' state only, their tables keep their names (Meta.db_table), and their content
types (and so their permissions) follow them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, source="projects", target="annotation"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("goldcheckscore", "progresssnapshot"):
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="annotation", target="projects")


class Migration(migrations.Migration):

    dependencies = [
        ('annotation', '0007_imported_identity'),
        ('projects', '0006_audit_requeue'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ProgressSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('computed_at', models.DateTimeField()),
                        ('data', models.JSONField(default=dict)),
                        ('project', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project')),
                    ],
                    options={
                        'db_table': 'projects_progresssnapshot',
                    },
                ),
                migrations.CreateModel(
                    name='GoldCheckScore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('gold_version', models.PositiveIntegerField(default=0)),
                        ('gold_entities', models.PositiveIntegerField(default=0)),
                        ('entities', models.PositiveIntegerField(default=0)),
                        ('matched_entities', models.PositiveIntegerField(default=0)),
                        ('entity_f1', models.FloatField(blank=True, null=True)),
                        ('gold_relations', models.PositiveIntegerField(default=0)),
                        ('relations', models.PositiveIntegerField(default=0)),
                        ('matched_relations', models.PositiveIntegerField(default=0)),
                        ('relation_f1', models.FloatField(blank=True, null=True)),
                        ('sentiment_correct', models.BooleanField(blank=True, null=True)),
                        ('scored_at', models.DateTimeField()),
                        ('annotator', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('document', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='annotation.document')),
                        ('project', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='projects.project')),
                    ],
                    options={
                        'db_table': 'projects_goldcheckscore',
                        'ordering': ['-scored_at', '-id'],
                        'indexes': [models.Index(fields=['project', 'annotator'], name='goldscore_by_annotator')],
                        'constraints': [models.UniqueConstraint(fields=('document', 'annotator'), name='goldscore_unique'), models.CheckConstraint(condition=models.Q(models.Q(('entity_f1__gte', 0), ('entity_f1__lte', 1)), ('entity_f1__isnull', True), _connector='OR'), name='goldscore_entity_f1'), models.CheckConstraint(condition=models.Q(models.Q(('relation_f1__gte', 0), ('relation_f1__lte', 1)), ('relation_f1__isnull', True), _connector='OR'), name='goldscore_relation_f1')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
