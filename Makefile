# One-command setup: `make run` starts the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format worker cron translations messages migrate seed clean

$(BIN)/python:
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

seed: migrate
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

test: translations lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

worker: translations
	$(BIN)/python -m workers.worker

# The one scheduler process; cron strings are read in local time, so pin it.
cron: $(VENV)/.installed
	@test -n "$(REDIS_URL)" || (echo "REDIS_URL is not set" && exit 1)
	TZ=Asia/Shanghai $(BIN)/rq cron --url "$(REDIS_URL)" --path . workers/cron.py

clean:
	rm -rf $(VENV) instance/*.db
