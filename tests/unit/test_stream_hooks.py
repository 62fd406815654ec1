"""Fails loudly when a moto upgrade moves a point the streaming endpoint hooks into.

moto 5.2.5 has no InvokeEndpointWithResponseStream: xacct/emulator/sagemaker_stream.py adds
its URL to moto's sagemaker-runtime routes and sends SageMaker-signed requests for it to
the runtime (moto does so only for paths ending in "invocations"). The seeded case shows
moto without the hook sending the streaming path to the SageMaker API instead.
"""

from __future__ import annotations

import pytest
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.sagemakerruntime import urls as runtime_urls

from xacct.emulator import sagemaker_stream

pytestmark = pytest.mark.unit

SIGNED = ("AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/sagemaker/aws4_request, "
          "SignedHeaders=host, Signature=00")


def _host_for(path: str) -> str:
    environ = {"HTTP_AUTHORIZATION": SIGNED, "PATH_INFO": path, "HTTP_HOST": "127.0.0.1"}
    return DomainDispatcherApplication(create_backend_app).infer_service_region_host(environ, path)


@pytest.fixture
def moto_as_shipped(monkeypatch):
    """moto's own routing, and everything install() changes restored afterwards."""
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    from xacct.emulator.server import ControlApi

    monkeypatch.setattr(ControlApi, "__call__", ControlApi.__call__)
    for name in ("use_raw_body", "invoke_endpoint_with_response_stream"):
        monkeypatch.setattr(SageMakerRuntimeResponse, name, getattr(SageMakerRuntimeResponse, name, None), raising=False)
    monkeypatch.setattr(DomainDispatcherApplication, "infer_service_region_host", sagemaker_stream._moto_infer_host)
    monkeypatch.setattr(runtime_urls, "url_paths", dict(runtime_urls.url_paths))


def test_moto_routes_the_runtime_by_a_path_ending_in_invocations(moto_as_shipped):
    assert _host_for("/endpoints/e/invocations") == "runtime.sagemaker.us-east-1.amazonaws.com"
    # The seeded case: without the hook the streaming call would reach the SageMaker API.
    assert _host_for("/endpoints/e/invocations-response-stream") == "api.sagemaker.us-east-1.amazonaws.com"
    assert "{0}/endpoints/(?P<name>[^/]+)/invocations$" in runtime_urls.url_paths, "moto's runtime routes moved"


def test_installed_hook_routes_the_streaming_path_to_the_runtime(moto_as_shipped):
    sagemaker_stream.install()
    assert _host_for("/endpoints/e/invocations-response-stream") == "runtime.sagemaker.us-east-1.amazonaws.com"
    assert _host_for("/endpoints/e") == "api.sagemaker.us-east-1.amazonaws.com"  # the API itself is untouched
    assert any(path.endswith("/invocations-response-stream$") for path in runtime_urls.url_paths)
