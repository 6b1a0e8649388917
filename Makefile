# Hearth: `make run` starts everything on a fresh clone; `make test` runs every test.
# Both need only Python 3.11+ and Node/npm on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
export PORT

.DEFAULT_GOAL := help
.PHONY: help install assets run test lint format check-deploy bench clean

help:
	@echo "make run     install, migrate, load demo data, start web + Celery worker + beat"
	@echo "make test    install and run the whole test suite (Postgres when DATABASE_URL is set)"
	@echo "make lint    ruff check and format check"
	@echo "make bench   requests/s of the list pages at state scale (DATABASE_URL=postgres://...)"
	@echo "make clean   remove .venv, node_modules, var/ and built assets"

# Python: a virtualenv with the pinned dependencies (constraints.txt pins the rest).
$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer; set PYTHON=python3.x")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# Front end: USWDS from npm, copied into static/vendor/ (never committed).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/vendor/.built: node_modules/.installed scripts/copy-assets.mjs
	npm run --silent build
	touch $@

install: $(VENV)/.installed static/vendor/.built

assets: static/vendor/.built

run: install
	@[ -n "$$DATABASE_URL" ] && echo "Database: $$DATABASE_URL" || echo "Database: SQLite in var/hearth.sqlite3 (set DATABASE_URL for Postgres)"
	@[ -n "$$REDIS_URL" ] && echo "Celery broker: $$REDIS_URL" || echo "Celery broker: files in var/celery/ (set REDIS_URL for Redis)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed --if-empty
	@echo
	@echo "Hearth is starting at http://127.0.0.1:$(PORT)/  (log in with a demo login above; Ctrl-C stops everything)"
	@echo
	DEBUG=$${DEBUG:-1} PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	@if [ -z "$$DATABASE_URL" ]; then \
	  echo "##################################################################"; \
	  echo "# DATABASE_URL is not set: the tests run on SQLITE, not Postgres. #"; \
	  echo "# CI (.ci/run) uses Postgres; set DATABASE_URL to do the same.   #"; \
	  echo "##################################################################"; \
	fi
	DEBUG=$${DEBUG:-1} $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DEBUG=0 SECRET_KEY=$$(openssl rand -base64 60 | tr -d '\n') ALLOWED_HOSTS=hearth.example.gov \
	  $(PY) manage.py check --deploy --fail-level WARNING

# Throughput of the list pages at state scale under gunicorn (needs a Postgres DATABASE_URL).
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var static/vendor
