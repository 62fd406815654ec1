"""Administrator keys that stay the same across restarts, so a configuration written once keeps working.

Each account's key pair is derived from its account ID and a key seed: the same seed and
account give the same keys at every start. The seed is secret, because the keys let
their holder deploy code that the emulator runs as the local user: by default it is
generated once per user and kept readable only by that user (SEED_FILE); a team that wants
the same keys on every machine shares one seed through EMULATOR_KEY_SEED, or gives each
account's keys explicitly (`--account name=ID:ACCESS_KEY_ID:SECRET`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

SEED_ENV = "EMULATOR_KEY_SEED"
SEED_FILE = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "xacct" / "emulator-key-seed"
ACCOUNT_ID = re.compile(r"^\d{12}$")
ACCESS_KEY_ID = re.compile(r"^AKIA[A-Z2-7]{16}$")  # IAM user keys: AKIA and 16 base-32 characters
SECRET_KEY = re.compile(r"^[A-Za-z0-9/+]{40}$")


class AccountSpecError(ValueError):
    pass


@dataclass(frozen=True)
class AccountSpec:
    name: str
    id: str
    access_key_id: str | None = None      # None: derived from the seed
    secret_access_key: str | None = None


def parse_account(text: str) -> AccountSpec:
    """`name=ID` or `name=ID:ACCESS_KEY_ID:SECRET_ACCESS_KEY`, as given to --account."""
    name, sep, rest = text.partition("=")
    parts = rest.split(":")
    if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,31}", name) or len(parts) not in (1, 3):
        raise AccountSpecError(f"--account {text!r}: expected NAME=ACCOUNT_ID or NAME=ACCOUNT_ID:ACCESS_KEY_ID:SECRET_ACCESS_KEY "
                               "(NAME: a letter, then up to 31 letters, digits, _ or -)")
    if not ACCOUNT_ID.match(parts[0]):
        raise AccountSpecError(f"--account {name}: the account ID must be 12 digits, not {parts[0]!r}")
    if len(parts) == 1:
        return AccountSpec(name, parts[0])
    if not ACCESS_KEY_ID.match(parts[1]):
        raise AccountSpecError(f"--account {name}: the access key ID must be AKIA followed by 16 characters A-Z or 2-7")
    if not SECRET_KEY.match(parts[2]):
        raise AccountSpecError(f"--account {name}: the secret access key must be 40 characters A-Z, a-z, 0-9, / or +")
    return AccountSpec(name, parts[0], parts[1], parts[2])


def derived_keys(seed: bytes, account_id: str) -> tuple[str, str]:
    """(access key ID, secret access key) for the account: the same for the same seed."""
    digest = hmac.new(seed, f"access-key-id:{account_id}".encode(), hashlib.sha256).digest()
    access_key_id = "AKIA" + base64.b32encode(digest).decode()[:16]
    secret = base64.b64encode(hmac.new(seed, f"secret-access-key:{account_id}".encode(), hashlib.sha512).digest()).decode()[:40]
    return access_key_id, secret


def key_seed(environ: dict[str, str] | None = None, seed_file: Path | None = None) -> bytes:
    """The seed from EMULATOR_KEY_SEED, else the user's seed file (created on first use, mode 0600)."""
    environ = os.environ if environ is None else environ
    if environ.get(SEED_ENV):
        return environ[SEED_ENV].encode()
    seed_file = seed_file or SEED_FILE
    if not seed_file.exists():
        seed_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(seed_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another emulator created it meanwhile
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
    if seed_file.stat().st_mode & 0o077:
        raise AccountSpecError(f"the key seed file {seed_file} is readable by other users; make it mode 0600 (chmod 600)")
    return seed_file.read_text().strip().encode()
