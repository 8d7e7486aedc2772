# `make run`: install, migrate, load demo data, serve on http://127.0.0.1:8000 (SQLite unless DATABASE_URL).
# `make test`: install, run the whole suite on PostgreSQL (DATABASE_URL, default local server).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp

.PHONY: run test install system-packages messages messages-extract migrate demo lint check-postgres clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

.stamp-requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

# Debian packages: gettext compiles the French catalogue; pango, harfbuzz-subset and a font let
# WeasyPrint render PDFs. Each is installed only when missing.
DEBIAN_PACKAGES := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
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
	@echo "Demo login: demo / demo-soutien-psy  →  http://127.0.0.1:8000/"
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

check-postgres: .stamp-requirements
	@DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -c "import os, psycopg, dj_database_url as d; \
c = d.parse(os.environ['DATABASE_URL']); \
psycopg.connect(host=c['HOST'] or None, port=c['PORT'] or None, user=c['USER'], password=c['PASSWORD'] or None, dbname='postgres', connect_timeout=5).close()" 2>/dev/null \
	|| { echo "No PostgreSQL answers at $(TEST_DATABASE_URL): start it (pg_ctlcluster 15 main start) or set TEST_DATABASE_URL=postgres://user@host:port/db."; exit 1; }

lint: .stamp-requirements
	$(BIN)/ruff check .

test: install check-postgres lint
	DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest

# `make bench`: national-size data in databases of its own (loaded once, about 2 minutes, then
# reused), served by gunicorn on loopback; each page's latency as a ratio to the login page's.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp_bench
BENCH_SMALL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/msp_bench_small
.PHONY: bench
bench: install check-postgres
	$(BIN)/python bench/run.py --full-url "$(BENCH_DATABASE_URL)" --small-url "$(BENCH_SMALL_DATABASE_URL)"

clean:
	rm -rf $(VENV) .stamp-* .pytest_cache .ruff_cache
