# incident_intel: `make run` and `make test` do all the set-up on a fresh machine with Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UI ?= 1
DAYS ?= 30
SHARED ?= ../shared/data

export INCIDENT_INTEL_DATA_DIR ?= $(CURDIR)/data
export DAGSTER_HOME ?= $(abspath $(INCIDENT_INTEL_DATA_DIR))/dagster_home
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.DEFAULT_GOAL := help
.PHONY: help install run dev test lint format bench plotly-bundle

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv and install the project with its dev tools

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: install ## whole graph for the last DAYS days on the embedded simulator, then the UI (UI=0: no UI)
	$(BIN)/incident-intel run --days $(DAYS) $(if $(filter 0,$(UI)),--no-ui,)

dev: install ## the Dagster UI only, on http://127.0.0.1:3000
	$(BIN)/incident-intel dev

test: install ## install if needed (PostgreSQL included), then run the whole test suite
	bash .ci/install_system_deps.sh
	@$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: nothing was checked" >&2; fi; \
	exit $$status

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## ruff format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## every benchmark, each printing one JSON line (SHARED: the real datasets)
	$(BIN)/incident-intel bench ingest
	$(BIN)/incident-intel bench faults
	$(BIN)/incident-intel bench partition
	$(BIN)/incident-intel bench embed --triage-csv $(SHARED)/endava_support_tickets_sample.csv.gz
	$(BIN)/incident-intel bench triage --csv $(SHARED)/endava_support_tickets_sample.csv.gz \
		--label-column category
	$(BIN)/incident-intel bench triage --csv $(SHARED)/endava_support_tickets_sample.csv.gz \
		--label-column business_service
	$(BIN)/incident-intel bench train
	$(BIN)/incident-intel bench servicenow-log \
		--events $(SHARED)/servicenow_incident_event_log.csv.gz --cutoff 2016-04-01
	$(BIN)/incident-intel bench drift \
		--events $(SHARED)/servicenow_incident_event_log.csv.gz --train-until 2016-04-01 \
		--test-days 10 --days 28

plotly-bundle: ## rebuild the dashboard's partial plotly.js bundle (needs Node.js; maintainers only)
	bash incident_intel/reports/dashboard/vendor/build_plotly_bundle.sh
