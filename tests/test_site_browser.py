"""The built site in a real headless chromium, as a reader uses it."""

from __future__ import annotations

import os
import re
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


def test_search_box_tolerates_a_typo(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("polycronicity", delay=20)
    result = page.locator(".md-search-result__item a").first
    expect(result).to_contain_text("Polychronicity", timeout=15_000)


def test_guide_page_on_a_static_host_says_what_it_needs(page: Page, site_url: str) -> None:
    page.goto(site_url + "/guide/")
    page.locator("#guide-situation").fill("our reps must cross-sell on every support call")
    page.get_by_role("button", name="Ask the guide").click()
    expect(page.locator(".ambidex-guide-offline")).to_contain_text("ambidex serve", timeout=15_000)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository built and served by `ambidex build` and `ambidex serve`."""
    root = copy_project(tmp_path_factory.mktemp("served") / "project")
    built = subprocess.run(
        [sys.executable, "-m", "ambidex", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=600,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    with serving(root, timeout=120) as (base, _):
        yield base


def test_guide_page_answers_and_explains_through_the_api(page: Page, served: str) -> None:
    page.goto(served + "/guide/")
    situation = "a customer calls support about a crashing laptop and the agent could cross-sell a joystick"
    page.locator("#guide-situation").fill(situation)
    page.get_by_role("button", name="Ask the guide").click()
    tension = page.locator("article.ambidex-tension").first
    expect(tension).to_be_visible(timeout=15_000)
    # Every item in the answer says why it is there.
    items = page.locator("#guide-answer li")
    assert items.count() > 3
    for i in range(items.count()):
        expect(items.nth(i).locator(".ambidex-why")).to_contain_text(re.compile("matched|via"))
    tension.locator("h3 a").click()
    expect(page.locator("h1")).to_be_visible()
    assert "/concepts/" in page.url
