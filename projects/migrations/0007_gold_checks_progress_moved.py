"""GoldCheckScore and ProgressSnapshot now belong to the annotation app
(annotation/migrations/0008): they leave this app's state; their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0006_audit_requeue'),
        ('annotation', '0008_gold_checks_progress_moved'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='GoldCheckScore'),
                migrations.DeleteModel(name='ProgressSnapshot'),
            ],
            database_operations=[],
        ),
    ]
