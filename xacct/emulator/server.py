"""The AWS emulator: moto behind one loopback port, with AWS's IAM decisions.

Start it with `python -m xacct.emulator` (or `make emulator`). Each account gets an
`admin` IAM user whose keys are printed and written to the info file (never served over
HTTP); Terraform and boto3 use those keys, and moto picks the account from the key. IAM
is enforced for every request from the first one on.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from dataclasses import asdict, dataclass, field

from moto import settings
from moto.core.responses import BaseResponse
from moto.iam.models import get_account_id_from, iam_backends
from moto.moto_server import werkzeug_app
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from xacct.emulator import authz, iam_propagation, lambda_runner, sagemaker_echo, sagemaker_models, sagemaker_stream
from xacct.emulator.control import ControlApi
from xacct.emulator.credentials import AccountSpec, derived_keys, key_seed
from xacct.emulator.gateway import Gateway, MotoDispatcher, allowed_hosts
from xacct.emulator.identity import PARTITION
from xacct.emulator.state import STATE

DEFAULT_ACCOUNTS = {"parent": "111111111111", "child": "222222222222", "outsider": "333333333333"}
ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass
class AccountInfo:
    id: str
    access_key_id: str
    secret_access_key: str


@dataclass
class EmulatorInfo:
    endpoint_url: str
    region: str
    control_token: str
    endpoint_arn_case: str = "lower"
    accounts: dict[str, AccountInfo] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def create_admin(account_id: str, region: str, access_key_id: str, secret_access_key: str) -> AccountInfo:
    """An IAM user allowed everything, standing in for the account's administrator, with the given keys."""
    backend = iam_backends[account_id][PARTITION]
    backend.create_user(region_name=region, user_name="admin")
    backend.put_user_policy("admin", "AdministratorAccess", ADMIN_POLICY)
    key = backend.create_access_key("admin")
    del backend.access_keys[key.access_key_id]  # moto keys its table by the (random) ID it chose
    key.access_key_id, key.secret_access_key = access_key_id, secret_access_key
    backend.access_keys[key.access_key_id] = key
    return AccountInfo(account_id, access_key_id, secret_access_key)


def account_specs(accounts: dict[str, str] | list[AccountSpec] | None) -> list[AccountSpec]:
    if accounts is None:
        accounts = DEFAULT_ACCOUNTS
    if isinstance(accounts, dict):
        return [AccountSpec(name, account_id) for name, account_id in accounts.items()]
    return list(accounts)


def _account_from_key(self) -> str:
    """The account that owns the request's access key, as in AWS (moto would also take it from
    the MOTO_ACCOUNT_ID variable or an `x-moto-account-id` header, which anyone can send)."""
    return get_account_id_from(self.get_access_key())


class Emulator:
    """moto plus the project's hooks, served on one loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1",
                 accounts: dict[str, str] | list[AccountSpec] | None = None,
                 organizations: dict[str, str] | None = None, endpoint_arn_case: str = "lower",
                 seed: bytes | None = None, iam_propagation_seconds: float = 0):
        self.host, self.port, self.region = host, port, region
        self.accounts = account_specs(accounts)
        names, ids = [a.name for a in self.accounts], [a.id for a in self.accounts]
        if len(set(names)) != len(names) or len(set(ids)) != len(ids):
            raise ValueError("each account needs its own name and its own ID")
        self.organizations = dict(organizations or {})
        self.endpoint_arn_case = endpoint_arn_case
        self.seed = seed
        self.iam_propagation_seconds = iam_propagation_seconds
        self._server = None
        self._thread: threading.Thread | None = None
        self._runner: lambda_runner.LambdaRunner | None = None
        self.info: EmulatorInfo | None = None

    def start(self) -> EmulatorInfo:
        STATE.configure({a.name: a.id for a in self.accounts}, self.organizations, self.endpoint_arn_case)
        iam_propagation.PROPAGATION.set_seconds(0)  # the administrators below exist from the start
        werkzeug_app.DISABLE_GLOBAL_CORS = True  # moto would reflect any Origin (the gateway strips the rest)
        token = secrets.token_urlsafe(32)
        gateway: Gateway | None = None

        def app(environ, start_response):
            return gateway(environ, start_response)

        # Binding first tells a caller at once when the port is taken; binding here (not in
        # werkzeug, which prints and exits) lets the caller answer with its own message.
        listener = socket.create_server((self.host, self.port))
        try:
            self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler,
                                       fd=listener.fileno())
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        port = self._server.port
        url = f"http://{self.host}:{port}"
        self._runner = lambda_runner.LambdaRunner(url)
        authz.install()
        sagemaker_echo.install()
        sagemaker_stream.install()
        sagemaker_models.install()
        lambda_runner.install(self._runner)

        self.info = EmulatorInfo(endpoint_url=url, region=self.region, control_token=token,
                                 endpoint_arn_case=self.endpoint_arn_case)
        seed = None
        for spec in self.accounts:
            if spec.access_key_id is None:
                seed = seed if seed is not None else (self.seed or key_seed())
                access_key_id, secret = derived_keys(seed, spec.id)
            else:
                access_key_id, secret = spec.access_key_id, spec.secret_access_key
            self.info.accounts[spec.name] = create_admin(spec.id, self.region, access_key_id, secret)
        iam_propagation.PROPAGATION.set_seconds(self.iam_propagation_seconds)
        control = ControlApi(token, url, self.region, {a.name: a.id for a in self.accounts})
        gateway = Gateway(MotoDispatcher(create_backend_app), control, allowed_hosts(port))
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # enforce IAM from the first request on
        BaseResponse.get_current_account = _account_from_key

        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)
        self._thread.start()
        return self.info

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._runner is not None:
            self._runner.close()
