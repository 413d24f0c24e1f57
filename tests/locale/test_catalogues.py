"""The Simplified Chinese catalogues are complete: every string the code and templates mark
is translated, none is fuzzy, placeholders are the msgid's, and the compiled .mo files are the
.po files' (they are committed, so a machine without gettext serves them)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
# The JavaScript modules' messages come from the server (annotation/views/messages.py), so
# Django's catalogue holds them: there is no djangojs domain.
DOMAINS = ["django"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]?\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}")


def catalogue(domain: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"))


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) if not m.group(1) else f"%({m.group(1)})" for m in
                  PLACEHOLDER.finditer(text.replace("%%", "")))


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_none_is_fuzzy(domain):
    po = catalogue(domain)
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_are_the_msgids(domain):
    wrong = []
    for entry in po_entries(domain):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        expected = placeholders(sources[-1])
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [
            entry.msgstr]
        wrong += [(entry.msgid, t) for t in translations if placeholders(t) != expected]
    assert wrong == []


def po_entries(domain: str) -> list[polib.POEntry]:
    return [e for e in catalogue(domain) if not e.obsolete]


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_committed_mo_is_the_po_compiled(domain, tmp_path):
    compiled = tmp_path / "compiled.mo"
    catalogue(domain).save_as_mofile(str(compiled))
    committed = polib.mofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.mo"))
    fresh = polib.mofile(str(compiled))
    key = lambda e: (e.msgctxt or "", e.msgid)  # noqa: E731
    assert sorted((key(e), e.msgstr, tuple(sorted(e.msgstr_plural.items())))
                  for e in committed) == sorted(
        (key(e), e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in fresh)


def test_the_catalogue_holds_every_marked_string(tmp_path):
    """makemessages over a copy of the sources: nothing may come out untranslated."""
    base = Path(settings.BASE_DIR)
    for name in ("annotation", "projects", "config", "templates", "static", "locale"):
        shutil.copytree(base / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(base / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "zh_Hans",
                    "--no-obsolete"], cwd=tmp_path, env=env, check=True, capture_output=True)
    po = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()] == []
