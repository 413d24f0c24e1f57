"""The annotation pages, one module per feature; their routes are in annotation/urls.py."""
