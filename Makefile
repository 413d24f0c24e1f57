# Concord: `make demo` serves a demo at http://127.0.0.1:8000; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
SCENARIO ?= lists
N ?= 10000
DEV_ENV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: demo test install install-dev migrate bench lint typecheck check-deploy clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Two stamps: the runtime dependencies (the demo, check-deploy) and the test-only `dev` extra
# (test, lint, bench). Installing the extra also satisfies the runtime stamp; installing the
# runtime alone never satisfies the extra's. Editing pyproject.toml outdates both.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP) $(DEV_STAMP)

install: $(STAMP)

install-dev: $(DEV_STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench --scenario $(SCENARIO) --n $(N)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/mypy

# Static files first, as the image does: the check reports uncollected ones (config/checks.py).
check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only $(BIN)/python manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$(openssl rand -hex 32) DJANGO_ALLOWED_HOSTS=concord.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
