"""A project with gold to train on: synthetic English and Chinese sentences whose entities
and sentiment follow patterns a model can learn, with names drawn from disjoint pools."""

import random

import pytest

from annotation.models import Document
from annotation.services.gold import gold_save
from tests.factories import DocumentFactory

PEOPLE = ["Alice Smith", "Bob Jones", "Carla Diaz", "Deepak Rao", "Erin Wolfe", "Farid Aziz",
          "Grace Lee", "Hiro Sato", "Ines Costa", "Jonas Berg"]
ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Inc", "阿里巴巴", "腾讯", "Hooli", "Vandelay"]
GOOD = ["great", "wonderful", "excellent", "happy", "superb"]
BAD = ["terrible", "awful", "poor", "sad", "dreadful"]


def gold_content(rng: random.Random) -> tuple[str, dict]:
    person, org = rng.choice(PEOPLE), rng.choice(ORGS)
    positive = rng.random() < 0.5
    mood = rng.choice(GOOD if positive else BAD)
    prefix = rng.choice(["", "🎉 ", "Today ", "News: "])
    text = f"{prefix}{person} joined {org} and felt {mood} about it ."
    start = len(prefix)
    org_start = text.index(org, start + len(person))
    return text, {"entities": [{"id": "T1", "start": start, "end": start + len(person),
                                "label": "PER"},
                               {"id": "T2", "start": org_start, "end": org_start + len(org),
                                "label": "ORG"}],
                  "relations": [{"head": "T1", "tail": "T2", "label": "works_for"}],
                  "sentiment": "positive" if positive else "negative"}


def add_gold(project, reviewer, n: int, seed: int = 0) -> list[Document]:
    rng, documents = random.Random(seed), []
    for _ in range(n):
        text, content = gold_content(rng)
        document = DocumentFactory(project=project, text=text)
        gold_save(document=document, content=content, by=reviewer, version=0)
        documents.append(document)
    return documents


@pytest.fixture
def trained_world(world, media):
    """The world project with 60 gold documents and 5 open ones."""
    add_gold(world.project, world.users["reviewer"], 60)
    world.open = [DocumentFactory(project=world.project,
                                  text=f"Yesterday {name} joined Initech and felt great .")
                  for name in ("Kim Park", "Lena Roth", "Mo Chen", "Nia Long", "Oskar Ek")]
    return world
