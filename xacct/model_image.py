"""Build the echo model's image (model/echo) and push it to an ECR repository.

    MODEL_REPOSITORY=123456789012.dkr.ecr.eu-west-1.amazonaws.com/xacct-echo make model-image

Needs Docker with a running engine and AWS credentials (the usual boto3 chain, e.g.
AWS_PROFILE) allowed to push to that repository. The tag is a digest of the model's files,
so the same code always gets the same tag. Prints the image URI to set as
XACCT_AWS_DEMO_MODEL_IMAGE. Every refusal is one line naming what to fix, exit status 2.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys

from xacct.paths import PROJECT_ROOT

MODEL_DIR = PROJECT_ROOT / "model" / "echo"
MODEL_FILES = ("Dockerfile", "__init__.py", "__main__.py", "echo.py", "serve.py")
# ECR repository URI: ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME ("Amazon ECR private repositories").
REPOSITORY_URI = re.compile(r"^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                            r"((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)$")


class ImageError(RuntimeError):
    """The image cannot be built or pushed; the message names what to fix."""


def image_tag() -> str:
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        digest.update(name.encode() + b"\0" + (MODEL_DIR / name).read_bytes())
    return f"echo-{digest.hexdigest()[:12]}"


def parse_repository(uri: str | None) -> tuple[str, str, str]:
    """(account, region, name) of an ECR repository URI, or a refusal naming MODEL_REPOSITORY."""
    match = REPOSITORY_URI.match(uri or "")
    if not match:
        raise ImageError("MODEL_REPOSITORY must be an ECR repository URI, ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME "
                         f"(create one with `aws ecr create-repository --repository-name NAME`), not {uri or 'unset'!r}")
    return match.group(1), match.group(2), match.group(3)


def check_docker(env: dict[str, str]) -> str:
    docker = shutil.which("docker", path=env.get("PATH"))
    if docker is None:
        raise ImageError("make model-image needs Docker: no `docker` command on PATH (install Docker Engine or Docker Desktop)")
    info = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], env=env, capture_output=True, text=True)
    if info.returncode != 0:
        reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
        raise ImageError(f"make model-image needs a running Docker engine: `docker info` failed: {reason}")
    return docker


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    result = subprocess.run(args, env=env, input=stdin, text=True)
    if result.returncode != 0:
        raise ImageError(f"`{' '.join(args[:3])} ...` failed with exit status {result.returncode} (its output is above)")


def build_and_push(env: dict[str, str]) -> str:
    account, region, _ = parse_repository(env.get("MODEL_REPOSITORY"))
    docker = check_docker(env)
    import boto3  # only now: the refusals above need no AWS libraries

    registry = env["MODEL_REPOSITORY"].split("/", 1)[0]
    token = boto3.Session(region_name=region).client("ecr").get_authorization_token(registryIds=[account])
    user, password = base64.b64decode(token["authorizationData"][0]["authorizationToken"]).decode().split(":", 1)
    _run([docker, "login", "--username", user, "--password-stdin", registry], env, stdin=password)
    image = f"{env['MODEL_REPOSITORY']}:{image_tag()}"
    # linux/amd64: SageMaker's ml.* CPU instances run x86-64 images.
    _run([docker, "build", "--platform", "linux/amd64", "--tag", image, str(MODEL_DIR)], env)
    _run([docker, "push", image], env)
    return image


def main() -> int:
    try:
        image = build_and_push(dict(os.environ))
    except ImageError as error:
        print(f"model-image: {error}", file=sys.stderr)
        return 2
    print(f"pushed {image}\nexport XACCT_AWS_DEMO_MODEL_IMAGE={image}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
