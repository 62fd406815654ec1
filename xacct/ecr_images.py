"""ECR image URIs, taken apart: what the preflight check and the emulator's SageMaker both read."""

from __future__ import annotations

import re
from dataclasses import dataclass

# ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/NAME[:TAG|@DIGEST] ("Amazon ECR private repositories").
IMAGE_URI = re.compile(r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                       r"(?P<name>[^:@]+)(?::(?P<tag>[^@]+)|@(?P<digest>sha256:[0-9a-f]{64}))?$")


@dataclass(frozen=True)
class ImageRef:
    image: str
    registry: str
    region: str
    name: str
    tag: str | None  # "latest" when the URI names neither a tag nor a digest, as Docker reads it
    digest: str | None


def parse_image(image: str) -> ImageRef | None:
    """The parts of an ECR image URI; None for anything else (Docker Hub, a private registry...)."""
    match = IMAGE_URI.match(image or "")
    if match is None:
        return None
    tag, digest = match["tag"], match["digest"]
    return ImageRef(image, match["registry"], match["region"], match["name"],
                    tag if tag or digest else "latest", digest)
