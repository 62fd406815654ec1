"""Emulator-wide state that moto does not keep: configuration, a call journal, injected faults."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    """An error the SageMaker runtime returns instead of the model's answer."""

    code: str
    remaining: int  # how many invocations it still affects; -1 for every one
    model_status: int = 500
    model_message: str = "Injected model failure"


@dataclass
class EmulatorState:
    accounts: dict[str, str] = field(default_factory=dict)        # role ("parent"/"child") -> account ID
    organizations: dict[str, str] = field(default_factory=dict)   # account ID -> organization ID
    journal: list[dict] = field(default_factory=list)             # one entry per authorized-or-denied request
    faults: dict[tuple[str, str], Fault] = field(default_factory=dict)  # (account, endpoint lower) -> fault
    invocations: list[dict] = field(default_factory=list)         # what each endpoint received
    lock: threading.Lock = field(default_factory=threading.Lock)

    def org_of(self, account: str) -> str | None:
        return self.organizations.get(account)

    def record(self, entry: dict) -> None:
        with self.lock:
            self.journal.append(entry)

    def take_fault(self, account: str, endpoint: str) -> Fault | None:
        with self.lock:
            fault = self.faults.get((account, endpoint.lower()))
            if fault is None:
                return None
            if fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    del self.faults[(account, endpoint.lower())]
            return fault


STATE = EmulatorState()
