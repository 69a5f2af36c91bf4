"""The MkDocs plugin: a thin shell over `ambidex.site.pages`.

`on_config` loads and validates the model once (a build with errors stops with every located
problem) and asks MkDocs to watch `kb/` and `references.bib`; `on_files` adds the generated
pages; `on_page_markdown` renders `[[links]]`, citations and the generated reference blocks
(`<!-- ambidex:... -->` markers) in the hand-written pages, and points each concept page's
edit link at its source file.

The site's address is `AMBIDEX_SITE_URL`, else `site_url` in `mkdocs.yml`: canonical links,
the sitemap and the citations of pages use it. The site's own stylesheets and scripts are
fingerprinted (`ambidex.css` is published as `ambidex.<digest>.css` and every page refers to
that name), so a server can let browsers keep them for a year.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import posixpath
import re
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from ambidex import builds
from ambidex.build import disk_cache
from ambidex.checks import validate
from ambidex.markup import CiteSpan, LinkSpan, scan
from ambidex.model import KnowledgeBase
from ambidex.render import Links, Renderer
from ambidex.search import SearchIndex, build_index
from ambidex.site import reference
from ambidex.site.pages import (
    TYPE_NAMES,
    SitePages,
    concept_path,
    evidence_badge,
    sanitise_page,
    sanitise_title,
)

log = logging.getLogger("mkdocs.plugins.ambidex")
# What the site's search script loads on a static host when the reader opens search.
SEARCH_INDEX = "search/index.json"


def static_search_index(kb: KnowledgeBase, renderer: Renderer) -> str:
    """The concepts' search data as the engine analyses and scores them (see
    `SearchIndex.static_index`), as compact JSON: the site's search ranks with it as the API does."""
    with tempfile.TemporaryDirectory(prefix="ambidex-site-search-") as tmp:
        data = SearchIndex.open(build_index(kb, renderer, Path(tmp)).parent).static_index("concept")
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _sanitise_toc(items: Iterable[AnchorLink]) -> None:
    for item in items:
        item.title = sanitise_title(item.title)
        _sanitise_toc(item.children)


# How deep a page may lie below the site's root and still run the theme's inline scripts.
MAX_PAGE_DEPTH = 12


def theme_script_hashes(config: MkDocsConfig) -> tuple[str, ...]:
    """The CSP sources of the inline scripts the theme writes into pages (its
    `partials/javascripts/` templates, the project's overrides included), rendered for every
    page depth and for the error page: known from the theme alone, before any content is read,
    so no script that content brings into a page is ever allowed."""
    env = config.theme.get_env()
    features = config.theme.get("features") or []
    bases = {".", urlsplit(config.site_url or "").path or "/"}
    bases |= {"/".join([".."] * depth) for depth in range(1, MAX_PAGE_DEPTH + 1)}
    hashes: set[str] = set()
    names = env.list_templates(filter_func=lambda name: name.startswith("partials/javascripts/"))
    for name in names:
        template = env.get_template(name)
        for base_url in bases:
            page = template.render(config=config, base_url=base_url, features=features)
            hashes |= builds.script_hashes(page)
    return tuple(sorted(hashes))


class LinkOut(ValueError):
    """A file or folder of `docs/` is a link to something outside the project."""


def refuse_links_out(docs: Path, project: Path) -> None:
    """Stop the build when anything in `docs` is a link to something outside `project`: a
    symlink to /etc/passwd would otherwise be published as a file of the site."""
    inside = project.resolve()
    outside = []
    for directory, dirs, names in os.walk(docs):
        for name in [*dirs, *names]:
            path = Path(directory) / name
            if path.is_symlink() and inside not in path.resolve().parents:
                outside.append(path.relative_to(docs.parent).as_posix())
    if outside:
        raise LinkOut(
            "these files of docs/ are links to files outside the project, which the site never "
            "publishes: " + ", ".join(sorted(outside)) + " (copy what the site needs into docs/)"
        )


class AmbidexConfig(Config):  # type: ignore[no-untyped-call]
    root = config_options.Optional(config_options.Dir(exists=True))
    edit_path = config_options.Type(str, default="edit/main/")


