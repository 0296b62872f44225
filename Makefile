# Developer and CI entry points. `make test` works on a fresh clone: it creates the venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: venv test lint clean

venv: $(VENV)/.installed

# Reinstalled when pyproject.toml changes (new dependencies).
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar off -e '.[dev]'
	touch $@

# Integration tests need a private Docker daemon: see tests/conftest.py.
# On a fresh Debian machine (as root) this installs docker.io and the rest first; the tests then
# start a private dockerd of their own (see tests/conftest.py).
test: venv
	bash lab/install-deps.sh
	$(BIN)/pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis

# The main job on a fresh machine (root): a private engine, veth parents and containers of its
# own, then `vlanspec plan specs/lab.yaml` against it. `make lab-down` removes it all.
.PHONY: lab-plan lab-down
lab-plan:
	bash lab/demo.sh plan

lab-down:
	bash lab/demo.sh down

# Benchmarks on a private engine (root, dockerd, busybox-static, iproute2); writes bench/REPORT.md.
.PHONY: bench
BENCH_ARGS ?=
bench:
	bash bench/run.sh $(BENCH_ARGS)

# The integration suite on each engine: system (Debian 12's 20.10) and those pinned in
# lab/engines.txt, each on a private daemon (root).
.PHONY: test-engines test-kernel
ENGINES ?=
test-engines: venv
	bash lab/matrix.sh $(ENGINES)

# ipvlan, VLAN parents and dummy links on Debian's stock kernel under QEMU (root; lab/README.md).
KERNEL_ENGINES ?= system 28.5
test-kernel: venv
	bash lab/kernel.sh $(KERNEL_ENGINES)
