# optviz: two commands on a fresh machine.
#   make run   creates .venv, installs requirements.txt, starts the app on http://127.0.0.1:8501
#   make test  installs requirements-dev.txt, Debian's Chromium (+ CJK fonts) and nginx, runs every test
#   make class starts one replica per core behind nginx on http://127.0.0.1:8501 (a class on one machine)
#   make check the inner loop: ruff, the import contracts (lint-imports) and the tests needing no browser or server
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run class test check lint bench browser-deps nginx-deps screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m streamlit run server.py --server.address 127.0.0.1 --server.port 8501

# A class on one machine: a Streamlit server uses about one core, so one replica per core behind nginx (sticky
# by cookie); deploy/classroom.py starts them and stops them on Ctrl-C. Serve others with ARGS="--address 0.0.0.0".
class: $(RUN_STAMP) nginx-deps
	$(PY) deploy/classroom.py --port 8501 $(ARGS)

# nginx for `make class` and for the load-balancer tests (tests/test_balancer.py), from Debian.
nginx-deps:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends nginx-light; \
	fi

# Chromium for the browser tests comes from Debian (`playwright install` cannot download browsers here);
# the CJK fonts let it draw the Chinese interface.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	fi

test: $(DEV_STAMP) browser-deps nginx-deps
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest

# The layers of shared/DESIGN.md §1 are contracts in pyproject.toml ([tool.importlinter]). The tests are spread
# over every core (pytest-xdist); those marked slow (seconds of CPU each: every lesson of a page, every hostile
# number box, trainings) are left to make test, which runs everything.
check: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -n auto -m "not browser and not server and not slow"

lint: $(DEV_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports --no-cache

bench: $(DEV_STAMP)
	$(PY) bench/engine.py
	$(PY) bench/sweeps.py
	$(PY) bench/tune.py
	$(PY) bench/landscape_nets.py
	$(PY) bench/load.py --learners 20 --seconds 60

# The README's screenshots: the browser tests drive the real app and save what they see under docs/screenshots.
screenshots: $(DEV_STAMP) browser-deps
	OPTVIZ_SCREENSHOTS=docs/screenshots $(PY) -m pytest -q tests/test_workbench.py -k "in_view or large_screen"

clean:
	rm -rf build .pytest_cache .ruff_cache