class AmbidexPlugin(BasePlugin[AmbidexConfig]):  # type: ignore[no-untyped-call]
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.renderer: Renderer | None = None
        self.paths: dict[str, str] = {}
        self.fingerprints: dict[str, str] = {}
        self.figures: dict[str, str] = {}
        self.script_hashes: tuple[str, ...] = ()
        self.search_index = ""

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.script_hashes = theme_script_hashes(config)  # before any content is read
        root = Path(self.config.root or Path(config.config_file_path).parent)
        kb, problems = validate(root)
        errors = [p for p in problems if p.is_error]
        if errors:
            listing = "\n".join(p.format() for p in errors)
            raise PluginError(f"the knowledge base has {len(errors)} error(s):\n{listing}")
        site_url = os.environ.get("AMBIDEX_SITE_URL", "").strip() or config.site_url or ""
        if site_url:
            config.site_url = site_url.rstrip("/") + "/"
        self.renderer = Renderer(kb, cache=disk_cache(Path(config.config_file_path).parent))
        site = SitePages(kb, self.renderer, site_url, today=date.today(), figures_apart=True)
        self.pages = site.all()
        self.figures = site.figures
        self.paths = {concept_path(c.id): c.path for c in kb.concepts.values()}
        self.search_index = static_search_index(kb, self.renderer)
        config.extra["ambidex_types"] = {t.value: name for t, (name, _) in TYPE_NAMES.items()}
        for path in (root / "kb", root / "references.bib"):
            if path.exists() and str(path) not in config.watch:
                config.watch.append(str(path))
        return config

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        try:
            refuse_links_out(Path(config.docs_dir), Path(config.config_file_path).parent)
        except LinkOut as exc:
            raise PluginError(str(exc)) from None
        for path, content in self.pages.items():
            files.append(File.generated(config, path, content=content))
        files.append(File.generated(config, SEARCH_INDEX, content=self.search_index))
        return self._fingerprint(files, config)

    def _fingerprint(self, files: Files, config: MkDocsConfig) -> Files:
        """Publish the docs' own CSS and JavaScript under names that carry their digest."""
        self.fingerprints = {}
        docs = Path(config.docs_dir).resolve()
        for file in list(files):
            uri = file.src_uri
            if not (uri.startswith("assets/") and uri.endswith((".css", ".js"))) or not file.abs_src_path:
                continue
            if docs not in Path(file.abs_src_path).resolve().parents:
                continue
            content = Path(file.abs_src_path).read_bytes()
            stem, dot, ext = uri.rpartition(".")
            named = f"{stem}.{hashlib.sha256(content).hexdigest()[:10]}{dot}{ext}"
            files.remove(file)
            files.append(File.generated(config, named, content=content))
            self.fingerprints[uri] = named
        return files

    def on_page_content(self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Generated pages hold the editors' text: `check` stops a build whose text holds
        disallowed HTML, and the page's HTML is sanitised as the API's is, so text that slipped
        past it still cannot run. The table of contents, which the theme writes unescaped,
        keeps only inline formatting."""
        if page.file.src_uri in self.pages:
            _sanitise_toc(page.toc)
            return sanitise_page(html)
        return html

    def _refer_to_fingerprints(self, output: str) -> str:
        if not self.fingerprints:
            return output
        pattern = "|".join(re.escape(uri) for uri in sorted(self.fingerprints, key=len, reverse=True))
        return re.sub(rf"(?<![\w.-])({pattern})(?=[\"'?#)\s])", lambda m: self.fingerprints[m[1]], output)

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        """The finished page, with its maps put in and its assets' fingerprinted names."""
        if "<!-- ambidex-figure:" in output:
            output = re.sub(r"<!-- ambidex-figure:[\w-]+ -->", lambda m: self.figures.get(m[0], m[0]), output)
        return self._refer_to_fingerprints(output)

    def on_post_template(self, output_content: str, /, *, template_name: str, config: MkDocsConfig) -> str:
        return self._refer_to_fingerprints(output_content)

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


def build_site(project: Path, source: Path, site_dir: Path) -> tuple[str, ...]:
    """`mkdocs build --strict` of `project`'s mkdocs.yml, in this process, with the knowledge base
    read from `source` and the site written to `site_dir` (so no child process outlives a build).
    Returns the CSP sources of the inline scripts the theme ships."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
    plugin = config.plugins["ambidex"]
    assert isinstance(plugin, AmbidexPlugin)
    plugin.config.root = str(source)
    refuse_links_out(Path(config.docs_dir), project)
    build(config)
    return plugin.script_hashes
