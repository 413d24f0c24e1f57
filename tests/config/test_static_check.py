"""`check --deploy` and the web server's start say when static files are not collected (with
DEBUG off, pages would answer 500 for the missing manifest entries). Small trees, so
collectstatic runs in a moment."""

import logging

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client

from config.checks import report_at_start, static_files_problems


@pytest.fixture
def production_static(settings, tmp_path):
    """The production storage (hashed names, a manifest) over a two-file source tree."""
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: #222; }\n")
    (source / "app.js").write_text("export const answer = 42;\n")
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "config.storage.StaticStorage"}}
    return source


def ids(problems) -> list[str]:
    return [problem.id for problem in problems]


def test_an_empty_static_root_is_reported(production_static, settings):
    [problem] = static_files_problems()
    assert problem.id == "concord.E001"
    assert "Static files are not collected" in problem.msg
    assert str(settings.STATIC_ROOT) in problem.msg
    assert "manage.py collectstatic" in problem.hint


def test_collected_files_pass(production_static):
    call_command("collectstatic", interactive=False, verbosity=0)
    assert static_files_problems() == []


def test_a_file_added_since_collectstatic_is_named(production_static):
    call_command("collectstatic", interactive=False, verbosity=0)
    (production_static / "css" / "new.css").write_text("p { margin: 0; }\n")
    [problem] = static_files_problems()
    assert problem.id == "concord.E002"
    assert "1 file(s)" in problem.msg
    assert "css/new.css" in problem.msg


def test_a_corrupt_manifest_is_reported(production_static, settings):
    settings.STATIC_ROOT.mkdir()
    (settings.STATIC_ROOT / "staticfiles.json").write_text("not json")
    assert ids(static_files_problems()) == ["concord.E001"]


def test_it_is_a_deployment_check(production_static):
    assert "concord.E001" in ids(run_checks(include_deployment_checks=True))
    assert "concord.E001" not in ids(run_checks())  # not on every manage.py command


def test_source_files_served_as_they_are_need_nothing(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty"  # the test settings' plain storage (as DEBUG)
    assert static_files_problems() == []


def test_the_server_start_logs_it(production_static, caplog):
    with caplog.at_level(logging.ERROR, logger="config.checks"):
        report_at_start()
    [record] = caplog.records
    assert "Static files are not collected" in record.getMessage()
    assert "collectstatic" in record.getMessage()


@pytest.mark.django_db
def test_without_the_check_a_page_would_answer_500(production_static):
    """What the check warns of: the login page links a stylesheet with no manifest entry."""
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        Client().get("/accounts/login/")
