"""Emulator-wide state that moto does not keep: configuration, a call journal, injected faults.

Every change goes through a method here (under the one lock), so the control API and the
response handlers never reach into the containers themselves.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

ENDPOINT_ARN_CASES = ("lower", "preserve")


@dataclass
class Fault:
    """An error the SageMaker runtime returns instead of the model's answer."""

    code: str
    remaining: int  # how many invocations it still affects; -1 for every one
    model_status: int = 500
    model_message: str = "Injected model failure"


@dataclass
class EmulatorState:
    accounts: dict[str, str] = field(default_factory=dict)        # name ("parent"/"child") -> account ID
    organizations: dict[str, str] = field(default_factory=dict)   # account ID -> organization ID
    journal: list[dict] = field(default_factory=list)             # one entry per authorized-or-denied request
    faults: dict[tuple[str, str], Fault] = field(default_factory=dict)  # (account, endpoint lower) -> fault
    invocations: list[dict] = field(default_factory=list)         # what each endpoint received
    endpoint_arn_case: str = "lower"                              # how endpoint names appear in their ARNs
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- configuration ------------------------------------------------------------------

    def configure(self, accounts: dict[str, str], organizations: dict[str, str], endpoint_arn_case: str) -> None:
        if endpoint_arn_case not in ENDPOINT_ARN_CASES:
            raise ValueError(f"endpoint ARN case must be one of {', '.join(ENDPOINT_ARN_CASES)}, not {endpoint_arn_case!r}")
        with self.lock:
            self.accounts = dict(accounts)
            self.organizations = {k: v for k, v in organizations.items() if v}
            self.endpoint_arn_case = endpoint_arn_case

    def set_organizations(self, organizations: dict[str, str]) -> dict[str, str]:
        """Replace the account -> organization map; empty values mean "in no organization"."""
        with self.lock:
            self.organizations = {str(k): str(v) for k, v in organizations.items() if v}
            return dict(self.organizations)

    def org_of(self, account: str) -> str | None:
        return self.organizations.get(account)

    # --- what happened ------------------------------------------------------------------

    def record(self, entry: dict) -> None:
        with self.lock:
            self.journal.append(entry)

    def record_invocation(self, entry: dict) -> None:
        with self.lock:
            self.invocations.append(entry)

    def journal_entries(self) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.journal]

    def invocation_entries(self) -> list[dict]:
        with self.lock:
            return [dict(e) for e in self.invocations]

    def clear_journal(self) -> None:
        with self.lock:
            self.journal.clear()
            self.invocations.clear()

    # --- faults -------------------------------------------------------------------------

    def queue_fault(self, account: str, endpoint: str, fault: Fault) -> None:
        with self.lock:
            self.faults[(account, endpoint.lower())] = fault

    def fault_entries(self) -> list[dict]:
        with self.lock:
            return [{"account": account, "endpoint": endpoint, **vars(fault)}
                    for (account, endpoint), fault in self.faults.items()]

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

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
