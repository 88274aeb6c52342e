# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test fuzz venv bench office-check clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/greendiag diagnose examples/demo-park.yaml --out out/demo

# -n auto: the suite's files run on every core (pytest-xdist); each test still draws fixed hypothesis examples
test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

# the property tests on new random examples (`make test` draws the same ones every run); run before a release
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=explore $(BIN)/python -m pytest -q -n auto

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_diagnose.py
	$(BIN)/python benchmarks/bench_batch.py

# needs LibreOffice (apt install libreoffice-writer-nogui libreoffice-calc-nogui); not part of `make test`
office-check: $(STAMP)
	$(BIN)/python tools/office_check.py

clean:
	rm -rf $(VENV) out build dist *.egg-info
