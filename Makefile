# ViralForge — `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-requirements
# pytest-xdist workers for `make test`: two per core, at least 4 (each has its own test database,
# Redis namespace and cache database; see tests/settings.py). About half of a worker's time is spent
# waiting (browser, job workers, ffmpeg, sandbox polls): on 2 cores, 4 workers took 12.3 min, 2 took 15.6.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); n=$$((n * 2)); [ $$n -lt 4 ] && n=4; echo $$n)

.PHONY: run test lint bench install messages system-deps stop clean

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

install: $(STAMP)

messages: install
	$(PY) manage.py compile_translations

# Browser tests drive Debian's Chromium; the translation completeness test runs xgettext; the
# renderer speaks with espeak-ng (offline voice) and draws captions with the DejaVu fonts.
system-deps:
	@command -v chromium >/dev/null 2>&1 && command -v msgfmt >/dev/null 2>&1 && command -v espeak-ng >/dev/null 2>&1 \
	  && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf || { \
	  echo "Installing chromium, gettext, espeak-ng and fonts-dejavu-core with apt…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium gettext espeak-ng fonts-dejavu-core >/dev/null; }

run: install messages
	@bash scripts/run.sh

stop: install
	@$(PY) manage.py services stop

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

test: install messages system-deps lint
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist worksteal

bench: install
	@for b in bench/*.py; do n=$$(basename $$b .py); case $$n in __init__|common) continue;; esac; $(PY) -m bench.$$n || exit 1; done

clean: stop
	rm -rf var
