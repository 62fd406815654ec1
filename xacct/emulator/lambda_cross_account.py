"""A function named by the ARN of another account is invoked in that account.

moto looks every function up in the caller's account, so a cross-account Invoke that the
policies allow ("Cross-account policy evaluation logic"; Lambda Developer Guide, "Granting
function access to other accounts") would find no function or the wrong one.  authz.py
has already decided the call when this runs.
"""

from __future__ import annotations

import functools

from moto.awslambda.models import LambdaBackend, lambda_backends

from xacct.emulator import arns

_ORIGINAL = LambdaBackend.invoke


@functools.wraps(_ORIGINAL)
def invoke(self, function_name, qualifier, body, headers, response_headers):
    owner = arns.account_of(function_name)
    if owner and owner != self.account_id:
        return lambda_backends[owner][self.region_name].invoke(function_name, qualifier, body, headers, response_headers)
    return _ORIGINAL(self, function_name, qualifier, body, headers, response_headers)


invoke.__xacct_hook__ = True


def install() -> None:
    LambdaBackend.invoke = invoke
