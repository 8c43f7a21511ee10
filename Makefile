# Two commands: `make run` and `make test`. Each does the idempotent set-up first.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEB_PACKAGES := libvlc5 vlc-plugin-base libvlc-bin ffmpeg espeak-ng pulseaudio pulseaudio-utils sox chromium fonts-wqy-microhei
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS ?=

.PHONY: run test check setup system-deps venv lint typecheck unit bench clean install-service audit

run: setup
	$(BIN)/broadcaster demo $(ARGS)

test: setup lint typecheck
	$(BIN)/pytest -q $(ARGS)

# The inner loop (target: 90 s): lint, types and every test that needs no real audio, browser
# or daemon process (tests/conftest.py marks those by what they start).
CHECK_MARKERS := not (vlc or e2e or daemon or pulse or browser)
check: venv
	@SECONDS=0; \
	$(MAKE) --no-print-directory lint typecheck && \
	$(BIN)/pytest -q -p no:cacheprovider -m "$(CHECK_MARKERS)" $(ARGS); status=$$?; \
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

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/interrupt_latency.py

# Known vulnerabilities in the installed dependencies, from PyPI's advisory data (needs
# https://pypi.org/pypi/<name>/<version>/json). Fails on a finding and on a package it could not look up.
audit: venv
	$(BIN)/pip-audit --strict --skip-editable --progress-spinner off

# The systemd services (PulseAudio in system mode + the daemon, with a watchdog), as root.
install-service: setup
	$(SUDO) $(BIN)/broadcaster install-service $(ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache test-artifacts
