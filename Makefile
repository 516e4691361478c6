# Deep Medicare: two commands, `make build` and `make test`. Everything runs inside .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export MEDICARE_DUCKDB_PATH ?= $(CURDIR)/warehouse/medicare.duckdb
# the Spark target's tables (Parquet, one folder per schema) and its Derby metastore
export MEDICARE_SPARK_WAREHOUSE ?= $(CURDIR)/warehouse/spark

# pytest: test processes (pytest-xdist workers); the tests mostly wait on dbt and DuckDB runs, so two share
# two cores well. PYTEST_WORKERS=0 runs every test in this one process
PYTEST_WORKERS ?= 2

# benchmark-national: lines per synthetic year, and how many years (ending at 2021); ADD_YEAR=1 builds all
# but the last year, then times the yearly refresh that adds it; GROWTH=1 (two years or more) first builds
# the last year alone, so that one run compares the build of every year with the build of one; HISTORY=1
# (YEARS=4 for the full table) builds the first year, adds each later year as a refresh, then builds 2 and
# every year from scratch, and prints the history table
ROWS ?= 10000000
YEARS ?= 1
ADD_YEAR ?=
GROWTH ?=
HISTORY ?=
BENCHMARK_DIR := $(or $(MEDICARE_BENCHMARK_DIR),$(CURDIR)/target/benchmark-national)

# docs-serve: where the docs site listens (HOST=0.0.0.0 to reach it from outside a container or machine)
HOST ?= 127.0.0.1
PORT ?= 8080
# evaluate: SET=standard, subtle or real runs that section of make evaluate alone (default: all of them)
SET ?=
# report: the HTML file make report writes
REPORT ?= $(CURDIR)/target/report/medicare_report.html
# export: where `make export` writes the marts as Parquet
EXPORT_DIR := $(or $(MEDICARE_EXPORT_DIR),$(CURDIR)/warehouse/export)

# clients: the DuckDB 1.x clients the serving tests open the served warehouse with (pins in tests/clients/)
CLIENTS := .clients
CLIENT_PINS := tests/clients/requirements-duckdb-1.4.txt tests/clients/requirements-duckdb-1.5.txt \
	tests/clients/package.json

# spark: dbt-spark (session method) and pyspark in an environment of their own (pins in spark/requirements.txt)
SPARK_VENV := .venv-spark
# pyspark 4.3 warns once per run that it does not fully support pandas 3; dbt's Spark runs never convert
# through pandas (the scores' entry point goes through Arrow and silences it itself)
SPARK_QUIET := PYTHONWARNINGS='ignore:PySpark does not yet fully support pandas:FutureWarning'
SPARK_STAMP := $(SPARK_VENV)/.installed

# superset: Apache Superset in its own environment, its metadata beside the warehouse (SUPERSET_* to change)
SUPERSET_VENV := .superset-venv
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed
SUPERSET_DIR := $(or $(DEEP_MEDICARE_SUPERSET_DIR),$(dir $(MEDICARE_DUCKDB_PATH))superset)
SUPERSET_HOST ?= 127.0.0.1
SUPERSET_PORT ?= 8088
export SUPERSET_ADMIN_PASSWORD ?= admin
SUPERSET_CLI = $(BIN)/python -m deep_medicare.superset --venv $(SUPERSET_VENV) --config superset/superset_config.py \
	--state-dir "$(SUPERSET_DIR)" --warehouse "$(MEDICARE_DUCKDB_PATH)" --target target \
	--host $(SUPERSET_HOST) --port $(SUPERSET_PORT) --admin-password "$$SUPERSET_ADMIN_PASSWORD"

# A tool's own environment, made anew from its pins: $(call fresh_venv,FOLDER,REQUIREMENTS)
define fresh_venv
	rm -rf $(1)
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet -r $(2)
endef

.PHONY: build install warehouse-dir test lint lint-sql lint-python dbt-build pytest docs docs-serve report evaluate \
	benchmark benchmark-national benchmark-clean mutation-check clients export clean sql \
	superset superset-install superset-stop test-superset spark-install build-spark test-spark

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

## clients: install DuckDB 1.4 and 1.5 (CLI and Python, from PyPI) and the Node client (npm) into .clients/
clients: $(CLIENTS)/.installed

$(CLIENTS)/.installed: $(CLIENT_PINS)
	rm -rf $(CLIENTS)
	for line in 1.4 1.5; do \
		$(PYTHON) -m venv $(CLIENTS)/duckdb-$$line && \
		$(CLIENTS)/duckdb-$$line/bin/python -m pip install --quiet -r tests/clients/requirements-duckdb-$$line.txt \
		|| exit 1; \
	done
	mkdir -p $(CLIENTS)/node
	cp tests/clients/package.json $(CLIENTS)/node/
	cd $(CLIENTS)/node && npm install --no-audit --no-fund --loglevel=error
	touch $@

warehouse-dir:
	@mkdir -p "$$(dirname "$(MEDICARE_DUCKDB_PATH)")"

## build: install into .venv, then build the warehouse (models, seeds, tests, anomaly scores)
build: $(STAMP) warehouse-dir
	$(DBT) build

## test: everything CI checks: lint, the full dbt build with every test, pytest
test: lint dbt-build pytest

lint: lint-sql lint-python

