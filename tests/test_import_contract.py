"""The import contract (pyproject.toml, run by `lint-imports`) covers every app of ours."""

import re
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

CONTRACT = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())["tool"][
    "importlinter"
]


def _layered_modules() -> set[str]:
    (layers,) = [c["layers"] for c in CONTRACT["contracts"] if c["type"] == "layers"]
    names = set()
    for layer in layers:
        names.update(name.strip("() ") for name in re.split(r"[|:]", layer))
    return names


def test_every_app_of_the_project_is_checked_by_the_import_contract():
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == Path(settings.BASE_DIR)
    }
    assert ours, "the project's apps were not found"
    assert ours <= set(CONTRACT["root_packages"])
    assert set(CONTRACT["root_packages"]) <= _layered_modules()
