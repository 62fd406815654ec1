"""The hash-locked requirements (`make lock`) are in step with what they were resolved from.

`requirements/project.txt` is resolved from pyproject.toml (dependencies plus the `test`,
`bench` and `mutation` extras) and requirements/build.in; `requirements/checkov.txt` from
requirements/checkov.in. Every requirement stated there must be satisfied by the locked
version, every locked package must carry hashes (`pip install --require-hashes` refuses it
otherwise), and nothing may be locked on behalf of a requirement that was removed.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from xacct.paths import PROJECT_ROOT

PYPROJECT = PROJECT_ROOT / "pyproject.toml"
REQUIREMENTS = PROJECT_ROOT / "requirements"
LOCKED_EXTRAS = ("test", "bench", "mutation")
# lock file -> the inputs it is resolved from, each as (label uv writes in `# via`, path)
LOCKS = {
    "project.txt": (("sagemaker-cross-account (pyproject.toml)", "pyproject.toml"), ("-r requirements/build.in", "requirements/build.in")),
    "checkov.txt": (("-r requirements/checkov.in", "requirements/checkov.in"),),
}
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


@dataclass
class Locked:
    versions: set[str] = field(default_factory=set)
    hashed: bool = True
    via: set[str] = field(default_factory=set)


def parse_lock(text: str) -> dict[str, Locked]:
    """Package name -> its locked versions (one per environment marker), hashes and `via` sources."""
    locked: dict[str, Locked] = {}
    lines = text.splitlines()
    current: Locked | None = None
    in_via = False
    for index, line in enumerate(lines):
        match = ENTRY.match(line)
        if match:
            current = locked.setdefault(canonicalize_name(match.group(1)), Locked())
            current.versions.add(match.group(2))
            following = lines[index + 1] if index + 1 < len(lines) else ""
            current.hashed &= line.rstrip().endswith("\\") and "--hash=sha256:" in following
            in_via = False
        elif current is not None and line.startswith("    # via"):
            rest = line.removeprefix("    # via").strip()
            in_via = True
            if rest:
                current.via.add(rest)
        elif current is not None and in_via and line.startswith("    #   "):
            current.via.add(line.removeprefix("    #   ").strip())
        else:
            in_via = in_via and line.startswith("    #")
    return locked


def pyproject_requirements(pyproject_text: str) -> list[Requirement]:
    project = tomllib.loads(pyproject_text)["project"]
    extras = project.get("optional-dependencies", {})
    return [Requirement(r) for r in project.get("dependencies", []) + [r for e in LOCKED_EXTRAS for r in extras.get(e, [])]]


def requirements_in(text: str) -> list[Requirement]:
    return [Requirement(line.split("#", 1)[0].strip()) for line in text.splitlines() if line.split("#", 1)[0].strip()]


def mismatches(lock_name: str, lock_text: str, inputs: list[tuple[str, str, list[Requirement]]]) -> list[str]:
    """`inputs`: (via label, file name, requirements stated there)."""
    locked = parse_lock(lock_text)
    found = []
    for _, source, requirements in inputs:
        for requirement in requirements:
            name = canonicalize_name(requirement.name)
            if source == "pyproject.toml" and not any(s.operator == "==" for s in requirement.specifier):
                found.append(f"{source}: {requirement} is not pinned with ==; the project pins its direct dependencies")
            entry = locked.get(name)
            if entry is None:
                found.append(f"{lock_name}: {requirement.name} (required by {source}) is not locked; run `make lock`")
                continue
            wrong = sorted(v for v in entry.versions if not requirement.specifier.contains(v, prereleases=True))
            if wrong:
                found.append(f"{lock_name}: {requirement.name}=={', '.join(wrong)} does not satisfy "
                             f"`{requirement}` in {source}; run `make lock`")
    for label, source, requirements in inputs:
        stated = {canonicalize_name(r.name) for r in requirements}
        for name, entry in sorted(locked.items()):
            if label in entry.via and name not in stated:
                found.append(f"{lock_name}: {name} is locked for {source}, which no longer requires it; run `make lock`")
    found += [f"{lock_name}: {name} has no --hash; `pip install --require-hashes` would refuse it"
              for name, entry in sorted(locked.items()) if not entry.hashed]
    return found


def read_inputs(pairs) -> list[tuple[str, str, list[Requirement]]]:
    inputs = []
    for label, relative in pairs:
        text = (PROJECT_ROOT / relative).read_text()
        requirements = pyproject_requirements(text) if relative == "pyproject.toml" else requirements_in(text)
        inputs.append((label, relative, requirements))
    return inputs


def problems() -> list[str]:
    found = []
    for lock_name, pairs in LOCKS.items():
        lock = REQUIREMENTS / lock_name
        if not lock.exists():
            found.append(f"requirements/{lock_name} is missing; run `make lock`")
            continue
        found += mismatches(lock_name, lock.read_text(), read_inputs(pairs))
    return found


def main() -> int:
    found = problems()
    print("\n".join(found) or "python lock: in step with pyproject.toml and requirements/*.in")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
