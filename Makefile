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

# The demo really sends: a local SMTP sink (aiosmtpd) keeps each message as a file in instance/mail/new/,
# the worker delivers the outbox to it (SMS to the log) and runs the daily jobs beside the web server;
# both stop when the server stops.
DEMO_SMTP_PORT ?= 8025
run: install compile-translations $(SECRET_KEY_FILE)
	$(BIN)/flask init-db
	$(BIN)/flask demo
	@mkdir -p instance/mail/tmp instance/mail/new instance/mail/cur
	$(BIN)/python -m aiosmtpd -n -l 127.0.0.1:$(DEMO_SMTP_PORT) -c aiosmtpd.handlers.Mailbox instance/mail & SINK=$$!; \
	$(BIN)/python -c "import socket, time; [time.sleep(0.2) for _ in range(50) \
		if socket.socket().connect_ex(('127.0.0.1', $(DEMO_SMTP_PORT)))]"; \
	MAIL_SERVER=127.0.0.1 MAIL_PORT=$(DEMO_SMTP_PORT) SMS_GATEWAY=akimat_reception.delivery:DevelopmentSmsSink \
		$(BIN)/flask worker & WORKER=$$!; \
	trap 'kill $$WORKER $$SINK 2>/dev/null; wait $$WORKER $$SINK 2>/dev/null' EXIT INT TERM; \
	echo "Mail sent by the demo: instance/mail/new/ (one file per message)"; \
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
