"""The locked requirements honour what pyproject.toml declares."""

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(__file__).resolve().parent.parent


def locked(path):
    pins = {}
    for line in (BASE_DIR / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_declared_dependency_is_locked_within_its_bounds():
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    for lock, declared in (
        ("requirements.txt", project["dependencies"]),
        ("requirements-dev.txt", project["dependencies"] + project["optional-dependencies"]["dev"]),
    ):
        pins = locked(lock)
        for spec in declared:
            requirement = Requirement(spec)
            name = canonicalize_name(requirement.name)
            assert name in pins, f"{name} manque dans {lock} : lancez `make lock`"
            assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} ({lock})"
