"""Rendering citations and links of a concept's text, and sanitising HTML."""

from __future__ import annotations

import pytest

from ambidex.checks import validate
from ambidex.render import Links, Renderer, title_in_text, to_html
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
    assert md == "See [role ambiguity](/c/role-ambiguity/) and [this risk](/c/role-ambiguity/)."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[role-ambiguity]] comes first.", "Role ambiguity comes first."),
        ("It starts. [[role-ambiguity]] follows.", "It starts. Role ambiguity follows."),
        ("Ask why? ([[role-ambiguity]])", "Ask why? (Role ambiguity)"),
        ("- [[role-ambiguity]] in a list", "- Role ambiguity in a list"),
        ("Intro\n\n[[role-ambiguity]] again", "Intro\n\nRole ambiguity again"),
        ("the path to [[role-ambiguity]]", "the path to role ambiguity"),
        ("a risk: [[role-ambiguity]]", "a risk: role ambiguity"),
        ("see e.g. [[service-sales-ambidexterity]]", "see e.g. service sales ambidexterity"),
    ],
)
def test_concept_titles_are_lower_case_mid_sentence(make_kb: MakeKb, text: str, expected: str) -> None:
    assert _renderer(make_kb).plain(text) == expected


@pytest.mark.parametrize(
    ("title", "before", "expected"),
    [
        ("Employee burnout", "the path to ", "employee burnout"),
        ("SPOC preference", "the ", "SPOC preference"),
        ("Harvard Business Review", "in ", "Harvard Business Review"),
        ("eBay", "on ", "eBay"),
        ("Employee burnout", "", "Employee burnout"),
    ],
)
def test_title_in_text_keeps_proper_names(title: str, before: str, expected: str) -> None:
    assert title_in_text(title, before) == expected


def test_several_works_in_one_bracket_follow_the_reference_list(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    text = r.plain("A claim [see @mullins2020ambidextrous; @gabler2017dark, p. 3].")
    assert text == "A claim (see Gabler et al., 2017, p. 3; Mullins et al., 2020)."


def test_a_citation_after_a_parenthesis_joins_it(make_kb: MakeKb) -> None:
    r = _renderer(make_kb)
    assert (
        r.plain("Both ([[role-ambiguity]]) [@gabler2017dark].")
        == "Both (role ambiguity; Gabler et al., 2017)."
    )
    linked = r.markdown("Both (a risk) [@gabler2017dark].", LINKS)
    assert linked == "Both (a risk; [Gabler et al., 2017](#ref-gabler2017dark))."
    # A Markdown link's closing parenthesis is not the end of a parenthesis.
    kept = r.markdown("[x](https://a.example) [@gabler2017dark]", LINKS)
    assert kept == "[x](https://a.example) ([Gabler et al., 2017](#ref-gabler2017dark))"
    assert r.plain("1) [@gabler2017dark]") == "1) (Gabler et al., 2017)"


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
