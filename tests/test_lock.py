"""requirements.lock pins, with hashes, every dependency pyproject.toml names (`make lock`)."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)")


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]] + [
        Requirement(line) for line in project["optional-dependencies"]["dev"]
    ]


def pinned() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_every_dependency_is_pinned_within_its_range():
    pins = pinned()
    stale = [
        str(requirement)
        for requirement in declared()
        if pins.get(canonicalize_name(requirement.name)) is None
        or not requirement.specifier.contains(pins[canonicalize_name(requirement.name)])
    ]
    assert not stale, f"run `make lock`: requirements.lock lacks or misses {stale}"


def test_every_pin_carries_hashes():
    entries = re.split(r"\n(?=\S)", (ROOT / "requirements.lock").read_text())
    pins = [entry for entry in entries if PIN.match(entry)]
    assert pins
    assert all("--hash=sha256:" in entry for entry in pins)
