# Everything runs from a project-local virtual environment and toolchain; a fresh clone
# needs only python3 and access to PyPI.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
# Hash-locked requirements, resolved by `make lock` from pyproject.toml and requirements/*.in.
PROJECT_LOCK := requirements/project.txt
CHECKOV_LOCK := requirements/checkov.txt
UV_VERSION := 0.13.8
LOCK_FLAGS := --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock"
# Shell exports that point every Terraform run at the project's toolchain.
TOOLCHAIN_ENV = eval "$$($(PY) -m xacct.toolchain env)"
PYTEST_ARGS ?=
# Test files run on both cores (each file on one worker, so its module fixtures are built once).
PARALLEL ?= -n 2 --dist loadfile

.PHONY: help setup lock toolchain lint test test-unit test-plan test-e2e checkov demo emulator bench bench-fleet package docs fmt clean model-image preflight mutation

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Switches: TF_PROVIDERS=mirror|registry (default mirror), TF_BINARY=auto|bundled (default auto)"

# Every package comes from the lock and must match its recorded SHA-256; the project itself is
# then built with the locked setuptools and adds no dependency of its own (--no-deps).
$(VENV)/.installed: pyproject.toml $(PROJECT_LOCK)
	@echo "[setup] creating $(VENV) from $(PROJECT_LOCK) (hash-checked)"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(PROJECT_LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(CHECKOV_VENV)/.installed: $(CHECKOV_LOCK)
	@echo "[setup] creating $(CHECKOV_VENV) from $(CHECKOV_LOCK) (checkov pins its own boto3, so it lives apart)"
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --require-hashes -r $(CHECKOV_LOCK)
	@touch $@

setup: $(VENV)/.installed ## Create the virtual environment (hash-checked from the lock)

lock: setup ## Re-resolve the hash-locked requirements/*.txt from pyproject.toml and requirements/*.in
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) --extra test --extra bench --extra mutation pyproject.toml requirements/build.in -o $(PROJECT_LOCK)
	$(VENV)/bin/uv pip compile $(LOCK_FLAGS) requirements/checkov.in -o $(CHECKOV_LOCK)

toolchain: setup ## Provide Terraform and the verified hashicorp/aws provider mirror
	@$(PY) -m xacct.toolchain setup

package: setup ## Rebuild the Lambda zip in modules/child from lambda_src/
	@$(PY) -m xacct.package

lint: toolchain ## Static checks: 6.x schema, provider deprecations, IAM policy lint, Python lock
	@$(TOOLCHAIN_ENV) && status=0; for check in python_lock schema_conformance deprecations policy_lint; do \
	  $(PY) -m xacct.checks.$$check || status=1; done; exit $$status

# The two environments are independent, so a fresh clone builds them side by side.
test: ## Everything CI runs: unit, plan, emulator end-to-end, checkov
	@$(MAKE) --no-print-directory -j2 toolchain $(CHECKOV_VENV)/.installed
	@$(TOOLCHAIN_ENV) && $(PY) -m pytest $(PARALLEL) $(PYTEST_ARGS)

test-unit: setup ## Unit tests only (no Terraform, no emulator)
	@$(PY) -m pytest -m unit $(PYTEST_ARGS)

test-plan: toolchain ## Terraform fmt/validate/plan tests only
	@$(TOOLCHAIN_ENV) && $(PY) -m pytest -m plan $(PYTEST_ARGS)

test-e2e: toolchain ## End-to-end tests on the emulator only
	@$(TOOLCHAIN_ENV) && $(PY) -m pytest -m "e2e or emulator" $(PYTEST_ARGS)

checkov: toolchain $(CHECKOV_VENV)/.installed ## checkov on modules, examples and example plans
	@$(TOOLCHAIN_ENV) && $(PY) -m pytest -m checkov $(PYTEST_ARGS)

demo: toolchain ## Apply the two-account example on the emulator, invoke it, show a denial, tear down
	@$(TOOLCHAIN_ENV) && $(PY) -m xacct.demo

.PHONY: reachability
reachability: toolchain ## Apply both examples beside every other principal; fail if anyone reaches more or less than intended
	@$(TOOLCHAIN_ENV) && $(PY) -m xacct.reachability

emulator: setup ## Run the two-account emulator in the foreground
	@$(PY) -m xacct.emulator

bench: toolchain ## Benchmark the invoker against a seed-style handler and a direct call
	@$(TOOLCHAIN_ENV) && $(PY) -m xacct.bench

bench-fleet: setup ## Fleet under STS and SageMaker throttling: cold-start burst and refresh storm, before and after
	@$(PY) -m xacct.fleet $(FLEET_ARGS)

mutation: setup ## Mutation testing of the invoker Lambda and policy.py (a quality report, tens of minutes; not part of test)
	@$(PY) -m xacct.mutation $(MUTATION_ARGS)

docs: setup ## Regenerate the Inputs/Outputs tables in modules/*/README.md
	@$(PY) -m xacct.docs

fmt: toolchain ## terraform fmt every module and example
	@$(TOOLCHAIN_ENV) && terraform fmt -recursive modules examples

model-image: setup ## Build the echo model (model/echo) and push it to MODEL_REPOSITORY (an ECR URI); needs Docker
	@$(PY) -m xacct.model_image

preflight: setup ## Real-AWS mode (XACCT_TARGET=aws): check accounts, quota, image and CI permissions; creates nothing
	@$(PY) -m xacct.preflight

clean: ## Remove environments, toolchain, caches and build leftovers
	rm -rf $(VENV) $(CHECKOV_VENV) .toolchain build mutants *.egg-info examples/*/.terraform
