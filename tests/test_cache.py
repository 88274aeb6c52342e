"""The disk cache of the default catalogue: same catalogue, any changed input re-validates, untrusted files ignored."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from greendiag import _cache
from greendiag import catalogue as catmod
from greendiag.errors import CatalogueError

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("GREENDIAG_CACHE_DIR", str(d))
    monkeypatch.delenv("GREENDIAG_NO_CACHE", raising=False)
    return d


def test_cached_catalogue_equals_a_fresh_build_and_is_read_back(cache_dir):
    builds = []

    def build():
        builds.append(1)
        return catmod._load(())

    first = _cache.cached("catalogue", _cache.catalogue_key, build)
    files = list(cache_dir.glob("catalogue-*.pickle"))
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    second = _cache.cached("catalogue", _cache.catalogue_key, build)
    assert builds == [1]
    assert second == first == catmod._load(())
    assert len(second.indicators) == 31 and second.indicator(2).lead_value == first.indicator(2).lead_value


def test_every_packaged_file_is_part_of_the_key(tmp_path, monkeypatch):
    data = tmp_path / "catalogue"
    shutil.copytree(ROOT / "catalogue", data, ignore=shutil.ignore_patterns("__pycache__"))
    real_files = _cache.resources.files

    def files(pkg):
        return data if pkg == "greendiag._data_catalogue" else real_files(pkg)

    monkeypatch.setattr(_cache.resources, "files", files)
    base = _cache.catalogue_key()
    assert _cache.catalogue_key() == base
    names = sorted(p for p in data.rglob("*") if p.is_file())
    assert {p.name for p in names} >= {"indicators.yaml", "catalogue.yaml", "units.txt", "dataset.schema.json"}
    for path in names:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert _cache.catalogue_key() != base, path.name
        path.write_bytes(original)
    (data / "extra.yaml").write_text("x: 1\n", encoding="utf-8")
    assert _cache.catalogue_key() != base


def test_untrusted_or_damaged_cache_files_are_not_used(cache_dir):
    value = {"built": 1}
    _cache.store("probe", "k1", value)
    path = cache_dir / "probe-k1.pickle"
    assert _cache.load("probe", "k1") == value
    os.chmod(path, 0o666)  # writable by others: could have been swapped for a hostile pickle
    assert _cache.load("probe", "k1") is None
    os.chmod(path, 0o600)
    path.write_bytes(b"\x80\x05not a pickle")
    assert _cache.load("probe", "k1") is None
    _cache.store("probe", "k2", value)
    os.rename(cache_dir / "probe-k2.pickle", cache_dir / "probe-k3.pickle")  # the key inside must match the name
    assert _cache.load("probe", "k3") is None


def test_a_failing_build_propagates_and_stores_nothing(cache_dir):
    def build():
        raise CatalogueError("broken catalogue")

    with pytest.raises(CatalogueError):
        _cache.cached("catalogue", lambda: "k", build)
    assert not cache_dir.exists() or not list(cache_dir.glob("catalogue-*"))


def test_no_cache_switch(cache_dir, monkeypatch):
    monkeypatch.setenv("GREENDIAG_NO_CACHE", "1")
    assert _cache.cached("catalogue", lambda: "k", lambda: 7) == 7
    assert not cache_dir.exists()


def test_import_and_cached_catalogue_need_neither_pint_nor_jsonschema(cache_dir):
    code = ("import sys, json, greendiag; cat = greendiag.load_catalogue(); "
            "print(json.dumps([len(cat.indicators), sorted(m for m in ('pint', 'numpy', 'jsonschema') if m in sys.modules)]))")
    env = dict(os.environ, GREENDIAG_CACHE_DIR=str(cache_dir))
    runs = [json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
            for _ in range(2)]
    assert runs[0][0] == runs[1][0] == 31
    assert "pint" in runs[0][1] and "jsonschema" in runs[0][1]  # the first run validates in full
    assert runs[1][1] == []


def test_a_cache_file_damaged_in_place_is_not_used(cache_dir):
    """A flipped bit in the pickled value (a lead value 3.0 became 196608.0 that way) is caught by the stored sha256."""
    value = {"lead": 3.0, "name": "能源产出率"}
    _cache.store("probe", "k1", value)
    path = cache_dir / "probe-k1.pickle"
    data = bytearray(path.read_bytes())
    for i in range(len(data) - 20, len(data)):  # every bit of the payload's tail, one at a time
        for bit in range(8):
            damaged = bytearray(data)
            damaged[i] ^= 1 << bit
            path.write_bytes(bytes(damaged))
            assert _cache.load("probe", "k1") is None, (i, bit)
    path.write_bytes(bytes(data))
    assert _cache.load("probe", "k1") == value


def test_store_mends_a_cache_folder_others_can_write(cache_dir):
    _cache.store("probe", "k1", 1)
    os.chmod(cache_dir, 0o777)
    assert _cache.load("probe", "k1") is None  # not trusted
    _cache.store("probe", "k1", 1)
    assert os.stat(cache_dir).st_mode & 0o022 == 0 and _cache.load("probe", "k1") == 1


@pytest.mark.parametrize("setting, used", [("0", True), ("", True), ("1", False), ("yes", False)])
def test_no_cache_switch_values(cache_dir, monkeypatch, setting, used):
    monkeypatch.setenv("GREENDIAG_NO_CACHE", setting)
    assert _cache.cached("catalogue", lambda: "k", lambda: 7) == 7
    assert cache_dir.exists() is used


def test_a_cached_value_of_another_type_is_rebuilt(cache_dir):
    _cache.store("catalogue", "k", {"not": "a catalogue"})  # a sound file holding something else
    assert _cache.cached("catalogue", lambda: "k", lambda: 7, int) == 7
    assert _cache.load("catalogue", "k") == 7  # stored afresh
