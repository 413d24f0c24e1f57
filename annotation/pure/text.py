import hashlib


def content_hash(text: str) -> str:
    """The sha256 of the UTF-8 text: the key of exact de-duplication."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
