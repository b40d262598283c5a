# Two commands do all the set-up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test test-pg bench bench-load lint venv migrate demo clean browser fonts nginx

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

migrate: venv
	mkdir -p var
	$(PY) manage.py migrate --noinput

demo: migrate fonts
	PORT=$(PORT) $(PY) manage.py load_demo

run: demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

browser:
	bash .ci/ensure-browser

# Debian's nginx (not started as a service): the tests of snapshots written by nginx itself and
# bench/load's layouts run it from a configuration file of their own
nginx:
	bash .ci/ensure-nginx

fonts:
	bash .ci/ensure-fonts

test: venv browser nginx
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest

test-pg: venv browser nginx
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sanlei} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) -m pytest

bench: venv
	$(PY) bench/run.py

# The exam day under load (bench/load/run.py --help): PostgreSQL, Redis, Celery, the app servers,
# nginx and Locust, all on loopback. BENCH_LOAD_ARGS="--n 1000 --faults" for more.
bench-load: venv
	$(PY) bench/load/run.py $(BENCH_LOAD_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var artifacts
