"""botocore's model files parsed once per process, however many sessions read them.

Every botocore session builds its own data loader, which parses the service models, the
endpoint rules and the partitions from botocore's JSON files again: about a third of a second
per session. A Lambda container pays that once; a process that stands in for many containers
(the fleet simulator) or builds the invoker afresh for each test would pay it hundreds of
times. The files are botocore's own and read-only, and one loader already hands the same parsed
data to every client of its session, so sharing it between sessions changes no behaviour.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

import botocore.session

# One loader per search path for the whole process (so a fork inherits a warm one).
_shared_loader = functools.lru_cache(maxsize=None)(botocore.session.create_loader)


@contextlib.contextmanager
def parsed_once() -> Iterator[None]:
    """While inside, every new botocore session shares the process's data loader."""
    original = botocore.session.create_loader
    botocore.session.create_loader = _shared_loader
    try:
        yield
    finally:
        botocore.session.create_loader = original
