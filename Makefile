# One-command setup: `make run` starts the demo, `make test` runs the whole suite. On Debian
# both install the system packages they need when run as root, and name them otherwise.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test services lint format worker cron translations messages migrate seed fonts clean

# Debian's python3 gives a virtualenv no pip without python3-venv (which also brings python3).
$(BIN)/python:
	@if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null && command -v dpkg >/dev/null && \
	  ! dpkg -s python3-venv >/dev/null 2>&1; then \
	  if [ "$$(id -u)" -ne 0 ]; then \
	    echo "Python cannot make a virtualenv; install python3-venv with:" >&2; \
	    echo "    sudo apt-get install -y python3-venv" >&2; \
	    exit 1; \
	  fi; \
	  echo "installing: python3-venv"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	fi
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d app/translations >/dev/null

# Re-extract UI strings into the catalog after changing them (then translate the new ones).
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l zh_Hans_CN --no-fuzzy-matching

migrate: translations
	$(BIN)/flask db upgrade

# The official papers (the demo renders one) are set in the Noto CJK fonts.
fonts:
	@if command -v dpkg >/dev/null && ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" -ne 0 ]; then \
	    echo "The documents need the Noto CJK fonts; install them with:" >&2; \
	    echo "    sudo apt-get install -y fonts-noto-cjk" >&2; \
	    exit 1; \
	  fi; \
	  echo "installing: fonts-noto-cjk"; \
	  apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; \
	fi

seed: migrate fonts
	$(BIN)/flask demo seed

run: seed
	@echo "Serving on http://$(HOST):$(PORT) (demo users in README.md; jobs run in-process without REDIS_URL)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# First, so that a new machine gets python3-venv before the virtualenv is made.
test: services translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The system packages, PostgreSQL and Redis that the suite uses (see the script).
services:
	@PYTHON=$(PYTHON) tests/services.sh

worker: translations
	$(BIN)/python -m workers.worker

# The one scheduler process; cron strings are read in local time, so pin it.
cron: $(VENV)/.installed
	@test -n "$(REDIS_URL)" || (echo "REDIS_URL is not set" && exit 1)
	TZ=Asia/Shanghai $(BIN)/rq cron --url "$(REDIS_URL)" --path . workers/cron.py

clean:
	rm -rf $(VENV) instance/*.db
