"""The WSGI layer in front of moto: what reaches it, and what every answer looks like.

- Only loopback Host headers naming the served port are accepted (a web page that
  rebinds its own name to 127.0.0.1 sends its own Host, and is refused).
- moto's own control routes (`/moto-api/*`: reset, enforcement switch, canned results) and
  its instance-metadata imitation are not routed.
- A query-protocol request (STS, IAM) carries its parameters in the URL or in the form body,
  not both: moto's IAM check and the service would otherwise read different values.
- A request over a rate limit set through the control API is refused first (throttling.py).
- Every answer is AWS-shaped: an unhandled exception or an HTML error page becomes the
  service's own 500 (or matching) error, in XML for query-protocol services (STS, IAM, EC2)
  and in JSON for the JSON services (Lambda, SageMaker, SageMaker runtime, Logs, KMS);
  an XML error from moto on a JSON service is translated into AWS's JSON error.
- No Access-Control-* header leaves the emulator: moto reflects any Origin, which would
  let a web page in the developer's browser read the answers.
"""

from __future__ import annotations

import re
import sys
import traceback
from typing import Callable, Iterable

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from xacct.emulator import throttling
from xacct.emulator.errors import AwsError, internal_error, service_error

CONTROL_PREFIX = "/_emulator/"
NOT_ROUTED_BACKENDS = ("moto_api", "instance_metadata")
QUERY_PROTOCOL_SERVICES = {"sts", "iam", "ec2", "sqs", "sns", "autoscaling", "cloudformation", "elasticloadbalancing", "rds"}
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/[^/]*/([^/]+)/aws4_request")
_XML_CODE = re.compile(r"<Code>(.*?)</Code>", re.S)
_XML_MESSAGE = re.compile(r"<Message>(.*?)</Message>", re.S)
_TAGS = re.compile(r"<[^>]+>")

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


def signing_service(environ: dict) -> str | None:
    """The service named in the SigV4 credential scope (sagemaker-runtime signs as sagemaker)."""
    match = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def protocol_of(environ: dict) -> str:
    """"query" for the XML services, "json" for the rest, as AWS shapes their errors."""
    service = signing_service(environ)
    if service is not None:
        return "query" if service in QUERY_PROTOCOL_SERVICES else "json"
    return "query" if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") else "json"


def _is_html_document(body: bytes) -> bool:
    start = body.lstrip()[:64].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<title"))


