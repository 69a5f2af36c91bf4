"""Script in content never runs on the site, however it hides from a reader of the Markdown.

`check` sees a text as the published pages do (it renders the Markdown and asks what the
sanitiser would remove); the site's pages pass through the same sanitiser as the API's
`body_html`; and the site's Content-Security-Policy allows only the scripts the theme ships, so
a script that reached a page anyway would still not run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from ambidex import builds, safety
from ambidex.build import make_build
from ambidex.site import plugin
from api.middleware import SITE_POLICY
from tests.conftest import BIB, PROSE, REPO, MakeKb, ambidex, concept
from tests.site_helpers import serve

RISK = "kb/risks/role-ambiguity.md"
LINKED = "relations:\n  risk-of: [service-sales-ambidexterity]\n"
PWN = 'document.documentElement.setAttribute("data-pwned","{}")'

# The four ways a script passed `check` and ran on the site (issue 23): each hides the script
# from a hand-kept idea of what is code or comment, while Markdown and browsers see a script.
HIDDEN_SCRIPTS = {
    "escaped-backticks": "Note \\`<script>" + PWN.format("b1") + "</script>\\`\n",
    "comment-opened-and-closed-by-arrow": "Note <!--> <script>" + PWN.format("b2") + "</script> -->\n",
    "comment-closed-by-bang": "Note <!-- a --!> <script>" + PWN.format("b3") + "</script> -->\n",
    "four-backtick-fence-closed-by-three": "````\n```\n<script>" + PWN.format("b4") + "</script>\n```\n",
}
MINIMAL_SITE = (
    "site_name: T\ntheme:\n  name: material\nplugins:\n  - search\n  - ambidex\n"
    "markdown_extensions:\n  - attr_list\n  - md_in_html\n  - pymdownx.details\n"
    "  - pymdownx.superfences\n"
)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def risk_with(body: str) -> str:
    return concept("role-ambiguity", extra=LINKED, body=PROSE + "\n" + body)


@pytest.mark.parametrize("body", list(HIDDEN_SCRIPTS.values()), ids=list(HIDDEN_SCRIPTS))
def test_check_finds_a_script_hidden_from_a_grammar_of_markdown(make_kb: MakeKb, body: str) -> None:
    text = risk_with(body)
    result = ambidex("check", "--format", "json", root=make_kb({RISK: text}))
    assert result.returncode == 1, result.stdout
    found = {(p["path"], p["line"], p["code"]) for p in json.loads(result.stdout)}
    assert (RISK, line_of(text, "<script>"), "disallowed-html") in found


@pytest.mark.parametrize(
    ("body", "needle", "code"),
    [
        ("See [the note][n1].\n\n[n1]:\njavascript:alert(1)\n", "javascript:", "malformed-url"),
        ("A pixel ![x](https://tracker.example/p.png) here.\n", "![x]", "disallowed-html"),
    ],
    ids=["javascript-url-on-the-line-after-a-definition", "external-image"],
)
def test_check_refuses_links_and_images_markdown_makes(
    make_kb: MakeKb, body: str, needle: str, code: str
) -> None:
    text = risk_with(body)
    result = ambidex("check", "--format", "json", root=make_kb({RISK: text}))
    found = {(p["path"], p["line"], p["code"]) for p in json.loads(result.stdout)}
    assert (RISK, line_of(text, needle), code) in found


def test_check_accepts_html_inside_code_and_comments(make_kb: MakeKb) -> None:
    body = (
        "Write `<script>` in code.\n\n```html\n<script>x()</script>\n```\n\n<!-- <script>y()</script> -->\n"
    )
    result = ambidex("check", "--format", "json", root=make_kb({RISK: risk_with(body)}))
    assert not [p for p in json.loads(result.stdout) if p["code"] in ("disallowed-html", "malformed-url")]


HOSTILE_BODY = (
    "\n".join(HIDDEN_SCRIPTS.values())
    + "\n[n1]:\njavascript:alert(1)\n\n![x](https://tracker.example/p.png)\n"
)


@pytest.fixture
def unchecked(make_kb: MakeKb, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose body holds every hidden script, with `check` blind to HTML (as if it had
    missed them all): only the site's own defences stand between the scripts and a reader."""
    monkeypatch.setattr(safety, "html_findings", lambda text: iter(()))
    root = make_kb({"references.bib": BIB, RISK: risk_with(HOSTILE_BODY), "mkdocs.yml": MINIMAL_SITE})
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    return root


def build_site(root: Path) -> Path:
    result = make_build(root, site=plugin.build_site)
    assert result.directory is not None
    return result.directory


@pytest.fixture
def pwned(browser: Browser) -> Iterator[Callable[[str], list[str]]]:
    """Open a URL in chromium; the `data-pwned*` attributes the page's scripts managed to set."""
    context = browser.new_context()

    def visit(url: str) -> list[str]:
        page = context.new_page()
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        names: list[str] = page.evaluate("() => document.documentElement.getAttributeNames()")
        return [n for n in names if n.startswith("data-pwned")]

    yield visit
    context.close()


@pytest.mark.browser
def test_site_pages_are_sanitised_like_the_api(unchecked: Path, pwned: Callable[[str], list[str]]) -> None:
    directory = build_site(unchecked)
    page = directory / builds.SITE / "concepts" / "role-ambiguity" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "data-pwned" not in text and "javascript:" not in text and "tracker.example" not in text
    with serve(directory / builds.SITE) as url:  # no CSP at all: the sanitiser alone
        assert pwned(f"{url}/concepts/role-ambiguity/") == []


@pytest.mark.browser
def test_csp_allows_only_the_themes_scripts_never_those_in_built_pages(
    unchecked: Path, pwned: Callable[[str], list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plugin, "sanitise_page", lambda html: html)  # as if the sanitiser missed
    directory = build_site(unchecked)
    site = directory / builds.SITE
    assert "data-pwned" in (site / "concepts" / "role-ambiguity" / "index.html").read_text(encoding="utf-8")
    hashes = builds.csp_hashes(directory)
    policy = SITE_POLICY.format(hashes="".join(f" {h}" for h in hashes))
    with serve(site, {"Content-Security-Policy": policy}) as url:
        assert pwned(f"{url}/concepts/role-ambiguity/") == []
    assert hashes, "the theme's inline scripts are allowed"


def test_a_docs_symlink_leaving_the_project_is_refused_at_build(make_kb: MakeKb, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "passwd"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:SECRET-OUTSIDE\n", encoding="utf-8")
    root = make_kb({"mkdocs.yml": MINIMAL_SITE, "docs/index.md": "# Home\n"})
    (root / "docs" / "passwd.txt").symlink_to(secret)
    result = ambidex("build", root=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "docs/passwd.txt" in result.stderr
    published = [p for p in root.rglob("passwd.txt") if p.is_file() and "docs" not in p.parts]
    assert published == []


# Extensions of mkdocs.yml that only decorate what the others make (anchors, colours, icons).
DECORATING = {"toc", "pymdownx.highlight", "pymdownx.emoji"}


def test_check_renders_with_every_markdown_extension_the_site_uses() -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    block = config.split("markdown_extensions:", 1)[1].split("\n\n", 1)[0]
    names = set(re.findall(r"(?m)^  - ([\w.]+)", block))
    assert names, "mkdocs.yml names its Markdown extensions"
    assert names - DECORATING <= set(safety.SITE_EXTENSIONS), names - set(safety.SITE_EXTENSIONS)
