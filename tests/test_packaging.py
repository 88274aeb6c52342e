"""The wheel ships the data (catalogue, rules, schemas) and works when installed outside the checkout.

The wheel is built once per session from a copy of the sources (the checkout is not written to) with
`python -m build`, which fetches the build backend the same way `make test` does for the editable install.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
OFFLINE_HINTS = ("No matching distribution", "Could not find a version", "Network is unreachable",
                 "Temporary failure in name resolution", "ConnectionError", "ProxyError")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> pathlib.Path:
    pytest.importorskip("build")
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("greendiag", "catalogue", "rules"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    res = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(src)],
                         capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        log = res.stdout + res.stderr
        if any(h in log for h in OFFLINE_HINTS):
            pytest.skip("the build backend (setuptools>=68, wheel) cannot be fetched here: " + log[-300:])
        pytest.fail("python -m build failed:\n" + log[-3000:])
    wheels = list(out.glob("greendiag-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def _names(wheel: pathlib.Path) -> set[str]:
    with zipfile.ZipFile(wheel) as z:
        return set(z.namelist())


def _expected(folder: str, pattern: str, package: str) -> set[str]:
    return {f"greendiag/{package}/{p.relative_to(ROOT / folder).as_posix()}" for p in (ROOT / folder).glob(pattern)}


@pytest.mark.parametrize("folder,pattern,package", [
    ("catalogue", "*.yaml", "_data_catalogue"),
    ("catalogue", "*.txt", "_data_catalogue"),
    ("catalogue", "schemas/*.json", "_data_catalogue"),
    ("rules", "*.yaml", "_data_rules"),
    ("rules", "schemas/*", "_data_rules"),
])
def test_wheel_contains_the_data_files(wheel, folder, pattern, package):
    want = _expected(folder, pattern, package)
    assert want, f"nothing matches {folder}/{pattern} in the checkout"
    missing = want - _names(wheel)
    assert not missing


def test_wheel_contains_every_python_module_and_the_command(wheel):
    names = _names(wheel)
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "greendiag").rglob("*.py") if "__pycache__" not in p.parts}
    assert modules and not (modules - names)
    entry = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    with zipfile.ZipFile(wheel) as z:
        text = z.read(entry).decode("utf-8")
    assert "greendiag = greendiag.cli:main" in text
    # nothing from the checkout that is not the package
    assert not any(n.startswith(("tests/", "examples/", "docs/", "benchmarks/")) for n in names)


def test_installed_wheel_loads_its_own_data(wheel, tmp_path):
    """Install into a throwaway folder (dependencies come from this environment) and use it from elsewhere."""
    target = tmp_path / "site"
    res = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    shutil.copy2(ROOT / "examples" / "demo-park.yaml", tmp_path / "park.yaml")
    shutil.copy2(ROOT / "examples" / "overlays" / "water-cascade.yaml", tmp_path / "water.yaml")
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(target)!r})
        import importlib.resources as r
        import greendiag
        assert greendiag.__file__.startswith({str(target)!r}), greendiag.__file__
        assert str(r.files("greendiag._data_catalogue")).startswith({str(target)!r})
        assert str(r.files("greendiag._data_rules")).startswith({str(target)!r})
        cat = greendiag.load_catalogue()
        assert (len(cat.indicators), len(cat.requirements)) == (31, 8)
        water = greendiag.load_catalogue("water.yaml")
        assert len(water.indicators) == 33
        rules = greendiag.load_rules(catalogue=cat)
        ds = greendiag.load_dataset("park.yaml", catalogue=cat)
        d = greendiag.diagnose(ds, catalogue=cat, rules=rules, backend="python")
        print(len(d.to_dict()["indicators"]), d.to_dict()["catalogue_version"])
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.split() == ["93", "1.0.0"]  # 31 indicators × 3 years
