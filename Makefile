# nnplay: two commands for a newcomer.
#   make app    set up .venv (torch CPU first, then nnplay) and serve http://127.0.0.1:7860
#   make test   the same set-up, then the whole test suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
TORCH  ?= torch==2.13.0
STAMP  := $(VENV)/.nnplay-installed

.PHONY: app test setup bench report screenshots clean

app: $(STAMP)
	$(VENV)/bin/nnplay app

test: $(STAMP)
	$(PY) -m pytest -q

setup: $(STAMP)

# torch goes in first: a bare `torch` requirement with no torch installed would pull
# several GB of CUDA wheels, while torch==2.13.0 is a local CPU wheel.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The browser tests, saving their screenshots into docs/screenshots/ (a plain test run
# writes them to a temporary folder and leaves the working tree untouched).
screenshots: $(STAMP)
	NNPLAY_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -m browser

bench: $(STAMP)
	$(VENV)/bin/nnplay bench

report: $(STAMP)
	$(VENV)/bin/nnplay report

clean:
	rm -rf $(VENV) .pytest_cache build dist
