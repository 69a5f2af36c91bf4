"""The guide: tensions with their poles, risks and what helps, from a concept or a situation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ambidex.checks import validate
from ambidex.guide import Graph, Seed, guide, seeds_from
from api.app import create_app
from api.settings import Settings
from tests import sample
from tests.conftest import BIB, REPO, MakeKb, concept

CITE = "S [@gabler2017dark]."
EXPERIMENT = """
@article{becker2020proactive,
  author  = {Becker, Jan U. and Spann, Martin and Barrot, Christian},
  title   = {Impact of Proactive Postsales Service and Cross-Selling Activities on Customer Churn},
  journal = {Journal of Service Research},
  year    = {2020},
  doi     = {10.1177/1094670519883347},
  design  = {field-experiment}
}
"""
FILES = {
    "references.bib": BIB + EXPERIMENT,
    "kb/ambidexterity/service-sales-ambidexterity.md": concept(
        "service-sales-ambidexterity",
        type="ambidexterity",
        title="Service-sales ambidexterity",
        summary="Serving and selling in one role [@mullins2020ambidextrous].",
        extra='relations:\n  leads-to:\n    - {target: customer-value, cite: "[@becker2020proactive]"}\n',
    ),
    "kb/dilemmas/service-vs-sales.md": concept(
        "service-vs-sales",
        type="dilemma",
        title="Service vs. sales",
        summary=CITE,
        extra="relations:\n  related: [service-sales-ambidexterity]\n",
    ),
    "kb/orientations/service-orientation.md": concept(
        "service-orientation",
        type="orientation",
        summary=CITE,
        extra="relations:\n  pole-of: [service-vs-sales]\n  opposes: [sales-orientation]\n",
    ),
    "kb/orientations/sales-orientation.md": concept(
        "sales-orientation",
        type="orientation",
        summary="Cross-selling focus [@gabler2017dark].",
        extra="relations:\n  pole-of: [service-vs-sales]\n",
    ),
    "kb/risks/customer-churn.md": concept(
        "customer-churn",
        type="risk",
        summary="Customers leave after pushy cross-selling [@gabler2017dark].",
        extra="relations:\n  risk-of: [sales-orientation]\n"
        "evidence:\n  - Churn rose [@gabler2017dark, p. 390].\n",
    ),
    "kb/risks/role-ambiguity.md": concept(
        "role-ambiguity", summary=CITE, extra="relations:\n  risk-of: [service-sales-ambidexterity]\n"
    ),
    "kb/traits/polychronicity.md": concept(
        "polychronicity",
        type="trait",
        summary=CITE,
        extra="relations:\n  drives:\n"
        '    - {target: service-sales-ambidexterity, cite: "[@becker2020proactive, p. 60]"}\n',
    ),
    "kb/practices/clear-priorities.md": concept(
        "clear-priorities", type="practice", summary=CITE, extra="relations:\n  mitigates: [role-ambiguity]\n"
    ),
    "kb/drivers/manager-feedback.md": concept(
        "manager-feedback",
        type="driver",
        summary=CITE,
        extra="relations:\n  moderates: [service-sales-ambidexterity]\n",
    ),
    "kb/outcomes/customer-value.md": concept("customer-value", type="outcome", summary=CITE),
    "kb/cases/laptop-support-call.md": concept(
        "laptop-support-call",
        type="case",
        title="Laptop support call",
        summary="A support call about a crashing laptop, with a joystick to cross-sell [@gabler2017dark].",
        extra="relations:\n  example-of: [service-vs-sales]\n",
    ),
}


def ids(items: object) -> list[str]:
    return [i.concept.id for i in items]  # type: ignore[attr-defined]


def test_guide_from_a_case_walks_to_the_tension(make_kb: MakeKb) -> None:
    kb, problems = validate(make_kb(FILES, base=False))
    assert [p for p in problems if p.is_error] == [], "advice fields may be missing here; nothing else"
    g = guide(kb, concept_id="laptop-support-call")
    tension = g.tensions[0]
    assert tension.concept.id == "service-vs-sales"
    assert set(ids(tension.poles)) == {"service-orientation", "sales-orientation"}
    assert ids(tension.related) == ["service-sales-ambidexterity"]
    # Why it is there: the case asked for, then one typed edge to the dilemma.
    assert tension.item.seed == "laptop-support-call"
    assert [(s.source, s.relation.value, s.target) for s in tension.item.path] == [
        ("laptop-support-call", "example-of", "service-vs-sales")
    ]
    assert set(ids(g.risks)) == {"customer-churn", "role-ambiguity"}
    churn = next(r for r in g.risks if r.concept.id == "customer-churn")
    assert [(s.relation.value, s.target) for s in churn.path][-1] == ("risk-of", "sales-orientation")
    assert ids(g.traits) == ["polychronicity"]
    assert ids(g.drivers) == ["manager-feedback"]
    assert ids(g.practices) == ["clear-priorities"]
    assert ids(g.outcomes) == ["customer-value"]
    assert ("customer-churn", "p. 390") in [(c.id, e.citations[0].locator) for c, e in g.evidence]


def test_a_prepared_knowledge_base_gives_the_same_guide(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb(RIVALRY, base=False))
    matches = [Seed("competition", 4.0, ("rivals",)), Seed("sales-orientation", 2.0, ("cross-selling",))]
    lazily = guide(kb, concept_id="laptop-support-call", matches=matches)
    # What is worked out once per build gives the same guide as what is worked out on the spot.
    again, _ = validate(make_kb(RIVALRY, base=False))
    graph = Graph(again)
    first = guide(again, concept_id="laptop-support-call", matches=matches, graph=graph)
    assert repr(first) == repr(lazily)
    assert repr(guide(again, concept_id="laptop-support-call", matches=matches, graph=graph)) == repr(first)


def test_the_lean_of_a_situation_puts_its_risks_first(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb(FILES, base=False))
    g = guide(kb, matches=[Seed("sales-orientation", 5.0, ("cross-selling",)), Seed("service-vs-sales", 2.0)])
    (tension, *_) = g.tensions
    assert tension.lean == "sales-orientation"
    assert ids(g.risks)[0] == "customer-churn"
    pole = next(p for p in tension.poles if p.concept.id == "sales-orientation")
    assert pole.words == ("cross-selling",)


def test_no_lean_when_the_words_point_to_both_poles(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb(FILES, base=False))
    g = guide(kb, matches=[Seed("sales-orientation", 5.0), Seed("service-orientation", 4.5)])
    assert g.tensions[0].lean is None


def test_tensions_no_match_reaches_are_left_out(make_kb: MakeKb) -> None:
    files = {
        **FILES,
        "kb/dilemmas/growth-vs-profitability.md": concept(
            "growth-vs-profitability", type="dilemma", title="Growth vs. profitability", summary=CITE
        ),
        "kb/orientations/profitability.md": concept(
            "profitability",
            type="orientation",
            summary=CITE,
            extra="relations:\n  pole-of: [growth-vs-profitability]\n",
        ),
    }
    kb, _ = validate(make_kb(files, base=False))
    g = guide(kb, matches=[Seed("profitability", 3.0, ("profits",))])
    assert [t.concept.id for t in g.tensions] == ["growth-vs-profitability"]
    assert g.risks == () and g.practices == ()


def test_a_matched_pole_puts_its_own_dilemma_before_the_tensions_it_is_related_to(make_kb: MakeKb) -> None:
    files = {
        **FILES,
        "kb/dilemmas/competition-vs-collaboration.md": concept(
            "competition-vs-collaboration",
            type="dilemma",
            title="Competition vs. collaboration",
            summary=CITE,
        ),
        "kb/dilemmas/autonomy-vs-control.md": concept(
            "autonomy-vs-control", type="dilemma", title="Autonomy vs. control", summary=CITE
        ),
        "kb/orientations/competition.md": concept(
            "competition",
            type="orientation",
            summary=CITE,
            extra="relations:\n  pole-of: [competition-vs-collaboration]\n"
            "  related: [autonomy-vs-control, service-vs-sales]\n",
        ),
    }
    kb, problems = validate(make_kb(files, base=False))
    assert [p for p in problems if p.is_error] == [], "advice fields may be missing here; nothing else"
    g = guide(kb, matches=[Seed("competition", 4.0, ("rivalry",))])
    assert ids(g.tensions)[0] == "competition-vs-collaboration"
    first = g.tensions[0].item
    assert [(s.source, s.relation.value) for s in first.path] == [("competition", "pole-of")]
    # The dilemma gets the pole's weight, halved for the step; related tensions share theirs.
    assert all(t.item.weight < first.weight for t in g.tensions[1:])


RIVALRY = {
    **FILES,
    "kb/vocabulary.yml": "synonyms:\n  - [competitor, rival]\n",
    "kb/dilemmas/competition-vs-collaboration.md": concept(
        "competition-vs-collaboration", type="dilemma", title="Competition vs. collaboration", summary=CITE
    ),
    "kb/orientations/competition.md": concept(
        "competition",
        type="orientation",
        summary=CITE,
        extra="aliases: [rivalry]\nrelations:\n  pole-of: [competition-vs-collaboration]\n",
    ),
}


def test_a_situation_that_names_a_pole_brings_in_its_dilemma(make_kb: MakeKb) -> None:
    kb, problems = validate(make_kb(RIVALRY, base=False))
    assert [p for p in problems if p.is_error] == [], "advice fields may be missing here; nothing else"
    strong = Seed("service-vs-sales", 3.0, ("contract",))
    # The search matched the word only in a weak hit, far below the seeds.
    assert "competition-vs-collaboration" not in ids(guide(kb, matches=[strong]).tensions)
    for word in ("rivals", "rivalry", "competitors"):  # another form of a pole's alias; a synonym
        g = guide(kb, matches=[strong, Seed("laptop-support-call", 0.2, (word,))])
        named = next(t.item for t in g.tensions if t.concept.id == "competition-vs-collaboration")
        # Why: the words that named it, directly.
        assert (named.words, named.seed, named.path) == ((word,), "competition-vs-collaboration", ())


def test_a_word_in_the_names_of_many_tensions_names_none_of_them(make_kb: MakeKb) -> None:
    files = dict(RIVALRY)
    for name in ("Sales reach vs. sales depth", "Sales speed vs. sales care", "Field sales vs. inside sales"):
        slug = name.lower().replace(".", "").replace(" ", "-")
        files[f"kb/dilemmas/{slug}.md"] = concept(slug, type="dilemma", title=name, summary=CITE)
    kb, problems = validate(make_kb(files, base=False))
    advice = {"tension-without-poles", "risk-without-signs", "missing-in-short", "pole-without-advice"}
    assert {p.code for p in problems} <= {"isolated-concept", *advice}
    # Matches of concepts the graph does not hold: only the words name tensions, if any.
    assert guide(kb, matches=[Seed("elsewhere", 1.0, ("sales",))]).tensions == ()
    g = guide(kb, matches=[Seed("elsewhere", 1.0, ("sales", "speed"))])
    assert ids(g.tensions) == ["sales-speed-vs-sales-care"]


@pytest.mark.parametrize(
    ("situation", "tension", "word"),
    [
        ("should we keep the old sales process stable or transform it", "stability-vs-change", "transform"),
        (
            "I worry about the profitability of the deals we take on",
            "growth-vs-profitability",
            "profitability",
        ),
        ("we need more teamwork between the reps", "competition-vs-collaboration", "teamwork"),
    ],
)
def test_a_situation_naming_a_pole_on_the_repository_puts_its_dilemma_first(
    repo_copy: Path, situation: str, tension: str, word: str
) -> None:
    with TestClient(create_app(Settings(root=repo_copy))) as client:
        body = client.get("/api/v1/guide", params={"situation": situation, "detail": "full"}).json()
    first = body["tensions"][0]["tension"]
    assert first["id"] == tension
    assert word in first["why"]["matched"]


def test_guide_for_an_unrelated_concept_is_empty(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb(FILES, base=False))
    g = guide(kb, concept_id="nothing-like-this")
    assert g.tensions == () and g.matched == ()


def test_guide_endpoint_for_a_situation(make_kb: MakeKb) -> None:
    root = make_kb(FILES, base=False)
    with TestClient(create_app(Settings(root=root))) as client:
        r = client.get(
            "/api/v1/guide",
            params={
                "situation": "a customer's laptop keeps crashing and a new joystick could be cross-sold",
                "detail": "full",
            },
        )
        assert r.status_code == 200, r.text
        body = r.json()
        first = body["tensions"][0]
        assert first["tension"]["id"] == "service-vs-sales"
        assert {p["id"] for p in first["poles"]} == {"service-orientation", "sales-orientation"}
        # Every item says why it is there: its own matched words, or a path from one that matched.
        for item in [first["tension"], *first["poles"], *body["risks"], *body["practices"]]:
            why = item["why"]
            assert why["matched"] or why["path"], item["id"]
            if why["path"]:
                assert why["path"][0]["source"] == why["via"] or why["path"][0]["target"] == why["via"]
                assert item["id"] in (why["path"][-1]["source"], why["path"][-1]["target"])
        case = next(m for m in body["matched"] if m["id"] == "laptop-support-call")
        assert {"laptop", "joystick"} <= set(case["why"]["matched"])
        churn = next(r for r in body["risks"] if r["id"] == "customer-churn")
        assert churn["why"]["path"][-1]["relation"] == "risk-of"
        assert churn["citations"][0]["in_text"] == "(Gabler et al., 2017)"
        assert churn["citations"][0]["apa"].startswith("Gabler, C. B.")
        churn_evidence = next(e for e in body["evidence"] if e["concept"]["id"] == "customer-churn")
        assert churn_evidence["citations"][0]["in_text"] == "(Gabler et al., 2017, p. 390)"
        missing = client.get("/api/v1/guide", params={"concept": "laptop-suport-call", "detail": "full"})
        assert missing.status_code == 404 and missing.json()["suggestions"] == ["laptop-support-call"]


def test_guide_on_the_sample_project(tmp_path: Path) -> None:
    kb, _ = validate(sample.write(tmp_path / "project", REPO / "docs"))
    g = guide(kb, concept_id="role-ambiguity")
    assert g.tensions
    assert all(i.concept.summary_citations for i in g.risks + g.traits + g.practices)


def test_a_situation_starts_from_the_hits_close_to_the_best() -> None:
    seeds = seeds_from([Seed("b", 3.0), Seed("a", 9.0, ("x",)), Seed("c", 2.9)])
    assert [(s.id, round(s.score, 2), s.words) for s in seeds] == [("a", 1.0, ("x",)), ("b", 0.33, ())]
    assert seeds_from([]) == []


def test_the_laptop_situation_on_the_repository_is_about_serving_or_selling(repo_copy: Path) -> None:
    with TestClient(create_app(Settings(root=repo_copy))) as client:
        situation = "a customer calls about a laptop that keeps crashing, and a new joystick just arrived"
        body = client.get("/api/v1/guide", params={"situation": situation, "detail": "full"}).json()
    tensions = [t["tension"]["id"] for t in body["tensions"]]
    assert {"service-vs-sales", "service-sales-ambidexterity"} & set(tensions[:2])
    assert body["risks"] and body["practices"] and all(p["citations"] for p in body["practices"])


def test_the_laptop_situation_is_about_serving_or_selling(tmp_path: Path) -> None:
    root = sample.write(tmp_path / "project", REPO / "docs")
    with TestClient(create_app(Settings(root=root))) as client:
        situation = "a customer calls about a laptop that keeps crashing, and a new joystick just arrived"
        body = client.get("/api/v1/guide", params={"situation": situation, "detail": "full"}).json()
    tensions = [t["tension"]["id"] for t in body["tensions"]]
    assert tensions[0] == "service-vs-sales"
    assert set(tensions) <= {"service-vs-sales", "service-sales-ambidexterity"}
    assert {"customer-churn", "role-ambiguity"} <= {r["id"] for r in body["risks"]}
    assert body["practices"] and all(p["citations"] for p in body["practices"])


def test_an_associated_trait_is_in_the_guide(make_kb: MakeKb) -> None:
    files = {
        **FILES,
        "kb/traits/curiosity.md": concept(
            "curiosity",
            type="trait",
            summary=CITE,
            extra="relations:\n  associated-with:\n"
            '    - {target: service-sales-ambidexterity, cite: "[@mullins2020ambidextrous]"}\n',
        ),
    }
    kb, problems = validate(make_kb(files, base=False))
    assert [p for p in problems if p.is_error] == [], "advice fields may be missing here; nothing else"
    g = guide(kb, concept_id="laptop-support-call")
    assert sorted(ids(g.traits)) == ["curiosity", "polychronicity"]


def test_evidence_comes_strongest_design_first(make_kb: MakeKb) -> None:
    bib = BIB.replace("  design  = {survey}", "  design  = {field-experiment}", 1)
    assert bib != BIB
    files = {
        **FILES,
        "references.bib": bib,
        "kb/risks/role-ambiguity.md": concept(
            "role-ambiguity",
            summary=CITE,
            extra="relations:\n  risk-of: [service-sales-ambidexterity]\n"
            "evidence:\n  - A survey finding [@mullins2020ambidextrous].\n"
            "  - An experimental finding [@gabler2017dark].\n",
        ),
    }
    kb, _ = validate(make_kb(files, base=False))
    g = guide(kb, concept_id="role-ambiguity")
    keys = [e.citations[0].key for _, e in g.evidence]
    assert keys.index("gabler2017dark") < keys.index("mullins2020ambidextrous")


def test_the_guide_answer_is_exactly_its_schema() -> None:
    from api.schemas import AdviceOut, GuideOut

    asked = [
        {"situation": 'a customer calls about a "crashing" laptop — Kündigung?\t\x01 \u2028 </script>'},
        {"concept": "role-ambiguity"},
        {"situation": "burnout", "concept": "service-sales-ambidexterity"},
        {"situation": "zzzz qqqq"},
    ]
    with TestClient(create_app(Settings(root=REPO))) as client:
        for params in asked:
            for detail, schema in (("full", GuideOut), ("advice", AdviceOut)):
                identity = {"Accept-Encoding": "identity"}
                r = client.get("/api/v1/guide", params={**params, "detail": detail}, headers=identity)
                assert r.status_code == 200, r.text
                assert schema.model_validate_json(r.content).model_dump_json().encode() == r.content
