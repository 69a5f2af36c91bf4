"""The site's search box in a real headless chromium: it ranks as the API does, both when the site
is served by `ambidex serve` (it asks /api/v1/search) and on a static host (it loads the static
index when opened and ranks in the browser), it reads typos as their nearest word and says so,
it works from the keyboard, its open state passes axe, and a page stays light until it opens.
The maps' reading aids are checked here too (fitted on opening, the wheel scrolls the page)."""

from __future__ import annotations

import gzip
import json
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from ambidex.search import stem_of
from bench.common import serving
from tests.conftest import REPO, ambidex, copy_content
from tests.site_helpers import axe_serious, serve

pytestmark = pytest.mark.browser
# The development questions of the evaluation sets, when they are beside the repository, and
# everyday questions of our own, so that the parity is checked without them too.
EVAL = Path(os.environ.get("AMBIDEX_EVAL", REPO.parent / "shared" / "eval"))
OWN_QUERIES = Path(__file__).parent / "search_queries.txt"
WEIGHT_LIMIT = 100_000  # bytes, gzipped: everything a concept page loads before search opens
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def queries() -> list[str]:
    found = [line for line in OWN_QUERIES.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    dev = EVAL / "queries-dev.tsv"
    if dev.exists():
        lines = dev.read_text(encoding="utf-8").splitlines()
        found += [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]
    return list(dict.fromkeys(found))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's knowledge base, built by `ambidex build` (index, site, static index)."""
    root = copy_content(tmp_path_factory.mktemp("search") / "project")
    built = ambidex("build", root=root, timeout=600)
    assert built.returncode == 0, built.stderr
    return root


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[str]:
    with serving(project, timeout=120) as (base, _):
        yield base


@pytest.fixture(scope="module")
def static(project: Path) -> Iterator[str]:
    with serve(project / "site") as url:
        yield url


def api_top(base: str, query: str, n: int = 3) -> list[str]:
    url = f"{base}/api/v1/search?" + urllib.parse.urlencode({"q": query, "kind": "concept"})
    with urllib.request.urlopen(url, timeout=30) as r:
        return [item["id"] for item in json.load(r)["items"]][:n]


def open_page(browser: Browser, size: str = "desktop", dark: bool = False) -> Page:
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme="dark" if dark else "light"
    )
    return context.new_page()


def ask(page: Page, query: str) -> list[str]:
    """Type a query into the open search box; the ids of the results it shows."""
    page.locator("#ambidex-search-input").fill(query)
    page.wait_for_function(
        "q => document.getElementById('ambidex-search-results').dataset.query === q", arg=query.strip()
    )
    ids: list[str] = page.locator("#ambidex-search-results a").evaluate_all("as => as.map(a => a.dataset.id)")
    return ids


def open_search(page: Page) -> None:
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#ambidex-search-input")).to_be_focused()


# ---------------------------------------------------------------- the same ranking as the API


def test_the_stemmer_in_the_browser_is_the_engines(browser: Browser, static: str, project: Path) -> None:
    data = json.loads((project / "site" / "search" / "index.json").read_text(encoding="utf-8"))
    words = {w.lower() for doc in data["docs"] for w in re.findall(r"\w+", doc[2] + " " + doc[3])}
    words |= set(data["names"]) | {"hopping", "yelling", "sky", "generalizations", "oscillators", "agreed"}
    words = {w for w in words if w.isalpha()}
    page = open_page(browser)
    page.goto(static + "/")
    stems = page.evaluate(
        "async words => { const data = await (await fetch('search/index.json')).json();"
        " const r = new ambidexSearch.Ranker(data); return words.map(w => r.stemOf(w)); }",
        sorted(words),
    )
    wrong = [(w, s, stem_of(w)) for w, s in zip(sorted(words), stems, strict=True) if s != stem_of(w)]
    assert len(words) > 1000 and wrong == []
    page.context.close()


