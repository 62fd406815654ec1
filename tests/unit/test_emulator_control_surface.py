"""The emulator's control surfaces, attacked from loopback as another local user or a web page would.

A request without the run's token changes nothing and learns nothing; moto's own control
routes are gone; foreign Host headers and cross-origin reads are refused; the keys are
only in the info file, which only its owner can read and which is removed on exit.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import botocore.exceptions
import pytest
import requests

from xacct.emulator.client import EmulatorProcess

pytestmark = pytest.mark.emulator  # starts emulator processes

CONTROL_ROUTES = [("GET", "info", None), ("GET", "journal", None), ("GET", "invocations", None),
                  ("GET", "faults", None), ("GET", "organizations", None), ("DELETE", "journal", None),
                  ("POST", "faults", {"endpoint": "any", "code": "ModelError", "count": -1}),
                  ("DELETE", "faults", None), ("PUT", "organizations", {"111111111111": "o-attacker"}),
                  ("GET", "throttles", None), ("DELETE", "throttles", None),
                  ("PUT", "throttles", {"account": "222222222222", "api": "sts:AssumeRole", "rate_per_second": 1, "burst": 1}),
                  ("GET", "iam-propagation", None), ("PUT", "iam-propagation", {"seconds": 60}),
                  ("GET", "no-such-route", None)]
STATE_ROUTES = ("journal", "invocations", "faults", "organizations", "throttles", "iam-propagation")


@pytest.fixture(scope="module")
def emu():
    with EmulatorProcess() as emulator:
        emulator.client("sts", "child").get_caller_identity()  # something in the journal
        yield emulator


def secrets_of(emu) -> list[str]:
    return [value for a in emu.accounts.values() for value in (a.access_key_id, a.secret_access_key)] + [emu._control_token]


@pytest.mark.parametrize("token", [None, "", "Bearer", "Bearer wrong-token", "Basic abc"])
def test_without_the_token_the_control_api_changes_nothing_and_learns_nothing(emu, token):
    before = {route: emu.control("GET", route) for route in STATE_ROUTES}
    answers = set()
    for method, route, body in CONTROL_ROUTES:
        headers = {} if token is None else {"Authorization": token}
        response = requests.request(method, f"{emu.endpoint_url}/_emulator/{route}", json=body, headers=headers, timeout=10)
        assert response.status_code == 403, (method, route, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert json.loads(response.text)["__type"] == "AccessDeniedException"
        assert not any(secret in response.text for secret in secrets_of(emu))
        answers.add(response.text)
    assert len(answers) == 1, "every refusal is the same: not even which routes exist leaks"
    after = {route: emu.control("GET", route) for route in STATE_ROUTES}
    assert after == before


def test_the_iam_propagation_delay_is_off_until_set_and_refuses_what_is_not_a_delay(emu):
    """xacct/emulator/iam_propagation.py; the lane in tests/e2e/test_propagation.py shows its effect."""
    assert emu.control("GET", "iam-propagation") == {"seconds": 0}
    try:
        emu.set_iam_propagation(1.5)
        assert emu.control("GET", "iam-propagation") == {"seconds": 1.5}
        assert emu.iam_propagation_seconds == 1.5
        for wrong in (-1, 3601, "2", None):
            response = requests.put(f"{emu.endpoint_url}/_emulator/iam-propagation", json={"seconds": wrong}, timeout=10,
                                    headers={"Authorization": f"Bearer {emu._control_token}"})
            assert response.status_code == 400, wrong
            assert response.json() == {"__type": "ValidationException",
                                       "message": "IAM propagation must be a number of seconds from 0 to 3600"}
        assert emu.control("GET", "iam-propagation") == {"seconds": 1.5}, "a refused value changes nothing"
    finally:
        emu.set_iam_propagation(0)


def test_the_token_is_not_accepted_in_the_query_string(emu):
    response = requests.get(f"{emu.endpoint_url}/_emulator/journal?token={emu._control_token}", timeout=10)
    assert response.status_code == 403


def test_no_account_key_is_served_over_http(emu):
    info = emu.control("GET", "info")
    assert info["accounts"] == {name: a.id for name, a in emu.accounts.items()}
    assert not any(secret in json.dumps(info) for secret in secrets_of(emu))


@pytest.mark.parametrize("method, path", [("POST", "/moto-api/reset-auth"), ("GET", "/moto-api/"),
                                          ("GET", "/moto-api/data.json"), ("POST", "/moto-api/reset"),
                                          ("POST", "/moto-api/static/sagemaker/endpoint-results"),
                                          ("GET", "/latest/meta-data/iam/security-credentials/")])
def test_moto_control_routes_answer_404(emu, method, path):
    response = requests.request(method, emu.endpoint_url + path, data="4", timeout=10)
    assert response.status_code == 404
    assert json.loads(response.text)["__type"] == "UnknownOperationException"


def test_enforcement_cannot_be_switched_off(emu):
    """The old attack: reset-auth, then a forged key with moto's account header."""
    requests.post(f"{emu.endpoint_url}/moto-api/reset-auth", data="100", timeout=10)
    import boto3

    forged = boto3.Session(aws_access_key_id="AKIAFORGEDFORGEDFORG", aws_secret_access_key="x" * 40,
                           region_name=emu.region).client("sts", endpoint_url=emu.endpoint_url)
    forged.meta.events.register("before-sign.sts.*", lambda request, **_: request.headers.add_header(
        "x-moto-account-id", emu.accounts["parent"].id))
    with pytest.raises(botocore.exceptions.ClientError) as denied:
        forged.get_caller_identity()
    assert denied.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_the_account_comes_from_the_key_not_from_moto_s_header(emu):
    sts = emu.client("sts", "child")
    sts.meta.events.register("before-sign.sts.*", lambda request, **_: request.headers.add_header(
        "x-moto-account-id", emu.accounts["parent"].id))
    assert sts.get_caller_identity()["Account"] == emu.accounts["child"].id


