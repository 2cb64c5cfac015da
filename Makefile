# sitegw: the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NATIVE := $(VENV)/.native
NATIVE_SOURCES := setup.py mypyc.ini $(shell find rules kinds -name '*.py') gateway/alerts/manager.py gateway/alerts/worsening.py
DEMO_ARGS ?=
PYTEST_ARGS ?=
# make test's workers (pytest-xdist, a file per worker at a time: a file's servers and fixtures stay in one
# process); most of a test's time is spent waiting on servers and clocks, so two workers halve the run on 2
# cores. TEST_WORKERS=0 runs it in one process (a failure's output unmixed, pdb). The files go to the workers
# longest first, by tests/durations.json (tests/longest_first.py; --no-loadscope-reorder keeps that order)
TEST_WORKERS ?= 2
SOAK_ARGS ?=
# the tests mypy checks as well (pyproject's tests.* settings: every body checked, annotations optional);
# the other test folders are still to be brought in
TYPED_TESTS := tests/support.py tests/conftest.py $(wildcard tests/test_*.py) tests/alerts tests/bench tests/e2e \
	tests/config tests/faults tests/gateway tests/hostile tests/outbox tests/packaging tests/replay tests/servers \
	tests/store tests/uplinks

.PHONY: native demo test test-slow test-long test-packaging image-smoke fuzz faults faults-short soak lint docs bench vision-eval test-env venv clean help

help:
	@echo "make demo        run the simulated reference site (Ctrl-C stops; DEMO_ARGS='--duration 60')"
	@echo "make test        the test suite against real servers (installs them when missing)"
	@echo "make native      compile the rules with mypyc (every target that runs them does it first)"
	@echo "make lint        ruff (lint and format), mypy (strict; some tests too), and the import layers (lint-imports)"
	@echo "make docs        the pages written from the code, then the documentation site (mkdocs build --strict) into build/docs"
	@echo "make test-slow   long suites: fault injection, soak, the browser and end-to-end walks"
	@echo "make test-long   the slow tests but the faults and the wheel: the demo's API, browser, end-to-end, regulator (CI runs it)"
	@echo "make test-packaging  the wheel built in isolation, installed in a fresh venv, its commands run"
	@echo "make image-smoke the Dockerfile's two images built (buildah), each run for its smoke checks (root; WHEEL=dist/...whl)"
	@echo "make fuzz        schemathesis over both APIs with every role, 50 cases per operation and role (make test: 4)"
	@echo "make faults      the fault suite with 5-minute faults, printing its table (SITEGW_FAULT_S=3600: an hour)"
	@echo "make faults-short every fault test with 15 s faults, fewer kills and cuts, two at once (CI runs it)"
	@echo "make soak        a large site for 30 minutes (SOAK_MINUTES=3: shorter): docs/soak.md, its plots and verdict"
	@echo "make bench       benchmarks, printing 'name: value unit' lines"
	@echo "make vision-eval the hard-hat card on the held-out test photos, per data folder and overall (~2 min)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "sitegw needs Python 3.11 or newer"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	SITEGW_PURE_PYTHON=1 $(PY) -m pip install -q -e '.[dev]'  # the rules are compiled by $(NATIVE)
	touch $(STAMP)

# the rules compiled in place with mypyc (setup.py), again whenever one of their sources changes; mypyc's
# and the C compiler's minutes of warnings go to a log, shown only when the build fails
NATIVE_LOG := $(VENV)/native-build.log
$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	@echo "compiling the rules with mypyc (a few minutes the first time; log: $(NATIVE_LOG))"
	@# a module moved or removed leaves its compiled copy behind, which Python would import before its new home
	@for so in rules/*.so kinds/*/*.so gateway/alerts/*.so; do py="$${so%%.cpython-*}.py"; case "$$so" in */native__mypyc.*) ;; *) [ -e "$$so" ] && [ ! -e "$$py" ] && rm -f "$$so" || true;; esac; done
	@$(PY) setup.py -q build_ext --inplace -j 2 > $(NATIVE_LOG) 2>&1 || { cat $(NATIVE_LOG); exit 1; }
	@touch $(NATIVE)

venv: $(STAMP)

native: $(NATIVE)

demo: $(NATIVE)
	$(VENV)/bin/sitegw demo $(DEMO_ARGS)

test-env:
	bash scripts/setup-test-env.sh

test: $(NATIVE) test-env
	$(PY) -m pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy $(TYPED_TESTS)
	$(VENV)/bin/lint-imports --no-cache

