# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app run
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test install lint db-check pytest demo-data reference-data translations clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	$(FLASK) db upgrade
	$(FLASK) setup
	$(FLASK) demo-data --if-empty
	PORTAL_URL="$${PORTAL_URL:-http://127.0.0.1:$(PORT)}" $(FLASK) run --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Migrations and models agree: upgrade an empty database, then autogenerate must find nothing.
# The empty database is <test database>_dbcheck on PostgreSQL, instance/dbcheck.db otherwise.
db-check: install
	@url="$${TEST_DATABASE_URL:-$${DATABASE_URL:-}}"; \
	if [ -n "$$url" ] && [ "$${url#sqlite}" = "$$url" ]; then url="$${url}_dbcheck"; \
	else url="sqlite:///$(CURDIR)/instance/dbcheck.db"; fi; \
	mkdir -p instance && $(BIN)/python -m tests.databases "$$url" && \
	DATABASE_URL="$$url" $(FLASK) db upgrade && DATABASE_URL="$$url" $(FLASK) db check

pytest: install
	$(BIN)/python -m pytest -q

test: lint db-check pytest

demo-data: install
	$(FLASK) demo-data

reference-data: install
	$(FLASK) load-reference-data

# Re-extract and compile the catalogues after changing UI text.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations

clean:
	rm -rf $(VENV) instance/*.db
