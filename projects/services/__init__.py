from projects.services.jobs import (
    job_create,
    job_fail,
    job_fail_unexpected,
    job_progress,
    job_run,
)
from projects.services.labels import (
    label_create,
    label_delete,
    label_update,
    labels_create_bulk,
)
from projects.services.members import member_add, member_remove, member_update
from projects.services.preferences import language_preference_set
from projects.services.projects import project_create, project_delete, project_update
from projects.services.tokens import (
    token_obtain,
    token_regenerate,
    token_revoke,
    tokens_revoke_for_credentials,
)

__all__ = [
    "job_create", "job_fail", "job_fail_unexpected", "job_progress", "job_run",
    "label_create", "label_delete", "label_update", "labels_create_bulk",
    "language_preference_set",
    "member_add", "member_remove", "member_update",
    "project_create", "project_delete", "project_update",
    "token_obtain", "token_regenerate", "token_revoke", "tokens_revoke_for_credentials",
]
