from annotation.services.store import (
    annotation_save,
    document_refresh_status,
    documents_create,
)

__all__ = ["annotation_save", "document_refresh_status", "documents_create"]
