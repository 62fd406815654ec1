"""Sessions made inside `parsed_once` share one data loader; outside it each has its own."""

from __future__ import annotations

import botocore.session
import pytest

from xacct import botocore_models


def _loader():
    return botocore.session.Session().get_component("data_loader")


@pytest.mark.unit
def test_inside_sessions_share_the_parsed_models_and_outside_each_parses_its_own(monkeypatch):
    # The suite runs inside parsed_once (tests/conftest.py): step out of it first.
    unshared = botocore_models._shared_loader.__wrapped__
    monkeypatch.setattr(botocore.session, "create_loader", unshared)
    assert _loader() is not _loader()
    with botocore_models.parsed_once():
        first = _loader()
        assert _loader() is first
        model = first.load_service_model("sts", "service-2")
        assert _loader().load_service_model("sts", "service-2") is model
        with botocore_models.parsed_once():
            assert _loader() is first
        assert botocore.session.create_loader is botocore_models._shared_loader, "the inner exit keeps the outer"
    assert botocore.session.create_loader is unshared, "restored on the way out"