@pytest.mark.parametrize(("mode", "size", "dark"), [("served", "desktop", False), ("static", "phone", True)])
def test_site_search_gives_the_apis_first_three(
    browser: Browser, served: str, static: str, mode: str, size: str, dark: bool
) -> None:
    page = open_page(browser, size, dark)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((served if mode == "served" else static) + "/concepts/role-ambiguity/")
    open_search(page)
    differ = {}
    asked = queries()
    for query in asked:
        shown, expected = ask(page, query)[:3], api_top(served, query)
        if shown != expected:
            differ[query] = (shown, expected)
    assert len(asked) >= 15 and differ == {}
    used_index = any(u.endswith("/search/index.json") for u in requests)
    used_api = any("/api/v1/search?" in u for u in requests)
    assert (used_api, used_index) == ((True, False) if mode == "served" else (False, True))
    page.context.close()


@pytest.mark.parametrize("mode", ["served", "static"])
def test_a_typo_is_read_as_the_nearest_word_and_said_so(
    browser: Browser, served: str, static: str, mode: str
) -> None:
    page = open_page(browser, "phone" if mode == "served" else "desktop", dark=mode == "served")
    page.goto((served if mode == "served" else static) + "/")
    open_search(page)
    assert ask(page, "polycronicity")[0] == "polychronicity"
    status = page.locator("#ambidex-search-status")
    expect(status).to_contain_text("Showing results for polychronicity")
    expect(page.locator(".ambidex-search")).not_to_contain_text("Missing")
    first = page.locator("#ambidex-search-results a").first
    expect(first.locator(".ambidex-search-kind")).to_have_text("Trait or ability")
    expect(first.locator(".ambidex-search-summary")).not_to_be_empty()
    assert ask(page, "hunters and farmers")[0] == "hunting-vs-farming"
    assert ask(page, "zzzzqqq") == []
    expect(status).to_contain_text("Nothing matches")
    page.context.close()


def test_search_from_the_keyboard(browser: Browser, static: str) -> None:
    page = open_page(browser)
    page.goto(static + "/concepts/role-ambiguity/")
    page.keyboard.press("/")
    expect(page.locator("#ambidex-search-input")).to_be_focused()
    assert ask(page, "burnout")
    page.keyboard.press("ArrowDown")
    first = page.locator("#ambidex-search-results a").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#ambidex-search-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("dialog.ambidex-search")).not_to_be_visible()
    page.keyboard.press("s")
    expect(page.locator("#ambidex-search-input")).to_be_focused()
    expect(page.locator("#ambidex-search-results a").first).to_be_visible()
    page.keyboard.press("Enter")  # opens the first result
    expect(page.locator("h1")).to_contain_text("burnout", ignore_case=True)
    expect(page.locator("dialog.ambidex-search")).not_to_be_visible()
    page.context.close()


# ---------------------------------------------------------------- accessible and light


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_open_search_with_results_passes_axe_and_marks_contrast(
    browser: Browser, static: str, size: str, dark: bool
) -> None:
    page = open_page(browser, size, dark)
    page.goto(static + "/concepts/service-vs-sales/")
    open_search(page)
    assert len(ask(page, "service selling")) >= 3
    colours = page.locator(".ambidex-search mark").evaluate_all(
        "ms => ms.map(m => [getComputedStyle(m).color, getComputedStyle(m).backgroundColor])"
    )
    assert colours and all(contrast(fg, bg) >= 4.5 for fg, bg in colours), colours
    assert axe_serious(page) == []
    page.context.close()


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(p) for p in re.findall(r"[\d.]+", css)[:3])


def _luminance(css: str) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(css))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("size", list(SIZES))
def test_a_concept_page_weighs_at_most_100_kb_before_search_opens(
    browser: Browser, static: str, size: str
) -> None:
    page = open_page(browser, size)
    seen: list[tuple[str, bytes]] = []

    def done(request: object) -> None:
        response = request.response()  # type: ignore[attr-defined]
        seen.append((request.url, response.body() if response else b""))  # type: ignore[attr-defined]

    page.context.on("requestfinished", done)
    page.goto(static + "/concepts/service-vs-sales/")
    page.wait_for_load_state("networkidle")
    weights = {url: len(gzip.compress(body, 9)) for url, body in seen}
    assert weights and sum(weights.values()) <= WEIGHT_LIMIT, json.dumps(weights, indent=1)
    assert not any("search" in url and url.endswith(".json") for url in weights)
    open_search(page)
    assert ask(page, "role ambiguity")[0] == "role-ambiguity"
    assert any(url.endswith("/search/index.json") for url, _ in seen)
    page.context.close()


