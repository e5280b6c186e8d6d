# Common tasks. `make run` and `make test` install what they need themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run build index check deploy-check bench-search bench-crash bench-load bench-lighthouse relevance test test-fast lint format bench sample browser clean help mutate

help:
	@echo "make run      build the sample catalogue and serve the portal (prints the URL)"
	@echo "make test     install everything and run the whole test suite"
	@echo "make lint     ruff and mypy"
	@echo "make bench    build benchmark: full build vs its jinja2 floor (ratio), no-change and one-change rebuilds (BENCH_N='1000 10000')"
	@echo "make bench-search  search latency (10k, 100k) and HTTP throughput vs Datasette"
	@echo "make relevance     MRR and recall@10 on the judged queries"
	@echo "make bench-lighthouse  Lighthouse (mobile) scores of the public pages and the request form (needs npm)"
	@echo "make bench-crash   kill the service under load; check no acknowledged write is lost"
	@echo "make bench-load    60 s of load on search and on request filing (PG_URL=... adds PostgreSQL)"
	@echo "make sample   regenerate the sample catalogue in datasets/"
	@echo "make mutate   mutation score per domain module (mutmut, one worker; a report, not a gate)"
	@echo "make deploy-check  the deployment's tests (wheel, deploy/ with real nginx); ENV_FILE=/etc/portal/portal.env also checks a server's settings"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Debian's Chromium and CJK fonts for the browser tests (FACTS.md), and wrk,
# the HTTP load client of the data-API benchmarks (its test drives it briefly).
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || [ ! -x /usr/bin/wrk ]; then \
	  echo "installing chromium, fonts-noto-cjk and wrk (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk wrk >/dev/null; \
	fi

build: $(STAMP)
	$(BIN)/portal build datasets --out site || [ $$? -eq 2 ]  # 2: published, some datasets withheld

check: $(STAMP)
	$(BIN)/portal check datasets

index: $(STAMP)
	$(BIN)/portal build datasets --out site --index || [ $$? -eq 2 ]

run: index
	@echo ""
	@echo "Portal: http://$(HOST):$(PORT)/   (Ctrl-C to stop)"
	@echo ""
	PORTAL_SECRET_KEY=$${PORTAL_SECRET_KEY:-dev-only-not-secret} $(BIN)/portal serve --host $(HOST) --port $(PORT)

# The deployment: the wheel installed elsewhere, deploy/ against the code, the
# shipped nginx site in front of gunicorn (installs Debian's nginx when root),
# the commands of docs/operators.md; with ENV_FILE, `portal deploy check` on it.
deploy-check: $(STAMP) browser
	$(BIN)/python -m pytest -q tests/test_package.py tests/deploy tests/test_deploy_check.py \
	  tests/test_send_mail_cli.py tests/store/test_authority_digest.py
	$(if $(ENV_FILE),$(BIN)/portal deploy check --env-file $(ENV_FILE))

# Markers (pyproject.toml): slow and browser are left out of test-fast;
# both_dbs marks the service tests that run on PostgreSQL as well as SQLite
# (--all-dbs, or PORTAL_TEST_ALL_DBS=1, runs every service test on both).
test: $(STAMP) browser
	$(BIN)/python -m pytest -n auto -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -n auto -q -m "not browser and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy domain builder portal search_api

format: $(STAMP)
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.build_bench $(BENCH_N)

# Search: engine latency at 10k/100k, then throughput over HTTP (wrk) beside Datasette.
bench-search: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.search_bench
	$(BIN)/python -m bench.search_http_bench

# Crash durability: SIGKILL the service under 500 in-flight writes (SQLite and PostgreSQL).
bench-crash: $(STAMP)
	$(BIN)/python -m bench.crash.run --db both

# Load: 60 s of wrk at the target rates on search (100k datasets) and on request
# filing + status (SQLite; PostgreSQL too with PG_URL=postgresql://...).
bench-load: $(STAMP)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench.load $(if $(PG_URL),--pg-url $(PG_URL))

# Lighthouse 12.2.3 (npm, into bench/.node) with Debian's Chromium on the served sample.
bench-lighthouse: $(STAMP) browser
	$(BIN)/python -m bench.lighthouse

relevance: $(STAMP)
	$(BIN)/python -m bench.relevance

# Mutation testing of the domain core: one module at a time, one worker, each
# against its own tests (bench/mutate.py); MODULES='workdays rules' for some.
mutate: $(STAMP)
	$(BIN)/python -m bench.mutate $(MODULES)

sample: $(STAMP)
	$(BIN)/python scripts/make_sample_catalog.py

clean:
	rm -rf site build var .portal-cache .pytest_cache .mypy_cache .ruff_cache
