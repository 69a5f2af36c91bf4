"""Builds on disk: each one made whole in a directory of its own, then made current by one rename.

```
.ambidex/
  CURRENT                 the name of the current build (a file replaced with os.replace)
  builds/<build>/         one build: never changed once it is complete
    source/               the exact kb/ and references.bib files it was made from
    index/                the search index
    site/                 the static site (when built)
    csp-script-hashes     hashes of the theme's inline scripts, for the Content-Security-Policy
    COMPLETE              written last: a build without it is partial
    .lock                 held (flock) by whoever makes or serves the build
  cache/                  derived data named by digests of its inputs, shared by every build
site -> .ambidex/builds/<build>/site   for static hosting (copy it with `cp -rL` or `rsync -L`)
```

Whoever makes a build holds an exclusive lock on its `.lock`, and a server holds a shared one
on every build it may still answer from; `clean` removes only builds nobody holds, so a build
killed halfway is removed by the next build, and a served build never is.
"""

from __future__ import annotations

import base64
import errno
import fcntl
import hashlib
import logging
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ambidex.files import atomic_write, fsync_directory

STATE_DIR = ".ambidex"
POINTER = "CURRENT"
BUILDS = "builds"
COMPLETE = "COMPLETE"
LOCK = ".lock"
SOURCE = "source"
SITE = "site"
CSP_HASHES = "csp-script-hashes"
log = logging.getLogger(__name__)
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<code>.*?)</script>", re.S | re.I)


def state_dir(root: Path) -> Path:
    return root / STATE_DIR


def current(root: Path) -> Path | None:
    """The directory of the current complete build of `root`, or None."""
    name = pointer(root)
    directory = state_dir(root) / BUILDS / name
    return directory if name and (directory / COMPLETE).exists() else None


MAX_POINTER_BYTES = 256
_BUILD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")
_warned: set[str] = set()


def pointer(root: Path) -> str:
    """What the current-build pointer says now (cheap enough to ask every second), or "" when
    there is none or it is odd: not a plain file (a link, a FIFO, a device), too long, not UTF-8,
    or not a build's name. An odd pointer is logged once and never blocks or fails the caller."""
    path = state_dir(root) / POINTER
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        return _odd(path, f"cannot be opened ({exc.strerror or exc})")
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return _odd(path, "is not a plain file")
        data = os.read(fd, MAX_POINTER_BYTES + 1)
    except OSError as exc:
        return _odd(path, f"cannot be read ({exc.strerror or exc})")
    finally:
        os.close(fd)
    try:
        name = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return _odd(path, "is not UTF-8 text")
    if len(data) > MAX_POINTER_BYTES or (name and not _BUILD_NAME.match(name)):
        return _odd(path, "does not hold a build's name")
    return name


def _odd(path: Path, why: str) -> str:
    message = f"the build pointer {path} {why}; ignored"
    if message not in _warned:
        _warned.add(message)
        log.warning(message)
    return ""


class Lock:
    """A flock on a build's `.lock`: shared for a reader, exclusive for its maker."""

    def __init__(self, directory: Path, exclusive: bool = False, wait: bool = True) -> None:
        self.directory = directory
        self._fd = -1
        try:
            self._fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if exclusive or exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
                raise
            # A reader on read-only storage: lock the file if a maker left one; else nobody can
            # remove the build from there anyway, and there is nothing to hold.
            try:
                self._fd = os.open(directory / LOCK, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                return
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(self._fd, flags)
        except OSError:
            os.close(self._fd)
            raise

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


@contextmanager
def new_build(root: Path, build_id: str) -> Iterator[Path]:
    """A fresh, exclusively locked build directory; removed again if the block fails."""
    builds = state_dir(root) / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=f"{build_id or 'build'}-", dir=builds))
    lock = Lock(directory, exclusive=True)
    try:
        yield directory
    except BaseException:
        if directory.name not in (pointer(root), _site_build(root)):  # never what is published
            shutil.rmtree(directory, ignore_errors=True)
        raise
    finally:
        lock.release()


def write_sources(directory: Path, sources: Mapping[str, bytes]) -> Path:
    """The files a build was made from, as they were read, under `directory/source`."""
    target = directory / SOURCE
    for rel, data in sources.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (target / "kb").mkdir(parents=True, exist_ok=True)
    return target


def script_hashes(page: str) -> set[str]:
    """The CSP sources (`'sha256-…'`) of the inline scripts in a piece of HTML."""
    hashes: set[str] = set()
    for m in _INLINE_SCRIPT.finditer(page):
        if "src=" in m["attrs"] or "application/json" in m["attrs"]:
            continue
        hashes.add("'sha256-" + base64.b64encode(hashlib.sha256(m["code"].encode()).digest()).decode() + "'")
    return hashes


def write_csp_hashes(directory: Path, hashes: Iterable[str]) -> None:
    """The inline scripts the site's theme ships (never those found in built pages), one a line."""
    (directory / CSP_HASHES).write_text("".join(f"{h}\n" for h in sorted(set(hashes))), encoding="utf-8")


def csp_hashes(directory: Path | None) -> tuple[str, ...]:
    if directory is None:
        return ()
    try:
        return tuple((directory / CSP_HASHES).read_text(encoding="utf-8").split())
    except OSError:
        return ()


def publish(root: Path, directory: Path, site: bool) -> None:
    """Mark a build complete and make it current; with `site`, point `root/site` at its site
    first. The pointer switches last, once everything else has succeeded: a build that fails
    before leaves the current one current."""
    (directory / COMPLETE).write_text(directory.name, encoding="utf-8")
    fsync_directory(directory)
    if site:
        _point_site(root, directory / SITE)
    atomic_write(state_dir(root) / POINTER, directory.name + "\n")


class SiteInTheWay(OSError):
    """`root/site` is something the build will not replace (a file, or a link to elsewhere)."""


def _point_site(root: Path, target: Path) -> None:
    link = root / SITE
    if link.is_symlink():
        pass
    elif link.is_dir():  # a site built in place by an older version
        shutil.rmtree(link)
    elif link.exists():
        raise SiteInTheWay(f"{link} is a file, not the link to the built site; move it away and build again")
    tmp = root / f".{SITE}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(os.path.relpath(target, root))
    os.replace(tmp, link)
    fsync_directory(root)


def _site_build(root: Path) -> str:
    """The build that `root/site` points at (after a build without a site, an older one)."""
    try:
        return Path(os.readlink(root / SITE)).parent.name
    except OSError:
        return ""


def clean(root: Path, keep: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    """Remove the builds that are neither current, kept, nor held by anyone (partial builds of a
    killed process, old builds no server answers from). Returns their names."""
    builds = state_dir(root) / BUILDS
    spared = {pointer(root), _site_build(root), *keep}
    removed = []
    for directory in sorted(builds.glob("*")) if builds.exists() else []:
        if directory.name in spared or not directory.is_dir():
            continue
        try:
            lock = Lock(directory, exclusive=True, wait=False)
        except OSError:
            continue  # someone is making or serving it
        try:
            shutil.rmtree(directory, ignore_errors=True)
            removed.append(directory.name)
        finally:
            lock.release()
    return removed
