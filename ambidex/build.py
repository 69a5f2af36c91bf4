"""A build: the validated model, its renderer (APA formatted once) and its search index.

`make_build(root)` validates the project, copies the files it read into a new build directory
(see `ambidex.builds`), indexes them there and, with `site`, builds the static site there too;
`publish` then makes it current. `Build.load(directory)` opens such a build (what a server
answers from); `Build.open(root)` opens the current build of a project, making one without a
site when there is none yet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ambidex import builds
from ambidex.builds import STATE_DIR
from ambidex.checks import validate
from ambidex.files import DiskCache
from ambidex.loader import load
from ambidex.model import KnowledgeBase
from ambidex.problems import Problem
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index, current_build_id

__all__ = ["STATE_DIR", "Build", "BuildError", "disk_cache", "make_build"]
log = logging.getLogger(__name__)


class BuildError(Exception):
    """The knowledge base has errors; `problems` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(p.format() for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"the knowledge base has {len(problems)} error(s):\n{lines}{more}")


def disk_cache(root: Path) -> DiskCache:
    """Where derived data (formatted references, rendered responses) is kept between runs."""
    return DiskCache(root / STATE_DIR / "cache")


@dataclass(frozen=True)
class Build:
    root: Path
    kb: KnowledgeBase
    renderer: Renderer
    index: SearchIndex
    warnings: tuple[Problem, ...] = ()
    directory: Path | None = None

    @property
    def cache(self) -> DiskCache:
        """Derived data of this project kept between runs (see `disk_cache`)."""
        return disk_cache(self.root)

    @property
    def site(self) -> Path | None:
        """The static site of this build, when it has one."""
        if self.directory is None or not (self.directory / builds.SITE / "index.html").exists():
            return None
        return self.directory / builds.SITE

    @property
    def name(self) -> str:
        return self.directory.name if self.directory is not None else ""

    @classmethod
    def load(cls, directory: Path, root: Path) -> Build:
        """Open a complete build of the project `root` (its model, renderer and index). Its files
        passed every check when it was made: they are loaded, not checked again."""
        kb, problems = load(directory / builds.SOURCE)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise BuildError(errors)
        renderer = Renderer(kb, cache=disk_cache(root))
        index_dir = directory / "index"
        if current_build_id(index_dir) != kb.build_id:  # an index of an older format
            build_index(kb, renderer, index_dir)
        return cls(root, kb, renderer, SearchIndex.open(index_dir), tuple(problems), directory)

    @classmethod
    def open(cls, root: Path | str) -> Build:
        """The current build of `root`, or a new one (without a site) when there is none or it
        is not of this content."""
        root = Path(root)
        directory = builds.current(root)
        if directory is not None:
            try:
                return cls.load(directory, root)
            except (OSError, BuildError, ValueError):
                log.warning("the current build %s cannot be opened; building again", directory.name)
        return make_build(root)


# Builds the site of (project, sources, site directory); returns the CSP sources of the inline
# scripts its theme ships.
SiteBuilder = Callable[[Path, Path, Path], tuple[str, ...]]


def make_build(
    root: Path | str, site: SiteBuilder | None = None, warm: Callable[[Build], None] | None = None
) -> Build:
    """Validate `root`, build its index (and, with `site`, its site) in a new build directory,
    and make that build current. Partial builds of killed runs are removed first."""
    root = Path(root)
    builds.clean(root)
    sources: dict[str, bytes] = {}
    kb, problems = validate(root, sources=sources)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise BuildError(errors)
    with builds.new_build(root, kb.build_id) as directory:
        source = builds.write_sources(directory, sources)
        renderer = Renderer(kb, cache=disk_cache(root))
        build_index(kb, renderer, directory / "index")
        index = SearchIndex.open(directory / "index")
        result = Build(root, kb, renderer, index, tuple(problems), directory)
        if warm is not None:
            warm(result)
        if site is not None:
            hashes = site(root, source, directory / builds.SITE)
            builds.write_csp_hashes(directory, hashes)
        builds.publish(root, directory, site=site is not None)
    return result
