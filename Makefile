# ALPR transparency portal. `make run` sets up and serves the demo; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed-$(shell sha256sum $(LOCK) 2>/dev/null | cut -c1-12)

.PHONY: run setup install node messages makemessages migrate demo test test-services lint format check lock worker beat serve bench clean

run: setup ## set up everything and serve the demo site on the embedded default
	PORTAL_SITE_URL=$${PORTAL_SITE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

setup: install messages migrate demo

install: $(STAMP)

$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	rm -f $(VENV)/.installed-*
	touch $@

# Translations: the compiled catalogues (locale/*/LC_MESSAGES/django.mo) are committed, so a clone
# or image without GNU gettext still serves Spanish; a .po newer than its .mo is compiled again
# with msgfmt (Debian's gettext package; Django's compilemessages calls the same tool). After
# changing strings: `make makemessages`, translate, `make messages`, commit the .po and the .mo.
PO := $(wildcard locale/*/LC_MESSAGES/django.po)
messages: $(PO:.po=.mo)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po
	@if command -v msgfmt >/dev/null 2>&1; then msgfmt --check -o $@ $<; \
	else echo "msgfmt not found (apt-get install gettext): keeping the committed $@" >&2; fi

MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=media --ignore=staticfiles \
	--ignore=tests --ignore=bench --ignore=scripts

makemessages: install ## refresh locale/es/LC_MESSAGES/django.po from the code and templates
	$(BIN)/python manage.py makemessages -l es --no-obsolete $(MESSAGES_IGNORE)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: install
	$(BIN)/python manage.py seed_demo

# axe-core (package-lock.json) for the accessibility browser test; `npm ci` runs again only when
# the lock changes. Without npm the test skips (and fails under PORTAL_REQUIRE_BROWSER=1).
node: node_modules/.package-lock.json

node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: tests/browser/test_axe.py will skip" >&2; fi

# Both test targets end with "make test: N s", the whole run's wall time (pytest's own summary
# leaves out collection and start-up); the target keeps pytest's exit status.
TIMED = start=$$(date +%s); status=0; $(1) || status=$$?; \
	echo "make $@: $$(( $$(date +%s) - start )) s"; exit $$status

# `make test` spreads the suite over pytest-xdist workers, one per core (each with its own test
# database; the live-server tests run last, as one group on one worker, in the serial order;
# --no-loadscope-reorder keeps that group last instead of handing the largest group out first).
# PYTEST_ARGS= (empty) runs it in one process.
XDIST := --dist loadgroup --no-loadscope-reorder
test: PYTEST_ARGS ?= -n auto $(XDIST)
test: install node messages ## the test suite on the embedded default (SQLite, eager Celery)
	@$(call TIMED,$(BIN)/python -m pytest $(PYTEST_ARGS))

# The same suite against PostgreSQL and Redis, plus the tests that need a real Celery worker.
# The browser tests (Chromium over the same pages) run in `make test`; they are left out here
# to keep CI under 20 minutes: SERVICES_SKIP= runs them on PostgreSQL too.
# Two xdist workers, each with its own PostgreSQL test database (pytest-django) and its own
# pair of Redis databases (tests/xdist_redis.py), so they never purge each other's queues,
# consume each other's tasks or flush each other's cache.
SERVICES_SKIP ?= --ignore=tests/browser
test-services: PYTEST_ARGS ?= -n 2 $(XDIST) -p tests.xdist_redis
test-services: install node messages
	@test -n "$$DATABASE_URL" || (echo "DATABASE_URL is not set" >&2; exit 2)
	@test -n "$$REDIS_URL" || (echo "REDIS_URL is not set" >&2; exit 2)
	@$(call TIMED,PORTAL_SERVICES=1 $(BIN)/python -m pytest $(PYTEST_ARGS) $(SERVICES_SKIP))

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint
	$(BIN)/python manage.py makemigrations --check --dry-run

lock: ## re-resolve requirements/*.lock from pyproject.toml (needs network)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock

# Two queues: `default` (confirmation emails, digests, small scheduled tasks) and `imports`
# (imports, audit fetches, reclassification; minutes to hours each). One worker may take both;
# in production run one per queue so an import never delays an email:
#   QUEUES=default CONCURRENCY=2 make worker   and   QUEUES=imports CONCURRENCY=1 make worker
worker: install ## a Celery worker (needs REDIS_URL); QUEUES=default,imports by default
	$(BIN)/celery -A portal worker --loglevel=INFO --queues=$${QUEUES:-default,imports} \
		--concurrency=$${CONCURRENCY:-2} --hostname=$$(echo $${QUEUES:-default,imports} | tr , +)@%h

beat: install ## Celery beat (needs REDIS_URL)
	$(BIN)/celery -A portal beat --loglevel=INFO --schedule=$${BEAT_SCHEDULE:-/tmp/portal-celerybeat-schedule}

serve: install ## production-style: gunicorn (gunicorn.conf.py) behind whitenoise (set DJANGO_ENV=production etc.)
	$(BIN)/python manage.py collectstatic --noinput
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py portal.wsgi:application

bench: install ## benchmarks (needs DATABASE_URL for PostgreSQL figures)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles media node_modules
