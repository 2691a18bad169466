# VillaGuard: the README's commands. Works on a fresh Debian or Ubuntu machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_SYSTEM ?= /usr/bin/python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
LOCK := requirements.lock

# The targets below are development tools: they run with DEBUG on unless the environment says
# otherwise. Without DEBUG (and without DJANGO_SETTINGS_MODULE) manage.py, gunicorn and celery
# load the production settings, which demand SECRET_KEY and ALLOWED_HOSTS
# (config/settings/default.py).
export DEBUG ?= true

# Debian/Ubuntu packages the project needs: GeoDjango's libraries (GDAL pulls GEOS and PROJ),
# SpatiaLite and gettext; the tests add Chromium and Node.js/npm (for axe-core).
SYSTEM_PACKAGES := python3 python3-venv binutils gdal-bin libsqlite3-mod-spatialite gettext
TEST_PACKAGES := chromium $(if $(shell command -v npm),,nodejs npm)
SYSTEM_STAMP := $(VENV)/.system-packages
TEST_SYSTEM_STAMP := $(VENV)/.test-system-packages
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | sort

$(SYSTEM_STAMP):
	@bash scripts/install-system-packages.sh $(SYSTEM_PACKAGES)
	@mkdir -p $(VENV) && touch $@

$(TEST_SYSTEM_STAMP): $(SYSTEM_STAMP)
	@bash scripts/install-system-packages.sh $(TEST_PACKAGES)
	@touch $@

# Every version and hash from the lock (pip included), then the project itself without its
# dependencies; `pip check` stops here when pyproject.toml asks for what the lock lacks.
$(VENV_STAMP): $(LOCK) pyproject.toml $(SYSTEM_STAMP)
	@test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps -e .
	@$(PIP) check >/dev/null || { $(PIP) check; \
	  echo "$(LOCK) does not match pyproject.toml: run make lock" >&2; exit 1; }
	@touch $@

$(NODE_STAMP): package.json $(TEST_SYSTEM_STAMP)
	npm install --no-audit --no-fund --silent
	@touch $@

.PHONY: install
install: $(VENV_STAMP) ## Install system packages and the Python environment

.PHONY: lock
lock: $(SYSTEM_STAMP) ## Refresh requirements.lock: newest versions pyproject.toml allows, with hashes
	@test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	@test -x $(VENV)/bin/pip-compile || $(PIP) install --quiet 'pip-tools>=7.4'
	$(VENV)/bin/pip-compile --quiet --upgrade --extra dev --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	$(MAKE) install

.PHONY: run
run: $(VENV_STAMP) ## Migrate the embedded database, load demo data once, serve on 127.0.0.1:8000
	@mkdir -p var/media
	$(PY) manage.py migrate --noinput
	@if [ ! -f var/.demo-loaded ]; then $(PY) manage.py seed_demo && touch var/.demo-loaded; \
	  else $(PY) manage.py seed_demo --print-logins; fi
	$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: test
test: $(VENV_STAMP) $(NODE_STAMP) ## The whole suite (embedded default, or DATABASE_URL/REDIS_URL)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

.PHONY: lint
lint: $(VENV_STAMP) ## ruff lint and format check, bandit, import layers, types, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -c pyproject.toml -r . -q
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: format
format: $(VENV_STAMP) ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

.PHONY: messages
messages: $(VENV_STAMP) ## Refresh the .po catalogues and compile them
	$(PY) manage.py makemessages -l es_MX -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(PY) manage.py makemessages -d djangojs -l es_MX -l en --ignore=.venv --ignore=node_modules --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

.PHONY: bench
bench: $(VENV_STAMP) ## Benchmarks against PostGIS; figures go to docs/benchmarks.md
	bash bench/run.sh

.PHONY: worker
worker: $(VENV_STAMP) ## A Celery worker and beat against REDIS_URL (default redis://127.0.0.1:6379/0)
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A config worker -B -l info

.PHONY: backup
backup: $(VENV_STAMP) ## Back up the database (PostGIS or SpatiaLite) and media to var/backups/<timestamp>/
	@bash scripts/backup.sh

.PHONY: restore
restore: $(VENV_STAMP) ## Restore a backup: make restore FILE=var/backups/<timestamp> [YES=1]
	@bash scripts/restore.sh $(if $(filter 1,$(YES)),--yes) "$(FILE)"

.PHONY: clean
clean: ## Remove the embedded database and uploaded media (keeps .venv)
	rm -rf var/villaguard.sqlite3 var/media var/.demo-loaded
