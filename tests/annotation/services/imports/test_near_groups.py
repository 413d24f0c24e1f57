import hashlib

import pytest

from annotation.services.imports.near_groups import WrittenKeys, group_rows
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_finder_keys_map_to_hashes_and_missing_ones_to_none(world):
    written = WrittenKeys(world.project)
    for key, text in [(7, "g"), (3, "c"), (1 << 62 | 5, "e"), (9, "i")]:
        written.add(key, sha(text))
    found = written.hashes_of([3, 9, 4, 1 << 62 | 5, 100, 0])
    assert found == [int(sha("c")[:16], 16), int(sha("i")[:16], 16), None,
                     int(sha("e")[:16], 16), None, None]
    assert WrittenKeys(world.project).hashes_of([1, 2]) == [None, None]


def test_groups_take_their_smallest_id_stored_documents_included(world):
    stored = world.document
    written = WrittenKeys(world.project)
    docs = [DocumentFactory(project=world.project, text=t) for t in ("a", "b", "c")]
    DocumentFactory(text="b")  # another project's copy of a text is never taken
    for key, doc in enumerate(docs, start=1):
        written.add(key, doc.content_hash)
    rows = group_rows([[-stored.pk, 2], [1, 3], [5, 3]], written)  # key 5: never written
    assert rows == sorted([(stored.pk, stored.pk), (docs[0].pk, docs[0].pk),
                           (docs[1].pk, stored.pk), (docs[2].pk, docs[0].pk)])
    assert group_rows([[5, 6]], written) == []
