"""Reading files within bounds, writing them so that no reader ever sees half of one, and caches
of derived data on disk.

`read_bounded` is how every file an editor controls is read: regular files only, never a device
or a pipe, never through a symlink that leaves the project, and never more than the size cap of
its kind (`MAX_CONCEPT_BYTES`, `MAX_BIB_BYTES`: the one set of limits of the whole tool).

A cache entry is one file, `<kind>-<digest>.<suffix>`, in a cache directory: the digest names
everything the data was derived from, so an entry is never stale, only unused; writing a new
entry of a kind removes the older ones. Caches are an optimisation: a missing, unreadable or
unwritable entry only means the work is done again.
"""

from __future__ import annotations

import glob
import hashlib
import importlib
import json
import logging
import os
import stat
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import BinaryIO

log = logging.getLogger(__name__)

MAX_CONCEPT_BYTES = 1_000_000  # one concept file
MAX_BIB_BYTES = 32_000_000  # references.bib, and any export `refs add` reads or writes


class UnreadableFile(Exception):
    """A file that is refused or cannot be read: `code`, a message and a hint, as a problem has."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _too_large(size: int, limit: int) -> UnreadableFile:
    return UnreadableFile(
        "file-too-large",
        f"the file has {size:,} bytes or more; the limit is {limit:,}",
        "split it into smaller files",
    )


@lru_cache(maxsize=64)
def _real(directory: Path) -> Path:
    """Where a project folder really is: worked out once, not again for each of its files."""
    return directory.resolve()


def read_bounded(path: Path, limit: int, inside: Path | None = None) -> bytes:
    """The bytes of the regular file at `path`, reading at most `limit` of them.

    Refuses (with `UnreadableFile`) directories, devices, pipes and sockets without reading them,
    a path that resolves outside `inside` (a symlink leaving the project), and a file larger than
    `limit`: its size is looked at before reading, and a file that grows is cut at the limit.
    """
    try:
        real = path.resolve(strict=True)
        if inside is not None and not real.is_relative_to(_real(inside)):
            raise UnreadableFile(
                "outside-repository",
                f"the file is a link to {real}, outside the project",
                "copy the content into the project instead of linking to it",
            )
        info = os.stat(real)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                "not-a-file", f"this is {_kind(info.st_mode)}, not a regular file", "remove it or replace it"
            )
        if info.st_size > limit:
            raise _too_large(info.st_size, limit)
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise UnreadableFile("read-error", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the look and the open
            raise UnreadableFile("not-a-file", f"this is {_kind(opened.st_mode)}, not a regular file")
        return _read_at_most(fd, limit)
    except OSError as exc:
        raise UnreadableFile("read-error", f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise _too_large(size, limit)


def read_stream_bounded(stream: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes of a stream (standard input); `UnreadableFile` when it has more."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


STALE_SECONDS = 3600  # a temporary file without a process id, this old, was left by a crash


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary sibling of `path`, named with this process's id; the temporaries that
    killed writers left beside it (their process is gone) are removed first."""
    remove_stale_temporaries(path)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary siblings of `path` whose writer was killed (`kill -9` leaves them):
    those named by a process that no longer runs, and unnamed ones older than an hour."""
    removed = []
    now = time.time()
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        middle = tmp.name[len(path.name) + 2 : -len(".tmp")]
        pid = middle.split(".", 1)[0]
        try:
            if pid.isdigit() and "." in middle:
                if _alive(int(pid)):
                    continue
            elif now - tmp.stat().st_mtime < STALE_SECONDS:
                continue
            tmp.unlink()
            removed.append(tmp)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file through a temporary sibling and a rename, so it is never half-written.

    The file keeps its permissions (a new one gets the usual ones, after the umask); the data and
    the rename are flushed to disk before this returns, so a crash leaves the old or the new file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def create_new(path: Path, data: str) -> None:
    """Create a file that must not exist yet, whole or not at all: written to a temporary
    sibling, then linked into place (which fails, writing nothing, if the file appeared)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temporary(path)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.link(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    fsync_directory(path.parent)


def _mode_for(path: Path) -> int:
    """The permission bits of `path`, or those a new file gets under the current umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where the system says it (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def fsync_directory(directory: Path) -> None:
    """Flush a directory's entries (a rename or a new file in it) to disk."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


def digest(*parts: object, libraries: Iterable[str] = (), sources: Iterable[str] = ()) -> str:
    """A short digest of JSON-serialisable parts, the installed versions of `libraries` and
    the code of the modules `sources` (their files), so that new code means a new entry."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode())
    for name in libraries:
        h.update(f"\0{name}={metadata.version(name)}".encode())
    for module in sources:
        h.update(b"\0" + Path(_module_file(module)).read_bytes())
    return h.hexdigest()[:32]


def tree_digest(*directories: Path) -> str:
    """A short digest of every Python file under `directories` (the code of packages)."""
    h = hashlib.sha256()
    for directory in directories:
        for path in sorted(directory.rglob("*.py")):
            h.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


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

    def blobs(self, kind: str, key: str) -> BlobFile | None:
        """The entry as a `BlobFile` (an entry written with `pack_blobs`), or None."""
        return BlobFile.open(self._path(kind, key, "bin"))

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
    table = _blob_table(lambda offset, size: data[offset : offset + size], len(data))
    if table is None:
        return None
    return {name: data[offset : offset + size] for name, (offset, size) in table.items()}


def _blob_table(read: Callable[[int, int], bytes], total: int) -> dict[str, tuple[int, int]] | None:
    """Where each blob of a `pack_blobs` file of `total` bytes lies (offset, size), its start
    read with `read(offset, size)`; None unless the blobs fill the file exactly."""
    try:
        (size,) = struct.unpack_from("<Q", read(0, 8))
        if size > total:
            return None
        entries = json.loads(read(8, size))
        table: dict[str, tuple[int, int]] = {}
        offset = 8 + size
        for name, length in entries:
            if not isinstance(length, int) or length < 0 or offset + length > total:
                return None
            table[str(name)] = (offset, length)
            offset += length
    except (struct.error, ValueError, TypeError, RecursionError):
        return None
    return table if offset == total else None


class BlobFile:
    """A `pack_blobs` file kept open, each blob read from it when asked for: the data stays in
    the operating system's page cache, shared by every process that reads it, instead of in each
    process's memory. The file is held open, so replacing or removing it (cache entries are only
    ever replaced whole, see `atomic_write`) does not change what is read."""

    def __init__(self, fd: int, table: dict[str, tuple[int, int]]) -> None:
        self._fd: int | None = fd
        self._table = table

    @classmethod
    def open(cls, path: Path) -> BlobFile | None:
        """The blobs of the file at `path`; None when it cannot be read or is not such a file."""
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError:
            return None
        try:
            table = _blob_table(lambda offset, size: os.pread(fd, size, offset), os.fstat(fd).st_size)
        except OSError:
            table = None
        if table is None:
            os.close(fd)
            return None
        return cls(fd, table)

    def names(self) -> set[str]:
        return set(self._table)

    def get(self, name: str) -> bytes | None:
        """The blob `name`, or None when there is none or it can no longer be read whole."""
        where = self._table.get(name)
        if where is None or self._fd is None:
            return None
        offset, size = where
        try:
            data = os.pread(self._fd, size, offset)
        except OSError:
            return None
        return data if len(data) == size else None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __del__(self) -> None:
        self.close()
