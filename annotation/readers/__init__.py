"""The import pipeline: decoding, format readers, cleaning, PII, de-duplication.

Everything in this package is free of Django (an import-linter contract says so): it turns
bytes into `Record`s and `Problem`s. `annotation.services.imports.jobs` stores them.
"""
