"""The built site in a real headless chromium, as a reader uses it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from bench.common import serving
from tests.site_helpers import copy_project, mkdocs_build, serve

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_project(tmp_path_factory.mktemp("browser") / "project")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_search_box_finds_a_concept(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    expect(page.locator("h1")).to_contain_text("Sales ambidexterity")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("polychronicity", delay=20)
    result = page.locator(".md-search-result__item a").first
    expect(result).to_contain_text("Polychronicity", timeout=15_000)
    result.click()
    expect(page.locator("h1")).to_contain_text("Polychronicity")


def test_citation_leads_to_its_reference_and_backlinks_work(page: Page, site_url: str) -> None:
    page.goto(site_url + "/concepts/role-ambiguity/")
    citation = page.locator("article a[href$='#ref-agnihotri2017salesperson']").first
    expect(citation).to_contain_text("Agnihotri et al., 2017")
    citation.click()
    assert page.url.endswith("#ref-agnihotri2017salesperson")
    entry = page.locator("li:has(#ref-agnihotri2017salesperson)")
    expect(entry).to_contain_text("Salesperson Ambidexterity and Customer Satisfaction")
    expect(entry).to_be_in_viewport()
    page.goto(site_url + "/concepts/service-sales-ambidexterity/")
    backlink = page.locator("article li:has-text('Risks:') a", has_text="Role ambiguity")
    backlink.click()
    expect(page.locator("h1")).to_contain_text("Role ambiguity")


def test_dark_mode_toggle_and_screenshot(page: Page, site_url: str, tmp_path: Path) -> None:
    page.goto(site_url + "/concepts/service-sales-ambidexterity/")
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    expect(page.locator("body")).not_to_have_attribute("data-md-color-scheme", before or "")
    # Material renders the map into a closed shadow root: a rendered map is a div with height.
    rendered = page.locator("div.mermaid").first
    expect(rendered).to_be_visible(timeout=15_000)
    box = rendered.bounding_box()
    assert box is not None and box["height"] > 100
    shot = tmp_path / "concept.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_mobile_layout_has_the_drawer(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + "/concepts/role-ambiguity/")
    expect(page.locator("label.md-header__button[for='__drawer']")).to_be_visible()
    context.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository built by `ambidex build` and served by `ambidex serve`, as in production."""
    root = copy_project(tmp_path_factory.mktemp("served") / "project")
    built = subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    with serving(root, timeout=120) as (base, _):
        yield base


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        ("/concepts/service-sales-ambidexterity/", "div.mermaid"),
        ("/map/", "div.mermaid"),
        ("/references/", "details"),
        ("/api/docs", ".swagger-ui .info"),
    ],
)
def test_pages_render_under_the_content_security_policy(
    browser: Browser, served: str, path: str, ready: str
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    other_hosts: list[str] = []
    page.on(
        "request", lambda r: other_hosts.append(r.url) if not r.url.startswith((served, "data:")) else None
    )
    response = page.goto(served + path)
    assert response is not None and "content-security-policy" in response.headers
    expect(page.locator(ready).first).to_be_visible(timeout=15_000)
    page.wait_for_load_state("networkidle")
    context.close()
    assert errors == [], errors
    assert other_hosts == [], other_hosts
