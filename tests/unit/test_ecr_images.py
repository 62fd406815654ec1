"""ECR image URIs as the preflight check and the emulator's SageMaker read them (xacct/ecr_images.py)."""

from __future__ import annotations

import pytest

from xacct.ecr_images import parse_image

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("image, parts", [
    ("111111111111.dkr.ecr.us-east-1.amazonaws.com/team/echo:1", ("111111111111", "us-east-1", "team/echo", "1", None)),
    ("111111111111.dkr.ecr.us-east-1.amazonaws.com/echo", ("111111111111", "us-east-1", "echo", "latest", None)),
    ("111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/echo@sha256:" + "a" * 64,
     ("111111111111", "cn-north-1", "echo", None, "sha256:" + "a" * 64)),
])
def test_ecr_image_uris_are_read_as_ecr_names_them(image, parts):
    """"Amazon ECR private repositories": ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME[:TAG|@DIGEST];
    no tag means "latest", as Docker reads it."""
    ref = parse_image(image)
    assert (ref.registry, ref.region, ref.name, ref.tag, ref.digest) == parts


@pytest.mark.parametrize("image", ["echo", "nginx:latest", "public.ecr.aws/team/echo:1", "ghcr.io/team/echo:1"])
def test_other_images_are_not_ecr_images(image):
    assert parse_image(image) is None
