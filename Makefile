# `make run`: install, migrate, load demo data, serve on http://127.0.0.1:8000 (SQLite unless DATABASE_URL).
# `make test`: install, run the whole suite on PostgreSQL (DATABASE_URL, default local server).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp

.PHONY: run test install system-packages messages messages-extract migrate demo lint check-postgres clean screenshots

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.stamp-requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

# Debian packages: gettext compiles the French catalogue; pango, harfbuzz-subset and a font let
# WeasyPrint render PDFs; chromium runs the browser tests (tests/e2e/, driven by Playwright without
# `playwright install`); postgresql-client (pg_dump, pg_restore: Debian 12's, version 15 like the server)
# makes and restores the backups. Each is installed only when missing.
DEBIAN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium \
	postgresql-client
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

install: system-packages .stamp-requirements messages

# The compiled catalogues are built here, never committed: a stale binary cannot ship.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po))
messages: $(CATALOGUES)

%/LC_MESSAGES/django.mo: %/LC_MESSAGES/django.po | system-packages
	msgfmt --check -o $@ $<

# Extract new strings into the catalogues: the root one, and each app that keeps its own locale/.
APP_CATALOGUE_DIRS := $(patsubst %/locale/,%,$(wildcard */locale/))
messages-extract: .stamp-requirements
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --no-obsolete --no-location \
		--ignore ".venv/*" --ignore "static/*" --ignore "tests/*" --ignore "bench/*" \
		$(foreach app,$(APP_CATALOGUE_DIRS),--ignore "$(app)/*")
	@for app in $(APP_CATALOGUE_DIRS); do (cd $$app && DEBUG=true PYTHONPATH=.. \
		DJANGO_SETTINGS_MODULE=config.settings.base ../$(BIN)/django-admin makemessages -l fr \
		--no-obsolete --no-location); done
	@for po in $(wildcard locale/fr/LC_MESSAGES/django.po */locale/fr/LC_MESSAGES/django.po); do \
		msgattrib --untranslated --no-obsolete $$po | grep -q '^msgid "..*"' \
			&& echo "$$po: strings wait for a French translation (msgattrib --untranslated $$po)"; \
		msgattrib --only-fuzzy $$po | grep -q '^msgid "..*"' && echo "$$po: fuzzy entries to check"; \
	done; true

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --verbosity 0

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo

run: demo
	@echo "Demo login: demo / demo-soutien-psy, two-step key DEMOSOUTIENPSYDEMOSOUTIENPSYDEMO (README)  →  http://127.0.0.1:8000/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

check-postgres: .stamp-requirements
	@DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -c "import os, psycopg, dj_database_url as d; \
c = d.parse(os.environ['DATABASE_URL']); \
psycopg.connect(host=c['HOST'] or None, port=c['PORT'] or None, user=c['USER'], password=c['PASSWORD'] or None, dbname='postgres', connect_timeout=5).close()" 2>/dev/null \
	|| { echo "No PostgreSQL answers at $(TEST_DATABASE_URL): start it (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL=postgres://user@host:port/db."; exit 1; }

lint: .stamp-requirements
	$(BIN)/ruff check .

# axe-core (the accessibility checks of the browser tests), pinned in package-lock.json.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install axe-core (Node.js)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Inside `make test`, vulnerability data out of reach is a loud warning, not a stop (see `audit`).
test: AUDIT_UNREACHABLE ?= warn
test: install check-postgres lint audit $(AXE)
	DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest

# `make screenshots`: the demo caseload's pages in the browser again, writing the README's captures
# (docs/*.png, 1280 x 800) as they check them.
screenshots: install check-postgres $(AXE)
	README_SCREENSHOTS_DIR=docs DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest tests/e2e/test_demo_pages.py

# `make bench`: national-size data in databases of its own (loaded once, about 2 minutes, then
# reused), served by gunicorn on loopback; each page's latency as a ratio to the login page's.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp_bench
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp_bench_small
.PHONY: bench
bench: install check-postgres
	$(BIN)/python bench/run.py --full-url "$(BENCH_DATABASE_URL)" --small-url "$(BENCH_SMALL_DATABASE_URL)"

# `make serve`: serve for real (README, "Deploying"): PostgreSQL from DATABASE_URL, DEBUG off, behind a
# TLS proxy. Checks the deployment, migrates, gathers the static files (WhiteNoise serves them), then
# runs gunicorn on SERVE_BIND with SERVE_WORKERS workers.
SERVE_BIND ?= 127.0.0.1:8000
SERVE_WORKERS ?= 3
.PHONY: serve backup restore audit
PRODUCTION := DJANGO_SETTINGS_MODULE=config.settings.production
serve: install
	$(PRODUCTION) $(BIN)/python manage.py check --deploy
	$(PRODUCTION) $(BIN)/python manage.py migrate --no-input
	$(PRODUCTION) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	exec env $(PRODUCTION) $(BIN)/gunicorn config.wsgi:application --bind $(SERVE_BIND) \
		--workers $(SERVE_WORKERS) --access-logfile - --no-control-socket

# `make backup`: DATABASE_URL's database (pg_dump) and the letters (MEDIA_ROOT) into backups/<timestamp>.*
# `make restore FILE=backups/<timestamp>.dump CONFIRM=yes`: both back, replacing what is there.
backup: system-packages .stamp-requirements
	$(BIN)/python ops/backup.py backup
restore: system-packages .stamp-requirements
	CONFIRM="$(CONFIRM)" $(BIN)/python ops/backup.py restore "$(FILE)"

# Supply-chain tools in a venv of their own: their dependencies never reach the app's.
TOOLS := .venv-tools/bin
.stamp-tools: ops/requirements-tools.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv .venv-tools
	$(TOOLS)/pip install --quiet -r ops/requirements-tools.txt
	@touch $@

# `make audit`: bandit on the app's code (a high-severity finding fails; tests and migrations excluded
# in pyproject.toml) and pip-audit on requirements.txt's pins (a known vulnerability fails). When PyPI's
# vulnerability data cannot be had, it fails saying that nothing was audited; `make test` warns instead.
audit: .stamp-tools
	$(TOOLS)/bandit -c pyproject.toml -r . --quiet --severity-level high
	AUDIT_UNREACHABLE="$(AUDIT_UNREACHABLE)" $(TOOLS)/python ops/audit_dependencies.py

clean:
	rm -rf $(VENV) .venv-tools .stamp-* .pytest_cache .ruff_cache
