"""Start the emulator as a child process and talk to it: used by the tests, the demo and the benchmark."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.config
import requests

from xacct.provider_override import ProviderSettings
from xacct.targets import render_override

START_TIMEOUT_SECONDS = 60


class EmulatorStartError(RuntimeError):
    pass


@dataclass
class Account:
    name: str
    id: str
    access_key_id: str
    secret_access_key: str


class EmulatorProcess:
    """`with EmulatorProcess() as emu:` starts `python -m xacct.emulator` and always stops it."""

    def __init__(self, port: int | None = None, region: str = "us-east-1", endpoint_arn_case: str = "lower",
                 accounts: dict[str, str] | None = None, iam_propagation_seconds: float = 0):
        # EMULATOR_PORT pins the port (for a firewall rule, say); by default any free one.
        self.port = int(os.environ.get("EMULATOR_PORT", "0")) if port is None else port
        self.region = region
        self.endpoint_arn_case = endpoint_arn_case
        self.account_ids = dict(accounts or {})  # name -> ID; empty: the emulator's default accounts
        self.iam_propagation_seconds = iam_propagation_seconds
        self._control_token = ""
        self._process: subprocess.Popen | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        self.endpoint_url = ""
        self.accounts: dict[str, Account] = {}

    def start(self) -> "EmulatorProcess":
        self._tmp = tempfile.TemporaryDirectory(prefix="xacct-emulator-")
        info_file = Path(self._tmp.name) / "info.json"
        log_file = open(Path(self._tmp.name) / "emulator.log", "w")
        accounts = [arg for name, account_id in self.account_ids.items() for arg in ("--account", f"{name}={account_id}")]
        # A fresh key seed per run: the keys of one test run are of no use to the next.
        env = {**os.environ, "EMULATOR_KEY_SEED": secrets.token_hex(32)}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "xacct.emulator", "--port", str(self.port), "--region", self.region,
             "--endpoint-arn-case", self.endpoint_arn_case, *accounts,
             "--iam-propagation-seconds", str(self.iam_propagation_seconds),
             "--info-file", str(info_file), "--quiet", "--exit-with-parent"],
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, env=env,
        )
        log_file.close()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not info_file.exists():
            if self._process.poll() is not None:
                log = (Path(self._tmp.name) / "emulator.log").read_text()
                self.stop()
                raise EmulatorStartError(f"the emulator exited while starting:\n{log.strip()}")
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorStartError(f"the emulator did not start within {START_TIMEOUT_SECONDS} s")
            time.sleep(0.05)
        info = json.loads(info_file.read_text())
        self.endpoint_url = info["endpoint_url"]
        self._control_token = info["control_token"]
        self.accounts = {name: Account(name=name, **a) for name, a in info["accounts"].items()}
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)  # the group: handler subprocesses too
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
        self._process = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def log_text(self) -> str:
        """What the emulator has written to its log so far."""
        return (Path(self._tmp.name) / "emulator.log").read_text() if self._tmp is not None else ""

    def __enter__(self) -> "EmulatorProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- clients ------------------------------------------------------------------------

    def session(self, account: str) -> boto3.Session:
        """A boto3 session with the administrator keys of `account` ("parent", "child", ...)."""
        a = self.accounts[account]
        return boto3.Session(aws_access_key_id=a.access_key_id, aws_secret_access_key=a.secret_access_key,
                             region_name=self.region)

    def client(self, service: str, account: str = "child", session: boto3.Session | None = None, **config):
        session = session or self.session(account)
        return session.client(service, endpoint_url=self.endpoint_url,
                              config=botocore.config.Config(**({"retries": {"mode": "standard"}} | config)))

    # --- control API ----------------------------------------------------------------------

    def control(self, method: str, route: str, body=None):
        response = requests.request(method, f"{self.endpoint_url}/_emulator/{route}", json=body, timeout=10,
                                    headers={"Authorization": f"Bearer {self._control_token}"})
        response.raise_for_status()
        return response.json()

    def journal(self) -> list[dict]:
        return self.control("GET", "journal")

    def invocations(self) -> list[dict]:
        return self.control("GET", "invocations")

    def clear_journal(self) -> None:
        self.control("DELETE", "journal")

    def inject_fault(self, endpoint: str, code: str, count: int = 1, model_status: int = 500,
                     model_message: str = "Injected model failure") -> None:
        self.control("POST", "faults", {"endpoint": endpoint, "code": code, "count": count,
                                        "model_status": model_status, "model_message": model_message})

    def clear_faults(self) -> None:
        self.control("DELETE", "faults")

    def set_throttle(self, account: str, api: str, rate_per_second: float, burst: int) -> None:
        """Limit `account` ("parent", "child" or an ID) to `rate_per_second` on `api` (sts:AssumeRole, sagemaker:InvokeEndpoint)."""
        account_id = self.accounts[account].id if account in self.accounts else account
        self.control("PUT", "throttles", {"account": account_id, "api": api, "rate_per_second": rate_per_second,
                                          "burst": burst})

    def clear_throttles(self) -> None:
        self.control("DELETE", "throttles")

    def set_organizations(self, organizations: dict[str, str]) -> None:
        self.control("PUT", "organizations", organizations)

    def set_iam_propagation(self, seconds: float) -> None:
        """IAM changes take effect on authorization `seconds` after they are made (0: at once);
        see xacct/emulator/iam_propagation.py."""
        self.iam_propagation_seconds = self.control("PUT", "iam-propagation", {"seconds": seconds})["seconds"]

    # --- Terraform ------------------------------------------------------------------------

    def provider_settings(self, alias: str, account: str) -> ProviderSettings:
        """The provider settings that act as `account`'s administrator on this emulator."""
        a = self.accounts[account]
        return ProviderSettings(alias=alias, region=self.region, access_key=a.access_key_id,
                                secret_key=a.secret_access_key, endpoint_url=self.endpoint_url)

    def provider_override(self, aliases: dict[str, str]) -> str:
        """`*_override.tf.json` text pointing each aws provider alias ("" = default) at an account."""
        return render_override(self, aliases)
