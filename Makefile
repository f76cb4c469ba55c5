# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := akimat_reception
# The site refuses to start without a secret key: `make run` makes a random one in instance/ once and
# keeps it, so sessions survive restarts. A SECRET_KEY in the environment wins over the file.
export SECRET_KEY_FILE ?= $(CURDIR)/instance/secret_key

.PHONY: install run test lint translations compile-translations clean bench

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

compile-translations: install
	$(BIN)/pybabel compile -d translations

run: install compile-translations $(SECRET_KEY_FILE)
	$(BIN)/flask init-db
	$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

$(SECRET_KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@

test: install compile-translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Lint, format and type checks (ruff and mypy, configured in pyproject.toml); .ci/run runs it before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The load benchmark (bench/README.md): the site under gunicorn, driven by wrk, per database and size;
# writes bench/RESULTS.md. E.g. `make bench SIZES=10000 DATABASES=sqlite DURATION=5`.
SIZES ?= 10000 1000000
DATABASES ?= sqlite postgresql
DURATION ?= 10
CONNECTIONS ?= 20
WORKERS ?= 4
BENCH_ARGS ?=

bench: $(VENV)/.bench-installed compile-translations $(SECRET_KEY_FILE)
	@command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python bench/run.py --sizes "$(SIZES)" --databases "$(DATABASES)" --duration $(DURATION) \
		--connections $(CONNECTIONS) --workers $(WORKERS) $(BENCH_ARGS)

$(VENV)/.bench-installed: $(VENV)/.installed setup.cfg
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

# Extract the strings, merge them into kk/ru/en, and compile.
translations: install $(SECRET_KEY_FILE)
	$(BIN)/flask translate update
	$(BIN)/flask translate compile

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache
