"""The built site in a real headless chromium, as a reader uses it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from bench.common import serving
from tests.conftest import ambidex
from tests.site_helpers import axe_serious, copy_project, mkdocs_build, serve

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = copy_project(tmp_path_factory.mktemp("browser") / "project")
    result = mkdocs_build(root)
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as url:
        yield url


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_search_box_finds_a_concept(page: Page, site_url: str) -> None:
    page.goto(site_url + "/")
    expect(page.locator("h1")).to_contain_text("Sales ambidexterity")
    page.get_by_role("button", name="Search").click()
    page.locator("#ambidex-search-input").press_sequentially("polychronicity", delay=20)
    result = page.locator("#ambidex-search-results a").first
    expect(result).to_contain_text("Polychronicity", timeout=15_000)
    result.click()
    expect(page.locator("h1")).to_contain_text("Polychronicity")


def test_citation_leads_to_its_reference_and_backlinks_work(page: Page, site_url: str) -> None:
    page.goto(site_url + "/concepts/role-ambiguity/")
    citation = page.locator("article a[href$='#ref-agnihotri2017salesperson']").first
    expect(citation).to_contain_text("Agnihotri et al., 2017")
    citation.click()
    assert page.url.endswith("#ref-agnihotri2017salesperson")
    entry = page.locator("#ref-agnihotri2017salesperson")
    expect(entry).to_contain_text("Salesperson ambidexterity and customer satisfaction")
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
    # The map is drawn at build time: an SVG with height, its nodes links.
    rendered = page.locator(".ambidex-map svg").first
    expect(rendered).to_be_visible()
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
    page.get_by_role("button", name="Search").click()
    page.locator("#ambidex-search-input").press_sequentially("polycronicity", delay=20)
    result = page.locator("#ambidex-search-results a").first
    expect(result).to_contain_text("Polychronicity", timeout=15_000)
    expect(page.locator("#ambidex-search-status")).to_contain_text("Showing results for polychronicity")


def test_guide_page_on_a_static_host_says_what_it_needs_before_any_typing(page: Page, site_url: str) -> None:
    page.goto(site_url + "/guide/")
    notice = page.locator("#guide-needs")
    expect(notice).to_be_visible(timeout=15_000)
    expect(notice).to_contain_text("needs the Ambidex API")
    expect(notice.locator("code").first).to_have_text("ambidex serve")
    assert "`" not in notice.inner_text()
    expect(page.get_by_role("button", name="Ask the guide")).to_be_disabled()
    expect(page.get_by_label("Your situation")).to_be_visible()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository built and served by `ambidex build` and `ambidex serve`."""
    root = copy_project(tmp_path_factory.mktemp("served") / "project")
    built = ambidex("build", root=root, timeout=600)
    assert built.returncode == 0, built.stderr
    with serving(root, timeout=120) as (base, _):
        yield base


SITUATION = (
    "Our support agents now end every support call with an upgrade pitch. Customers complain that "
    "help turns into a sales pitch, and people ask whether their job is to help customers or to sell."
)


def ask(page: Page, base: str) -> None:
    page.goto(base + "/guide/")
    expect(page.locator("#guide-needs")).to_be_hidden()
    page.get_by_label("Your situation").fill(SITUATION)
    page.get_by_role("button", name="Ask the guide").click()
    expect(page.locator(".ambidex-guide-card")).to_be_visible(timeout=15_000)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
def test_guide_page_answers_as_a_short_card(browser: Browser, served: str, width: int, dark: bool) -> None:
    # axe is injected as a script of its own: the served site's CSP would refuse it.
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme="dark" if dark else "light", bypass_csp=True
    )
    page = context.new_page()
    ask(page, served)
    card = page.locator(".ambidex-guide-card")
    for heading in ("What is at stake", "What to do now", "Questions to ask", "What to watch", "Evidence"):
        expect(card.get_by_role("heading", name=heading)).to_be_visible()
    expect(card.locator(".ambidex-guide-title a").first).to_have_text("Service vs. sales")
    expect(card.locator(".ambidex-guide-lean").first).to_contain_text("pushing the sale")
    expect(card.locator("ol li").first).to_contain_text("Solve the problem before any offer")
    text = card.inner_text()
    assert "→" not in text and "service-vs-sales" not in text and "[@" not in text
    # The live region says one line, not the answer.
    status = page.locator("#guide-status").inner_text()
    assert status.startswith("Answer: Service vs. sales") and "\n" not in status and len(status) < 160
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    serious = axe_serious(page)
    assert serious == [], "\n".join(serious)
    context.close()


