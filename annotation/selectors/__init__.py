from annotation.selectors.documents import (
    DocumentPage,
    annotation_content,
    document_list,
    document_page,
    project_schema,
)
from annotation.selectors.labeling import (
    Progress,
    annotation_of,
    annotations_of_document,
    documents_open_to,
    labeling_document,
    live,
    next_answer,
    prediction_of,
    progress_of,
    saved_answer,
)

__all__ = [
    "DocumentPage",
    "Progress",
    "annotation_content",
    "annotation_of",
    "annotations_of_document",
    "document_list",
    "document_page",
    "documents_open_to",
    "labeling_document",
    "live",
    "next_answer",
    "prediction_of",
    "progress_of",
    "project_schema",
    "saved_answer",
]
