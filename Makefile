# Two commands on a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := akimat_reception

.PHONY: install run test translations compile-translations clean

install: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

compile-translations: install
	$(BIN)/pybabel compile -d translations

run: install compile-translations
	$(BIN)/flask init-db
	$(BIN)/flask demo
	$(BIN)/flask run --host 127.0.0.1 --port 5000

test: install compile-translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Extract the strings, merge them into kk/ru/en, and compile.
translations: install
	$(BIN)/flask translate update
	$(BIN)/flask translate compile

clean:
	rm -rf $(VENV) instance .pytest_cache
