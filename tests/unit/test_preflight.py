"""The preflight's refusals, each naming what to fix.

Service Quotas (moto answers only for `vpc`) and iam:SimulatePrincipalPolicy (not in moto)
have no emulator counterpart, so these tests give real botocore clients canned answers
through botocore's Stubber; the response shapes are checked by botocore against the
service models. What the emulator can answer is tested in tests/e2e/test_preflight.py.
"""

from __future__ import annotations

import boto3
import hcl2
import pytest
from botocore.stub import Stubber

from xacct import preflight
from xacct.preflight import Caller, check_image, check_permissions, check_sagemaker, principal_arn, sample_arn
from xacct.targets import TargetConfig
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

REGION = "eu-west-1"
PARENT = Caller("parent", "111111111111", "arn:aws:sts::111111111111:assumed-role/ci-e2e/run-1")
IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/xacct-echo:echo-0123456789ab"


def client(service):
    return boto3.client(service, region_name=REGION, aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")


def quota(value, name="ml.t2.medium for endpoint usage"):
    return {"Quotas": [{"ServiceCode": "sagemaker", "QuotaName": name, "QuotaCode": "L-00000001", "Value": value}]}


def test_sample_arns_fill_the_run_prefix_account_and_region():
    assert sample_arn("arn:aws:iam::*:role/t??????-*", "111111111111", REGION) == "arn:aws:iam::111111111111:role/t000000-x"
    assert sample_arn("arn:aws:logs:*:*:log-group:/aws/lambda/t??????-*", "2", REGION) == \
        "arn:aws:logs:eu-west-1:2:log-group:/aws/lambda/t000000-x"
    assert sample_arn("*", "1", REGION) == "*"


def test_a_role_session_is_simulated_as_its_role():
    assert principal_arn(PARENT.arn) == "arn:aws:iam::111111111111:role/ci-e2e"
    assert principal_arn("arn:aws:iam::111111111111:user/ci") == "arn:aws:iam::111111111111:user/ci"


def test_demo_instance_type_is_the_examples_default():
    with open(PROJECT_ROOT / "examples" / "two-accounts" / "variables.tf") as f:
        # python-hcl2 8 keeps HCL's quotes around names and string values.
        variables = {k.strip('"'): v for block in hcl2.load(f)["variable"] for k, v in block.items()}
    assert variables["demo_instance_type"]["default"].strip('"') == preflight.DEMO_INSTANCE_TYPE
    assert preflight.DEMO_INSTANCE_TYPE in preflight.PRICE_PER_HOUR_USD


@pytest.mark.parametrize("account", ["parent", "child"])
def test_every_ci_policy_statement_is_simulated_and_a_denial_names_the_statement(account):
    """Each statement of docs/ci-role/<account>-account.json is one SimulatePrincipalPolicy call."""
    iam = client("iam")
    caller = Caller(account, "111111111111", f"arn:aws:sts::111111111111:assumed-role/ci-e2e/run-1")
    statements = preflight.load_ci_policy(account)["Statement"]
    with Stubber(iam) as stub:
        for i, statement in enumerate(statements):
            decision = "implicitDeny" if i == 0 else "allowed"
            stub.add_response("simulate_principal_policy", {"EvaluationResults": [
                {"EvalActionName": action, "EvalDecision": decision, "EvalResourceName": "*"}
                for action in statement["Action"]]})
        problems = check_permissions(iam, caller, None, REGION)
        stub.assert_no_pending_responses()
    first = statements[0]
    assert problems == [f"{account}: arn:aws:iam::111111111111:role/ci-e2e is not allowed {action} on *: "
                        f"add statement {first['Sid']} of docs/ci-role/{account}-account.json to it"
                        for action in first["Action"]]


def test_condition_keys_of_a_statement_are_passed_as_context():
    iam = client("iam")
    statements = preflight.load_ci_policy("parent")["Statement"]
    with Stubber(iam) as stub:
        for statement in statements:
            expected = {"PolicySourceArn": "arn:aws:iam::111111111111:role/ci/ci-e2e", "ActionNames": statement["Action"],
                        "ResourceArns": [sample_arn(r, "111111111111", REGION) for r in
                                         (statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]])],
                        "ContextEntries": [{"ContextKeyName": "iam:PassedToService", "ContextKeyValues": ["sagemaker.amazonaws.com"],
                                            "ContextKeyType": "string"}] if "Condition" in statement else []}
            stub.add_response("simulate_principal_policy", {"EvaluationResults": []}, expected)
        # A role with a path: the full ARN from XACCT_AWS_PARENT_ROLE_ARN is simulated, not the session's.
        assert check_permissions(iam, PARENT, "arn:aws:iam::111111111111:role/ci/ci-e2e", REGION) == []


def test_a_principal_that_may_not_simulate_is_told_which_statement_to_add():
    iam = client("iam")
    with Stubber(iam) as stub:
        stub.add_client_error("simulate_principal_policy", "AccessDenied", "User is not authorized to perform: iam:SimulatePrincipalPolicy")
        problems = check_permissions(iam, PARENT, None, REGION)
    assert len(problems) == 1
    assert problems[0].startswith("parent: cannot check the CI permissions of arn:aws:iam::111111111111:role/ci-e2e (")
    assert problems[0].endswith("allow it iam:SimulatePrincipalPolicy on itself (statement PreflightSelfCheck of "
                                "docs/ci-role/parent-account.json), or set XACCT_AWS_PARENT_ROLE_ARN to the role's full ARN")


