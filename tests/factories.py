from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from annotation.models import Assignment, DatasetVersion, Document
from annotation.pure.text import content_hash
from projects.models import Label, LabelKind, Membership, Project, Role

PASSWORD = "pw-for-tests"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    tasks = factory.LazyFunction(lambda: ["ner", "relations", "sentiment"])
    overlap = 2


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    project = factory.SubFactory(ProjectFactory)
    kind = LabelKind.ENTITY
    name = factory.Sequence(lambda n: f"L{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ANNOTATOR


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    project = factory.SubFactory(ProjectFactory)
    text = factory.Sequence(lambda n: f"Document number {n} about Alice and 阿里巴巴 🎉")
    external_id = factory.Sequence(lambda n: f"doc-{n}")
    content_hash = factory.LazyAttribute(lambda o: content_hash(o.text))


class AssignmentFactory(factory.django.DjangoModelFactory):
    """A running lease."""

    class Meta:
        model = Assignment

    document = factory.SubFactory(DocumentFactory)
    project = factory.LazyAttribute(lambda o: o.document.project)
    annotator = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=30))


class VersionFactory(factory.django.DjangoModelFactory):
    """A stored dataset version and its bytes."""

    class Meta:
        model = DatasetVersion

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"v{n}")
    format = "jsonl"
    scope = "gold"
    sha256 = ""

    @factory.lazy_attribute
    def file(self):
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        return default_storage.save(f"exports/test/{self.name}.jsonl", ContentFile(b"{}\n"))
