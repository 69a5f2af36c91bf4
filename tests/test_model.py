"""The immutable knowledge base and its derived indexes."""

from __future__ import annotations

import dataclasses

import pytest

from ambidex.checks import validate
from ambidex.loader import load
from ambidex.model import ConceptType, Edge, RelationType
from tests.conftest import MakeKb


def test_indexes(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb())
    assert kb.by_type(ConceptType.RISK) == ("role-ambiguity",)
    assert kb.backlinks("service-sales-ambidexterity") == (
        Edge("role-ambiguity", RelationType.RISK_OF, "service-sales-ambidexterity"),
    )
    assert kb.cited_by("gabler2017dark") == ("role-ambiguity",)
    assert kb.cited_by("mullins2020ambidextrous") == ("service-sales-ambidexterity",)
    resolved = kb.resolve("Role Conflict")
    assert resolved is not None and resolved.id == "role-ambiguity"
    assert kb.resolve("nothing") is None


def test_positions_of_citations_and_relations(make_kb: MakeKb) -> None:
    kb, _ = load(make_kb())
    concept = kb.concepts["role-ambiguity"]
    assert [(r.type, r.target, r.line) for r in concept.relations] == [
        (RelationType.RISK_OF, "service-sales-ambidexterity", 8)
    ]
    assert [(c.key, c.locator, c.line) for c in concept.citations] == [
        ("gabler2017dark", "", 5),
        ("gabler2017dark", "p. 383", 10),
    ]


def test_model_is_immutable(make_kb: MakeKb) -> None:
    kb, _ = load(make_kb())
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.build_id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        kb.concepts["x"] = kb.concepts["role-ambiguity"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.concepts["role-ambiguity"].title = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.concepts["role-ambiguity"].summary_citations[0].key = "x"  # type: ignore[misc]


def test_build_id_follows_the_content(make_kb: MakeKb) -> None:
    first, _ = load(make_kb())
    same, _ = load(make_kb())
    changed, _ = load(make_kb({"kb/risks/role-ambiguity.md": "---\nid: x\n---\n"}))
    assert first.build_id == same.build_id != changed.build_id


def test_a_references_fields_are_read_only(make_kb: MakeKb) -> None:
    kb, _ = validate(make_kb())
    ref = kb.references["gabler2017dark"]
    with pytest.raises(TypeError):
        ref.fields["title"] = "Changed"  # type: ignore[index]
    with pytest.raises(TypeError):
        ref.field_lines["title"] = 1  # type: ignore[index]
    assert ref.get("year") == "2017"
