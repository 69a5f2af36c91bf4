"""The advice an editor writes (In short, a tension's poles, a risk's signs) on the page and in the API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ambidex.checks import validate
from ambidex.render import Renderer
from ambidex.site.pages import SitePages
from api.app import create_app
from api.settings import Settings
from tests.conftest import MakeKb, concept

SSA = "kb/ambidexterity/service-sales-ambidexterity.md"
RISK = "kb/risks/role-ambiguity.md"

ADVICE = (
    "in_short: Serving and selling in *one* call, see [[role-ambiguity]].\n"
    "poles:\n"
    "  - name: Serving first\n"
    "    concept: role-ambiguity\n"
    "    signals: ['Calls run long and nobody mentions the *upgrade*']\n"
    "    moves: ['Set a time box for service calls [@gabler2017dark].']\n"
    "    questions: ['Who on the team sells after a fix?']\n"
    "  - name: Selling first\n"
    "    signals: ['Customers complain about pitches']\n"
    "evidence:\n  - Customers paid more [@mullins2020ambidextrous].\n"
)
SIGNS = "signs: ['People ask what they are paid for']\nrelations:\n  risk-of: [service-sales-ambidexterity]\n"


def files() -> dict[str, str | bytes | None]:
    return {
        SSA: concept("service-sales-ambidexterity", type="ambidexterity", extra=ADVICE),
        RISK: concept("role-ambiguity", extra=SIGNS),
    }


def test_page_opens_with_in_short_and_shows_poles_and_signs_as_text(make_kb: MakeKb) -> None:
    kb, problems = validate(make_kb(files()))
    assert [p for p in problems if p.is_error] == []
    generated = SitePages(kb, Renderer(kb)).all()
    page = generated["concepts/service-sales-ambidexterity.md"]
    # The In short comes before the summary, as Markdown with its concept links resolved.
    assert page.index("**In short.**") < page.index('class="ambidex-summary"')
    assert "**In short.** Serving and selling in *one* call, see [role ambiguity](role-ambiguity.md)" in page
    assert "### Leaning to [Serving first](role-ambiguity.md)" in page
    assert "### Leaning to Selling first" in page
    # Signals and questions are plain text: Markdown in them is escaped, the move is cited.
    assert r"- Calls run long and nobody mentions the \*upgrade\*" in page
    assert "Set a time box for service calls ([Gabler et al., 2017](#ref-gabler2017dark)" in page
    assert "- Who on the team sells after a fix?" in page
    risk = generated["concepts/role-ambiguity.md"]
    assert "## Signs to watch for" in risk and "- People ask what they are paid for" in risk
    assert "Leaning to" not in risk


def test_api_returns_in_short_poles_with_cited_moves_and_signs(make_kb: MakeKb) -> None:
    with TestClient(create_app(Settings(root=make_kb(files())))) as client:
        ssa = client.get("/api/v1/concepts/service-sales-ambidexterity").json()
        risk = client.get("/api/v1/concepts/role-ambiguity").json()
    assert ssa["in_short"] == "Serving and selling in *one* call, see role ambiguity."
    first, second = ssa["poles"]
    assert first["name"] == "Serving first" and first["concept"]["id"] == "role-ambiguity"
    assert first["signals"] == ["Calls run long and nobody mentions the *upgrade*"]
    (move,) = first["moves"]
    assert move["text"].startswith("Set a time box for service calls")
    assert [c["key"] for c in move["citations"]] == ["gabler2017dark"]
    assert second["concept"] is None and second["moves"] == []
    assert risk["signs"] == ["People ask what they are paid for"] and risk["poles"] == []
    assert risk["in_short"] == ""
