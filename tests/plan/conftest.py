"""One initialised fixture root per module, shared by the cases of a test module."""

from __future__ import annotations

import pytest

from tests.plan.fixture import ModuleFixture


@pytest.fixture(scope="module")
def module_fixture(target):
    """`module_fixture(name, valid_inputs)` returns the module's fixture, initialising it once."""
    opened: dict[str, ModuleFixture] = {}

    def get(module: str, inputs: dict) -> ModuleFixture:
        if module not in opened:
            opened[module] = ModuleFixture(target, module, inputs)
        return opened[module]

    yield get
    for fixture in opened.values():
        fixture.close()
