"""`scripts/test` collects the tests of every app of ours (pytest's testpaths)."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def test_every_app_with_tests_is_in_the_test_paths():
    root = Path(settings.BASE_DIR)
    testpaths = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"][
            "testpaths"
        ]
    )
    with_tests = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).parent == root and (Path(config.path) / "tests").is_dir()
    }
    assert with_tests, "the project's apps were not found"
    assert with_tests - testpaths == set()
