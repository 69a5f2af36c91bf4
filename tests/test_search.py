"""Search: weighting, stemming, typos, prefixes, aliases, facets, suggestions, guards, atomic swaps."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ambidex.checks import validate
from ambidex.render import Renderer
from ambidex.search import (
    MAX_QUERY_CHARS,
    SearchIndex,
    _Names,
    build_index,
    current_build_id,
    normalise_query,
)
from tests.conftest import PROSE, MakeKb, concept

TRAIT = "kb/traits/polychronicity.md"
POLY = concept(
    "polychronicity",
    type="trait",
    title="Polychronicity",
    summary="A preference for switching between tasks [@mullins2020ambidextrous].",
    extra="aliases: [multitasking preference]\ntags: [hiring]\n"
    "relations:\n  associated-with: [service-sales-ambidexterity]\n",
    body="Salespeople who juggle tasks serve and sell more easily.\n\n" + PROSE,
)


@pytest.fixture
def index(make_kb: MakeKb, tmp_path: Path) -> SearchIndex:
    kb, problems = validate(make_kb({TRAIT: POLY}))
    assert problems == []
    build_index(kb, Renderer(kb), tmp_path / "index")
    return SearchIndex.open(tmp_path / "index")


def ids(result: object) -> list[str]:
    return [h.id for h in result.hits]  # type: ignore[attr-defined]


def test_title_outranks_body(index: SearchIndex) -> None:
    assert ids(index.search("polychronicity"))[0] == "polychronicity"


def test_stemming(index: SearchIndex) -> None:
    assert "polychronicity" in ids(index.search("juggling"))


@pytest.mark.parametrize("q", ["polycronicity", "polychronisity", "multitaskin preference"])
def test_typos_are_tolerated(index: SearchIndex, q: str) -> None:
    result = index.search(q)
    assert ids(result)[0] == "polychronicity" and result.fuzzy


def test_prefix_for_search_as_you_type(index: SearchIndex) -> None:
    assert ids(index.search("polychr"))[0] == "polychronicity"


def test_alias_acts_as_synonym(index: SearchIndex) -> None:
    assert ids(index.search("multitasking preference"))[0] == "polychronicity"
    assert ids(index.search("role conflict"))[0] == "role-ambiguity"


def test_highlights_and_facets(index: SearchIndex) -> None:
    result = index.search("serve")
    assert any("<mark" in h.snippet for h in result.hits)
    assert result.facets["type"].get("trait") == 1
    assert sum(result.facets["type"].values()) == result.total


def test_filters(index: SearchIndex) -> None:
    assert ids(index.search("sales force", kind="reference")) == ["mullins2020ambidextrous"]
    assert ids(index.search("ambidexterity", types=("risk",))) == ["role-ambiguity"]
    assert ids(index.search("polychronicity", tag="hiring")) == ["polychronicity"]
    assert index.search("ambidexterity", tag="nothing").total == 0


def test_suggestion_when_nothing_matches(index: SearchIndex) -> None:
    result = index.search("polychronicty zqxv")
    assert result.total == 0 or ids(result)[0] == "polychronicity"
    empty = index.search("xqzzv")
    assert empty.total == 0 and empty.suggestion is None
    assert (
        index.search("ambiguitx roel").suggestion in (None, "ambiguity role")
        or index.search("ambiguitx roel").total
    )


def test_query_guard() -> None:
    assert normalise_query("a\x00b*c:(d)~2^3") == "a b c d 2 3"
    assert len(normalise_query("x " * 10_000)) <= MAX_QUERY_CHARS


def test_rebuild_is_atomic_while_searching(make_kb: MakeKb, tmp_path: Path) -> None:
    root = make_kb({TRAIT: POLY})
    kb, _ = validate(root)
    directory = tmp_path / "index"
    build_index(kb, Renderer(kb), directory)
    failures: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                index = SearchIndex.open(directory)
                assert ids(index.search("polychronicity"))[0] == "polychronicity"
                index.close()
            except BaseException as exc:  # collected and asserted below
                failures.append(exc)
                return

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for t in threads:
        t.start()
    changed, _ = validate(make_kb({TRAIT: POLY.replace("juggle", "switch between")}))
    for _ in range(5):
        build_index(changed, Renderer(changed), directory)
    stop.set()
    for t in threads:
        t.join()
    assert failures == []
    assert current_build_id(directory) == changed.build_id != kb.build_id


def test_a_plural_query_matches_a_singular_alias_exactly(make_kb: MakeKb, tmp_path: Path) -> None:
    # The body of "prospecting-quotas" says "hunters" often; the alias "hunter" names "hunting".
    files = {
        "kb/orientations/hunting.md": concept(
            "hunting",
            type="orientation",
            extra="aliases: [hunter]\nrelations:\n  opposes: [prospecting-quotas]\n",
        ),
        "kb/practices/prospecting-quotas.md": concept(
            "prospecting-quotas", type="practice", title="Quotas", body="Hunters, hunters and hunters.\n"
        ),
    }
    kb, problems = validate(make_kb(files))
    assert not [p for p in problems if p.is_error]
    build_index(kb, Renderer(kb), tmp_path / "index")
    index = SearchIndex.open(tmp_path / "index")
    assert ids(index.search("hunters", prefix=False))[:2] == ["hunting", "prospecting-quotas"]


def test_pages_are_stable_and_facets_count_every_match(make_kb: MakeKb, tmp_path: Path) -> None:
    files = {
        f"kb/practices/practice-{i:02d}.md": concept(
            f"practice-{i:02d}",
            type="practice",
            extra=f"tags: [{'even' if i % 2 == 0 else 'odd'}]\nrelations:\n  mitigates: [role-ambiguity]\n",
            body="Coaching helps.\n" * (1 + i % 3),
        )
        for i in range(25)
    }
    kb, _ = validate(make_kb(files))
    build_index(kb, Renderer(kb), tmp_path / "index")
    index = SearchIndex.open(tmp_path / "index")
    pages = [index.search("coaching", page=p, per_page=10) for p in (1, 2, 3)]
    seen = [i for page in pages for i in ids(page)]
    assert len(seen) == len(set(seen)) == 25 == pages[0].total
    scores = [h.score for page in pages for h in page.hits]
    assert scores == sorted(scores, reverse=True)
    assert pages[0].facets == {"type": {"practice": 25}, "tags": {"even": 13, "odd": 12}}
    odd = index.search("coaching", tag="odd", per_page=50)
    assert odd.total == 12 and odd.facets["tags"] == {"odd": 12}
    assert all(h.id.endswith(("1", "3", "5", "7", "9")) for h in odd.hits)


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("polychronicty", "polychronicity"),  # a letter left out
        ("polychronnicity", "polychronicity"),  # a letter doubled
        ("polyhcronicity", "polychronicity"),  # two letters swapped
        ("polychronisity", "polychronicity"),  # a letter replaced
        ("polchronicty", "polychronicity"),  # two letters left out of a long word
    ],
)
def test_names_within_an_edit_or_two(typed: str, found: str) -> None:
    names = _Names({"polychronicity": 3, "polarity": 1, "chronic": 1})
    assert names.within(typed, 2)[:1] == [found]
    assert names.correct(typed) == found


def test_names_need_the_first_letter_and_stay_within_the_distance() -> None:
    names = _Names({"ambidexterity": 2, "ambiguity": 5, "ambition": 1})
    assert names.within("mbidexterity", 2) == []
    assert names.within("ambiguitx", 1) == ["ambiguity"]
    assert names.within("zzzzzz", 2) == [] and names.correct("zzzzzz") == "zzzzzz"
    assert names.starting("amb") == ["ambidexterity", "ambiguity", "ambition"]
    assert names.starting("amb", limit=1) == ["ambiguity"]


def test_an_index_in_an_older_format_counts_as_missing(make_kb: MakeKb, tmp_path: Path) -> None:
    kb, _ = validate(make_kb({TRAIT: POLY}))
    directory = tmp_path / "index"
    target = build_index(kb, Renderer(kb), directory)
    assert current_build_id(directory) == kb.build_id
    (target / "FORMAT").write_text("1", encoding="utf-8")
    assert current_build_id(directory) is None


def test_an_empty_knowledge_base_has_an_index_that_finds_nothing(tmp_path: Path) -> None:
    from ambidex.model import KnowledgeBase

    kb = KnowledgeBase.build([], [], "empty")
    build_index(kb, Renderer(kb), tmp_path / "index")
    result = SearchIndex.open(tmp_path / "index").search("anything")
    assert result.total == 0 and result.hits == () and result.suggestion is None
