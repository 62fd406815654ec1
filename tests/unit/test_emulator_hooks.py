"""Fails loudly when a moto upgrade moves a point the emulator hooks into.

The emulator replaces moto's IAM decision, Lambda execution and SageMaker runtime answer
at these places (see xacct/emulator/*); each assertion names what moved.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import pytest

pytestmark = pytest.mark.unit

PINNED_MOTO = "5.2.5"


def test_moto_is_the_pinned_version():
    assert version("moto") == PINNED_MOTO, "the hooks were verified against moto " + PINNED_MOTO


def test_auth_code_looks_up_iam_request_at_call_time():
    from moto.core import authorization

    source = inspect.getsource(authorization.ActionAuthenticatorMixin._authenticate_and_authorize_normal_action)
    assert "from moto.iam.access_control import IAMRequest" in source, "moto no longer imports IAMRequest at call time"


def test_iam_request_has_the_overridden_methods():
    from moto.iam.access_control import IAMRequest

    for name in ("check_action_permitted", "_create_aws_request", "check_signature"):
        assert callable(getattr(IAMRequest, name, None)), f"IAMRequest.{name} moved"
    assert "_data" in inspect.getsource(IAMRequest.__mro__[1].__init__), "IAMRequest no longer keeps request data"


def test_auth_hook_errors_are_passed_through_as_http_exceptions():
    from moto.core.responses import BaseResponse

    assert "except HTTPException" in inspect.getsource(BaseResponse.call_action)


def test_lambda_hook_points():
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.responses import LambdaResponse

    assert "event" in inspect.signature(LambdaFunction._invoke_lambda).parameters
    assert callable(LambdaResponse.invoke)


def test_sagemaker_hook_points():
    from moto.sagemaker.responses import SageMakerResponse
    from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

    assert callable(SageMakerRuntimeResponse.invoke_endpoint)
    assert hasattr(SageMakerRuntimeResponse, "use_raw_body")
    assert callable(SageMakerResponse.describe_model) and callable(SageMakerResponse.describe_endpoint_config)


def test_sts_backend_keeps_sessions_where_the_emulator_reads_them():
    from moto.sts.models import AssumedRole, sts_backends

    assert isinstance(sts_backends["123456789012"]["aws"].assumed_roles, list)
    for attribute in ("role_arn", "session_name", "policy", "expiration", "access_key_id", "session_token"):
        assert attribute in inspect.getsource(AssumedRole.__init__), f"AssumedRole.{attribute} moved"


def test_installing_the_hooks_binds_them():
    from moto.iam import access_control

    from xacct.emulator import authz

    original = access_control.IAMRequest
    try:
        authz.install()
        assert access_control.IAMRequest is authz.AwsLikeIAMRequest
    finally:
        access_control.IAMRequest = original


def test_gateway_and_account_hook_points():
    from moto.core.responses import BaseResponse
    from moto.moto_server import werkzeug_app

    assert "x-moto-account-id" in inspect.getsource(BaseResponse.get_current_account), "moto's account choice moved"
    assert callable(BaseResponse.get_access_key)
    assert hasattr(werkzeug_app, "DISABLE_GLOBAL_CORS"), "moto's CORS switch moved"
    assert "backend_app.service = service" in inspect.getsource(werkzeug_app.create_backend_app)
    assert '"moto_api"' in inspect.getsource(werkzeug_app.DomainDispatcherApplication.get_application)
    assert "fd" in inspect.signature(__import__("werkzeug.serving").serving.make_server).parameters


def test_lambda_request_hook_points():
    from moto.awslambda.responses import LambdaResponse

    assert "use_raw_body" in inspect.signature(LambdaResponse.setup_class).parameters
    assert "parsed_url" in inspect.getsource(LambdaResponse.__mro__[1].setup_class)


def test_sagemaker_endpoint_arn_hook_points():
    from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend

    assert "self.arn = FakeEndpoint.arn_formatter" in inspect.getsource(FakeEndpoint.__init__)
    assert "def _get_resource_from_arn" in inspect.getsource(SageMakerModelBackend)


def test_sagemaker_model_check_hook_points():
    """sagemaker_models wraps the backend's create_model and create_endpoint; the checks read
    moto's models, endpoints, roles and ECR repositories where these assertions look."""
    from moto.ecr.models import Image, Repository
    from moto.sagemaker.models import FakeEndpoint, Model, SageMakerModelBackend
    from moto.sagemaker.responses import SageMakerResponse

    create_model = inspect.signature(SageMakerModelBackend.create_model).parameters
    assert {"model_name", "execution_role_arn", "primary_container", "vpc_config", "containers", "tags"} <= set(create_model)
    assert {"endpoint_name", "endpoint_config_name", "tags"} <= set(inspect.signature(SageMakerModelBackend.create_endpoint).parameters)
    assert "self._models" in inspect.getsource(SageMakerModelBackend.__init__), "the backend's models moved"
    assert "sagemaker_backend.create_model(" in inspect.getsource(SageMakerResponse.create_model)
    assert "sagemaker_backend.create_endpoint(" in inspect.getsource(SageMakerResponse.create_endpoint)
    for attribute in ("endpoint_status", "failure_reason"):
        assert f"self.{attribute}" in inspect.getsource(FakeEndpoint.__init__), f"FakeEndpoint.{attribute} moved"
    for attribute in ("execution_role_arn", "primary_container", "containers"):
        assert f"self.{attribute}" in inspect.getsource(Model.__init__), f"Model.{attribute} moved"
    for attribute in ("registry_id", "arn", "policy", "images"):
        assert f"self.{attribute}" in inspect.getsource(Repository.__init__), f"Repository.{attribute} moved"
    assert "self.image_tags" in inspect.getsource(Image.__init__) and callable(Image.get_image_digest)
