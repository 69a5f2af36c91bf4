"""Rendering citations and links of a concept's text, and sanitising HTML."""

from __future__ import annotations

from ambidex.checks import validate
from ambidex.render import Links, Renderer, to_html
from tests.conftest import MakeKb

LINKS = Links(concept=lambda i: f"/c/{i}/", reference=lambda k: f"#ref-{k}")


def _renderer(make_kb: MakeKb) -> Renderer:
    kb, problems = validate(make_kb())
    assert problems == []
    return Renderer(kb)


def test_parenthetical_group_with_locator_and_prefix(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    text = r.markdown("A claim [see @gabler2017dark, p. 383; @mullins2020ambidextrous].", LINKS)
    assert text == (
        "A claim (see [Gabler et al., 2017](#ref-gabler2017dark), p. 383; "
        "[Mullins et al., 2020](#ref-mullins2020ambidextrous))."
    )


def test_narrative_citation(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    assert r.plain("As @gabler2017dark found.") == "As Gabler et al. (2017) found."


def test_concept_links_take_the_target_title(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    md = r.markdown("See [[role-ambiguity]] and [[role-ambiguity|this risk]].", LINKS)
    assert md == "See [Role ambiguity](/c/role-ambiguity/) and [this risk](/c/role-ambiguity/)."


def test_cited_keys_in_reference_list_order(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    assert r.cited_keys(r.kb.concepts["role-ambiguity"]) == ["gabler2017dark"]


def test_html_is_sanitised() -> None:
    html = to_html('Hi <script>alert(1)</script><a href="javascript:x" onclick="y">z</a> **b**')
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert "<strong>b</strong>" in html


def test_html_conversions_do_not_leak_into_each_other() -> None:
    first = to_html("A claim.[^1]\n\n[^1]: Its note.\n\n*[HTML]: Hyper Text")
    assert "Its note." in first and "footnote" in first
    second = to_html("Plain HTML text.")
    assert second == "<p>Plain HTML text.</p>"


def test_badges_follow_known_citations_only(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    badged = Links(LINKS.concept, LINKS.reference, badge=lambda key: f"<b>{key}</b>")
    text = r.markdown("A [@gabler2017dark, p. 3; @nobody2000]. As @mullins2020ambidextrous said.", badged)
    assert text == (
        "A ([Gabler et al., 2017](#ref-gabler2017dark), p. 3 <b>gabler2017dark</b>; nobody2000?). "
        "As [Mullins et al.](#ref-mullins2020ambidextrous) (2020) <b>mullins2020ambidextrous</b> said."
    )
    assert r.markdown("A [@gabler2017dark].", Links(LINKS.concept, LINKS.reference, badge=lambda _: "")) == (
        "A ([Gabler et al., 2017](#ref-gabler2017dark))."
    )
