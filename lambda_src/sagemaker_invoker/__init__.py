"""Invoke a SageMaker endpoint in a parent AWS account from a child account.

The Lambda handler is ``sagemaker_invoker.handler.lambda_handler``. It assumes
PARENT_ROLE_ARN (with EXTERNAL_ID) and calls sagemaker-runtime InvokeEndpoint
on one of ALLOWED_ENDPOINTS. Configuration comes from environment variables
only (see config.py and lambda_src/README.md).

Event (a JSON object; unknown keys are rejected, null is not accepted for any
field: omit it instead)::

    endpoint           string, optional only when exactly one endpoint is allowed.
                       Matched case-insensitively against ALLOWED_ENDPOINTS; the
                       endpoint is called with the name as configured there.
    body               string (sent as UTF-8) or JSON object/array/number/boolean
                       (sent as compact JSON)                  } exactly one
    body_base64        standard base64, sent as the raw bytes  } of these two
    content_type       string, default "application/json"
    accept             string, optional
    custom_attributes  string, optional, at most 1024 characters
    inference_id       string, optional, 1 to 64 characters
    target_variant     string, optional, a production variant name

The body must be 1 to 6,291,456 bytes once encoded; a JSON body may nest
arrays/objects at most 128 levels deep.

Success::

    {"statusCode": 200, "endpoint": str, "contentType": str,
     "invokedProductionVariant": str, "customAttributes": str (if any),
     "body": str}            # or "bodyBase64": str, when the request used
                             # body_base64 or the answer is not UTF-8

Failure::

    {"statusCode": int, "error": {"code": str, "message": str, "stage": str,
                                  "retryable": bool, ...}}
"""

__version__ = "0.2.0"
