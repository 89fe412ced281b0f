# `make test` is the README's test command; .ci/run calls the very same target.
# It installs what the tests need from outside Python when it is missing (Chromium,
# poppler-utils, a Thai font, LibreOffice Calc, Debian gdal-bin: tools/system-deps.sh;
# a PostgreSQL + PostGIS server on loopback, started when down: tools/postgis.sh),
# points the tests at the reference boundary layers in ../shared/boundaries when present,
# checks the pipeline's import layers (lint-imports, contracts in setup.cfg) and runs pytest on every core
# (pytest-xdist, one test file per worker so a file's fixtures are built once; the slowest listed).
PYTHON ?= python
SHARED ?= $(abspath ../shared/boundaries)
export PLANMAP_BOUNDARIES ?= $(if $(wildcard $(SHARED)/nst_tambon_adm3.geojson),$(SHARED),)

.PHONY: test system-deps bench
test: system-deps
	lint-imports
	PLANMAP_TEST_DATABASE="$${PLANMAP_TEST_DATABASE:-$$(bash tools/postgis.sh)}" $(PYTHON) -m pytest -n auto --dist loadfile --durations=15

system-deps:
	@$(PYTHON) -c "import planmap_gis" 2>/dev/null || { echo "Install first: pip install -e '.[dev]'"; exit 1; }
	@PATH="$(dir $(shell command -v $(PYTHON))):$$PATH" bash tools/system-deps.sh

# The benchmark suite (P1–P9), not part of the tests; appends to benchmarks/RESULTS.md. The
# "bench" extra is DuckDB with its spatial extension as a wheel: the anchor P1 and P2 measure.
bench: system-deps
	$(PYTHON) -m pip install -q -e ".[bench]"
	$(PYTHON) benchmarks/run.py
