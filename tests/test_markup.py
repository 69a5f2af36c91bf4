"""Citation and concept-link syntax."""

from __future__ import annotations

import pytest

from ambidex.markup import CiteSpan, LinkSpan, citations_in, links_in, scan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[@gabler2017dark]", [("gabler2017dark", "", "", "")]),
        ("[@gabler2017dark, p. 383]", [("gabler2017dark", "", "p. 383", "")]),
        ("[@a, pp. 3-4]", [("a", "", "pp. 3–4", "")]),
        ("[@a, 33]", [("a", "", "p. 33", "")]),
        (
            "[see @a; @b, chap. 2, emphasis added]",
            [("a", "see", "", ""), ("b", "", "chap. 2", "emphasis added")],
        ),
        ("[@a, in passing]", [("a", "", "", "in passing")]),
    ],
    ids=["plain", "page", "page-range", "bare-number", "group-prefix-suffix", "suffix-only"],
)
def test_bracketed_citations(text: str, expected: list[tuple[str, str, str, str]]) -> None:
    (span,) = scan(text)
    assert isinstance(span, CiteSpan) and span.bracketed
    assert [(c.key, c.prefix, c.locator, c.suffix) for c in span.citations] == expected


def test_narrative_citation_and_position() -> None:
    spans = scan("As\n@gabler2017dark argues.")
    (citation,) = citations_in(spans)
    assert citation.narrative and citation.key == "gabler2017dark"
    assert (citation.line, citation.col) == (2, 1)


@pytest.mark.parametrize(
    "text",
    [
        "write to ann@example.org",
        "`[@code]` and `@code`",
        "```\n[@fenced]\n```",
        "[a link](http://x/@y)",
        "[no key here]",
        "price [@ 5]",
    ],
    ids=["email", "inline-code", "fenced-code", "url", "plain-brackets", "lone-at"],
)
def test_not_citations(text: str) -> None:
    assert citations_in(scan(text)) == ()


def test_links_with_and_without_label() -> None:
    spans = scan("See [[role-ambiguity]] and [[service-orientation|the service pole]].")
    assert [(k.target, k.label) for k in links_in(spans)] == [
        ("role-ambiguity", ""),
        ("service-orientation", "the service pole"),
    ]
    assert all(isinstance(s, LinkSpan) for s in spans)


def test_spans_in_order_with_offsets() -> None:
    text = "A [[x]] then [@k] then @m."
    spans = scan(text)
    assert [text[s.start : s.end] for s in spans] == ["[[x]]", "[@k]", "@m"]


def test_position_maps_into_the_file() -> None:
    (citation,) = citations_in(scan("x [@k]", lambda line, col: (line + 10, col + 4)))
    assert (citation.line, citation.col) == (11, 8)
