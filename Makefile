# TrustAsset: `make run` serves the site with demo data; `make test` runs the checks and the suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_HOMES ?= 20000
DEMO_CARS ?= 5000
DEMO_VISITORS ?= 500
TEST_WORKERS ?= 2
# make run: /metrics adds up the web and worker processes' counters (Celery tasks included) kept here.
METRICS_DIR := $(CURDIR)/var/prometheus
# Celery queues (CELERY_TASK_ROUTES in trustasset/settings.py); the development worker takes all of them.
QUEUES ?= default,ml,descriptions

# The locks (pip-compile, hashes): requirements.txt for production, requirements-dev.txt (it and the dev tools)
# for `make run` and `make test`. `make lock` compiles them from requirements*.in in a venv of its own.
LOCK_VENV := .venv-pip-tools
PIP_TOOLS := pip==26.3 pip-tools==7.7.0
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

.PHONY: install lock run worker migrate demo test check lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# Versions already in a lock are kept while they still fit; `make lock UPGRADE=1` takes the newest that fit.
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/pip install --quiet $(PIP_TOOLS))
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) --output-file requirements-dev.txt requirements-dev.in

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py generate_listings --homes $(DEMO_HOMES) --cars $(DEMO_CARS) --seed 1 --if-empty
	$(PY) manage.py train_encoder --if-missing --enqueue
	$(PY) manage.py simulate_interactions --users $(DEMO_VISITORS) --days 30 --seed 1 --if-missing

# Web server in the foreground, Celery worker (+ beat) beside it; Ctrl-C stops both.
# One torch thread per worker process: two processes on two cores, instead of four threads that stall.
run: demo
	@echo ""
	@echo "  TrustAsset is starting at http://$(HOST):$(PORT)/"
	@echo "  Demo logins (password trustasset-demo): buyer, seller, admin (admin site: http://$(HOST):$(PORT)/admin/)"
	@echo "  API docs: http://$(HOST):$(PORT)/api/docs/"
	@echo ""
	@rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	@trap 'kill 0' EXIT; export PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR); \
	OMP_NUM_THREADS=1 $(VENV)/bin/celery -A trustasset worker --beat --queues $(QUEUES) --loglevel INFO --concurrency 2 & \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	OMP_NUM_THREADS=1 $(VENV)/bin/celery -A trustasset worker --queues $(QUEUES) --loglevel INFO

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run

# One torch thread per test process: two processes with two threads each on two cores stall (10-20x slower).
test: check
	OMP_NUM_THREADS=1 $(PY) -m pytest -n $(TEST_WORKERS) --create-db

bench: install
	$(PY) bench/import_speed.py

clean:
	rm -rf $(VENV) $(LOCK_VENV) .pytest_cache .mypy_cache .ruff_cache
