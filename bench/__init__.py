"""Concord's performance harness: `python -m bench --scenario lists --n 10000` (see README.md)."""
