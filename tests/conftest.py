"""Shared fixtures: paths of the bundled data, the default catalogue and rule base (loaded once)."""

from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import settings

# `make test` (and CI) draws the same examples on every run, so a red run means a changed tree, not a new draw;
# `make fuzz` (HYPOTHESIS_PROFILE=explore) draws new ones and prints the blob that reproduces a failure.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DEMO = EXAMPLES / "demo-park.yaml"


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def demo_path() -> pathlib.Path:
    return DEMO


@pytest.fixture(scope="session")
def catalogue():
    import greendiag
    return greendiag.load_catalogue()


@pytest.fixture(scope="session")
def rulebase(catalogue):
    import greendiag
    return greendiag.load_rules(catalogue=catalogue)


@pytest.fixture(scope="session")
def water():
    """The catalogue with the example water-cascade overlay (adds indicators 32-33 and requirement 9)."""
    import greendiag
    return greendiag.load_catalogue(EXAMPLES / "overlays" / "water-cascade.yaml")


@pytest.fixture(scope="session")
def demo_data():
    """The demo park's YAML as data (copy it before changing it)."""
    from greendiag.yamlio import read_document
    return read_document(DEMO).data


@pytest.fixture(scope="session")
def demo_dataset(catalogue):
    import greendiag
    return greendiag.load_dataset(DEMO, catalogue=catalogue)


@pytest.fixture
def run():
    """Run the `greendiag` command line in-process: run("validate", path) -> click's Result (exit_code, output)."""
    from click.testing import CliRunner

    from greendiag.cli import main

    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


_FULL_TO_ASCII = str.maketrans({"，": ",", "：": ":", "；": ";", "？": "?", "！": "!", "（": "(", "）": ")"})


def plain_punct(text: str) -> str:
    """Report text with the Chinese punctuation the reports set (reports/zhtext.py) read back as ASCII, so that content
    assertions are written once; tests/test_zhtext.py checks the punctuation itself."""
    return text.translate(_FULL_TO_ASCII)
