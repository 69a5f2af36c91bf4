"""What a reader gets from the built site, checked in a real headless chromium: maps worth
opening, references a librarian would pass, pages that can be cited, a light and private site,
and no serious accessibility violation (axe-core) on any kind of page, light or dark."""

from __future__ import annotations

import datetime
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.site_helpers import axe_serious, copy_project, mkdocs_build, serve

pytestmark = pytest.mark.browser
PUBLISHED = "https://ambidex.example/"
WEIGHT_LIMIT = 400_000  # bytes, gzipped, for everything a page loads
PAGE_KINDS = {
    "home": "/",
    "dilemma": "/concepts/service-vs-sales/",
    "risk": "/concepts/role-ambiguity/",
    "type index": "/types/dilemma/",
    "tags": "/tags/",
    "tag": "/tags/service-sales/",
    "map": "/map/",
    "references": "/references/",
    "guide": "/guide/",
    "editors": "/editors/",
    "api": "/api-reference/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The repository's site built with its published address set, served on loopback."""
    root = copy_project(tmp_path_factory.mktemp("reader") / "project")
    result = mkdocs_build(root, env={"AMBIDEX_SITE_URL": PUBLISHED})
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as url:
        yield url, root / "site"


def open_page(browser: Browser, width: int = 1280, height: int = 900, dark: bool = False) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light"
    )
    return context.new_page()


# ---------------------------------------------------------------- colour arithmetic


