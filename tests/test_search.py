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
from tests.conftest import IN_SHORT, PROSE, MakeKb, concept

TRAIT = "kb/traits/polychronicity.md"
POLY = concept(
    "polychronicity",
    type="trait",
    title="Polychronicity",
    summary="A preference for switching between tasks [@mullins2020ambidextrous].",
    extra="aliases: [multitasking preference]\ntags: [hiring]\n"
    "relations:\n  associated-with: [service-sales-ambidexterity]\n" + IN_SHORT,
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


def test_a_typo_beside_a_word_nothing_matches_still_finds(index: SearchIndex) -> None:
    result = index.search("polychronicty zqxv")
    assert ids(result)[0] == "polychronicity" and result.fuzzy


def test_suggestion_when_nothing_matches(index: SearchIndex) -> None:
    empty = index.search("xqzzv")
    assert empty.total == 0 and empty.suggestion is None
    # Every word is more than two edits from any indexed word, but each is close to a name word
    # (a title or alias word) when corrected letter by letter: the suggestion names them.
    missing = index.search("polychronnicityy ambiguityyy", kind="reference")
    assert missing.total == 0
    assert missing.suggestion == "polychronicity ambiguity"


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


RANKING = {
    "kb/dilemmas/existing-vs-new-customers.md": concept(
        "existing-vs-new-customers",
        type="dilemma",
        title="Existing vs. new customers",
        summary="Growing the accounts a firm has or winning new ones [@gabler2017dark].",
    ),
    "kb/orientations/versus-word.md": concept(
        "versus-word",
        type="orientation",
        title="Versus word",
        summary="The only entry that says versus [@gabler2017dark].",
    ),
    "kb/ambidexterity/sales-ambidexterity.md": concept(
        "sales-ambidexterity",
        type="ambidexterity",
        title="Sales ambidexterity",
        summary="Doing two opposed things well in selling [@gabler2017dark].",
    ),
    "kb/traits/polychronicity.md": POLY,
    "kb/risks/employee-burnout.md": concept(
        "employee-burnout",
        title="Employee burnout",
        summary="Salespeople worn out by serving and selling with sales ambidexterity [@gabler2017dark].",
    ),
    "kb/vocabulary.yml": (
        "synonyms:\n  - [salesperson, salespeople, rep, sales rep]\n  - [new customer, new logo]\n"
    ),
}


@pytest.fixture
def ranking(make_kb: MakeKb, tmp_path: Path) -> SearchIndex:
    kb, problems = validate(make_kb(RANKING))
    assert [p for p in problems if p.is_error] == []
    build_index(kb, Renderer(kb), tmp_path / "ranking")
    return SearchIndex.open(tmp_path / "ranking")


def test_a_filler_word_neither_empties_nor_hijacks_the_result(ranking: SearchIndex) -> None:
    found = ids(ranking.search("existing versus new customers"))
    assert found[0] == "existing-vs-new-customers"
    assert "versus-word" not in found


def test_a_word_nothing_matches_is_left_out(ranking: SearchIndex) -> None:
    assert ids(ranking.search("existing customers zyxwvut"))[0] == "existing-vs-new-customers"


@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("what is sales ambidexterity", "sales-ambidexterity"),
        ("sales ambidexterity in sales", "sales-ambidexterity"),
        ("explain polychronicity to me", "polychronicity"),
    ],
)
def test_a_concept_named_inside_a_question_comes_first(ranking: SearchIndex, q: str, first: str) -> None:
    assert ids(ranking.search(q))[0] == first


def test_more_meaningful_words_matched_rank_higher(ranking: SearchIndex) -> None:
    # "salespeople serving" is matched in full only by the burnout entry; the others match one word.
    found = ids(ranking.search("salespeople serving selling worn"))
    assert found[0] == "employee-burnout"


def test_the_vocabulary_maps_a_readers_words(ranking: SearchIndex) -> None:
    assert ids(ranking.search("reps who juggle"))[0] == "polychronicity"
    assert ids(ranking.search("existing or new logos"))[0] == "existing-vs-new-customers"


def test_matches_say_which_words_matched(ranking: SearchIndex) -> None:
    (best, *_) = ranking.matches("a rep who juggles tasks")
    assert best.id == "polychronicity"
    assert set(best.words) == {"rep", "juggles", "tasks"}


def test_old_index_directories_are_removed_but_the_newest_spared(make_kb: MakeKb, tmp_path: Path) -> None:
    import os

    from ambidex.search import _remove_stale

    directory = tmp_path / "indexes"
    for i in range(6):
        path = directory / f"index-{i}"
        path.mkdir(parents=True)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    _remove_stale(directory, keep={"index-0"}, spare=2, min_age=60)
    assert sorted(p.name for p in directory.iterdir()) == ["index-0", "index-4", "index-5"]


def test_facets_of_a_result_are_read_only(index: SearchIndex) -> None:
    result = index.search("ambidexterity")
    with pytest.raises(TypeError):
        result.facets["type"]["risk"] = 99  # type: ignore[index]
    assert index.search("ambidexterity").facets["type"] == result.facets["type"]


def test_compiled_scores_rank_as_whooshs_own_bm25f(tmp_path: Path) -> None:
    """The posting arrays the server reads are compiled from the Whoosh index that `build_index`
    writes (kept as the reference implementation): for every term of each compiled field, the
    compiled BM25 scores of the documents are Whoosh's BM25F scores up to the factor of the idf
    formula (and Whoosh's mean of its byte-encoded field lengths, within one percent), so the
    two rank the documents alike."""
    from whoosh import index as whoosh_index
    from whoosh import scoring
    from whoosh.query import Term

    from bench.generate import generate

    generate(tmp_path / "kb", 60, 3)
    kb, _ = validate(tmp_path / "kb")
    build_index(kb, Renderer(kb), tmp_path / "index")
    ours = SearchIndex.open(tmp_path / "index")
    ix = whoosh_index.open_dir(str(ours.path))
    compiled = {
        "text": (ours._bounds, ours._docs, ours._scores),
        # Heading postings are read through where they are among the text postings.
        "heading": (ours._heading_bounds, ours._docs[ours._heading_at], ours._heading_scores),
    }
    checked = 0
    with ix.searcher(weighting=scoring.BM25F(B=0.75, K1=1.2)) as searcher:
        for field, (bounds, docs, scores) in compiled.items():
            terms = [t.decode() if isinstance(t, bytes) else t for t in searcher.lexicon(field)]
            assert set(terms) == set(bounds), field
            for term in terms[:: max(1, len(terms) // 100)]:
                theirs = {hit.docnum: hit.score for hit in searcher.search(Term(field, term), limit=None)}
                start, end = bounds[term]
                mine = dict(zip(docs[start:end].tolist(), scores[start:end].tolist(), strict=True))
                assert set(mine) == set(theirs), (field, term)
                ratios = [mine[d] / s for d, s in theirs.items()]
                assert max(ratios) == pytest.approx(min(ratios), rel=1e-2), (field, term)
                checked += 1
    ix.close()
    assert checked > 100
