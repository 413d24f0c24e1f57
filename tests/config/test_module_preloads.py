"""A page that loads an ES module preloads every module it imports, directly or not (no
build step bundles them: without the links the browser finds them one import at a time)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "static"
ENTRY = re.compile(r"""<script type="module" src="\{% static '([^']+)' %\}">""")
PRELOAD = re.compile(r"""<link rel="modulepreload" href="\{% static '([^']+)' %\}">""")
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^;]*?\bfrom\s+"(\.[^"]+)";""", re.M | re.S)


def imported(module: str) -> set[str]:
    """The static paths `module` imports, transitively."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        path = STATIC / todo.pop()
        for relative in IMPORT.findall(path.read_text()):
            target = (path.parent / relative).resolve().relative_to(STATIC).as_posix()
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize("template", ["annotation/workbench.html", "annotation/adjudicate.html"])
def test_a_module_page_preloads_what_its_script_imports(template):
    html = (ROOT / "templates" / template).read_text()
    [entry] = ENTRY.findall(html)
    assert set(PRELOAD.findall(html)) == imported(entry)
