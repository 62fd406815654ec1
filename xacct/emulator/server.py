"""The two-account AWS emulator: moto behind one loopback port, with AWS's IAM decisions.

Start it with `python -m xacct.emulator` (or `make emulator`). Each account gets an
`admin` IAM user whose keys are printed and written to the info file; Terraform and boto3
use those keys, and moto picks the account from the key. IAM is enforced for every
request from the first one on.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field

from moto import settings
from moto.iam.models import iam_backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from xacct.emulator import authz, lambda_runner, sagemaker_echo, sagemaker_models, sagemaker_stream
from xacct.emulator.identity import PARTITION
from xacct.emulator.state import STATE, Fault

DEFAULT_ACCOUNTS = {"parent": "111111111111", "child": "222222222222", "outsider": "333333333333"}
ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
CONTROL_PREFIX = "/_emulator/"


@dataclass
class AccountInfo:
    id: str
    access_key_id: str
    secret_access_key: str


@dataclass
class EmulatorInfo:
    endpoint_url: str
    region: str
    accounts: dict[str, AccountInfo] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def create_admin(account_id: str, region: str) -> AccountInfo:
    """An IAM user allowed everything, standing in for the account's administrator."""
    backend = iam_backends[account_id][PARTITION]
    backend.create_user(region_name=region, user_name="admin")
    backend.put_user_policy("admin", "AdministratorAccess", ADMIN_POLICY)
    key = backend.create_access_key("admin")
    return AccountInfo(account_id, key.access_key_id, key.secret_access_key)


class ControlApi:
    """Test hooks under /_emulator/: read the journal, queue SageMaker faults, set organizations."""

    def __init__(self, info: EmulatorInfo):
        self.info = info

    def __call__(self, request: Request) -> Response:
        route = (request.method, request.path[len(CONTROL_PREFIX):].strip("/"))
        body = request.get_json(silent=True) or {}
        with STATE.lock:
            if route == ("GET", "info"):
                return _json(json.loads(self.info.to_json()))
            if route == ("GET", "journal"):
                return _json(list(STATE.journal))
            if route == ("GET", "invocations"):
                return _json(list(STATE.invocations))
            if route == ("DELETE", "journal"):
                STATE.journal.clear()
                STATE.invocations.clear()
                return _json({})
            if route == ("POST", "faults"):
                account = body.get("account") or self.info.accounts["parent"].id
                STATE.faults[(account, body["endpoint"].lower())] = Fault(
                    code=body["code"], remaining=int(body.get("count", 1)),
                    model_status=int(body.get("model_status", 500)),
                    model_message=body.get("model_message", "Injected model failure"))
                return _json({}, 201)
            if route == ("DELETE", "faults"):
                STATE.faults.clear()
                return _json({})
            if route == ("PUT", "organizations"):
                STATE.organizations.clear()
                STATE.organizations.update({k: v for k, v in body.items() if v})
                return _json(dict(STATE.organizations))
        return _json({"error": f"no control route {request.method} {request.path}"}, 404)


def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, content_type="application/json")


class Emulator:
    """moto plus the project's hooks, served on one loopback port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, region: str = "us-east-1",
                 accounts: dict[str, str] | None = None, organizations: dict[str, str] | None = None):
        self.host, self.port, self.region = host, port, region
        self.account_ids = dict(accounts or DEFAULT_ACCOUNTS)
        self.organizations = dict(organizations or {})
        self._server = None
        self._thread: threading.Thread | None = None
        self._runner: lambda_runner.LambdaRunner | None = None
        self.info: EmulatorInfo | None = None

    def start(self) -> EmulatorInfo:
        # Binding first tells a caller at once when the port is taken.
        moto_app = DomainDispatcherApplication(create_backend_app)
        control = None

        def app(environ, start_response):
            if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
                return control(Request(environ))(environ, start_response)
            return moto_app(environ, start_response)

        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        url = f"http://{self.host}:{self._server.server_port}"
        self._runner = lambda_runner.LambdaRunner(url)
        authz.install()
        sagemaker_echo.install()
        sagemaker_stream.install()
        sagemaker_models.install()
        lambda_runner.install(self._runner)

        self.info = EmulatorInfo(endpoint_url=url, region=self.region)
        for name, account_id in self.account_ids.items():
            self.info.accounts[name] = create_admin(account_id, self.region)
        STATE.accounts.update(self.account_ids)
        STATE.organizations.update(self.organizations)
        control = ControlApi(self.info)
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # enforce IAM from the first request on

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
