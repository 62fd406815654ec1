"""AWS-shaped errors.

From the auth hook they are raised as werkzeug HTTPExceptions: moto catches those there
and answers with their code and description. From a response handler they are returned
as (status, headers, body), which moto passes through. The gateway in front of moto
(gateway.py) turns them into WSGI responses with `as_wsgi`.
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

# The error every service documents for "the service failed": Lambda names it ServiceException.
INTERNAL_ERROR_CODE = {"lambda": "ServiceException"}
DEFAULT_INTERNAL_ERROR_CODE = "InternalFailure"


class AwsError(HTTPException):
    def __init__(self, status: int, body: str, headers: dict[str, str]):
        super().__init__(description=body)
        self.code = status
        self.headers = headers

    def get_headers(self, *args, **kwargs) -> list[tuple[str, str]]:
        return list(self.headers.items())

    def as_response(self) -> tuple[int, dict, str]:
        return self.code, {**self.headers, "status": self.code}, self.description

    def as_wsgi(self) -> Response:
        return Response(self.description, status=self.code, headers=self.headers)


def query_error(status: int, code: str, message: str, sender: bool = True,
                namespace: str = "https://sts.amazonaws.com/doc/2011-06-15/") -> AwsError:
    """The XML error document of query-protocol services such as STS and IAM."""
    body = (
        f'<ErrorResponse xmlns="{escape(namespace)}">'
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return AwsError(status, body, {"Content-Type": "text/xml"})


def json_error(status: int, code: str, message: str, extra: dict | None = None) -> AwsError:
    """The error of JSON/REST-JSON services (SageMaker, SageMaker runtime, Lambda)."""
    body = {"__type": code, "message": message, **(extra or {})}
    # The key is spelled as moto spells it, so that a moto response handler returning this error
    # replaces the ID rather than adding a second header (the SDK would read "id-1, id-2").
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code, "x-amzn-requestid": str(uuid.uuid4())}
    return AwsError(status, json.dumps(body), headers)


def service_error(protocol: str, status: int, code: str, message: str) -> AwsError:
    """The error in the shape of the protocol ("query" or "json") the request was made in."""
    if protocol == "query":
        return query_error(status, code, message, sender=status < 500)
    return json_error(status, code, message)


def internal_error(protocol: str, service: str | None, message: str) -> AwsError:
    code = INTERNAL_ERROR_CODE.get(service or "", DEFAULT_INTERNAL_ERROR_CODE)
    return service_error(protocol, 500, code, message)
