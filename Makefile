# The two commands: `make run` (set up, then the watcher + portal) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system run test bench clean

setup: system $(STAMP)

system:
	bash scripts/install-system.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: setup
	$(BIN)/dossier --data dossier-data run --host 127.0.0.1 --port 8000

# The whole suite on SQLite, then the store, intake, lifecycle and safekeeping tests again on a temporary
# PostgreSQL cluster that tests/pg.py starts on a loopback port and stops afterwards.
PG_TESTS := tests/store tests/intake tests/lifecycle tests/safekeeping

# Both passes always run (a failure in the first still shows the second's result).
test: setup
	@rc=0; $(BIN)/python -m pytest || rc=1; \
	DOSSIER_TEST_DB=postgresql $(BIN)/python -m pytest $(PG_TESTS) || rc=1; exit $$rc

bench: setup
	@for b in bench/*_bench.py; do echo "== $$b"; $(BIN)/python $$b --quick || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
