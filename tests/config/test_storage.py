"""Production static files: hashed names all the way through the workbench's module graph."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings


@pytest.mark.slow  # a collectstatic of the whole tree
def test_collectstatic_rewrites_module_imports_to_hashed_names(tmp_path):
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "config.storage.StaticStorage"}}
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)
    [main] = [p for p in (tmp_path / "js/workbench").glob("main.*.js") if p.suffix == ".js"]
    imports = re.findall(r'from "\./([^"]+)"', main.read_text())
    assert imports
    assert all(re.fullmatch(r"\w+\.[0-9a-f]{12}\.js", name) for name in imports)
    assert all((tmp_path / "js/workbench" / name).exists() for name in imports)
    assert (tmp_path / "js/workbench" / f"{main.name}.gz").exists()
