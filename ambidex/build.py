"""A build: the validated model, its renderer (APA formatted once) and its search index.

`Build.open(root)` is what the API and the CLI use: validate once, refuse a knowledge base with
errors, format references once, and open the index of this build id (building it when missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ambidex.checks import validate
from ambidex.files import DiskCache
from ambidex.model import KnowledgeBase
from ambidex.problems import Problem
from ambidex.render import Renderer
from ambidex.search import SearchIndex, build_index, current_build_id

STATE_DIR = ".ambidex"


class BuildError(Exception):
    """The knowledge base has errors; `problems` says where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(p.format() for p in problems[:20])
        more = f"\n… and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"the knowledge base has {len(problems)} error(s):\n{lines}{more}")


def index_dir(root: Path) -> Path:
    return root / STATE_DIR / "index"


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

    @property
    def cache(self) -> DiskCache:
        """Derived data of this root kept between runs (see `disk_cache`)."""
        return disk_cache(self.root)

    @classmethod
    def open(cls, root: Path | str, rebuild: bool = False) -> Build:
        """Validate `root` and open (or build) the search index of this exact content."""
        root = Path(root)
        kb, problems = validate(root)
        errors = [p for p in problems if p.is_error]
        if errors:
            raise BuildError(errors)
        renderer = Renderer(kb, cache=disk_cache(root))
        directory = index_dir(root)
        if rebuild or current_build_id(directory) != kb.build_id:
            build_index(kb, renderer, directory)
        index = SearchIndex.open(directory)
        return cls(root, kb, renderer, index, tuple(problems))