def test_quota_below_two_instances_is_refused_naming_service_quotas():
    sagemaker, quotas = client("sagemaker"), client("service-quotas")
    with Stubber(sagemaker) as sm, Stubber(quotas) as sq:
        sm.add_response("list_endpoints", {"Endpoints": []}, {"MaxResults": 1})
        sq.add_response("list_service_quotas", quota(1.0), {"ServiceCode": "sagemaker"})
        assert check_sagemaker(sagemaker, quotas, REGION, "ml.t2.medium") == [
            "parent: the quota 'ml.t2.medium for endpoint usage' is 1 in eu-west-1; the run needs 2: "
            "request an increase in Service Quotas (service code sagemaker)"]


def test_quota_found_among_the_defaults_passes():
    sagemaker, quotas = client("sagemaker"), client("service-quotas")
    with Stubber(sagemaker) as sm, Stubber(quotas) as sq:
        sm.add_response("list_endpoints", {"Endpoints": []})
        sq.add_response("list_service_quotas", quota(4.0, "ml.m5.large for endpoint usage"))
        sq.add_response("list_aws_default_service_quotas", quota(2.0))
        assert check_sagemaker(sagemaker, quotas, REGION, "ml.t2.medium") == []


def test_instance_type_without_a_quota_is_refused_naming_the_region_variable():
    sagemaker, quotas = client("sagemaker"), client("service-quotas")
    with Stubber(sagemaker) as sm, Stubber(quotas) as sq:
        sm.add_response("list_endpoints", {"Endpoints": []})
        sq.add_response("list_service_quotas", {"Quotas": []})
        sq.add_response("list_aws_default_service_quotas", {"Quotas": []})
        assert check_sagemaker(sagemaker, quotas, REGION, "ml.t2.medium") == [
            "parent: Service Quotas has no quota 'ml.t2.medium for endpoint usage' in eu-west-1: the instance type "
            "is not offered for endpoints there; pick another region (XACCT_AWS_REGION)"]


def test_sagemaker_not_answering_is_refused_naming_the_region_variable():
    sagemaker = client("sagemaker")
    with Stubber(sagemaker) as sm:
        sm.add_client_error("list_endpoints", "UnrecognizedClientException", "The security token included in the request is invalid.")
        problems = check_sagemaker(sagemaker, client("service-quotas"), REGION, "ml.t2.medium")
    assert problems[0].startswith("parent: SageMaker does not answer in eu-west-1 (")
    assert problems[0].endswith("set XACCT_AWS_REGION to a region that offers SageMaker real-time inference, "
                                "and allow sagemaker:ListEndpoints")


def test_quota_unreadable_names_the_permissions():
    sagemaker, quotas = client("sagemaker"), client("service-quotas")
    with Stubber(sagemaker) as sm, Stubber(quotas) as sq:
        sm.add_response("list_endpoints", {"Endpoints": []})
        sq.add_client_error("list_service_quotas", "AccessDeniedException", "denied")
        problems = check_sagemaker(sagemaker, quotas, REGION, "ml.t2.medium")
    assert problems[0].endswith("allow servicequotas:ListServiceQuotas and servicequotas:ListAWSDefaultServiceQuotas")


@pytest.mark.parametrize("image,message", [
    ("xacct-echo:1", "XACCT_AWS_DEMO_MODEL_IMAGE must be an ECR image URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/"
                     "REPOSITORY:TAG (build one with `make model-image`), not 'xacct-echo:1'"),
    ("111111111111.dkr.ecr.us-east-1.amazonaws.com/xacct-echo:1",
     "XACCT_AWS_DEMO_MODEL_IMAGE is in us-east-1 but the run is in eu-west-1: SageMaker pulls from the endpoint's own "
     "region; push the image there (`make model-image`) or set XACCT_AWS_REGION"),
])
def test_image_outside_ecr_or_the_region_is_refused_before_any_call(image, message):
    assert check_image(None, image, REGION) == [message]


def test_unreadable_image_names_the_permission():
    ecr = client("ecr")
    with Stubber(ecr) as stub:
        stub.add_client_error("describe_images", "AccessDeniedException", "not authorized to perform: ecr:DescribeImages")
        problems = check_image(ecr, IMAGE, REGION)
    assert problems[0].endswith("allow ecr:DescribeImages on the repository, and if it is in another account, "
                                "let the parent account pull through the repository policy")


def test_plan_names_what_is_created_and_the_hourly_cost():
    config = TargetConfig(kind="aws", region=REGION, demo_model_image=IMAGE)
    callers = {"parent": PARENT, "child": Caller("child", "222222222222", "arn:aws:iam::222222222222:user/ci")}
    text = preflight.run_plan(config, callers, "ml.t2.medium")
    assert "parent account 111111111111" in text and "child account 222222222222" in text
    assert "5 endpoints of one ml.t2.medium each" in text
    assert "about 0.056 USD per hour while an endpoint is up" in text
    assert "unknown: ml.p5.48xlarge is not in the price table" in preflight.run_plan(config, callers, "ml.p5.48xlarge")


def test_refuses_outside_real_aws_mode(capsys):
    assert preflight.main({"XACCT_TARGET": "emulator"}) == 2
    assert capsys.readouterr().err == ("preflight: make preflight checks a run against real accounts: set XACCT_TARGET=aws "
                                       "(and the XACCT_AWS_* variables, see README)\n")


def test_refuses_naming_the_missing_account_variable(capsys):
    assert preflight.main({"XACCT_TARGET": "aws", "XACCT_AWS_PARENT_PROFILE": "p"}) == 2
    assert capsys.readouterr().err == ("preflight: XACCT_TARGET=aws needs credentials for the child account: set "
                                       "XACCT_AWS_CHILD_PROFILE or XACCT_AWS_CHILD_ROLE_ARN\n")
