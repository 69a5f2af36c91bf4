"""Settings of the API, passed to `create_app`; nothing is read at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    root: Path = Path(".")
    site_dir: Path | None = None  # a fixed site to serve; by default, the current build's
    cors_origins: tuple[str, ...] = ()
    cache_seconds: int = 300
    poll_seconds: float = 1.0  # how often a server looks for a new build

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from AMBIDEX_* environment variables (used by uvicorn workers)."""
        root = Path(os.environ.get("AMBIDEX_ROOT", "."))
        site = os.environ.get("AMBIDEX_SITE_DIR")
        origins = tuple(o.strip() for o in os.environ.get("AMBIDEX_CORS_ORIGINS", "").split(",") if o.strip())
        return cls(root=root, site_dir=Path(site) if site else None, cors_origins=origins)