def _parameters_in_query_and_body(environ: dict) -> bool:
    form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
    try:
        has_body = int(environ.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        has_body = True
    return form and has_body and bool(environ.get("QUERY_STRING"))


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


class MotoDispatcher(DomainDispatcherApplication):
    """moto's dispatcher without the backends that have no AWS counterpart."""

    def __call__(self, environ, start_response):
        app = self.get_application(environ)
        if getattr(app, "service", None) in NOT_ROUTED_BACKENDS:
            error = service_error(protocol_of(environ), 404, "UnknownOperationException",
                                  f"No AWS operation is served at {environ.get('PATH_INFO', '')}.")
            return error.as_wsgi()(environ, start_response)
        return app(environ, start_response)


class Gateway:
    """Wraps moto (and the control API) with the checks and answer shapes above."""

    def __init__(self, moto_app: WsgiApp, control: WsgiApp, hosts: frozenset[str], log=None):
        self.moto_app = moto_app
        self.control = control
        self.hosts = hosts
        self.log = log or sys.stderr

    def __call__(self, environ: dict, start_response):
        protocol = protocol_of(environ)
        if environ.get("HTTP_HOST", "") not in self.hosts:
            error = service_error(protocol, 400, "InvalidHostHeader",
                                  "The Host header must name the emulator's loopback address and port.")
            return self._respond(error.as_wsgi(), environ, start_response)
        if protocol == "query" and _parameters_in_query_and_body(environ):
            # moto's IAM check reads one place and the service may read the other: refuse the mix
            # (no AWS SDK sends it), so what is authorized is always what is served.
            error = service_error(protocol, 400, "InvalidParameterCombination",
                                  "Send the request's parameters in the query string or in the form body, not both.")
            return self._respond(error.as_wsgi(), environ, start_response)
        throttled = throttling.refusal(environ, signing_service(environ))  # over a rate limit: refused first
        if throttled is not None:
            return self._respond(throttled.as_wsgi(), environ, start_response)
        app = self.control if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX) else self.moto_app
        status, headers, body = self._run(app, environ, protocol)
        return self._send(status, headers, body, start_response)

    # --- internals ----------------------------------------------------------------------

    def _run(self, app: WsgiApp, environ: dict, protocol: str) -> tuple[str, list, bytes]:
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, list(headers)
            return lambda data: captured.setdefault("written", []).append(data)

        try:
            result = app(environ, capture)
            try:
                body = b"".join(captured.pop("written", [])) + b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception as error:  # any failure inside moto or a hook: AWS's 500, traceback in the log
            print(f"emulator: unhandled error on {environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}:",
                  file=self.log)
            traceback.print_exc(file=self.log)
            aws = internal_error(protocol, signing_service(environ),
                                 f"The emulator failed on this request ({type(error).__name__}); see its log.")
            return self._parts(aws)
        status, headers = captured["status"], captured["headers"]
        content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
        code = int(status.split()[0])
        if code >= 400 and b"<Code>" in body:  # moto's XML error, sometimes labelled text/html
            if protocol == "json":
                return self._parts(self._xml_to_json(code, body))
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", "text/xml")]
            return status, headers, body
        if "html" in content_type.lower():
            start = body.lstrip()[:1]
            if _is_html_document(body) and code >= 300:
                return self._parts(self._from_html(code, body, environ, protocol))
            if start in (b"{", b"[", b"<") and not _is_html_document(body):  # moto labels JSON and XML text/html
                label = "text/xml" if start == b"<" else "application/json"
                headers = [(k, v) for k, v in headers if k.lower() != "content-type"] + [("Content-Type", label)]
            elif code >= 400:  # a bare text error
                return self._parts(self._from_html(code, body, environ, protocol))
        return status, headers, body

    @staticmethod
    def _parts(error: AwsError) -> tuple[str, list, bytes]:
        response = error.as_wsgi()
        return response.status, list(response.headers.items()), response.get_data()

    @staticmethod
    def _from_html(code: int, body: bytes, environ: dict, protocol: str) -> AwsError:
        text = " ".join(_TAGS.sub(" ", body.decode("utf-8", "replace")).split())[:300]
        if code >= 500:
            return internal_error(protocol, signing_service(environ), f"The emulator failed on this request: {text}")
        names = {400: ("ValidationException", "InvalidParameterValue"),
                 403: ("AccessDeniedException", "AccessDenied"),
                 404: ("UnknownOperationException", "InvalidAction"),
                 405: ("UnknownOperationException", "InvalidAction"),
                 413: ("RequestEntityTooLargeException", "RequestEntityTooLarge")}
        json_code, query_code = names.get(code, ("ValidationException", "InvalidParameterValue"))
        where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
        return service_error(protocol, code, json_code if protocol == "json" else query_code, f"{text} ({where})")

    @staticmethod
    def _xml_to_json(code: int, body: bytes) -> AwsError:
        text = body.decode("utf-8", "replace")
        error_code = _XML_CODE.search(text)
        message = _XML_MESSAGE.search(text)
        name = error_code.group(1).strip() if error_code else ("InternalFailure" if code >= 500 else "ValidationException")
        if name == "AccessDenied":
            name = "AccessDeniedException"  # the JSON services' name for the same denial
        return service_error("json", code, name, message.group(1).strip() if message else text[:300])

    def _respond(self, response, environ, start_response):
        status, headers, body = response.status, list(response.headers.items()), response.get_data()
        return self._send(status, headers, body, start_response)

    @staticmethod
    def _send(status: str, headers: list, body: bytes, start_response):
        headers = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")
                   and k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        return [body]
