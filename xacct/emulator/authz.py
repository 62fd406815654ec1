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

from xacct.emulator import arns, denials, iam_hooks, iam_propagation, lambda_cross_account, policy, sagemaker_models, sts_federation, sts_hooks, sts_rules, sts_sessions
from xacct.emulator.errors import json_error, query_error
from xacct.emulator.identity import access_key_id_from, resolve_caller
from xacct.emulator.request_context import global_context
from xacct.emulator.state import STATE

# Calls that hand a role to a service, and the field that names it ("IAM User Guide:
# Grant a user permissions to pass a role to an AWS service").
PASS_ROLE_FIELDS = {
    "lambda:createfunction": ("Role", "lambda.amazonaws.com"),
    "lambda:updatefunctionconfiguration": ("Role", "lambda.amazonaws.com"),
    "sagemaker:createmodel": ("ExecutionRoleArn", "sagemaker.amazonaws.com"),
}


def _param(data: dict, name: str) -> str | None:
    value = data.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class AwsLikeIAMRequest(access_control.IAMRequest):
    """moto's IAMRequest with AWS's evaluation for the actions this project relies on."""

    def __init__(self, account_id, method, path, data, body, headers, action):
        if "Authorization" not in headers:
            # moto reads the signature unconditionally and would answer an HTML 500.
            name = action[0] if isinstance(action, list) else action
            if str(name).lower() in sts_federation.FEDERATION_ACTIONS:
                raise sts_federation.federation_error(str(name), data)
            raise sts_federation.unsigned_request_error(path)
        super().__init__(account_id, method, path, data, body, headers, action)

    def check_action_permitted(self, resource: str) -> None:
        try:
            self._check_action_permitted(resource)
        except policy.UnsupportedPolicyFeature as error:
            # Failing loudly is right, but in the service's own error shape, never HTML.
            raise self._error(501, "NotImplemented", f"The emulator does not evaluate this policy feature: {error}")
        except ValueError as error:  # a stored document the engine cannot read
            raise self._error(500, "InternalFailure", f"The emulator could not read a policy: {error}")

    def _check_action_permitted(self, resource: str) -> None:
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
            super().check_action_permitted(resource)
            if caller is not None and self._action.lower() in PASS_ROLE_FIELDS:
                self._pass_role(caller)
            return
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
        form = self._headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
        if not self._body and not form:  # a POST without payload (Lambda Invoke) too; a form's fields are its body
            request.data = b""
        return request

    # --- helpers ----------------------------------------------------------------------

    def _caller(self):
        return resolve_caller(self.account_id, access_key_id_from(self._headers["Authorization"]),
                              STATE.org_of, self._region)

    def _error(self, status: int, code: str, message: str):
        """An error in the shape of the service called: XML for STS, JSON for the rest."""
        if self._action.lower().startswith("sts:"):
            return query_error(status, code, message)
        return json_error(status, code, message)

    def _refuse_expired(self, caller) -> None:
        session = caller.session
        if session is not None and session.expiration < datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None):
            is_sts = self._action.lower().startswith("sts:")
            raise self._error(403, "ExpiredToken" if is_sts else "ExpiredTokenException",
                              "The security token included in the request is expired")

    def _authorize(self, caller, action: str, resource: str, resource_policy=None, resource_account=None,
                   context=None, found: bool = True) -> None:
        """Decide, journal, and raise AWS's access-denied error when the answer is no."""
        decision = policy.evaluate(
            action=action,
            resource=resource,
            principal=caller.principal,
            identity_policies=caller.identity_policies,
            session_policies=caller.session_policies,
            permissions_boundary=caller.permissions_boundary,
            resource_policy=resource_policy,
            resource_account=resource_account or self.account_id,
            context={**global_context(self._region, self._headers), **(context or {})},
        )
        STATE.record({
            "account": self.account_id, "action": action, "caller": caller.principal.arn,
            "resource": resource, "allowed": decision.allowed, "reason": decision.reason,
        })
        if found and decision.allowed:
            return
        if not found:  # the named resource does not exist: nothing can grant access to it
            decision = policy.Decision(False, "no_resource_allow")
        is_sts = action.lower().startswith("sts:")
        raise self._error(403, "AccessDenied" if is_sts else "AccessDeniedException",
                          denials.access_denied_message(caller.principal.arn, action, resource, decision))

    def _json_body(self) -> dict:
        try:
            body = json.loads(self._body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    # --- sts:AssumeRole ---------------------------------------------------------------

    def _assume_role(self, caller) -> None:
        role_arn = _param(self._data, "RoleArn") or ""
        session_name = _param(self._data, "RoleSessionName")
        external_id = _param(self._data, "ExternalId")
        duration = _param(self._data, "DurationSeconds")
        if duration and not duration.lstrip("-").isdigit():
            raise query_error(400, "ValidationError", f"Value '{duration}' for parameter DurationSeconds is invalid.")
        duration = int(duration) if duration else None
        tags, transitive_keys, policy_arns = sts_sessions.requested_extras(self._data)

        # Syntax first, as STS does: these fail whoever the caller is.
        errors = sts_rules.assume_role_input_errors(
            role_session_name=session_name, external_id=external_id, duration_seconds=duration,
            max_session_duration=43200, caller_is_role_session=False)
        errors += sts_rules.session_input_errors(
            policy=_param(self._data, "Policy"), policy_arns=policy_arns, tags=tags,
            transitive_tag_keys=transitive_keys)
        if errors:
            raise query_error(400, "ValidationError", errors[0])

        role = self._target_role(role_arn)
        context = {"sts:RoleSessionName": session_name}
        if external_id is not None:
            context["sts:ExternalId"] = external_id
        trust = role.assume_role_policy_document if role is not None else None
        target_account = arns.account_of(role_arn) or self.account_id
        self._authorize(caller, "sts:AssumeRole", role_arn, resource_policy=trust,
                        resource_account=target_account, context=context, found=role is not None)
        tagging = sts_sessions.tag_session_context(tags, caller.extras)
        if tagging is not None:
            # Session tags (passed, or inherited transitive ones) need sts:TagSession
            # from both the caller's policies and the trust policy.
            self._authorize(caller, "sts:TagSession", role_arn, resource_policy=trust,
                            resource_account=target_account, context={**context, **tagging})

        errors = sts_rules.assume_role_input_errors(
            role_session_name=session_name, external_id=external_id, duration_seconds=duration,
            max_session_duration=int(role.max_session_duration or 3600),
            caller_is_role_session=caller.principal.is_role_session)
        errors += sts_sessions.chaining_errors(tags, caller.extras)
        errors += self._policy_arn_errors(policy_arns, target_account)
        if errors:
            raise query_error(400, "ValidationError", errors[0])

    def _policy_arn_errors(self, policy_arns: list[str], account: str) -> list[str]:
        """Managed session policies must exist ("Session policies")."""
        backend = iam_backends[account][arns.partition_of(self._region)]
        missing = [arn for arn in policy_arns if arn not in backend.managed_policies]
        return [f"Policy {arn} does not exist or is not attachable." for arn in missing]

    def _target_role(self, role_arn: str):
        """The role in the account its ARN names (moto looks in the caller's account), as
        authorization sees it: a role or trust changed a moment ago may not be (iam_propagation.py)."""
        parts = arns.parse(role_arn)
        if parts is None or parts["account"] not in iam_backends:
            return None
        return iam_propagation.role(parts["account"], parts["partition"], role_arn)

    # --- iam:PassRole -----------------------------------------------------------------

    def _pass_role(self, caller) -> None:
        """Creating a function or model with a role passes it ("IAM User Guide: Grant a user
        permissions to pass a role to an AWS service"); condition key iam:PassedToService."""
        field, service = PASS_ROLE_FIELDS[self._action.lower()]
        role_arn = self._json_body().get(field)
        if not isinstance(role_arn, str) or not role_arn:
            return  # UpdateFunctionConfiguration without Role passes nothing
        self._authorize(caller, "iam:PassRole", role_arn, context={"iam:PassedToService": service})

    # --- sagemaker:InvokeEndpoint[Async] ----------------------------------------------

    def _invoke_endpoint(self, caller) -> None:
        # /endpoints/NAME/invocations or /endpoints/NAME/async-invocations
        segments = self._path.split("?", 1)[0].strip("/").split("/")
        name = unquote(segments[1]) if len(segments) > 2 else ""
        action = "sagemaker:InvokeEndpointAsync" if segments[-1] == "async-invocations" else "sagemaker:InvokeEndpoint"
        resource = sagemaker_models.endpoint_arn(self._region, self.account_id, name)  # the ARN answers carry
        self._authorize(caller, action, resource)

    # --- lambda:InvokeFunction --------------------------------------------------------

    def _invoke_function(self, caller) -> None:
        # /2015-03-31/functions/NAME-OR-ARN/invocations.  A function in another account
        # is named by its ARN; its own resource policy decides with the caller's
        # identity policy ("Cross-account policy evaluation logic").
        segments = self._path.split("?", 1)[0].strip("/").split("/")
        name = unquote(segments[2]) if len(segments) > 3 else ""
        resource = arns.lambda_function_arn(self._region, self.account_id, name)
        function_account = arns.account_of(resource) or self.account_id
        self._authorize(caller, "lambda:InvokeFunction", resource,
                        resource_policy=self._function_policy(function_account, arns.lambda_function_name(resource)),
                        resource_account=function_account)

    def _function_policy(self, account: str, function_name: str):
        try:
            function = lambda_backends[account][self._region].get_function(function_name)
        except Exception:  # no such function: Lambda answers 404 after authorization
            return None
        statements = function.policy.statements if function.policy is not None else []
        return {"Version": "2012-10-17", "Statement": [_lambda_statement(s) for s in statements]} if statements else None


def _lambda_statement(statement: dict) -> dict:
    """moto keeps AddPermission's Principal as given ("111122223333", "s3.amazonaws.com");
    Lambda's GetPolicy shows it as {"AWS": ...} or {"Service": ...}."""
    principal = statement.get("Principal")
    if isinstance(principal, str) and principal != "*":
        kind = "Service" if principal.endswith(".amazonaws.com") else "AWS"
        statement = {**statement, "Principal": {kind: principal}}
    return statement


def install() -> None:
    """Bind the AWS-like decision where moto's auth code looks it up at call time, and the
    IAM and STS behaviours moto lacks (write-time validation, unique IDs, session extras,
    propagation delay)."""
    access_control.IAMRequest = AwsLikeIAMRequest
    sts_hooks.install()
    iam_hooks.install()
    iam_propagation.install()  # after iam_hooks: a write refused by validation changes nothing
    lambda_cross_account.install()
