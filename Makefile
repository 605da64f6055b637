# Tend: `make run` starts the whole app; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format install install-dev migrate bench bench-smoke clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else "Tend needs Python 3.13: set PYTHON=/path/to/python3.13")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --no-input

run: migrate
	@echo ""
	@echo "  Tend is running at http://127.0.0.1:$(PORT)/  (web, worker and beat; Ctrl-C stops all)"
	@echo "  Emails are written to var/mail/ unless EMAIL_URL says otherwise."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --procfile Procfile --port $(PORT)

test: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks (bench/, results in docs/benchmarks.md). They need a running PostgreSQL and
# Redis, named by DATABASE_URL and CELERY_BROKER_URL (use a database of its own: the data set
# is large), and start everything else themselves: gunicorn, Celery workers, an SMTP sink.
#   BENCH_SCALE=small (default; about 5 minutes) or full (10,000 people; about 10 minutes here)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/tend_bench
#   CELERY_BROKER_URL=redis://127.0.0.1:6379/3
BENCH_SCALE ?= small

bench: install-dev
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench needs DATABASE_URL=postgres://… (see the Makefile)"; exit 2;; esac
	@case "$$CELERY_BROKER_URL" in redis*) ;; *) echo "make bench needs CELERY_BROKER_URL=redis://… (see the Makefile)"; exit 2;; esac
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_bench --scale $(BENCH_SCALE)
	$(BIN)/python -m bench --scale $(BENCH_SCALE)

# A tiny run that checks the scripts work and query counts do not grow with the data; never
# a time limit. Writes under var/bench/, not into docs/.
bench-smoke: install-dev
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench-smoke needs DATABASE_URL=postgres://…"; exit 2;; esac
	@case "$$CELERY_BROKER_URL" in redis*) ;; *) echo "make bench-smoke needs CELERY_BROKER_URL=redis://…"; exit 2;; esac
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python -m bench --scale smoke --check --results var/bench --docs var/bench/benchmarks.md

clean:
	rm -rf $(VENV) var/staticfiles var/test-tend.sqlite3