# the pages written from the code first: the config reference, and the kinds' lists in README.md & co
docs: $(STAMP)
	PYTHONPATH=. $(PY) scripts/config_reference.py
	PYTHONPATH=. $(PY) scripts/kind_lists.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

test-slow: $(NATIVE) test-env
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

# the slow tests that are neither the faults (make faults: FAULT_TESTS, the three e2e SIGKILL and platform files
# too, 530 s of test-long's before) nor the wheel (make test-packaging), two files at a time, longest first as
# make test's: a slow test nobody runs rots, and two such had hidden product defects (docs/testing.md)
test-long: $(NATIVE) test-env
	$(PY) -m pytest -m slow -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder tests \
		$(addprefix --ignore=,$(FAULT_TESTS)) --ignore=tests/packaging $(PYTEST_ARGS)

# the full vision evaluation: the shipped hard-hat card on every held-out test photo through the path
# `sitegw vision eval` runs, per data folder, per kind of frame and overall (SITEGW_HELMET_DATA: the data)
vision-eval: $(STAMP)
	$(PY) -m training.heldout

# the wheel as users build it: pip's isolated build from this checkout, installed in a fresh venv from PyPI
# (the wheel it built is left in dist/, for make image-smoke WHEEL=...)
test-packaging: $(STAMP)
	SITEGW_WHEEL_DIR=$(CURDIR)/dist $(PY) -m pytest tests/packaging -m slow $(PYTEST_ARGS)

# WHEEL: a wheel already built from this checkout (dist/sitegw-*.whl of make test-packaging), which both images
# install instead of compiling the rules in the Dockerfile's build stage; empty: built there from the sources
WHEEL ?=
image-smoke:
	SITEGW_WHEEL="$(WHEEL)" bash scripts/image-smoke.sh

fuzz: $(NATIVE) test-env
	SITEGW_SCHEMA_EXAMPLES=$${SITEGW_SCHEMA_EXAMPLES:-50} $(PY) -m pytest tests/regulator/test_openapi_roles.py tests/api/test_openapi_roles.py -rA $(PYTEST_ARGS)

FAULT_TESTS := tests/faults tests/e2e/test_gateway_kill.py tests/e2e/test_delivery_sigkill.py tests/e2e/test_platform_change.py
# the short form: every fault test, each fault held 15 s (the long outages past the 60 s that makes 补传), the
# city's backlog 600 hazards (two batches to forward) and 3 kills, in two halves at once (scripts/pytest-halves.sh)
# of about the same length (2026-11-26, docs/testing.md): the regulators' faults and the demo killed, then the
# gateway's other faults, the outbox's SIGKILLs and the platform change
FAULTS_SHORT := SITEGW_FAULT_S=15 SITEGW_POWER_CUTS=3 SITEGW_KILLS=5 SITEGW_CLOCK_JUMP_S=20 \
	SITEGW_GATEWAY_LONG_OUTAGE_S=65 SITEGW_KILL_LONG_OUTAGE_S=65 SITEGW_FORWARD_HAZARDS=600 SITEGW_FORWARD_KILLS=3
FAULTS_FIRST_HALF := tests/faults/test_forward_kill.py tests/faults/test_regulator_failover.py \
	tests/faults/test_modbus_slave_dies.py tests/faults/test_regulator_faults.py tests/e2e/test_gateway_kill.py
FAULTS_SECOND_HALF := tests/faults --ignore=tests/faults/test_forward_kill.py \
	--ignore=tests/faults/test_regulator_failover.py --ignore=tests/faults/test_modbus_slave_dies.py \
	--ignore=tests/faults/test_regulator_faults.py tests/e2e/test_delivery_sigkill.py tests/e2e/test_platform_change.py

faults: $(NATIVE) test-env
	SITEGW_FAULT_S=$${SITEGW_FAULT_S:-300} $(PY) -m pytest $(FAULT_TESTS) -rA $(PYTEST_ARGS)

faults-short: $(NATIVE) test-env
	$(FAULTS_SHORT) bash scripts/pytest-halves.sh "$(PY) -m pytest -rA $(PYTEST_ARGS)" "$(FAULTS_FIRST_HALF)" \
		"$(FAULTS_SECOND_HALF)"

soak: $(NATIVE) test-env
	SOAK_MINUTES=$${SOAK_MINUTES:-30} $(PY) bench/soak.py $(SOAK_ARGS)

bench: $(NATIVE) test-env
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) .state .pytest_cache build rules/compiled_from.json
	find rules kinds gateway/alerts -name '*.so' -delete
