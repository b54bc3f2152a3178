# Two commands: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/atende
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The tests make their own in-memory SQLite database; this names the engine.
TEST_SQLITE_URL ?= sqlite:///$(CURDIR)/var/test.sqlite3

.PHONY: run test lint format bench venv services clean messages

venv: $(STAMP)
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## make run: the whole system (web, worker, beat) with a demo organization.
## The port is checked first, before anything is set up or printed; the
## server listens on 127.0.0.1 unless HOST says otherwise (the demo's
## admin/admin stays off the network); Ctrl-C or SIGTERM stops all three and
## exits 0.
run: venv
	$(PY) scripts/port_free.py $${HOST:-127.0.0.1} $${PORT:-8000}
	$(PY) scripts/create_database.py
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py setup_demo --base-url http://127.0.0.1:$${PORT:-8000}
	HOST=$${HOST:-127.0.0.1} PATH=$(CURDIR)/$(VENV)/bin:$$PATH \
	  $(PY) scripts/run_procfile.py -f Procfile web worker beat

## make test: ruff + the whole suite on real PostgreSQL and Redis, two
## processes per CPU (each with its own test database, Redis database and folders:
## tests/support/parallel.py), then the SQLite sides of the database
## branches (tests/sqlite) on SQLite.
test: venv services
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest -n auto $(PYTEST_ARGS)
	DATABASE_URL=$(TEST_SQLITE_URL) REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) -m pytest tests/sqlite -p no:cacheprovider

services:
	bash scripts/ensure_services.sh

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## make messages: after marking console strings, refresh the pt_BR catalogue
## (then translate its new entries) and compile it; both files are committed.
## It compiles locale_vendor/ too (third-party apps' pt_BR, in LOCALE_PATHS),
## whose msgids are refreshed by hand when those packages are upgraded.
messages: venv
	$(PY) manage.py makemessages -l pt_BR --add-location file --no-obsolete \
	  --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore 'var/*' --ignore '.venv/*'
	$(PY) manage.py compilemessages -l pt_BR --ignore '.venv/*'

## make bench: throughput and latency figures (see bench/README.md).
bench: venv services
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/atende_bench} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/9} $(PY) bench/run.py

clean:
	rm -rf var staticfiles test-artifacts
