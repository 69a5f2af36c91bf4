"""Writing files so that no reader ever sees half of one, and caches of derived data on disk.

A cache entry is one file, `<kind>-<digest>.<suffix>`, in a cache directory: the digest names
everything the data was derived from, so an entry is never stale, only unused; writing a new
entry of a kind removes the older ones. Caches are an optimisation: a missing, unreadable or
unwritable entry only means the work is done again.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import struct
import tempfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file through a temporary sibling and a rename, so it is never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if isinstance(data, str):
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(data)
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def digest(*parts: object, libraries: Iterable[str] = (), sources: Iterable[str] = ()) -> str:
    """A short digest of JSON-serialisable parts, the installed versions of `libraries` and
    the code of the modules `sources` (their files), so that new code means a new entry."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in libraries:
        h.update(f"\0{name}={metadata.version(name)}".encode())
    for module in sources:
        h.update(b"\0" + Path(_module_file(module)).read_bytes())
    return h.hexdigest()[:32]


def _module_file(module: str) -> str:
    file = importlib.import_module(module).__file__
    if file is None:  # pragma: no cover - namespace packages only
        raise ValueError(f"{module} has no source file")
    return file


class DiskCache:
    """Entries of derived data under one directory (see the module's docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.directory / f"{kind}-{key}.{suffix}"

    def get(self, kind: str, key: str, suffix: str = "bin") -> bytes | None:
        try:
            return self._path(kind, key, suffix).read_bytes()
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes, suffix: str = "bin") -> None:
        path = self._path(kind, key, suffix)
        try:
            atomic_write(path, data)
            for old in self.directory.glob(f"{kind}-*.{suffix}"):
                if old != path:
                    old.unlink(missing_ok=True)
        except OSError:
            log.debug("could not write the cache entry %s", path, exc_info=True)


def pack_blobs(blobs: Mapping[str, bytes]) -> bytes:
    """Named byte strings as one: a length-prefixed JSON table of names and sizes, then the data."""
    table = json.dumps([[name, len(blob)] for name, blob in blobs.items()]).encode()
    return struct.pack("<Q", len(table)) + table + b"".join(blobs.values())


def unpack_blobs(data: bytes) -> dict[str, bytes] | None:
    """The inverse of `pack_blobs`; None when `data` is not such a file (truncated or foreign)."""
    try:
        (size,) = struct.unpack_from("<Q", data)
        table = json.loads(data[8 : 8 + size])
        blobs: dict[str, bytes] = {}
        offset = 8 + size
        for name, length in table:
            if offset + length > len(data):
                return None
            blobs[str(name)] = data[offset : offset + length]
            offset += length
    except (struct.error, ValueError, TypeError):
        return None
    return blobs if offset == len(data) else None
