# cx-workbook: the commands behind README.md. Every target is idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AIRLINE := ../shared/data/airline_satisfaction/passengers.csv

.PHONY: demo test properties lab explore install browser office airline bench clean
# JupyterLab refuses to start as root without --allow-root (a container, CI).
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)
CLIENT ?= demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/cx kernel
	touch $@

install: $(STAMP)

# Debian's chromium (PDF, chart images, browser tests) and a CJK font for Chinese reports.
browser:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing chromium and fonts-noto-cjk (Debian packages)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-noto-cjk poppler-utils >/dev/null; \
	  else \
	    echo "please run: sudo apt-get install -y chromium fonts-noto-cjk poppler-utils"; exit 1; \
	  fi; \
	fi

# LibreOffice Impress (Debian's libreoffice-impress): the suite opens deck.pptx with it.
office:
	@if ! command -v soffice >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing libreoffice-impress (Debian package)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libreoffice-impress >/dev/null; \
	  else \
	    echo "please run: sudo apt-get install -y libreoffice-impress"; exit 1; \
	  fi; \
	fi

demo: install browser
	$(BIN)/cx run demo

test: install browser office
	$(BIN)/python -m pytest

# The property tests with many examples from fresh seeds (make test runs a bounded, seeded set).
properties: install
	HYPOTHESIS_PROFILE=long $(BIN)/python -m pytest tests/test_properties.py tests/test_comments_properties.py -q

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

# The workshop view: the explorer notebook for CLIENT (default demo) as a page, served by Voila.
explore: install
	$(BIN)/cx explore $(CLIENT)

# The real airline survey as a client: copies the file into the (git-ignored) client folder.
airline: install
	cp $(AIRLINE) data/clients/airline/passengers.csv
	$(BIN)/cx run airline

bench: install browser
	$(BIN)/python bench/run_demo.py
	$(BIN)/python bench/workers.py
	$(BIN)/python bench/big.py
	$(BIN)/python bench/cluster.py

clean:
	rm -rf reports .pytest_cache
