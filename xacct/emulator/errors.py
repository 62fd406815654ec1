"""AWS-shaped error responses, raised as werkzeug HTTPExceptions so moto passes them through."""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response


class AwsError(HTTPException):
    def __init__(self, response: Response):
        super().__init__(response=response)


def query_error(status: int, code: str, message: str, sender: bool = True) -> AwsError:
    """The XML error document of query-protocol services such as STS."""
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>{'Sender' if sender else 'Receiver'}</Type><Code>{escape(code)}</Code>"
        f"<Message>{escape(message)}</Message></Error>"
        f"<RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    )
    return AwsError(Response(body, status=status, content_type="text/xml"))


def json_error(status: int, code: str, message: str, extra: dict | None = None) -> AwsError:
    """The error of JSON/REST-JSON services (SageMaker runtime, Lambda)."""
    body = {"__type": code, "message": message, "Message": message, **(extra or {})}
    headers = {"x-amzn-ErrorType": code, "x-amzn-RequestId": str(uuid.uuid4())}
    return AwsError(Response(json.dumps(body), status=status, headers=headers, content_type="application/json"))
