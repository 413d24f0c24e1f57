"""How annotators are named where people read them (docs/imports.md, Annotators).

A member is their username. An imported identity (annotation.models.ImportedIdentity) is the
name from its file with a mark, `alice (imported)`: never its reserved username
(`alice@import-p7`), and never to be taken for an account, since no username holds a space or
a parenthesis. Exports write the name from the file alone, so that they import again as they
came (annotation/selectors/exports.py).
"""

from collections.abc import Iterable

from django.contrib.auth.models import User

IMPORTED_MARK = " (imported)"
# The imported name of an annotation's annotator, for values_list (None for an account).
IMPORTED_NAME = "annotator__imported_identity__name"


def annotator_label(username: str, imported: str | None) -> str:
    """`username`, or the imported identity's name with its mark."""
    return f"{imported}{IMPORTED_MARK}" if imported is not None else username


def annotator_labels(*, user_ids: Iterable[int]) -> dict[int, str]:
    """user id -> annotator_label, in one query."""
    rows = (User.objects.filter(pk__in=list(user_ids))
            .values_list("pk", "username", "imported_identity__name"))
    return {pk: annotator_label(username, imported) for pk, username, imported in rows}
