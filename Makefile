# Two commands do all the set-up on a fresh Debian machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test example bench stress deps clean

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

deps: $(STAMP)
	@bash scripts/ensure-tesseract.sh

run: deps
	$(VENV)/bin/fieldkit

test: deps
	OMP_THREAD_LIMIT=1 $(PY) -m pytest

example: deps
	$(PY) seeds/build_example.py catalog.db.example

bench: deps
	OMP_THREAD_LIMIT=1 $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
