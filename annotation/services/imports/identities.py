"""Who imported annotations belong to (docs/imports.md, Annotators).

A name in a file is the project member with that username, or else the project's imported
identity of that name: an inactive account with an unusable password and a reserved
username, made when missing. An existing account that is no member of the project is never
used, whatever its name.
"""

from collections.abc import Collection, Iterable, Iterator

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotation.models import IMPORTED_NAME_MAX, ImportedIdentity
from projects.models import Membership, Project

CHUNK = 1000  # names per query
_USERNAME = UnicodeUsernameValidator()


def imported_name_problem(name: str) -> str | None:
    """Why `name` cannot name an imported identity (it is validated as Django validates a
    username, and is shorter), or None."""
    if not name or len(name) > IMPORTED_NAME_MAX:
        return (f"an annotator who is no member of the project gets an imported identity, "
                f"whose name has 1 to {IMPORTED_NAME_MAX} characters (this one has "
                f"{len(name):,})")
    try:
        _USERNAME(name)
    except ValidationError:
        return (f"{name[:40]!r} is no member of the project, and cannot name an imported "
                f"identity: a name is a username, of letters, digits and @ . + - _ only")
    return None


def identity_username(*, project_id: int, name: str, n: int = 1) -> str:
    """The reserved username of an imported identity: `<name>@import-p<project id>`, and
    `-<n>` after it when an account holds that username already. It passes Django's username
    validator, and fits its 150 characters (the name has at most IMPORTED_NAME_MAX)."""
    base = f"{name}@import-p{project_id}"
    return base if n == 1 else f"{base}-{n}"


def _chunks(names: Iterable[str]) -> Iterator[list[str]]:
    chunk: list[str] = []
    for name in names:
        chunk.append(name)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _free_usernames(project_id: int, names: list[str]) -> dict[str, str]:
    """A username no account holds, for each name: a query per CHUNK names, and one more per
    round for the few whose first choice was taken."""
    chosen: dict[str, str] = {}
    todo, n = names, 1
    while todo:
        wanted = {identity_username(project_id=project_id, name=name, n=n): name
                  for name in todo}
        taken: set[str] = set()
        for chunk in _chunks(wanted):
            taken.update(User.objects.filter(username__in=chunk)
                         .values_list("username", flat=True))
        chosen.update({name: username for username, name in wanted.items()
                       if username not in taken})
        todo, n = [wanted[username] for username in wanted if username in taken], n + 1
    return chosen


@transaction.atomic
def imported_identities(*, project: Project, names: Collection[str]) -> dict[str, int]:
    """The user id of the project's imported identity of each name, made when missing (in
    bulk: a few queries for any number of names). The names are valid
    (imported_name_problem)."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return _identities(project, names)
        except IntegrityError:  # an import beside this one made some of them: read them
            continue
    return _identities(project, names)


def _identities(project: Project, names: Collection[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(names)):
        found.update(ImportedIdentity.objects.filter(project=project, name__in=chunk)
                     .values_list("name", "user_id"))
    new = sorted(set(names) - set(found))
    if not new:
        return found
    usernames = _free_usernames(project.pk, new)
    users = User.objects.bulk_create([
        User(username=usernames[name], is_active=False, password=make_password(None))
        for name in new], batch_size=CHUNK)
    ImportedIdentity.objects.bulk_create([
        ImportedIdentity(project=project, user=user, name=name)
        for name, user in zip(new, users, strict=True)], batch_size=CHUNK)
    found.update({name: user.pk for name, user in zip(new, users, strict=True)})
    return found


class Annotators:
    """The annotator names of one import: `problem` checks a name when its record is read;
    `resolve` maps a batch's names to user ids before the batch is written."""

    def __init__(self, *, project: Project) -> None:
        self.project = project
        self.members = dict(Membership.objects.filter(project=project)
                            .values_list("user__username", "user_id"))
        self.ids: dict[str, int] = dict(self.members)

    def problem(self, name: str) -> str | None:
        return None if name in self.members else imported_name_problem(name)

    def resolve(self, names: Iterable[str]) -> None:
        missing = {name for name in names if name not in self.ids}
        if missing:
            self.ids.update(imported_identities(project=self.project, names=missing))

    def user_id(self, name: str) -> int:
        return self.ids[name]