# ---------------------------------------------------------------- maps


def view_box(page: Page) -> list[float]:
    box = page.locator('.ambidex-map[data-map="full"] svg').get_attribute("viewBox") or ""
    return [float(v) for v in box.split()]


@pytest.mark.parametrize(("size", "dark"), [("desktop", False), ("phone", True)])
def test_the_full_map_opens_fitted_and_the_wheel_scrolls_the_page(
    browser: Browser, static: str, size: str, dark: bool
) -> None:
    page = open_page(browser, size, dark)
    page.goto(static + "/map/")
    frame = page.locator('.ambidex-map[data-map="full"]')
    expect(frame).to_have_class(re.compile("is-interactive"))
    # Fitted: every concept is inside the frame.
    outside = frame.evaluate(
        """f => { const r = f.getBoundingClientRect();
        return Array.from(f.querySelectorAll('.node')).filter(n => {
          const b = n.getBoundingClientRect();
          return b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1;
        }).map(n => n.dataset.id); }"""
    )
    assert outside == []
    # "related" edges start hidden; the other relations are drawn, each kind with its own line.
    related = page.locator('.edge[data-relation="related"]')
    assert related.count() > 0 and related.first.is_hidden()
    lines = page.locator(".ambidex-map-relations svg line").evaluate_all(
        "ls => ls.map(l => [getComputedStyle(l).stroke, getComputedStyle(l).strokeDasharray,"
        " getComputedStyle(l).strokeWidth].join('|'))"
    )
    assert len(lines) == len(set(lines)) > 5
    # The wheel over the map scrolls the page and leaves the map as it is; with Ctrl it zooms.
    box = frame.bounding_box()
    assert box is not None
    frame.scroll_into_view_if_needed()
    before, scrolled = view_box(page), page.evaluate("() => window.scrollY")
    page.mouse.move(box["x"] + box["width"] / 2, min(box["y"] + 50, SIZES[size][1] - 50))
    page.mouse.wheel(0, 300)
    page.wait_for_function("y => window.scrollY > y", arg=scrolled)
    assert view_box(page) == before
    # The width of the map that the fitted frame shows (the SVG fits the whole map, "meet").
    shown = page.locator('.ambidex-map[data-map="full"] svg').evaluate(
        "(svg, b) => Math.max(b[2], b[3] * svg.clientWidth / svg.clientHeight)", before
    )
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    assert view_box(page)[2] < shown * 0.95
    # Find a concept, then axe in that state.
    page.get_by_label("Find a concept").fill("Role ambiguity")
    page.get_by_label("Find a concept").press("Enter")
    expect(page.locator('.node.is-found[data-id="role-ambiguity"]')).to_be_visible()
    assert axe_serious(page) == []
    page.context.close()


def test_the_skip_link_leads_past_the_nodes_to_the_list(browser: Browser, static: str) -> None:
    page = open_page(browser)
    page.goto(static + "/map/")
    skip = page.locator(".ambidex-map-skip")
    skip.focus()
    page.keyboard.press("Enter")
    listing = page.locator("#map-list-words")
    expect(listing).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.closest('#map-list-words') !== null")
    assert focused, "the next Tab lands in the list, not on the map's nodes"
    page.context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_a_concept_map_on_a_phone_fits_or_scrolls_in_a_focusable_frame(
    browser: Browser, static: str, dark: bool
) -> None:
    page = open_page(browser, "phone", dark)
    page.goto(static + "/concepts/service-vs-sales/")
    frame = page.locator('.ambidex-map[data-map="concept"]')
    wide = frame.evaluate("f => f.scrollWidth > f.clientWidth + 1")
    assert frame.get_attribute("tabindex") == "0" and "scrolls" in (frame.get_attribute("aria-label") or "")
    if wide:
        expect(page.locator(".ambidex-map-hint")).to_be_visible()
        frame.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "() => document.querySelector('.ambidex-map[data-map=concept]').scrollLeft > 0"
        )
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_serious(page) == []
    page.context.close()
