"""Independent containers of the packaged handler in one process, and what they send to STS.

Each container is a fresh copy of the `sagemaker_invoker` package from the Lambda zip, under
its own name in sys.modules, so its configuration cache, parent-role credentials and clients
are its own, as in a real container; only botocore (the runtime's library) is shared.
"""

from __future__ import annotations

import compileall
import contextlib
import functools
import importlib
import importlib.util
import itertools
import sys
import threading
import types
import zipfile
from pathlib import Path
from typing import Callable, Optional

import botocore.client
from botocore.config import Config as BotoConfig

from xacct import botocore_models
from xacct.package import PACKAGE_NAME, ZIP_PATH

_copies = itertools.count()


def extract_package(task_dir: Path) -> Path:
    """The Lambda zip unpacked as Lambda does into its task folder; returns the package folder."""
    zipfile.ZipFile(ZIP_PATH).extractall(task_dir)
    # Compiled once, as Lambda's runtime caches bytecode: N copies would otherwise compile N times.
    compileall.compile_dir(task_dir / PACKAGE_NAME, quiet=1)
    return task_dir / PACKAGE_NAME


def load_container(package_dir: Path, without_throttle_retry: bool = False) -> types.ModuleType:
    """A fresh copy of the package (its own module state); returns its handler module.

    ``without_throttle_retry`` stands this copy's throttle retries down (the invoker as it was
    before them): only this copy's module is changed.
    """
    name = f"fleet_container_{next(_copies)}"
    spec = importlib.util.spec_from_file_location(name, package_dir / "__init__.py",
                                                  submodule_search_locations=[str(package_dir)])
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    handler = importlib.import_module(f"{name}.handler")
    if without_throttle_retry:
        importlib.import_module(f"{name}.throttle_retry").install = lambda *args, **kwargs: None
    return handler


class Context:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, request_id: str, timeout_seconds: float, clock: Callable[[], float]):
        self.aws_request_id = request_id
        self._deadline = clock() + timeout_seconds
        self._clock = clock

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - self._clock()) * 1000)


class StsMeter:
    """Counts every AssumeRole attempt per container (retries included) with the time it was sent.

    Clients are attributed to the container whose thread (or ``current``) creates them.
    ``on_first_send(container)`` runs before a container's first AssumeRole attempt;
    ``shift_expiry(expiration)`` rewrites each AssumeRole answer's Expiration.
    """

    def __init__(self, containers: int, now: Callable[[], float],
                 on_first_send: Optional[Callable[[int], None]] = None,
                 shift_expiry: Optional[Callable] = None, retry_mode: Optional[str] = None):
        self.now = now
        self.attempts = [0] * containers
        self.sent: list[tuple[float, int]] = []  # (time, container) per AssumeRole attempt
        self.on_first_send = on_first_send
        self.shift_expiry = shift_expiry
        self.retry_mode = retry_mode
        self.local = threading.local()
        self.current: Optional[int] = None
        self._lock = threading.Lock()

    def container(self) -> Optional[int]:
        return getattr(self.local, "container", self.current)

    @contextlib.contextmanager
    def installed(self):
        original_create = botocore.client.ClientCreator.create_client
        meter = self

        def create_client(creator, service_name, *args, **kwargs):
            if meter.retry_mode and kwargs.get("client_config") is not None:
                config = kwargs["client_config"]
                kwargs["client_config"] = config.merge(BotoConfig(retries={**config.retries, "mode": meter.retry_mode}))
            client = original_create(creator, service_name, *args, **kwargs)
            container = meter.container()
            if service_name == "sts" and container is not None:
                client.meta.events.register("before-send.sts.AssumeRole", functools.partial(meter._sent, container))
                if meter.shift_expiry is not None:
                    client.meta.events.register("after-call.sts.AssumeRole", meter._shift)
            return client

        botocore.client.ClientCreator.create_client = create_client
        # The service-model files are parsed once per process (a container reads them from its
        # own disk): otherwise parsing them 2N times would take the simulator's CPU for minutes.
        try:
            with botocore_models.parsed_once():
                yield self
        finally:
            botocore.client.ClientCreator.create_client = original_create

    def _sent(self, container: int, **_) -> None:
        with self._lock:
            first = self.attempts[container] == 0
            self.attempts[container] += 1
        if first and self.on_first_send is not None:
            self.on_first_send(container)
        with self._lock:
            self.sent.append((self.now(), container))
        return None  # the request goes out

    def _shift(self, parsed=None, **_) -> None:
        credentials = (parsed or {}).get("Credentials")
        if credentials:
            credentials["Expiration"] = self.shift_expiry(credentials["Expiration"])
