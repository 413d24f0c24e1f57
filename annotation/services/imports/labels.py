import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils.translation import gettext as _

from annotation.pure.content import Content, LabelSpec, Schema
from annotation.readers.records import Labelling, Problem
from projects.models import Label, LabelKind, Project
from projects.services import labels_create_bulk

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


MAX_UNKNOWN = 1000  # unknown label names listed in the report
NAME_MAX = Label._meta.get_field("name").max_length or 100
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class LabelMaker:
    """Checks the label names a file uses; creates the missing ones when asked to.

    A new label joins the import's schema at once, under a placeholder id (negative), so that
    the records naming it validate; `flush` creates the waiting labels in bulk before the
    batch that uses them is written, and gives that batch their ids. No query per label: a
    file naming 100,000 new labels used to run a COUNT(*) and a full schema reload for each.
    The project holds at most CONCORD_PROJECT_MAX_LABELS labels: a record that would pass the
    limit is a problem, with its line and field.
    """

    def __init__(self, *, project: Project, create: bool, schema: Schema,
                 progress: Callable[[str], None] | None = None) -> None:
        self.project, self.create, self.progress = project, create, progress
        self.specs = schema.labels  # the import's own schema: new labels join it
        self.limit = settings.CONCORD_PROJECT_MAX_LABELS
        self.count = len(self.specs)  # the project's labels, with those waiting
        self.waiting: list[tuple[str, str]] = []
        self.created: list[str] = []
        self.unknown: set[str] = set()

    def ensure(self, lab: Labelling, *, line: int, where: str) -> Problem | None:
        """Create (in the schema) the labels `lab` names and the project lacks, if asked to;
        a Problem when one cannot be."""
        wanted: list[tuple[str, str, str]] = [
            (LabelKind.ENTITY, e.label, f"{where}.entities[{i}].label")
            for i, e in enumerate(lab.entities)]
        wanted += [(LabelKind.RELATION, r.label, f"{where}.relations[{i}].label")
                   for i, r in enumerate(lab.relations)]
        sentiment = lab.sentiment if isinstance(lab.sentiment, list) else (
            [lab.sentiment] if lab.sentiment else [])
        wanted += [(LabelKind.SENTIMENT, s, f"{where}.sentiment") for s in sentiment
                   if isinstance(s, str)]
        missing: dict[tuple[str, str], str] = {}
        for kind, name, field in wanted:
            if (kind, name) not in self.specs:
                missing.setdefault((kind, name), field)
        if not missing:
            return None
        if not self.create:
            for kind, name in missing:  # the report lists the first MAX_UNKNOWN
                if len(self.unknown) < MAX_UNKNOWN:
                    self.unknown.add(f"{kind}:{name}")
            return None
        for (kind, name), field in missing.items():
            if not name.strip() or len(name) > NAME_MAX or CONTROL.search(name):
                return Problem(line, field, f"cannot create the {kind} label {name[:100]!r}: "
                               f"a label name has 1 to {NAME_MAX} characters, none of them "
                               f"a control character")
        if self.count + len(missing) > self.limit:
            (kind, name), field = next(iter(missing.items()))
            return Problem(line, field, f"cannot create the {kind} label {name!r}: a project "
                           f"holds at most {self.limit:,} labels (setting "
                           f"CONCORD_PROJECT_MAX_LABELS), and this record's new labels would "
                           f"make {self.count + len(missing):,}")
        for kind, name in missing:
            self.waiting.append((kind, name))
            self.specs[(kind, name)] = LabelSpec(id=-len(self.waiting), name=name, kind=kind)
            self.created.append(f"{kind}:{name}")
        self.count += len(missing)
        return None

    def flush(self, contents: Iterable[Content]) -> dict[int, int]:
        """Create the waiting labels, in bulk; `contents`, which may name them, get their
        ids. The placeholder ids to the created labels' ids."""
        if not self.waiting:
            return {}
        waiting, self.waiting = self.waiting, []
        first = self.count - len(waiting)
        if self.progress is not None:
            self.progress(_("Creating %(n)s labels") % {"n": f"{len(waiting):,}"})
        labels = labels_create_bulk(
            project=self.project, progress=self._created,
            labels=[(kind, name, PALETTE[(first + i) % len(PALETTE)])
                    for i, (kind, name) in enumerate(waiting)])
        ids: dict[int, int] = {}
        for label in labels:
            key = (label.kind, label.name)
            ids[self.specs[key].id] = label.pk
            self.specs[key] = LabelSpec(id=label.pk, name=label.name, kind=label.kind,
                                        order=label.order)
        for content in contents:
            _renumber(content, ids)
        return ids

    def _created(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(_("Created %(done)s of %(total)s labels")
                          % {"done": f"{done:,}", "total": f"{total:,}"})


def _renumber(content: Content, ids: dict[int, int]) -> None:
    """Placeholder label ids (negative) to the created labels' ids, sorted as `validate`
    sorts them."""
    content.entities = [(s, e, ids.get(lb, lb)) for s, e, lb in content.entities]
    content.relations = sorted((h, t, ids.get(lb, lb)) for h, t, lb in content.relations)
    content.sentiment = sorted(ids.get(lb, lb) for lb in content.sentiment)
