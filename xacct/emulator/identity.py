"""Who is calling: the request's access key resolved against moto's IAM and STS state."""

from __future__ import annotations

from dataclasses import dataclass

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from xacct.emulator.policy import Principal

PARTITION = "aws"


@dataclass
class Caller:
    """The identity behind an access key, with the policies that apply to it."""

    principal: Principal
    identity_policies: list
    session_policies: list
    permissions_boundary: object | None
    session: object | None = None  # moto's AssumedRole for role sessions


def access_key_id_from(authorization: str) -> str:
    """The access key ID in a SigV4 Authorization header."""
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def managed_document(policy) -> str:
    """The default version's document of a moto managed policy."""
    return next(v.document for v in policy.versions if v.version_id == policy.default_version_id)


def _boundary_document(backend, boundary_arn: str | None):
    if not boundary_arn:
        return None
    return managed_document(backend.get_policy(boundary_arn))


def _user_caller(account: str, user, org_of) -> Caller:
    backend = iam_backends[account][PARTITION]
    documents = [document for document in user.policies.values()]
    documents += [managed_document(p) for p in user.managed_policies.values()]
    for group in backend.get_groups_for_user(user.name):
        documents += list(group.policies.values())
        documents += [managed_document(p) for p in group.managed_policies.values()]
    principal = Principal(arn=user.arn, account=account, principal_arn=user.arn, org_id=org_of(account))
    boundary = _boundary_document(backend, getattr(user, "permissions_boundary_arn", None))
    return Caller(principal, documents, [], boundary)


def role_documents(account: str, role) -> tuple[list, object | None]:
    """Identity policies and permissions boundary of an IAM role."""
    backend = iam_backends[account][PARTITION]
    documents = list(role.policies.values())
    documents += [managed_document(p) for p in role.managed_policies.values()]
    return documents, _boundary_document(backend, role.permissions_boundary_arn)


def _session_caller(account: str, session, org_of) -> Caller:
    backend = iam_backends[account][PARTITION]
    try:
        role = backend.get_role_by_arn(session.role_arn)
        documents, boundary = role_documents(account, role)
    except Exception:  # the role was deleted after the session began: it grants nothing
        documents, boundary = [], None
    principal = Principal(
        arn=session.arn,
        account=account,
        principal_arn=session.role_arn,
        org_id=org_of(account),
        is_role_session=True,
    )
    session_policies = [session.policy] if session.policy else []
    return Caller(principal, documents, session_policies, boundary, session=session)


def resolve_caller(account: str, access_key_id: str, org_of) -> Caller | None:
    """The user or role session owning `access_key_id` in `account`, or None if unknown."""
    for session in sts_backends[account][PARTITION].assumed_roles:
        if session.access_key_id == access_key_id:
            return _session_caller(account, session, org_of)
    backend = iam_backends[account][PARTITION]
    for user in backend.users.values():
        if any(key.access_key_id == access_key_id for key in user.access_keys):
            return _user_caller(account, user, org_of)
    return None
