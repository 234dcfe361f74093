# Two commands do all the set-up on a fresh Debian machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test example bench stress deps clean reference

$(PY):
	python3 -m venv $(VENV)

$(STAMP): $(PY) pyproject.toml
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

OUTLINES := fieldkit/report/outlines.json
NE_WHEEL := $(VENV)/cache/geopandas-0.14.4-py3-none-any.whl

# The offline map's country outlines (Natural Earth, public domain), derived from a PyPI wheel
# that ships them; see scripts/build_outlines.py. Not committed.
$(OUTLINES): scripts/build_outlines.py | $(PY)
	$(PY) -m pip download --quiet --no-deps --dest $(VENV)/cache geopandas==0.14.4
	$(PY) scripts/build_outlines.py $(NE_WHEEL) $(OUTLINES)

# Tesseract in-process (the `inprocess` extra, fieldkit/ocr/inprocess.py): tesserocr built from source
# against the system's libtesseract, once scripts/ensure-tesseract.sh has installed it and its headers
# (PyPI's binary wheel bundles another tesseract, whose readings differ). Where it cannot be built,
# fieldkit runs the tesseract command instead (slower, same readings), and says so here.
INPROCESS := $(VENV)/.inprocess

$(INPROCESS): $(STAMP)
	@bash scripts/ensure-tesseract.sh
	$(PY) -m pip install --quiet --no-binary tesserocr -e '.[test,inprocess]' \
	  || echo "fieldkit: tesserocr could not be built (see scripts/ensure-tesseract.sh); tesseract will run as a command" >&2
	touch $(INPROCESS)

deps: $(STAMP) $(OUTLINES) $(INPROCESS)
	@bash scripts/ensure-tesseract.sh

run: deps
	$(VENV)/bin/fieldkit

# Two workers (pytest-xdist): the suite is CPU-bound, and a 2-core CI machine runs it in about half
# the time. --dist loadfile keeps each test file on one worker, so a file's tests never race each
# other over a fixed path (test_tui_every_screen's picker folder) or a module-scoped fixture.
TEST_WORKERS ?= 2

test: deps
	OMP_THREAD_LIMIT=1 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

example: deps
	$(PY) seeds/build_example.py catalog.db.example

# The long loops of the reliability tests: 500 SIGKILLs, thousands of fuzzed inputs per target.
# Figures go to bench/reliability.jsonl; bench/RELIABILITY.md lists them.
stress: deps
	rm -f bench/reliability.jsonl
	OMP_THREAD_LIMIT=1 FIELDKIT_STRESS_KILLS=500 FIELDKIT_FUZZ_PROFILE=fuzz-stress \
	FIELDKIT_RELIABILITY_LOG=$(CURDIR)/bench/reliability.jsonl \
	$(PY) -m pytest tests/test_crash_safety.py tests/test_fuzz.py tests/test_concurrency.py \
	tests/test_hostile_content.py tests/test_disk_full_and_read_only.py tests/test_backup.py \
	tests/test_pixel_bombs.py tests/test_read_only_opening.py tests/test_tamper_fuzz.py

# Rebuild reference/part_families.csv from the pinned KiCad symbol docs (read where they lie, in
# ../shared/data/kicad-symbols, or `make reference KICAD=DIR`), review.csv and curated_families.csv.
reference: deps
	$(PY) reference/build/kicad_families.py $(if $(KICAD),--kicad $(KICAD))

bench: deps
	OMP_THREAD_LIMIT=1 $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
