"""`make model-image` refuses in one line, exit status 2, naming what to fix."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from xacct.model_image import ImageError, image_tag, parse_repository
from xacct.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/xacct-echo"


def make_model_image(**env) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "model-image"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, env={"HOME": os.environ.get("HOME", "/"), **env})


def test_refuses_without_docker_on_path():
    result = make_model_image(PATH="/usr/bin:/bin", MODEL_REPOSITORY=REPOSITORY)
    assert shutil.which("docker", path="/usr/bin:/bin") is None
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == (
        "model-image: make model-image needs Docker: no `docker` command on PATH (install Docker Engine or Docker Desktop)")


@pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker command (not its engine)")
def test_refuses_when_the_docker_engine_does_not_answer(tmp_path):
    # A real docker client pointed at a socket where no engine listens.
    result = make_model_image(PATH=os.environ["PATH"], MODEL_REPOSITORY=REPOSITORY,
                              DOCKER_HOST=f"unix://{tmp_path}/no-engine.sock")
    assert result.returncode != 0
    line, = result.stderr.splitlines()[:1]
    assert line.startswith("model-image: make model-image needs a running Docker engine: `docker info` failed: ")
    assert "no-engine.sock" in line


@pytest.mark.parametrize("uri", [None, "", "xacct-echo", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/Echo",
                                 "public.ecr.aws/team/echo", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/echo:1"])
def test_refuses_a_repository_that_is_not_an_ecr_uri(uri):
    with pytest.raises(ImageError, match=r"^MODEL_REPOSITORY must be an ECR repository URI, "
                                         r"ACCOUNT\.dkr\.ecr\.REGION\.amazonaws\.com/NAME .*not "):
        parse_repository(uri)


def test_unset_repository_is_refused_by_make_before_docker_is_tried():
    result = make_model_image(PATH="/usr/bin:/bin")
    assert result.returncode != 0
    assert result.stderr.splitlines()[0].startswith("model-image: MODEL_REPOSITORY must be an ECR repository URI")
    assert result.stderr.splitlines()[0].endswith("not 'unset'")


def test_repository_uri_parts():
    assert parse_repository(REPOSITORY) == ("123456789012", "eu-west-1", "team/xacct-echo")


def test_tag_follows_the_model_files():
    assert image_tag().startswith("echo-") and len(image_tag()) == 17
    assert image_tag() == image_tag()
