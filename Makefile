# Two commands: `make run` and `make test`. Each does the idempotent set-up first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What the broadcast-room PC needs to run (make install-service installs only these), and what
# the tests add (the browser that drives the console, its Chinese font, sox, Snapcast on
# loopback for the remote-zone transport).
DEB_RUNTIME := libvlc5 vlc-plugin-base libvlc-bin ffmpeg espeak-ng pulseaudio pulseaudio-utils python3-venv snapserver
DEB_TEST := sox chromium fonts-wqy-microhei snapclient
DEB_PACKAGES := $(DEB_RUNTIME) $(DEB_TEST)
SYSTEM_PY := /usr/bin/python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS ?=
# Python may write its bytecode (and pytest its rewritten test modules) under __pycache__
# (ignored by git): a shell that sets PYTHONDONTWRITEBYTECODE had every test process and every
# daemon the tests start compile all of it again, about 10 s of CPU per pytest worker.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-py313 check setup system-deps venv lint typecheck unit bench clean install-service audit

run: setup
	$(BIN)/broadcaster demo $(ARGS)

# Parallel worker processes (pytest-xdist): most of the long tests wait on real time (audio
# playing, daemons starting), so four workers on two cores finish sooner; the inner loop's
# tests use the CPU, so two. A module's tests stay on one worker (tests/conftest.py orders
# them). TEST_WORKERS=0 or CHECK_WORKERS=0 runs in this process (for a debugger).
TEST_WORKERS ?= 4
CHECK_WORKERS ?= 2
PARALLEL = $(if $(filter 0,$(1)),,-n $(1) --dist loadfile --no-loadscope-reorder)

# mypy (about 12 s of CPU with a cold cache, as in a clean clone) runs beside the first pytest
# run instead of before it; its report and its verdict come after that run.
TYPES_BESIDE = types=$$(mktemp); $(BIN)/mypy >$$types 2>&1 & mypy_pid=$$!
TYPES_VERDICT = wait $$mypy_pid; typed=$$?; cat $$types; rm -f $$types; \
	[ $$typed = 0 ] || status=$$typed

# Tests marked serial measure the air under load of their own (the short soak counts a 10 ms
# dropout as silence), which the parallel part's load would add to: they run after it, alone.
# (pytest's exit code 5 is "nothing selected": ARGS may name only one kind.)
test: setup lint
	@SECONDS=0; status=0; $(TYPES_BESIDE); \
	if [ "$(TEST_WORKERS)" = 0 ]; then $(BIN)/pytest -q $(ARGS) || status=$$?; $(TYPES_VERDICT); \
	else \
	  $(BIN)/pytest -q $(call PARALLEL,$(TEST_WORKERS)) -m "not serial" $(ARGS) || status=$$?; \
	  [ $$status = 5 ] && status=0; \
	  $(TYPES_VERDICT); echo "make test (parallel part): $$SECONDS s"; \
	  $(BIN)/pytest -q -m serial $(ARGS); serial=$$?; \
	  [ $$serial = 0 ] || [ $$serial = 5 ] || status=$$serial; \
	fi; \
	echo "make test (mypy and pytest): $$SECONDS s"; exit $$status

# The inner loop (target: 90 s): lint, types and every test that needs no real audio, browser,
# daemon process or real install (tests/conftest.py marks those by what they start; a test
# making or measuring sound with ffmpeg, espeak-ng, sox or the voice worker is marked
# ``audio``, and here one without the mark fails and says so).
CHECK_MARKERS := not (vlc or e2e or daemon or pulse or browser or install or audio)
check: venv
	@SECONDS=0; \
	$(MAKE) --no-print-directory lint || exit $$?; $(TYPES_BESIDE); \
	BROADCASTER_CHECK_LANE=1 $(BIN)/pytest -q -p no:cacheprovider $(call PARALLEL,$(CHECK_WORKERS)) -m "$(CHECK_MARKERS)" \
	  $(ARGS); status=$$?; $(TYPES_VERDICT); \
	echo "make check: $$SECONDS s"; exit $$status

setup: system-deps venv

# Debian packages: installed only when one is missing, so a second run costs nothing.
system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The virtual environment is rebuilt when pyproject.toml changes.
venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# The Python 3.13 lane (Debian 13's Python): the speech and music-library tests and the daemon
# end to end, in their own virtual environment. PY313 is found on the PATH or among pyenv's
# versions; set it to choose.
PY313 ?= $(shell for p in python3.13 $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.13*/bin/python3.13; do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { command -v "$$p"; break; }; done)
VENV313 := .venv313
PY313_TESTS ?= tests/scripts_library tests/playlists tests/broadcaster/test_library_scan.py tests/test_end_to_end.py

test-py313: system-deps $(VENV313)/.installed
	$(VENV313)/bin/pytest -q $(PY313_TESTS) $(ARGS)

$(VENV313)/.installed: pyproject.toml
	@[ -n "$(PY313)" ] || { echo "Python 3.13 was not found (not on the PATH, not in pyenv): install it" \
	  "(apt-get install python3.13, or pyenv install 3.13) or name it: make test-py313 PY313=/path/to/python3.13" >&2; exit 1; }
	[ -x $(VENV313)/bin/python ] || $(PY313) -m venv $(VENV313)
	$(VENV313)/bin/pip install -q --upgrade pip
	$(VENV313)/bin/pip install -q -e '.[dev]'
	touch $@

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/interrupt_latency.py

# Known vulnerabilities in the installed dependencies, from the package index's advisory data
# (pip-audit finds its own URL). Fails on a finding and on a package it could not look up.
audit: venv
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# The broadcast room, as root: the runtime Debian packages only, the application built into
# /opt/broadcaster/venv by the system's Python (no test tools), the systemd services, the music
# folder, the starter scripts and the default programme (ARGS="--no-content" to leave them out).
install-service:
	$(MAKE) system-deps DEB_PACKAGES="$(DEB_RUNTIME)"
	$(SUDO) $(SYSTEM_PY) -m broadcaster.install $(ARGS)

clean:
	rm -rf $(VENV) $(VENV313) .mypy_cache .ruff_cache .pytest_cache test-artifacts
