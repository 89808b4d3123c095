# Portefeuille: the commands a developer and CI need. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT

# A Python >= 3.12 (Django 6 needs it): the first one on the PATH, else one under pyenv.
# pyenv's bare shims (python3.12) fail unless selected, so each candidate is actually run.
find_python = for c in python3.12 python3.13 python3.14 python3; do \
    p=$$(command -v $$c 2>/dev/null) || continue; \
    $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
  done; \
  root=$$(pyenv root 2>/dev/null || echo "$$HOME/.pyenv"); \
  for p in $$(ls -d $$root/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do \
    $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; exit 0; }; \
  done; exit 1

.PHONY: help install run test lint audit bench faults lock collectstatic stop-db

help:
	@echo "make install  crée .venv (Python >= 3.12) et installe les dépendances verrouillées"
	@echo "make run      base de données, migrations, données de démo, comptes, serveur sur http://127.0.0.1:$(PORT)"
	@echo "make test     ruff, migrations à jour, pytest (tests navigateur compris)"
	@echo "make lint     ruff seulement"
	@echo "make bench    mesures de performance (tableaux)"
	@echo "make faults   pannes réelles : PostgreSQL arrêté en service, import interrompu"
	@echo "make lock     régénère requirements*.txt depuis pyproject.toml"

$(VENV)/.installed: pyproject.toml requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  python=$$($(find_python)) || { \
	    echo "Aucun Python >= 3.12 trouvé (Django 6 en a besoin)."; \
	    echo "Installez-en un : 'pyenv install 3.12' ou 'apt-get install python3.12 python3.12-venv', puis relancez."; \
	    exit 1; }; \
	  echo "Python utilisé : $$python ($$($$python --version))"; \
	  $$python -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

.env:
	cp .env.example .env
	@echo ".env créé depuis .env.example (mode développement)."

install: $(VENV)/.installed .env

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "Portefeuille sur http://127.0.0.1:$(PORT)/ (arrêt : Ctrl+C)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Stops the embedded PostgreSQL of .data/pg (it keeps running after `make run`).
stop-db: install
	$(PY) -m portfolio.embedded_postgres stop

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@$(MAKE) --no-print-directory audit

# Known vulnerabilities of the locked dependencies (pip-audit, PyPI's advisory data). Fails on
# a vulnerability; says plainly how many packages it could not check (no access to the
# advisory data from this machine) rather than pretending they are clean.
audit: install
	@out=$$($(VENV)/bin/pip-audit -r requirements.txt --no-deps --disable-pip --progress-spinner off 2>&1); status=$$?; \
	skipped=$$(echo "$$out" | grep -c "could not be audited"); \
	total=$$(grep -c "==" requirements.txt); \
	if [ "$$skipped" -ge "$$total" ]; then \
	  echo "pip-audit : aucune des $$total dépendances n'a pu être vérifiée (données de vulnérabilité injoignables d'ici)."; \
	else \
	  echo "$$out" | grep -v -e "^WARNING" -e "could not be audited" -e "^Name *Skip Reason" -e "^-* -*$$"; \
	  [ "$$skipped" -gt 0 ] && echo "pip-audit : $$skipped dépendance(s) sur $$total non vérifiée(s)."; \
	fi; \
	exit $$status

test: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

bench: install
	$(PY) -m benchmarks

# Real faults on a PostgreSQL of its own: restart while serving, import killed mid-way.
faults: install
	$(PY) -m benchmarks.faults

collectstatic: install
	$(PY) manage.py collectstatic --noinput

# Regenerates the locked requirements from pyproject.toml (needs the package registry).
lock: install
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml
