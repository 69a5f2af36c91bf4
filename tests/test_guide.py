"""The guide: tensions with their poles, risks and what helps, from a concept or a situation."""

from __future__ import annotations

from fastapi.testclient import TestClient

from ambidex.checks import validate
from ambidex.guide import guide, relevant
from api.app import create_app
from api.settings import Settings
from tests.conftest import BIB, MakeKb, concept

CITE = "S [@gabler2017dark]."
FILES = {
    "references.bib": BIB,
    "kb/ambidexterity/service-sales-ambidexterity.md": concept(
        "service-sales-ambidexterity",
        type="ambidexterity",
        title="Service-sales ambidexterity",
        summary="Serving and selling in one role [@mullins2020ambidextrous].",
        extra="relations:\n  leads-to: [customer-value]\n",
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
        extra="relations:\n  drives: [service-sales-ambidexterity]\n",
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


def test_guide_from_a_case_walks_to_the_tension(make_kb: MakeKb) -> None:
    kb, problems = validate(make_kb(FILES, base=False))
    assert problems == []
    g = guide(kb, concept_id="laptop-support-call")
    (tension,) = g.tensions
    assert tension.concept.id == "service-vs-sales"
    assert {p.id for p in tension.poles} == {"service-orientation", "sales-orientation"}
    assert [c.id for c in tension.related] == ["service-sales-ambidexterity"]
    assert {r.id for r in g.risks} == {"customer-churn", "role-ambiguity"}
    assert [t.id for t in g.traits] == ["polychronicity"]
    assert [d.id for d in g.drivers] == ["manager-feedback"]
    assert [p.id for p in g.practices] == ["clear-priorities"]
    assert [o.id for o in g.outcomes] == ["customer-value"]
    assert [(c.id, e.citations[0].locator) for c, e in g.evidence] == [("customer-churn", "p. 390")]


def test_guide_for_an_unrelated_concept_is_empty(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb(FILES, base=False))
    g = guide(kb, concept_id="nothing-like-this")
    assert g.tensions == () and g.matched == ()


def test_guide_endpoint_for_a_situation(make_kb: MakeKb) -> None:
    root = make_kb(FILES, base=False)
    with TestClient(create_app(Settings(root=root))) as client:
        r = client.get(
            "/api/v1/guide",
            params={"situation": "a customer's laptop keeps crashing and a new joystick could be cross-sold"},
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["tensions"][0]["tension"]["id"] == "service-vs-sales"
        assert {p["id"] for p in body["tensions"][0]["poles"]} == {"service-orientation", "sales-orientation"}
        churn = next(r for r in body["risks"] if r["id"] == "customer-churn")
        assert churn["citations"][0]["in_text"] == "(Gabler et al., 2017)"
        assert churn["citations"][0]["apa"].startswith("Gabler, C. B.")
        assert body["evidence"][0]["citations"][0]["in_text"] == "(Gabler et al., 2017, p. 390)"
        missing = client.get("/api/v1/guide", params={"concept": "laptop-suport-call"})
        assert missing.status_code == 404 and missing.json()["suggestions"] == ["laptop-support-call"]


def test_guide_on_the_repository(make_kb: MakeKb) -> None:
    from tests.conftest import REPO

    kb, _ = validate(REPO)
    g = guide(kb, concept_id="role-ambiguity")
    assert "service-sales-ambidexterity" in [t.concept.id for t in g.tensions]
    assert all(c.summary_citations for c in g.risks + g.traits + g.practices)


def test_a_situation_starts_from_the_hits_close_to_the_best() -> None:
    assert relevant([("b", 3.0), ("a", 9.0), ("c", 2.9)]) == ["a", "b"]
    assert relevant([]) == []


def test_the_laptop_situation_on_the_repository_is_about_serving_or_selling() -> None:
    from tests.conftest import REPO

    with TestClient(create_app(Settings(root=REPO))) as client:
        situation = "a customer calls about a laptop that keeps crashing, and a new joystick just arrived"
        body = client.get("/api/v1/guide", params={"situation": situation}).json()
    assert [t["tension"]["id"] for t in body["tensions"]] == ["service-vs-sales"]
    assert {"customer-churn", "role-ambiguity"} <= {r["id"] for r in body["risks"]}
    assert body["practices"] and all(p["citations"] for p in body["practices"])


def test_the_guide_answer_is_exactly_its_schema() -> None:
    from api.schemas import GuideOut
    from tests.conftest import REPO

    asked = [
        {"situation": 'a customer calls about a "crashing" laptop — Kündigung?\t\x01 \u2028 </script>'},
        {"concept": "role-ambiguity"},
        {"situation": "burnout", "concept": "service-sales-ambidexterity"},
        {"situation": "zzzz qqqq"},
    ]
    with TestClient(create_app(Settings(root=REPO))) as client:
        for params in asked:
            r = client.get("/api/v1/guide", params=params, headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200, r.text
            assert GuideOut.model_validate_json(r.content).model_dump_json().encode() == r.content