def _rgb(css: str) -> tuple[float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return parts[0], parts[1], parts[2]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (light + 0.05) / (dark + 0.05)


LABEL_COLOURS = """svg => Array.from(svg.querySelectorAll('.node')).map(node => [
    node.dataset.id,
    getComputedStyle(node.querySelector('text')).fill,
    getComputedStyle(node.querySelector('rect')).fill,
])"""


# ---------------------------------------------------------------- maps


def test_the_full_map_zooms_pans_finds_and_its_nodes_are_links(
    browser: Browser, site: tuple[str, Path]
) -> None:
    base, _ = site
    page = open_page(browser)
    page.goto(base + "/map/")
    frame = page.locator('.ambidex-map[data-map="full"]')
    expect(frame).to_have_class(re.compile("is-interactive"))
    svg = frame.locator("svg")

    def view() -> list[float]:
        return [float(v) for v in (svg.get_attribute("viewBox") or "").split()]

    before = view()
    page.get_by_role("button", name="Zoom in").click()
    zoomed = view()
    assert zoomed[2] < before[2] * 0.9, "zooming in shows less of the map"
    box = svg.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 120, box["y"] + box["height"] / 2 + 60, steps=5)
    page.mouse.up()
    panned = view()
    assert panned[0] < zoomed[0] and panned[1] < zoomed[1] and panned[2] == zoomed[2]
    # Search to focus: the concept is marked and brought to the middle of the view.
    page.get_by_label("Find a concept").fill("Role ambiguity")
    page.get_by_label("Find a concept").press("Enter")
    found = svg.locator('.node.is-found[data-id="role-ambiguity"]')
    expect(found).to_be_visible()
    expect(page.locator(".ambidex-map-status")).to_contain_text("Showing Role ambiguity")
    centre = found.bounding_box()
    frame_box = svg.bounding_box()
    assert centre is not None and frame_box is not None
    assert abs(centre["x"] + centre["width"] / 2 - (frame_box["x"] + frame_box["width"] / 2)) < 5
    # Filters: a kind of concept and a relation can be hidden.
    page.get_by_label("Risks").uncheck()
    expect(svg.locator('.node[data-type="risk"]').first).to_be_hidden()
    page.get_by_label("Risks").check()
    page.locator(".ambidex-map-relations summary").click()
    page.get_by_label("pole of").uncheck()
    expect(svg.locator('.edge[data-relation="pole-of"]').first).to_be_hidden()
    # Every node is a link to its concept's page.
    nodes = svg.locator("a.node")
    assert nodes.count() == svg.locator(".node").count() > 10
    found.click()
    expect(page.locator("h1")).to_contain_text("Role ambiguity")
    page.context.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_map_labels_are_readable_at_desktop_and_phone_sizes(
    browser: Browser, site: tuple[str, Path], width: int, height: int
) -> None:
    base, _ = site
    page = open_page(browser, width, height)
    page.goto(base + "/map/")
    expect(page.locator(".ambidex-map.is-interactive")).to_be_visible()
    # The map opens fitted to its frame; a concept found is shown at a readable size.
    page.get_by_label("Find a concept").fill("Role ambiguity")
    page.get_by_label("Find a concept").press("Enter")
    sizes = page.locator(".ambidex-map svg").evaluate(
        "svg => Array.from(svg.querySelectorAll('.node text tspan')).slice(0, 30)"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 11, sizes
    page.goto(base + "/concepts/service-vs-sales/")
    heights = page.locator(".ambidex-map svg").evaluate(
        "svg => Array.from(svg.querySelectorAll('.node text tspan'))"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 11, heights
    page.context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_map_label_is_legible_against_its_box(
    browser: Browser, site: tuple[str, Path], dark: bool
) -> None:
    base, _ = site
    page = open_page(browser, dark=dark)
    for path in ("/map/", "/concepts/service-vs-sales/", "/concepts/role-ambiguity/"):
        page.goto(base + path)
        scheme = page.locator("body").get_attribute("data-md-color-scheme")
        assert scheme == ("slate" if dark else "default")
        colours = page.locator(".ambidex-map svg").evaluate(LABEL_COLOURS)
        assert colours, path
        for concept, text, box in colours:
            assert contrast(text, box) >= 7, (path, concept, text, box)
    page.context.close()


def test_every_concept_page_has_its_neighbourhood_map_and_its_text(
    browser: Browser, site: tuple[str, Path]
) -> None:
    base, _ = site
    page = open_page(browser)
    for path in (
        "/concepts/role-ambiguity/",
        "/concepts/laptop-support-call/",
        "/concepts/service-vs-sales/",
    ):
        page.goto(base + path)
        svg = page.locator(".ambidex-map svg")
        expect(svg).to_be_visible()
        current = svg.locator(".node.current")
        expect(current).to_have_count(1)
        # The map's text alternative lists every edge it draws, and the map points to it.
        listing = page.locator("#" + (svg.get_attribute("aria-describedby") or "missing"))
        assert listing.locator("li").count() == svg.locator(".edge").count() > 0
    page.locator(".ambidex-map a.node").first.click()
    expect(page.locator(".ambidex-breadcrumbs")).to_be_visible()
    page.context.close()


# ---------------------------------------------------------------- references and citations


def test_references_read_as_apa_with_hanging_indents(browser: Browser, site: tuple[str, Path]) -> None:
    base, _ = site
    page = open_page(browser)
    page.goto(base + "/references/")
    entry = page.locator("#gabler2017dark .ambidex-apa")
    expect(entry).to_have_text(
        "Gabler, C. B., Ogilvie, J., Rapp, A., & Bachrach, D. G. (2017). Is there a dark side of "
        "ambidexterity? Implications of dueling sales and service orientations. Journal of Service "
        "Research, 20(4), 379–392. https://doi.org/10.1177/1094670517712019"
    )
    assert page.locator("#gabler2017dark").inner_text().count("10.1177/1094670517712019") == 1
    indent = entry.evaluate("p => [getComputedStyle(p).textIndent, getComputedStyle(p).paddingLeft]")
    assert float(indent[0].removesuffix("px")) < 0 < float(indent[1].removesuffix("px"))
    assert abs(float(indent[0].removesuffix("px")) + float(indent[1].removesuffix("px"))) < 0.5
    page.goto(base + "/concepts/role-ambiguity/")
    listed = page.locator(".ambidex-references .ambidex-apa")
    assert listed.count() >= 1
    assert listed.first.evaluate("p => getComputedStyle(p).textIndent").startswith("-")
    page.context.close()


def test_how_to_cite_gives_the_published_address_and_the_readers_date(
    browser: Browser, site: tuple[str, Path]
) -> None:
    base, root = site
    page = open_page(browser)
    page.goto(base + "/concepts/role-ambiguity/")
    today = page.evaluate(
        "() => new Date().toLocaleDateString('en-US', {month: 'long', day: 'numeric', year: 'numeric'})"
    )
    cite = page.locator(".ambidex-cite-apa")
    expect(cite).to_have_text(
        f"Ambidex. (n.d.). Role ambiguity. In Ambidex: A knowledge base on sales ambidexterity. "
        f"Retrieved {today}, from {PUBLISHED}concepts/role-ambiguity/"
    )
    iso = page.evaluate(
        "() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()] }"
    )
    day = datetime.date(*iso).isoformat()
    bibtex = page.locator("code", has_text="@online{ambidex-role-ambiguity").text_content() or ""
    assert (
        f"url       = {{{PUBLISHED}concepts/role-ambiguity/}}" in bibtex
        and f"urldate   = {{{day}}}" in bibtex
    )
    canonical = page.locator("link[rel=canonical]").get_attribute("href")
    assert canonical == f"{PUBLISHED}concepts/role-ambiguity/"
    sitemap = (root / "sitemap.xml").read_text()
    concepts = sorted(p.parent.name for p in (root / "concepts").glob("*/index.html"))
    assert all(f"<loc>{PUBLISHED}concepts/{c}/</loc>" in sitemap for c in concepts)
    page.context.close()


def test_breadcrumbs_and_previous_next_within_a_type(browser: Browser, site: tuple[str, Path]) -> None:
    base, _ = site
    page = open_page(browser)
    page.goto(base + "/concepts/role-ambiguity/")
    crumbs = page.get_by_role("navigation", name="You are here")
    expect(crumbs).to_contain_text("Home › Risks › Role ambiguity")
    pager = page.get_by_role("navigation", name="More risks")
    links = pager.locator("a")
    assert links.count() >= 1
    target = links.last
    name = re.sub(r"^(← Previous|Next): | →$", "", target.inner_text())
    target.click()
    expect(page.locator("h1")).to_contain_text(name)
    page.context.close()


# ---------------------------------------------------------------- light and private


def _record(page: Page) -> list[tuple[str, bytes]]:
    seen: list[tuple[str, bytes]] = []

    def done(response: object) -> None:
        try:
            seen.append((response.url, response.body()))  # type: ignore[attr-defined]
        except Exception:
            seen.append((response.url, b""))  # type: ignore[attr-defined]

    page.context.on("requestfinished", lambda request: done(request.response()))
    return seen


@pytest.mark.parametrize("path", ["/", "/concepts/service-vs-sales/", "/map/", "/references/", "/guide/"])
def test_no_request_leaves_the_site(browser: Browser, site: tuple[str, Path], path: str) -> None:
    base, _ = site
    page = open_page(browser)
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    host = urlparse(base).netloc
    elsewhere = [
        u for u in requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host
    ]
    assert requests and elsewhere == []
    page.context.close()


@pytest.mark.parametrize("path", ["/", "/concepts/service-vs-sales/"])
def test_a_page_weighs_at_most_400_kb_gzipped(browser: Browser, site: tuple[str, Path], path: str) -> None:
    base, _ = site
    page = open_page(browser)
    seen = _record(page)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    urls = {u for u, _ in seen}
    weights = {u: len(gzip.compress(body, 9)) for u, body in seen}
    total = sum(weights.values())
    assert total <= WEIGHT_LIMIT, json.dumps(weights, indent=1)
    assert not any("mermaid" in u for u in urls)
    page.context.close()


def test_site_assets_are_fingerprinted(site: tuple[str, Path]) -> None:
    _, root = site
    html = (root / "concepts" / "role-ambiguity" / "index.html").read_text()
    own = re.findall(r'(?:href|src)="([^"]*assets/[^"]+\.(?:css|js))"', html)
    assert own and all(re.search(r"\.[0-9a-f]{8,}\.(?:min\.)?(?:css|js)$", u) for u in own), own
    assert not (root / "assets" / "ambidex.css").exists()


# ---------------------------------------------------------------- accessibility


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_no_serious_accessibility_violation(
    browser: Browser, site: tuple[str, Path], kind: str, dark: bool
) -> None:
    base, _ = site
    page = open_page(browser, dark=dark)
    page.goto(base + PAGE_KINDS[kind])
    page.wait_for_load_state("networkidle")
    serious = axe_serious(page)
    assert serious == [], "\n".join(serious)
    page.context.close()


@pytest.mark.parametrize("kind", ["references", "dilemma", "tag"])
def test_nothing_pushes_a_narrow_phone_page_sideways(
    browser: Browser, site: tuple[str, Path], kind: str
) -> None:
    """At 320 px the page is as wide as the screen: long badges and references wrap."""
    base, _ = site
    page = open_page(browser, width=320, height=700)
    page.goto(base + PAGE_KINDS[kind])
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{kind}: {widths[0]} px of content in a {widths[1]} px page"
