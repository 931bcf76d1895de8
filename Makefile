# The two commands a new user needs (see README):
#   make demo   installs everything and runs the whole pipeline on generated sample data
#   make test   installs everything and runs the whole test suite, every lane (what CI runs)
PYTHON ?= python3
VENV ?= .venv
PERSONS ?= 2000
BIN := $(VENV)/bin

.PHONY: demo test install system-deps browser postgres clean wheel

demo: install postgres
	$(BIN)/golden-record run --generate-sample $(PERSONS)

test: install postgres browser
	$(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

install: system-deps $(BIN)/golden-record

$(BIN)/golden-record: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

# Java 17 for Spark; PostgreSQL + its JDBC driver for the sample CRM silo.
system-deps:
	@command -v java >/dev/null 2>&1 || scripts/apt-install.sh openjdk-17-jre-headless

# Debian's Chromium for the web app's browser tests (Playwright drives it; it downloads no browser of its own).
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/apt-install.sh chromium

postgres:
	scripts/postgres.sh

wheel: install
	$(BIN)/pip wheel --no-deps -w dist .

clean:
	rm -rf golden-record-data dist build *.egg-info
