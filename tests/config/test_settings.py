"""Configuration: the environment drives settings; production refuses unsafe defaults."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from config.checks import found_static_names
from tests.conftest import ROOT


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "CONCORD_")) and k not in ("DATABASE_URL",
                                                                     "REDIS_URL")}
    return subprocess.run(args, cwd=ROOT, env={**base, **env}, capture_output=True, text=True,
                          timeout=120, check=False)


def settings_value(expr: str, **env: str) -> str:
    code = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); from django.conf import settings; "
            f"print({expr})")
    result = run([sys.executable, "-c", code], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_no_environment_means_sqlite_and_in_process_tasks():
    assert settings_value("settings.DATABASES['default']['ENGINE']", DJANGO_DEBUG="1") == \
        "django.db.backends.sqlite3"
    assert settings_value("settings.CELERY_TASK_ALWAYS_EAGER", DJANGO_DEBUG="1") == "True"


def test_in_process_tasks_run_without_a_broker_warning(tmp_path):
    """The demo's console: a task sent in-process once printed kombu's 'No hostname was
    supplied' warning, which reads like a misconfiguration."""
    code = ("import django, logging, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'config.settings'); django.setup(); logging.basicConfig(); "
            "from config.celery_app import app; "
            "conn = app.connection_for_write(); conn.default_channel; print(conn.as_uri())")
    result = run([sys.executable, "-c", code], DJANGO_DEBUG="1",
                 DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("memory://")
    assert "No hostname" not in result.stderr


def test_environment_selects_postgres_and_redis():
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": "postgres://u:p@db:5432/concord",
           "REDIS_URL": "redis://cache:6379/0"}
    assert settings_value("settings.DATABASES['default']['ENGINE']", **env) == \
        "django.db.backends.postgresql"
    assert settings_value("(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL, "
                          "settings.CACHES['default']['BACKEND'])", **env) == \
        "(False, 'redis://cache:6379/0', 'config.cache.ResilientRedisCache')"


def test_celery_uses_json_time_limits_and_late_acks():
    value = settings_value("(settings.CELERY_TASK_SERIALIZER, settings.CELERY_ACCEPT_CONTENT, "
                           "settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT,"
                           " settings.CELERY_TASK_ACKS_LATE)", DJANGO_DEBUG="1")
    assert value == "('json', ['json'], True, True)"


def test_production_requires_a_secret_key():
    result = run([sys.executable, "manage.py", "check"], DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_defaults_to_off():
    assert settings_value("settings.DEBUG", DJANGO_SECRET_KEY="k" * 50) == "False"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # Collected static files, as in the image: a manifest naming every source file (what the
    # check reads; collectstatic itself is tested in test_static_check.py and test_storage.py).
    paths = {name: name for name in found_static_names()}
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": paths, "version": "1.1", "hash": ""}))
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                 DJANGO_DEBUG="0", DJANGO_SECRET_KEY="p" * 20 + "Q9#x" * 10,
                 DJANGO_ALLOWED_HOSTS="concord.example.org", CONCORD_STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_says_when_static_files_are_not_collected(tmp_path):
    result = run([sys.executable, "manage.py", "check", "--deploy"],
                 DJANGO_DEBUG="0", DJANGO_SECRET_KEY="p" * 20 + "Q9#x" * 10,
                 DJANGO_ALLOWED_HOSTS="concord.example.org", CONCORD_STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0
    assert "(concord.E001) Static files are not collected" in result.stderr
    assert "manage.py collectstatic" in result.stderr


def test_migrations_are_complete():
    result = run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
                 DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = run([str(ROOT / ".venv" / "bin" / "ruff"), "check", "."])
    assert result.returncode == 0, result.stdout


def test_pure_modules_stay_free_of_django():
    result = run([str(ROOT / ".venv" / "bin" / "lint-imports")])
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_mypy_on_services_selectors_and_pure_modules():
    result = run([str(ROOT / ".venv" / "bin" / "mypy")], DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stdout


def _compose() -> list[str] | None:
    if shutil.which("docker") and run(["docker", "compose", "version"]).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_docker_compose_file_is_valid():
    compose = _compose()
    if compose is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed "
                    "(.ci/run installs it)")
    result = run([*compose, "-f", "docker-compose.yml", "config", "--quiet"],
                 DJANGO_SECRET_KEY="compose-check")
    assert result.returncode == 0, result.stderr