def test_guide_answer_links_lead_to_concepts_and_references(page: Page, served: str) -> None:
    ask(page, served)
    card = page.locator(".ambidex-guide-card")
    citation = card.locator("ol li .ambidex-guide-cite a").first
    expect(citation).to_have_text("(Becker et al., 2020)")
    citation.click()
    assert page.url.endswith("/references/#becker2020proactive")
    expect(page.locator("#becker2020proactive")).to_be_in_viewport()
    ask(page, served)
    page.locator(".ambidex-guide-title a").first.click()
    expect(page.locator("h1")).to_contain_text("Service vs. sales")
    assert page.url.endswith("/concepts/service-vs-sales/")


def _rgba(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def _over(top: tuple[float, float, float, float], under: tuple[float, ...]) -> tuple[float, ...]:
    alpha = top[3]
    return tuple(top[i] * alpha + under[i] * (1 - alpha) for i in range(3))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(page: Page, selector: str) -> float:
    """WCAG contrast of an element's text against its background (blended over the page's)."""
    colours = page.locator(selector).first.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    page_bg = _over(_rgba(colours[2]), (255, 255, 255))
    background = _over(_rgba(colours[1]), page_bg)
    text = _over(_rgba(colours[0]), background)
    light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_citations_carry_a_readable_evidence_badge(page: Page, site_url: str) -> None:
    page.goto(site_url + "/concepts/polychronicity/")
    edge = page.locator("article li:has-text('Goes together with:')")
    expect(edge.locator("a", has_text="Service-sales ambidexterity")).to_be_visible()
    expect(edge.locator("a[href$='#ref-mullins2020ambidextrous']")).to_contain_text("Mullins et al., 2020")
    badge = edge.locator(".ambidex-evidence")
    expect(badge).to_have_text("Peer-reviewed · Survey")
    expect(badge).to_have_attribute("title", "Peer-reviewed article; design: survey")
    entry = page.locator("#ref-mullins2020ambidextrous .ambidex-evidence")
    expect(entry).to_have_text("Peer-reviewed · Survey")
    selector = "article .ambidex-evidence"
    schemes = []
    for _ in range(2):
        schemes.append(page.locator("body").get_attribute("data-md-color-scheme"))
        assert _contrast(page, selector) >= 4.5
        page.locator("form[data-md-component='palette'] label:visible").first.click()
    assert set(schemes) == {"default", "slate"}
    page.goto(site_url + "/concepts/customer-retention/")
    inbound = page.locator("article li:has-text('What drives it:')")
    expect(inbound.locator(".ambidex-evidence--causal")).to_have_text("Peer-reviewed · Field experiment")
    inbound.locator("a[href$='#ref-becker2020proactive']").click()
    expect(page.locator("#ref-becker2020proactive")).to_be_in_viewport()


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", "h1"),
        ("/concepts/service-sales-ambidexterity/", ".ambidex-map svg"),
        ("/map/", ".ambidex-map svg"),
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


def test_a_static_site_built_with_an_api_url_asks_that_api(
    browser: Browser, served: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Built with AMBIDEX_API_URL, the Guide page on a static host asks the API at that address
    (here a name the browser routes to the running server, answering with a CORS header as a
    server started with `--cors` would)."""
    api = "http://api.ambidex.test/"
    root = copy_project(tmp_path_factory.mktemp("static-with-api") / "project")
    result = mkdocs_build(root, env={"AMBIDEX_API_URL": api})
    assert result.returncode == 0, result.stderr
    asked: list[str] = []
    with serve(root / "site") as static:
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def forward(route: Route) -> None:
            asked.append(route.request.url)
            answer = context.request.get(served + "/" + route.request.url.removeprefix(api))
            headers = {"content-type": answer.headers["content-type"], "access-control-allow-origin": static}
            route.fulfill(status=answer.status, headers=headers, body=answer.body())

        context.route(api + "**", forward)
        page = context.new_page()
        page.goto(static + "/guide/")
        page.get_by_label("Your situation").fill(SITUATION)
        page.get_by_role("button", name="Ask the guide").click()
        expect(page.locator(".ambidex-guide-card")).to_be_visible(timeout=15_000)
        expect(page.locator("#guide-needs")).to_be_hidden()
        context.close()
    assert any(u.startswith(api + "api/v1/guide?") for u in asked), asked
