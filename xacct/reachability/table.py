"""The reachability matrix as a text table: one row per caller, parent role and external-ID case."""

from __future__ import annotations

from xacct.reachability.intent import Case

SHORT_ACTIONS = {"sagemaker:InvokeEndpoint": "sync", "sagemaker:InvokeEndpointAsync": "async"}
MARK = {True: "allow", False: "deny", None: "ERROR"}


def _cell(intended: bool | None, actual: bool | None, tried: bool) -> str:
    text = MARK[actual] if tried else "-"
    return text if intended == actual else f"{text} !(want {MARK[intended]})"


def render(proof, actions: list[str]) -> str:
    """Each cell is the actual outcome; "-" means not tried (no parent session to try it with);
    "!(want …)" marks a difference from the intended outcome."""
    roles = {arn: f"R{i}" for i, arn in enumerate(proof.roles, 1)}
    endpoints = {arn: f"E{i}" for i, arn in enumerate(proof.endpoints.values(), 1)}
    columns = ["sts:AssumeRole"] + [f"{action} {arn}" for arn in endpoints for action in actions]
    headers = ["caller", "role", "ext-id", "AssumeRole"] + [f"{endpoints[c.split(' ')[1]]} {SHORT_ACTIONS.get(c.split(' ')[0], c)}"
                                                           for c in columns[1:]]
    rows = []
    for principal in proof.principals:
        for role_arn in proof.roles:
            for case in ("right", "wrong", "none"):
                row = [principal, roles[role_arn], case]
                for column in columns:
                    key = Case(principal, role_arn, case, column)
                    row.append(_cell(proof.intended.get(key), proof.actual.get(key), key in proof.tried))
                rows.append(row)
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(line, widths)).rstrip() for line in [headers, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    legend = [f"{label} = {arn} ({proof.roles[arn]})" for arn, label in roles.items()]
    legend += [f"{label} = {arn}" for arn, label in endpoints.items()]
    legend += [", ".join(f"{SHORT_ACTIONS.get(a, a)} = {a}" for a in actions)
               + "; ext-id right/wrong/none = the role's first external ID, another one, no ExternalId; "
               "'-' = not tried (AssumeRole was denied); '!(want ...)' = differs from the intended outcome"]
    return "\n".join(lines + [""] + legend)
