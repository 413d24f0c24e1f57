from annotation.imports.records import Labelling
from projects.models import LabelKind, Project
from projects.services import label_create

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


class LabelMaker:
    """Checks the label names a file uses; creates the missing ones when asked to."""

    def __init__(self, *, project: Project, create: bool) -> None:
        self.project, self.create = project, create
        self.known = set(project.labels.values_list("kind", "name"))
        self.created: list[str] = []
        self.unknown: set[str] = set()

    def ensure(self, lab: Labelling) -> bool:
        """True when labels were created (the caller reloads its schema)."""
        wanted = [(LabelKind.ENTITY, e.label) for e in lab.entities]
        wanted += [(LabelKind.RELATION, r.label) for r in lab.relations]
        sentiment = lab.sentiment if isinstance(lab.sentiment, list) else (
            [lab.sentiment] if lab.sentiment else [])
        wanted += [(LabelKind.SENTIMENT, s) for s in sentiment if isinstance(s, str)]
        missing = [(k, n) for k, n in dict.fromkeys(wanted) if (k, n) not in self.known]
        if not missing:
            return False
        if not self.create:
            self.unknown.update(f"{k}:{n}" for k, n in missing)
            return False
        for kind, name in missing:
            label_create(project=self.project, kind=kind, name=name,
                         color=PALETTE[len(self.known) % len(PALETTE)])
            self.known.add((kind, name))
            self.created.append(f"{kind}:{name}")
        return True
