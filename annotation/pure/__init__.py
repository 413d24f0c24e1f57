"""Django-free computation: text handling, agreement metrics, format writers.

Only the standard library and numpy may be imported here (an import-linter contract in
pyproject.toml enforces it), so these modules are tested against reference libraries
without a database.
"""
