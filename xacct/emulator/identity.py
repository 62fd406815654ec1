"""Who is calling: the request's access key resolved against moto's IAM and STS state."""

from __future__ import annotations

from dataclasses import dataclass

from moto.iam.models import iam_backends
from moto.sts.models import sts_backends
from moto.utilities.utils import DEFAULT_PARTITION

from xacct.emulator import arns, iam_propagation, sts_sessions
from xacct.emulator.policy import Principal

# The partition of moto's default region, for callers that serve one region of it.
PARTITION = DEFAULT_PARTITION


@dataclass
class Caller:
    """The identity behind an access key, with the policies that apply to it."""

    principal: Principal
    identity_policies: list
    session_policies: list
    permissions_boundary: object | None
    session: object | None = None  # moto's AssumedRole for role sessions
    extras: sts_sessions.SessionExtras = sts_sessions.NONE


def access_key_id_from(authorization: str) -> str:
    """The access key ID in a SigV4 Authorization header."""
    return authorization.split("Credential=", 1)[1].split("/", 1)[0]


def managed_document(policy) -> str:
    """The default version's document of a moto managed policy."""
    return iam_propagation.default_document(policy)


# What a missing policy grants: nothing (a boundary or session policy deleted since limits to nothing).
_NOTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}


def _managed_documents(account: str, partition: str, policy_arns) -> list:
    documents = [iam_propagation.policy_document(account, partition, arn) for arn in policy_arns]
    return [document for document in documents if document is not None]


def _boundary_document(account: str, partition: str, boundary_arn: str | None):
    if not boundary_arn:
        return None
    document = iam_propagation.policy_document(account, partition, boundary_arn)
    return _NOTHING if document is None else document


def _tag_pairs(tags) -> dict[str, str]:
    # moto keeps role tags as {lower key: {"Key", "Value"}} and user tags as a list.
    entries = tags.values() if isinstance(tags, dict) else tags or []
    return {entry["Key"]: entry["Value"] for entry in entries}


def _user_caller(account: str, partition: str, user, org_of) -> Caller:
    # The user as authorization sees it (iam_propagation.py): while a new user has not
    # propagated, its keys work but its policies grant nothing yet.
    seen = iam_propagation.user(account, partition, user.name)
    documents, boundary, tags = [], None, {}
    if seen is not None and seen.id == user.id:
        documents = list(seen.policies.values()) + _managed_documents(account, partition, seen.managed_policies)
        for group in iam_propagation.groups_of(account, partition, seen):
            documents += list(group.policies.values())
            documents += _managed_documents(account, partition, group.managed_policies)
        boundary = _boundary_document(account, partition, seen.permissions_boundary_arn)
        tags = _tag_pairs(seen.tags)
    principal = Principal(
        arn=user.arn, account=account, principal_arn=user.arn, org_id=org_of(account),
        principal_type="User", user_id=user.id, username=user.name, tags=tuple(tags.items()))
    return Caller(principal, documents, [], boundary)


def role_documents(account: str, role, partition: str = PARTITION) -> tuple[list, object | None]:
    """Identity policies and permissions boundary of an IAM role.

    A RoleView (the role as authorization sees it, iam_propagation.py) gives the documents in
    effect for it; moto's live Role (SageMaker's model checks read IAM live) gives today's.
    """
    documents = list(role.policies.values())
    if isinstance(role, iam_propagation.RoleView):
        documents += _managed_documents(account, partition, role.managed_policies)
        return documents, _boundary_document(account, partition, role.permissions_boundary_arn)
    documents += [managed_document(p) for p in role.managed_policies.values()]
    boundary_arn = role.permissions_boundary_arn
    return documents, managed_document(iam_backends[account][partition].get_policy(boundary_arn)) if boundary_arn else None


def session_policy_documents(account: str, partition: str, session, extras) -> list:
    """The inline session policy and the managed policies passed by ARN ("Session policies").

    A passed managed policy deleted since grants nothing, so it limits the session to nothing.
    """
    documents = [session.policy] if session.policy else []
    for policy_arn in extras.policy_arns:
        document = iam_propagation.policy_document(account, partition, policy_arn)
        documents.append(_NOTHING if document is None else document)
    return documents


def _session_caller(account: str, partition: str, session, org_of) -> Caller:
    extras = sts_sessions.extras_of(session.access_key_id)
    role = iam_propagation.role(account, partition, session.role_arn)
    if role is not None:
        documents, boundary = role_documents(account, role, partition)
        role_id, role_tags = role.id, _tag_pairs(role.tags)
    else:  # the role was deleted after the session began: it grants nothing
        documents, boundary, role_id, role_tags = [], None, None, {}
    # "Session tags override a role tag with the same key" (Pass session tags in AWS STS).
    tags = {k.lower(): (k, v) for k, v in role_tags.items()}
    tags.update({k.lower(): (k, v) for k, v in extras.tags.items()})
    principal = Principal(
        arn=session.arn,
        account=account,
        principal_arn=session.role_arn,
        org_id=org_of(account),
        is_role_session=True,
        principal_type="AssumedRole",
        user_id=f"{role_id}:{session.session_name}" if role_id else None,
        tags=tuple(tags.values()),
    )
    return Caller(principal, documents, session_policy_documents(account, partition, session, extras),
                  boundary, session=session, extras=extras)


def resolve_caller(account: str, access_key_id: str, org_of, region: str | None = None) -> Caller | None:
    """The user or role session owning `access_key_id` in `account`, or None if unknown."""
    partition = arns.partition_of(region) if region else PARTITION
    for session in sts_backends[account][partition].assumed_roles:
        if session.access_key_id == access_key_id:
            return _session_caller(account, partition, session, org_of)
    backend = iam_backends[account][partition]
    for user in backend.users.values():
        if any(key.access_key_id == access_key_id for key in user.access_keys):
            return _user_caller(account, partition, user, org_of)
    return None
