"""The MkDocs plugin: a thin shell over `ambidex.site.pages`.

`on_config` loads and validates the model once (a build with errors stops with every located
problem) and asks MkDocs to watch `kb/` and `references.bib`; `on_files` adds the generated
pages; `on_page_markdown` renders `[[links]]`, citations and the generated reference blocks
(`<!-- ambidex:... -->` markers) in the hand-written pages, and points each concept page's
edit link at its source file.
"""

from __future__ import annotations

import logging
import posixpath
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ambidex.build import disk_cache
from ambidex.checks import validate
from ambidex.markup import CiteSpan, LinkSpan, scan
from ambidex.render import Links, Renderer
from ambidex.site import reference
from ambidex.site.pages import SitePages, concept_path, evidence_badge

log = logging.getLogger("mkdocs.plugins.ambidex")


class AmbidexConfig(Config):  # type: ignore[no-untyped-call]
    root = config_options.Optional(config_options.Dir(exists=True))
    edit_path = config_options.Type(str, default="edit/main/")


class AmbidexPlugin(BasePlugin[AmbidexConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.renderer: Renderer | None = None
        self.paths: dict[str, str] = {}

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(self.config.root or Path(config.config_file_path).parent)
        kb, problems = validate(root)
        errors = [p for p in problems if p.is_error]
        if errors:
            listing = "\n".join(p.format() for p in errors)
            raise PluginError(f"the knowledge base has {len(errors)} error(s):\n{listing}")
        self.renderer = Renderer(kb, cache=disk_cache(root))
        self.pages = SitePages(kb, self.renderer, config.site_url or "").all()
        self.paths = {concept_path(c.id): c.path for c in kb.concepts.values()}
        for path in (root / "kb", root / "references.bib"):
            if path.exists() and str(path) not in config.watch:
                config.watch.append(str(path))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        for path, content in self.pages.items():
            files.append(File.generated(config, path, content=content))
        return files

    def _check_text(self, markdown: str, src: str, offset: int) -> None:
        """Hand-written pages may cite and link too; unknown keys or ids are warnings (errors
        under --strict), reported at their line."""
        assert self.renderer is not None
        kb = self.renderer.kb
        for span in scan(markdown):
            if isinstance(span, LinkSpan) and span.link.target not in kb.concepts:
                log.warning(f"docs/{src}:{span.link.line + offset}: [[{span.link.target}]] names no concept")
            elif isinstance(span, CiteSpan):
                for c in span.citations:
                    if c.key not in kb.references:
                        log.warning(f"docs/{src}:{c.line + offset}: '{c.key}' is not in references.bib")

    def on_page_markdown(self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        src = page.file.src_uri
        if src in self.paths:
            if config.repo_url:
                page.edit_url = f"{config.repo_url.rstrip('/')}/{self.config.edit_path}{self.paths[src]}"
            return markdown
        if src in self.pages or self.renderer is None:
            return markdown
        source = page.file.content_string
        offset = source.count("\n", 0, max(0, source.find(markdown[:80]))) if markdown else 0
        self._check_text(markdown, src, offset)
        here = posixpath.dirname(src)
        references = self.renderer.kb.references
        links = Links(
            concept=lambda cid: posixpath.relpath(concept_path(cid), here or "."),
            reference=lambda key: posixpath.relpath("references.md", here or ".") + f"#{key}",
            badge=lambda key: evidence_badge(references[key]) if key in references else "",
        )
        return reference.expand_markers(self.renderer.markdown(markdown, links))
