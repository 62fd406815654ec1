"""Permissions boundaries of IAM users, which moto does not keep.

moto's CreateUser drops `PermissionsBoundary` and it has no PutUserPermissionsBoundary or
DeleteUserPermissionsBoundary (a 500), so a user's boundary never limited what its identity
policies allow ("IAM User Guide: Permissions boundaries for IAM entities"). This module keeps
the boundary on moto's User as `permissions_boundary_arn`, where authorization reads it
(identity.py), and answers it in CreateUser and GetUser as IAM does (not in ListUsers).
"""

from __future__ import annotations

from moto.core.responses import EmptyResult
from moto.core.serialize import never_return, return_if_not_empty
from moto.iam.exceptions import IAMException
from moto.iam.models import IAMBackend, User
from moto.iam.responses import IamResponse

from xacct.emulator import iam_propagation

_ORIGINAL_CREATE_USER = IamResponse.create_user


def _check_arn(backend, arn: str) -> None:
    # The rule and answer moto applies to PutRolePermissionsBoundary.
    if not backend.policy_arn_regex.match(arn):
        raise IAMException("InvalidParameterValue", f"Value ({arn}) for parameter PermissionsBoundary is invalid.")


def put_user_permissions_boundary(self, user_name: str, permissions_boundary: str) -> None:
    _check_arn(self, permissions_boundary)
    self.get_user(user_name).permissions_boundary_arn = permissions_boundary


def delete_user_permissions_boundary(self, user_name: str) -> None:
    self.get_user(user_name).permissions_boundary_arn = None


def _boundary_of(user) -> dict | None:
    arn = getattr(user, "permissions_boundary_arn", None)
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn} if arn else None


def _create_user(self):
    arn = self._get_param("PermissionsBoundary")
    if not arn:
        return _ORIGINAL_CREATE_USER(self)
    _check_arn(self.backend, arn)  # before the user exists: a refused call creates nothing

    def write():
        result = _ORIGINAL_CREATE_USER(self)
        self.backend.put_user_permissions_boundary(self._get_param("UserName"), arn)
        return result

    # One write for authorization's lagging view: the user never appears without its boundary.
    return iam_propagation.recorded_write(write)


_create_user.__xacct_hook__ = True


def _put_response(self):
    self.backend.put_user_permissions_boundary(self._get_param("UserName"), self._get_param("PermissionsBoundary"))
    return EmptyResult()


def _delete_response(self):
    self.backend.delete_user_permissions_boundary(self._get_param("UserName"))
    return EmptyResult()


def install() -> None:
    """Called by iam_propagation.install, which then records the two backend writes added here."""
    if getattr(IamResponse.create_user, "__xacct_hook__", False):
        return
    IAMBackend.put_user_permissions_boundary = put_user_permissions_boundary
    IAMBackend.delete_user_permissions_boundary = delete_user_permissions_boundary
    User.permissions_boundary = property(_boundary_of)
    IamResponse.create_user = _create_user
    IamResponse.put_user_permissions_boundary = _put_response
    IamResponse.delete_user_permissions_boundary = _delete_response
    IamResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.update({
        "CreateUserResponse.User.PermissionsBoundary": return_if_not_empty,
        "GetUserResponse.User.PermissionsBoundary": return_if_not_empty,
        "ListUsersResponse.Users.User.PermissionsBoundary": never_return,
    })
