# storeteam: two commands matter. `make demo` runs the store with demo data; `make test` passes the suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/storeteam
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test install setup translations messages static chromium lint test-sqlite test-postgres serve worker clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==26.3"
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# gettext's msgfmt compiles the message catalogs; Debian ships it.
translations: install  ## collect new strings into the .po files of sv, fr and nl (then translate them)
	cd src/storeteam && ../../$(BIN)/django-admin makemessages -l sv -l fr -l nl --no-location --no-obsolete --settings=storeteam.config.settings -v 0

messages: install
	@command -v msgfmt >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq gettext)
	cd src/storeteam && ../../$(BIN)/django-admin compilemessages --settings=storeteam.config.settings -v 0

# Browser tests drive Debian's chromium, never a downloaded browser.
chromium:
	@command -v chromium >/dev/null || (apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium fonts-dejavu-core)

static: install
	mkdir -p var
	$(BIN)/storeteam collectstatic --noinput -v 0

setup: install messages static
	@test -s var/secret_key || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
	$(BIN)/storeteam migrate -v 0

# Set up, load demo data, print one staff login per role, and run the web server with its worker.
demo: setup
	$(BIN)/storeteam demo
	@echo "storeteam is running at http://127.0.0.1:8000 (staff: /staff/, customers: /account/). Ctrl+C stops it."
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/storeteam worker & \
	  $(BIN)/storeteam serve --bind 127.0.0.1:8000

lint: install
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/storeteam makemigrations --check --dry-run

test-sqlite: install messages static chromium
	env -u DATABASE_URL $(BIN)/pytest --cov --cov-report= -q $(PYTEST_ARGS)

# PostgreSQL whenever one is reachable; with CI=true it is required, not skipped.
test-postgres: install messages static chromium
	@if $(BIN)/python -c "import psycopg,sys; u='$(PG_TEST_URL)'; psycopg.connect(u.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest --cov --cov-append --cov-report= -q $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
	  echo "CI=true but PostgreSQL is not reachable at $(PG_TEST_URL): failing, not skipping." >&2; exit 1; \
	else \
	  echo "PostgreSQL not reachable at $(PG_TEST_URL): PostgreSQL run skipped (set CI=true to require it)."; \
	fi

test: lint
	@if [ "$$CI" = "true" ]; then \
	  $(BIN)/python -c "import redis; redis.Redis.from_url('$(TEST_REDIS_URL)', socket_connect_timeout=3).ping()" \
	  || { echo "CI=true but Redis is not reachable at $(TEST_REDIS_URL): failing." >&2; exit 1; }; \
	fi
	$(BIN)/coverage erase
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(BIN)/coverage report --sort=cover | tail -n 25

serve: setup
	$(BIN)/storeteam serve

worker: setup
	$(BIN)/storeteam worker

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static build src/*.egg-info
