# Everything runs from a project-local virtual environment and toolchain; a fresh clone
# needs only python3 and access to PyPI.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
# Shell exports that point every Terraform run at the project's toolchain.
TOOLCHAIN_ENV = eval "$$($(PY) -m xacct.toolchain env)"
PYTEST_ARGS ?=

.PHONY: help setup toolchain test test-unit test-plan test-e2e checkov demo emulator bench package docs fmt clean model-image preflight

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  Switches: TF_PROVIDERS=mirror|registry (default mirror), TF_BINARY=auto|bundled (default auto)"

$(VENV)/.installed: pyproject.toml
	@echo "[setup] creating $(VENV) from pyproject.toml"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,bench]'
	@touch $@

$(CHECKOV_VENV)/.installed:
	@echo "[setup] creating $(CHECKOV_VENV) (checkov pins its own boto3, so it lives apart)"
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $@

setup: $(VENV)/.installed ## Create the virtual environment

toolchain: setup ## Provide Terraform and the verified hashicorp/aws provider mirror
	@$(PY) -m xacct.toolchain setup

package: setup ## Rebuild the Lambda zip in modules/child from lambda_src/
	@$(PY) -m xacct.package

test: toolchain $(CHECKOV_VENV)/.installed ## Everything CI runs: unit, plan, emulator end-to-end, checkov
	@$(TOOLCHAIN_ENV) && $(PY) -m pytest $(PYTEST_ARGS)

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

emulator: setup ## Run the two-account emulator in the foreground
	@$(PY) -m xacct.emulator

bench: toolchain ## Benchmark the invoker against a seed-style handler and a direct call
	@$(TOOLCHAIN_ENV) && $(PY) -m xacct.bench

docs: setup ## Regenerate the Inputs/Outputs tables in modules/*/README.md
	@$(PY) -m xacct.docs

fmt: toolchain ## terraform fmt every module and example
	@$(TOOLCHAIN_ENV) && terraform fmt -recursive modules examples

model-image: setup ## Build the echo model (model/echo) and push it to MODEL_REPOSITORY (an ECR URI); needs Docker
	@$(PY) -m xacct.model_image

preflight: setup ## Real-AWS mode (XACCT_TARGET=aws): check accounts, quota, image and CI permissions; creates nothing
	@$(PY) -m xacct.preflight

clean: ## Remove environments, toolchain and caches
	rm -rf $(VENV) $(CHECKOV_VENV) .toolchain build
