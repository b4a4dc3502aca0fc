# loopdeck: `make run` serves the app, `make test` runs every test. Nothing else is needed.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export DEBUG ?= 1

.PHONY: run test bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Development settings for manage.py (DEBUG and a key of this checkout's own), written once.
local.env:
	umask 077; printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@

run: $(VENV)/.installed local.env
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py loaddecks
	$(PY) manage.py demouser
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed-test
	@bash .ci/system-packages
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

bench: $(VENV)/.installed-test
	$(PY) bench/run.py
