"""A disk cache of the built default catalogue, so `import greendiag` + `load_catalogue()` skips YAML, schemas and pint.

The key is a sha256 over every byte that shapes the result: each file of the packaged catalogue
(data, schemas, units) and the rule schemas that share its schema registry, the source of the
modules that read and check it, the Python version and the installed pint, jsonschema, PyYAML,
attrs and packaging. Any change gives a new key, so the changed catalogue is validated again in full. A cache file is unpickled only if it lies in a folder of the
current user that others cannot write (as pint's own cache), and only when the sha256 stored with it matches
its bytes. GREENDIAG_NO_CACHE=1 (any value but 0) turns it off;
GREENDIAG_CACHE_DIR moves it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from importlib import resources
from typing import Any, Callable, Iterable, Optional

SOURCES = ("catalogue.py", "_catalogue_checks.py", "models.py", "units.py", "schema.py", "yamlio.py", "errors.py", "_cache.py")
LIBRARIES = ("pint", "jsonschema", "yaml", "attr", "packaging")
KEEP = 8  # cache files kept per kind (several installs may share the folder)


def folder() -> str:
    """Where cache files go: $GREENDIAG_CACHE_DIR, else the user's cache folder + /greendiag."""
    explicit = os.environ.get("GREENDIAG_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or (os.environ.get("LOCALAPPDATA") if os.name == "nt" else None) \
        or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "greendiag")


def _files(traversable, prefix: str = "") -> Iterable[tuple[str, bytes]]:
    for entry in sorted(traversable.iterdir(), key=lambda e: e.name):
        if entry.name == "__pycache__" or entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _files(entry, prefix + entry.name + "/")
        else:
            yield prefix + entry.name, entry.read_bytes()


def _library(name: str) -> bytes:
    """Identity of an installed library without importing it: path, size and mtime of its __init__."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec and spec.origin else ""
    try:
        st = os.stat(origin)
        return f"{origin}:{st.st_size}:{st.st_mtime_ns}".encode()
    except OSError:
        return origin.encode()


def catalogue_key() -> str:
    """sha256 of everything the default catalogue is built from."""
    h = hashlib.sha256()

    def part(name: str, data: bytes) -> None:
        h.update(name.encode() + b"\0" + len(data).to_bytes(8, "big") + data)

    part("python", sys.version.encode() + str(pickle.HIGHEST_PROTOCOL).encode())
    for name, data in _files(resources.files("greendiag._data_catalogue")):
        part("data/" + name, data)
    for name, data in _files(resources.files("greendiag._data_rules") / "schemas"):  # share the schema registry
        part("rules-schemas/" + name, data)
    pkg = resources.files("greendiag")
    for name in SOURCES:
        part("src/" + name, (pkg / name).read_bytes())
    for lib in LIBRARIES:
        part("lib/" + lib, _library(lib))
    return h.hexdigest()


def _trusted(path: str) -> bool:
    """Only our own files in our own folders that nobody else can write: a pickle can run code."""
    if not hasattr(os, "getuid"):
        return True
    uid = os.getuid()
    for p in (path, os.path.dirname(path)):
        st = os.stat(p)
        if st.st_uid != uid or st.st_mode & 0o022:
            return False
    return True


def load(kind: str, key: str) -> Optional[Any]:
    path = os.path.join(folder(), f"{kind}-{key}.pickle")
    try:
        if not _trusted(path):
            return None
        with open(path, "rb") as f:
            head = f.readline(200) + f.readline(200)
            payload = f.read()
        # the file is the key, the payload's sha256, then the pickled value: a file damaged in place (a flipped bit
        # would otherwise load as a catalogue with another lead value) never reaches the unpickler
        if head != _head(key, payload):
            return None
        return pickle.loads(payload)
    except Exception:  # missing, unreadable, truncated, damaged, from another version: build afresh
        return None


def _head(key: str, payload: bytes) -> bytes:
    return f"{key}\n{hashlib.sha256(payload).hexdigest()}\n".encode("ascii")


def store(kind: str, key: str, value: Any) -> None:
    """Write atomically; any failure (read-only home, full disk) only means no cache."""
    try:
        where = folder()
        os.makedirs(where, mode=0o700, exist_ok=True)
        if hasattr(os, "getuid") and os.stat(where).st_uid == os.getuid():
            os.chmod(where, os.stat(where).st_mode & ~0o022)  # a folder others may write is never trusted: mend it
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", dir=where)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(_head(key, payload) + payload)
            os.replace(tmp, os.path.join(where, f"{kind}-{key}.pickle"))
        except BaseException:
            os.unlink(tmp)
            raise
        old = sorted((e for e in os.scandir(where) if e.name.startswith(kind + "-") and e.name.endswith(".pickle")),
                     key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for e in old[KEEP:]:
            os.unlink(e.path)
    except Exception:
        pass


def cached(kind: str, key: Callable[[], str], build: Callable[[], Any], expect: type = object) -> Any:
    """build(), or its value from the disk cache under key() when it is an `expect`; errors from build() propagate and
    nothing is stored."""
    if os.environ.get("GREENDIAG_NO_CACHE", "").strip() not in ("", "0"):
        return build()
    try:
        k = key()
    except Exception:
        return build()
    value = load(kind, k)
    if value is None or not isinstance(value, expect):
        value = build()
        store(kind, k, value)
    return value
