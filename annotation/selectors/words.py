"""The word boundaries the editor snaps to, where the project segments Chinese into words
(annotation/pure/segment.py): the browser's tokenizer cuts Han text per character, and
joins the characters of each word the server sends."""

import hashlib

from django.core.cache import cache

from annotation.models import Document
from annotation.pure.segment import han_words
from projects.models import Project, Segmentation

CACHE_SECONDS = 24 * 3600


def document_words(*, project: Project, document: Document) -> list[int] | None:
    """The document's multi-character words as flat code-point pairs [start, end, ...], or
    None when the project cuts Han text per character. Cached by the text's digest, since
    jieba takes about a second per 400,000 characters."""
    if project.segmentation != Segmentation.JIEBA:
        return None
    digest = hashlib.blake2b(document.text.encode("utf-8", "surrogatepass"),
                             digest_size=16).hexdigest()
    key = f"jieba-words:{digest}"
    words: list[int] | None = cache.get(key)
    if words is None:
        words = han_words(document.text).ravel().tolist()
        cache.set(key, words, CACHE_SECONDS)
    return words
