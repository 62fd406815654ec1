"""SageMaker control-plane answers as AWS gives them.

- DescribeModel and DescribeEndpointConfig: no empty optional parts. moto reports
  `VpcConfig: {}`, `Environment: {}` and `DataCaptureConfig: {}` for resources created
  without them; AWS omits them, and Terraform would otherwise plan a change on every run.
- Endpoint ARNs follow one case rule everywhere: the ARN that CreateEndpoint,
  DescribeEndpoint and ListEndpoints return is the ARN IAM compares for InvokeEndpoint.
  Under "lower" (the default) the ARN holds the endpoint name in lower case, as AWS's own
  answers show: a ListEndpoints answer quoted in aws/amazon-sagemaker-examples#293 gives
  `EndpointName: DEMO-imageclassification-ep--…` with `EndpointArn: …:endpoint/demo-imageclassification-ep--…`,
  and the AccessDenied quoted in philschmid/cdk-samples#2 names `endpoint/endpoint-setu4993--labse`
  for an endpoint named after `setu4993/LaBSE`. Under "preserve" the ARN holds the name as
  it was created, for checking policies against the other possibility.
- CreateModel refuses an execution role SageMaker cannot assume and an image missing from
  its repository; an endpoint whose model's role may not pull its image ends in `Failed`
  with AWS's FailureReason (sagemaker_model_checks.py says what is checked and why).
"""

from __future__ import annotations

import copy

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse

from xacct.emulator import arns, sagemaker_model_checks
from xacct.emulator.state import STATE

_moto_describe_model = SageMakerResponse.describe_model
_moto_describe_endpoint_config = SageMakerResponse.describe_endpoint_config
_moto_endpoint_init = FakeEndpoint.__init__
_moto_resource_from_arn = SageMakerModelBackend._get_resource_from_arn
_moto_create_model = SageMakerModelBackend.create_model
_moto_create_endpoint = SageMakerModelBackend.create_endpoint


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


# --- endpoint ARNs ----------------------------------------------------------------------

def _name_in_arn(name: str) -> str:
    return name.lower() if STATE.endpoint_arn_case == "lower" else name


def find_endpoint(account: str, region: str, name: str):
    """SageMaker endpoint names are case-insensitive: My-Endpoint and my-endpoint are one."""
    endpoints = sagemaker_backends[account][region].endpoints
    return next((e for e in endpoints.values() if e.endpoint_name.lower() == name.lower()), None)


def endpoint_arn(region: str, account: str, name: str) -> str:
    """The endpoint's ARN under the case rule: the one answers carry and IAM compares."""
    endpoint = find_endpoint(account, region, name) if account in sagemaker_backends else None
    stored = endpoint.endpoint_name if endpoint is not None else name
    return arns.sagemaker_endpoint_arn(region, account, _name_in_arn(stored))


def _endpoint_init(self, *args, **kwargs):
    _moto_endpoint_init(self, *args, **kwargs)
    prefix, _, name = self.arn.partition(":endpoint/")
    self.arn = f"{prefix}:endpoint/{_name_in_arn(name)}"


def _resource_from_arn(self, arn: str):
    """moto finds tagged resources by the name in their ARN, as written; endpoints by any case."""
    if ":endpoint/" in arn:
        endpoint = find_endpoint(self.account_id, self.region_name, arn.rpartition(":endpoint/")[2])
        if endpoint is None:
            raise ValidationError(message=f"Could not find endpoint with name {arn.rpartition('/')[2]}")
        return endpoint
    resource = _moto_resource_from_arn(self, arn)
    if resource is None:
        raise ValidationError(message=f"Could not find a resource with ARN {arn}")
    return resource


# --- what SageMaker checks before it runs a model ----------------------------------------

def _create_model(self, model_name, execution_role_arn, primary_container, vpc_config, containers, tags):
    """Refused with a ValidationException where AWS refuses (after IAM allowed the call)."""
    images = [c.get("Image") for c in ([primary_container] if primary_container else containers or [])
              if isinstance(c, dict) and c.get("Image")]
    sagemaker_model_checks.refuse_model(execution_role_arn, images)
    return _moto_create_model(self, model_name=model_name, execution_role_arn=execution_role_arn,
                              primary_container=primary_container, vpc_config=vpc_config,
                              containers=containers, tags=tags)


def _create_endpoint(self, endpoint_name, endpoint_config_name, tags):
    """Created, then `Failed` with AWS's FailureReason when a model cannot be run."""
    endpoint = _moto_create_endpoint(self, endpoint_name=endpoint_name, endpoint_config_name=endpoint_config_name,
                                     tags=tags)
    variants = self.describe_endpoint_config(endpoint_config_name)["ProductionVariants"]
    models = [(v["VariantName"], self._models[v["ModelName"]]) for v in variants if v.get("ModelName") in self._models]
    reason = sagemaker_model_checks.endpoint_failure(models)
    if reason is not None:
        endpoint.endpoint_status, endpoint.failure_reason = "Failed", reason
    return endpoint


def install() -> None:
    SageMakerResponse.describe_model = describe_model
    SageMakerResponse.describe_endpoint_config = describe_endpoint_config
    FakeEndpoint.__init__ = _endpoint_init
    SageMakerModelBackend._get_resource_from_arn = _resource_from_arn
    SageMakerModelBackend.create_model = _create_model
    SageMakerModelBackend.create_endpoint = _create_endpoint
