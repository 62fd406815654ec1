"""Fails loudly when a moto upgrade moves a point the IAM engine's hooks rely on.

Besides the IAMBackend methods (test_iam_write_validation.py), the engine wraps STS's
AssumeRole response (session tags and policy ARNs), Lambda's backend invoke (functions of
other accounts) and reads Lambda function policies and STS sessions.
"""

from __future__ import annotations

import inspect

import pytest

pytestmark = pytest.mark.unit


def test_sts_assume_role_response_returns_the_session_it_created():
    from moto.sts.responses import TokenResponse

    source = inspect.getsource(TokenResponse.assume_role)
    assert '"Credentials": role' in source, "TokenResponse.assume_role no longer returns the AssumedRole"
    assert callable(TokenResponse.assume_role_with_web_identity) and callable(TokenResponse.assume_role_with_saml)


def test_iam_request_reads_the_signature_unconditionally():
    """Why unsigned requests are answered before moto's IAMRequest is built."""
    from moto.iam.access_control import IAMRequestBase

    assert 'self._headers["Authorization"]' in inspect.getsource(IAMRequestBase.__init__)


def test_lambda_backend_invoke_and_function_policy():
    from moto.awslambda.models import LambdaBackend, LambdaFunction
    from moto.awslambda.policy import Policy

    assert list(inspect.signature(LambdaBackend.invoke).parameters) == [
        "self", "function_name", "qualifier", "body", "headers", "response_headers"]
    assert "self.policy" in inspect.getsource(LambdaFunction.__init__)
    assert "self.statements" in inspect.getsource(Policy.__init__)
    # unique_ids.py rewrites the stored functions' policies (LambdaStorage.all() copies them)
    from moto.awslambda.models import LambdaStorage

    source = inspect.getsource(LambdaStorage)
    assert 'self._functions[name] = {' in source or "self._functions[" in source
    assert '"latest"' in source and '"versions"' in source


def test_installing_binds_every_iam_engine_hook():
    from moto.awslambda.models import LambdaBackend
    from moto.iam import access_control
    from moto.sts.responses import TokenResponse

    from xacct.emulator import authz, lambda_cross_account, sts_hooks

    original = access_control.IAMRequest
    try:
        authz.install()
        assert access_control.IAMRequest is authz.AwsLikeIAMRequest
        assert TokenResponse.assume_role is sts_hooks.assume_role
        assert LambdaBackend.invoke is lambda_cross_account.invoke
    finally:
        access_control.IAMRequest = original
