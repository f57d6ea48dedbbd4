"""Packaging tests: loading the build scripts in packaging/ (not a package), and the built artefacts to test.

Tests marked `packaging` need what `./dev package` builds: REALMAIL_BUNDLE (the frozen `realmail`) and
REALMAIL_DEB (the .deb). Without them they are skipped, so the normal test run stays fast.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"


def load_script(relative: str) -> ModuleType:
    """A script of packaging/ as a module (packaging/ is no package: the name belongs to PyPI's `packaging`)."""
    path = PACKAGING / relative
    spec = importlib.util.spec_from_file_location(f"realmail_packaging_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _artefact(variable: str) -> Path:
    value = os.environ.get(variable, "")
    if not value:
        pytest.skip(f"{variable} is not set: `./dev package` builds the artefact and runs these tests")
    path = Path(value).resolve()
    if not path.exists():
        pytest.fail(f"{variable}={value} does not exist")
    return path


@pytest.fixture
def frozen_binary() -> Path:
    return _artefact("REALMAIL_BUNDLE")


@pytest.fixture
def deb_file() -> Path:
    return _artefact("REALMAIL_DEB")


@pytest.fixture
def portable_archive() -> Path:
    return _artefact("REALMAIL_TARBALL")