lint-sql: $(STAMP) warehouse-dir
	$(BIN)/sqlfluff lint models analyses tests --processes 2

lint-python: $(STAMP)
	$(BIN)/ruff check python tests/python
	$(BIN)/ruff format --check python tests/python

dbt-build: $(STAMP) warehouse-dir
	$(DBT) build --fail-fast

pytest: $(STAMP) warehouse-dir
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

## sql: a read-only SQL prompt (DuckDB CLI 1.5) on the served warehouse; a piped query prints its answer only
sql: $(STAMP)
	@test -f "$(MEDICARE_DUCKDB_PATH)" || { echo "No warehouse at $(MEDICARE_DUCKDB_PATH): run make build first" >&2; exit 2; }
	@$(BIN)/duckdb -readonly "$(MEDICARE_DUCKDB_PATH)"

## export: every mart of the served warehouse as Parquet (by data_year) with a manifest, in EXPORT_DIR
export: $(STAMP)
	$(BIN)/python -m deep_medicare.export --out "$(EXPORT_DIR)"

docs: $(STAMP) warehouse-dir
	$(DBT) docs generate

## docs-serve: generate the docs site and serve it on http://$(HOST):$(PORT) (make docs-serve HOST=0.0.0.0 PORT=8080)
docs-serve: docs
	$(DBT) docs serve --host $(HOST) --port $(PORT) --no-browser

## report: one self-contained HTML file of charts from the built warehouse, at $(REPORT)
report: $(STAMP)
	$(BIN)/python -m deep_medicare.report --output "$(REPORT)"

## evaluate: inject known anomalies (standard and subtle sets) into copies of the sample, rebuild, print ROC-AUC and precision at k;
## then the built warehouse's scores against OIG's exclusions (real labels; SET=real for that section alone)
evaluate: $(STAMP)
	$(BIN)/python -m deep_medicare_dev.evaluate $(if $(SET),--set $(SET))

## superset-install: Apache Superset 6.1 into .superset-venv (pinned in superset/requirements.txt)
superset-install: $(SUPERSET_STAMP)

$(SUPERSET_STAMP): superset/requirements.txt
	$(call fresh_venv,$(SUPERSET_VENV),$<)
	touch $@

## superset: start Superset on http://$(SUPERSET_HOST):$(SUPERSET_PORT) with the marts, metrics and dashboard (after make build)
superset: $(STAMP) $(SUPERSET_STAMP)
	$(SUPERSET_CLI) up

## superset-stop: stop the Superset that make superset started
superset-stop: $(STAMP)
	$(SUPERSET_CLI) stop

## test-superset: start a scratch Superset, provision it, compare its charts with the marts, draw the dashboard
test-superset: $(STAMP) $(SUPERSET_STAMP) warehouse-dir
	$(BIN)/python -m pytest -m superset tests/python/test_superset.py

## spark-install: dbt-spark 1.11 (session method), pyspark 4.3 and the scoring's packages into .venv-spark (pinned in spark/requirements.txt)
spark-install: $(SPARK_STAMP)

$(SPARK_STAMP): spark/requirements.txt pyproject.toml
	$(call fresh_venv,$(SPARK_VENV),$<)
	$(SPARK_VENV)/bin/python -m pip install --quiet --no-deps -e .
	touch $@

## build-spark: build and test the whole project on Apache Spark (after make spark-install), the anomaly scores included
build-spark: $(SPARK_STAMP) warehouse-dir
	$(SPARK_QUIET) $(SPARK_VENV)/bin/dbt build --target spark --target-path target/spark
	$(SPARK_VENV)/bin/python -m deep_medicare.spark_scores
	$(SPARK_QUIET) $(SPARK_VENV)/bin/dbt test --target spark --target-path target/spark \
		--select provider_anomaly_scores --vars '{spark_scores_written: true}'
	$(SPARK_QUIET) $(SPARK_VENV)/bin/dbt build --target spark --target-path target/spark \
		--select provider_anomaly_exclusions --vars '{spark_scores_written: true}'

## test-spark: build on Spark, then compare every table with the DuckDB warehouse (after make build)
test-spark: $(STAMP) build-spark
	$(BIN)/python -m pytest -m spark tests/python/test_spark_equivalence.py tests/python/test_spark_staging_stray_quotes.py

## benchmark: scoring time and peak memory for one million generated provider-years
benchmark: $(STAMP)
	$(BIN)/python -m deep_medicare_dev.benchmark

## benchmark-national: synthetic national-size years, bare DuckDB scan vs full dbt build (ROWS, YEARS, ADD_YEAR, GROWTH, HISTORY)
benchmark-national: $(STAMP)
	$(BIN)/python -m deep_medicare_dev.national_benchmark --rows $(ROWS) --years $(YEARS) $(if $(ADD_YEAR),--add-year) \
		$(if $(GROWTH),--growth) $(if $(HISTORY),--history)

## mutation-check: break the code on purpose, one known line at a time; fails if any mutation survives the tests
mutation-check: $(STAMP)
	$(BIN)/python -m deep_medicare_dev.mutation_check

## benchmark-clean: delete benchmark-national's generated years and scratch builds
benchmark-clean:
	rm -rf "$(BENCHMARK_DIR)"/rows*-years*-seed*
	rmdir "$(BENCHMARK_DIR)" 2>/dev/null || true

clean:
	rm -rf target logs warehouse
