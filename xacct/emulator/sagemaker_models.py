"""DescribeModel and DescribeEndpointConfig as AWS answers them: no empty optional parts.

moto reports `VpcConfig: {}`, `Environment: {}` and `DataCaptureConfig: {}` for
resources created without them; AWS omits them, and Terraform would otherwise plan a
change on every run. Only the API answers change: moto's own models stay as they are.
"""

from __future__ import annotations

import copy

from moto.core.responses import ActionResult
from moto.sagemaker.responses import SageMakerResponse

_moto_describe_model = SageMakerResponse.describe_model
_moto_describe_endpoint_config = SageMakerResponse.describe_endpoint_config


def _without_empty(result, top_level: tuple[str, ...]):
    """Copy an ActionResult's payload, dropping empty optional members."""
    response = copy.deepcopy(result.result)
    for key in top_level:
        if not response.get(key):
            response.pop(key, None)
    for container in [response.get("PrimaryContainer"), *response.get("Containers", [])]:
        if isinstance(container, dict) and not container.get("Environment"):
            container.pop("Environment", None)
    return ActionResult(response)


def describe_model(self):
    return _without_empty(_moto_describe_model(self), ("VpcConfig",))


def describe_endpoint_config(self):
    return _without_empty(_moto_describe_endpoint_config(self), ("DataCaptureConfig",))


def install() -> None:
    SageMakerResponse.describe_model = describe_model
    SageMakerResponse.describe_endpoint_config = describe_endpoint_config