@pytest.mark.parametrize("host", ["evil.example", "attacker.example:{port}", "127.0.0.1:1"])
def test_a_foreign_host_is_refused_even_with_the_token(emu, host):
    port = emu.endpoint_url.rsplit(":", 1)[1]
    response = requests.get(f"{emu.endpoint_url}/_emulator/journal", timeout=10,
                            headers={"Host": host.format(port=port), "Authorization": f"Bearer {emu._control_token}"})
    assert response.status_code == 400
    assert json.loads(response.text)["__type"] == "InvalidHostHeader"


def test_localhost_names_the_same_emulator(emu):
    port = emu.endpoint_url.rsplit(":", 1)[1]
    response = requests.get(f"{emu.endpoint_url}/_emulator/organizations", timeout=10,
                            headers={"Host": f"localhost:{port}", "Authorization": f"Bearer {emu._control_token}"})
    assert response.status_code == 200


@pytest.mark.parametrize("method, path", [("OPTIONS", "/2015-03-31/functions/"), ("GET", "/2015-03-31/functions/"),
                                          ("POST", "/"), ("OPTIONS", "/_emulator/journal"), ("GET", "/_emulator/info")])
def test_no_cross_origin_headers_anywhere(emu, method, path):
    response = requests.request(method, emu.endpoint_url + path, timeout=10, headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert not [k for k in response.headers if k.lower().startswith("access-control-")], dict(response.headers)


# --- the info file and the terminal ----------------------------------------------------

def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xacct.emulator", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "EMULATOR_KEY_SEED": "test-seed", **(env or {})})


def stop(process: subprocess.Popen) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    return out, err


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no info file"
        time.sleep(0.05)


def test_a_given_info_file_is_private_and_removed_on_exit(tmp_path):
    info_file = tmp_path / "emulator.json"
    process = start("--info-file", str(info_file), "--quiet")
    try:
        wait_for(info_file, process)
        assert stat.S_IMODE(info_file.stat().st_mode) == 0o600
        assert json.loads(info_file.read_text())["control_token"]
    finally:
        stop(process)
    assert not info_file.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_default_info_file_and_token_are_printed_private_and_removed(tmp_path):
    process = start()
    lines = []
    try:
        while not any(line.startswith("Ctrl-C") for line in lines):
            line = process.stdout.readline()
            assert line, process.stderr.read()
            lines.append(line)
        text = "".join(lines)
        info_file = Path(re.search(r"Connection details \(keys, control token\): (\S+)", text).group(1))
        info = json.loads(info_file.read_text())
        assert stat.S_IMODE(info_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(info_file.parent.stat().st_mode) == 0o700
        assert f"Authorization: Bearer {info['control_token']}" in text
        assert "run as your local user" in text
    finally:
        stop(process)
    assert not info_file.exists() and not info_file.parent.exists()


def test_a_port_in_use_gets_one_line_and_no_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start("--port", str(port), "--quiet")
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert err == f"emulator: port {port} on 127.0.0.1 is already in use; pick another with --port or EMULATOR_PORT\n"
