"""IAM decisions for the calls on the project's path, taken the way AWS takes them.

moto's own enforcement looks up a cross-account role in the caller's account (so the trust
policy and its ExternalId condition are skipped) and authorizes InvokeEndpoint against
resource "*". `AwsLikeIAMRequest` replaces moto's decision for sts:AssumeRole,
sagemaker:InvokeEndpoint[Async] and lambda:InvokeFunction with the policy engine in
`policy.py`, and leaves every other action to moto.
"""

from __future__ import annotations

import datetime
import json
from urllib.parse import unquote

from moto.awslambda.models import lambda_backends
from moto.iam import access_control
from moto.iam.models import iam_backends

from xacct.emulator import policy
from xacct.emulator.errors import json_error, query_error
from xacct.emulator.identity import PARTITION, access_key_id_from, resolve_caller
from xacct.emulator.state import STATE

ROLE_ARN_ACCOUNT = 4  # arn:aws:iam::ACCOUNT:role/NAME split on ":"


def _param(data: dict, name: str) -> str | None:
    value = data.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class AwsLikeIAMRequest(access_control.IAMRequest):
    """moto's IAMRequest with AWS's evaluation for the actions this project relies on."""

    def check_action_permitted(self, resource: str) -> None:
        decide = {
            "sts:assumerole": self._assume_role,
            "sagemaker:invokeendpoint": self._invoke_endpoint,
            "sagemaker:invokeendpointasync": self._invoke_endpoint,
            # Decided as sagemaker:InvokeEndpoint, as the API reference says (see sagemaker_stream.py).
            "sagemaker:invokeendpointwithresponsestream": self._invoke_endpoint,
            # moto names the Lambda action after its handler; IAM calls it InvokeFunction.
            "lambda:invoke": self._invoke_function,
            "lambda:invokefunction": self._invoke_function,
        }.get(self._action.lower())
        caller = self._caller()
        if decide is None:
            STATE.record({"account": self.account_id, "action": self._action, "caller": caller.principal.arn if caller else None})
            return super().check_action_permitted(resource)
        if caller is None:  # moto already refused unknown keys; keep the invariant explicit
            raise json_error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        self._refuse_expired(caller)
        decide(caller)

    def _create_aws_request(self):
        """Sign body-less requests over an empty body, as the client did.

        moto falls back to the parsed parameters when the body is empty, which makes the
        signature of every body-less REST call (Lambda's GETs among them) mismatch.
        """
        request = super()._create_aws_request()
        if not self._body and self._method in ("GET", "HEAD", "DELETE"):
            request.data = b""
        return request

    # --- helpers ----------------------------------------------------------------------

    def _caller(self):
        return resolve_caller(self.account_id, access_key_id_from(self._headers["Authorization"]), STATE.org_of)

    def _refuse_expired(self, caller) -> None:
        session = caller.session
        if session is not None and session.expiration < datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None):
            error = query_error if self._action.lower().startswith("sts:") else json_error
            raise error(403, "ExpiredTokenException" if error is json_error else "ExpiredToken",
                        "The security token included in the request is expired")

    def _evaluate(self, caller, action: str, resource: str, resource_policy=None, resource_account=None, context=None):
        decision = policy.evaluate(
            action=action,
            resource=resource,
            principal=caller.principal,
            identity_policies=caller.identity_policies,
            session_policies=caller.session_policies,
            permissions_boundary=caller.permissions_boundary,
            resource_policy=resource_policy,
            resource_account=resource_account or self.account_id,
            context=context or {},
        )
        STATE.record({
            "account": self.account_id, "action": action, "caller": caller.principal.arn,
            "resource": resource, "allowed": decision.allowed, "reason": decision.reason,
        })
        return decision

    # --- sts:AssumeRole ---------------------------------------------------------------

    def _assume_role(self, caller) -> None:
        role_arn = _param(self._data, "RoleArn") or ""
        session_name = _param(self._data, "RoleSessionName")
        external_id = _param(self._data, "ExternalId")
        duration = _param(self._data, "DurationSeconds")
        duration = int(duration) if duration else None

        # Syntax first, as STS does: these fail whoever the caller is.
        errors = policy.assume_role_input_errors(
            role_session_name=session_name, external_id=external_id, duration_seconds=duration,
            max_session_duration=43200, caller_is_role_session=False)
        if errors:
            raise query_error(400, "ValidationError", errors[0])

        role = self._target_role(role_arn)
        context = {"sts:RoleSessionName": session_name}
        if external_id is not None:
            context["sts:ExternalId"] = external_id
        trust = role.assume_role_policy_document if role is not None else None
        target_account = role_arn.split(":")[ROLE_ARN_ACCOUNT] if role_arn.count(":") >= 5 else self.account_id
        decision = self._evaluate(caller, "sts:AssumeRole", role_arn, resource_policy=trust,
                                  resource_account=target_account, context=context)
        if role is None or not decision.allowed:
            raise query_error(403, "AccessDenied", policy.access_denied_message(
                caller.principal.arn, "sts:AssumeRole", role_arn, decision))

        errors = policy.assume_role_input_errors(
            role_session_name=session_name, external_id=external_id, duration_seconds=duration,
            max_session_duration=int(role.max_session_duration or 3600),
            caller_is_role_session=caller.principal.is_role_session)
        if errors:
            raise query_error(400, "ValidationError", errors[0])

    @staticmethod
    def _target_role(role_arn: str):
        """The role in the account its ARN names (moto looks in the caller's account)."""
        parts = role_arn.split(":")
        if len(parts) < 6 or parts[ROLE_ARN_ACCOUNT] not in iam_backends:
            return None
        try:
            return iam_backends[parts[ROLE_ARN_ACCOUNT]][PARTITION].get_role_by_arn(role_arn)
        except Exception:
            return None

    # --- sagemaker:InvokeEndpoint[Async] ----------------------------------------------

    def _invoke_endpoint(self, caller) -> None:
        # /endpoints/NAME/invocations or /endpoints/NAME/async-invocations
        segments = self._path.split("?", 1)[0].strip("/").split("/")
        name = unquote(segments[1]) if len(segments) > 2 else ""
        action = "sagemaker:InvokeEndpointAsync" if segments[-1] == "async-invocations" else "sagemaker:InvokeEndpoint"
        resource = policy.sagemaker_endpoint_arn(self._region, self.account_id, name)
        decision = self._evaluate(caller, action, resource)
        if not decision.allowed:
            raise json_error(403, "AccessDeniedException",
                             policy.access_denied_message(caller.principal.arn, action, resource, decision))

    # --- lambda:InvokeFunction --------------------------------------------------------

    def _invoke_function(self, caller) -> None:
        # /2015-03-31/functions/NAME-OR-ARN/invocations
        segments = self._path.split("?", 1)[0].strip("/").split("/")
        name = unquote(segments[2]) if len(segments) > 3 else ""
        if name.startswith("arn:"):
            resource = name
        else:
            resource = f"arn:{PARTITION}:lambda:{self._region}:{self.account_id}:function:{name}"
        function_name = resource.split(":")[6] if resource.count(":") >= 6 else name
        decision = self._evaluate(caller, "lambda:InvokeFunction", resource,
                                  resource_policy=self._function_policy(function_name))
        if not decision.allowed:
            raise json_error(403, "AccessDeniedException",
                             policy.access_denied_message(caller.principal.arn, "lambda:InvokeFunction", resource, decision))

    def _function_policy(self, function_name: str):
        try:
            return json.loads(lambda_backends[self.account_id][self._region].get_policy(function_name, None))
        except Exception:  # no function policy, or no such function (Lambda answers 404 later)
            return None


def install() -> None:
    """Bind the AWS-like decision where moto's auth code looks it up at call time."""
    access_control.IAMRequest = AwsLikeIAMRequest

