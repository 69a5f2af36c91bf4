"""The immutable knowledge base and its derived indexes."""

from __future__ import annotations

import dataclasses

import pytest

from ambidex import bibliography
from ambidex.checks import validate
from ambidex.loader import load
from ambidex.model import (
    CAUSAL_DESIGNS,
    CAUSAL_RELATIONS,
    ConceptType,
    Design,
    Edge,
    RelationType,
    SourceType,
    front_matter_schema,
)
from tests.conftest import MakeKb, concept


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
        ("gabler2017dark", "", 12),
        ("gabler2017dark", "p. 383", 14),
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


ENTRY = "@{kind}{{x2000,\n  author = {{Doe, Jane}},\n  title = {{T}},\n{fields}}}\n"


@pytest.mark.parametrize(
    ("kind", "fields", "source_type", "designs", "label"),
    [
        ("article", "", SourceType.PEER_REVIEWED, (), "Peer-reviewed article"),
        (
            "article",
            "  design = {survey}\n",
            SourceType.PEER_REVIEWED,
            (Design.SURVEY,),
            "Peer-reviewed · Survey",
        ),
        ("article", "  sourcetype = {practitioner}\n", SourceType.PRACTITIONER, (), "Practitioner article"),
        (
            "inproceedings",
            "  design = {lab-experiment}\n",
            SourceType.CONFERENCE,
            (Design.LAB_EXPERIMENT,),
            "Conference · Lab experiment",
        ),
        ("conference", "", SourceType.CONFERENCE, (), "Conference paper"),
        ("book", "", SourceType.BOOK, (), "Book or chapter"),
        ("incollection", "", SourceType.BOOK, (), "Book or chapter"),
        ("inbook", "", SourceType.BOOK, (), "Book or chapter"),
        ("techreport", "", SourceType.REPORT, (), "Report"),
        ("report", "", SourceType.REPORT, (), "Report"),
        ("online", "", SourceType.PRACTITIONER, (), "Practitioner article"),
        ("misc", "", SourceType.PRACTITIONER, (), "Practitioner article"),
        ("www", "", SourceType.PRACTITIONER, (), "Practitioner article"),
        ("phdthesis", "  design = {qualitative}\n", None, (Design.QUALITATIVE,), "Qualitative"),
        ("misc", "  sourcetype = {Report}\n", SourceType.REPORT, (), "Report"),
        ("misc", "  sourcetype = {blog}\n", SourceType.PRACTITIONER, (), "Practitioner article"),
        (
            "article",
            "  design = { Dyadic-Survey,field-experiment , interviews, survey, dyadic-survey}\n",
            SourceType.PEER_REVIEWED,
            (Design.DYADIC_SURVEY, Design.FIELD_EXPERIMENT, Design.SURVEY),
            "Peer-reviewed · Dyadic survey, Field experiment, Survey",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.isidentifier() else None,
)
def test_source_type_and_designs(
    kind: str, fields: str, source_type: SourceType | None, designs: tuple[Design, ...], label: str
) -> None:
    (ref,), _ = bibliography.parse(ENTRY.format(kind=kind, fields=fields))
    assert ref.source_type == source_type
    assert ref.designs == designs
    assert ref.evidence_label() == label
    assert ref.causal == any(d in CAUSAL_DESIGNS for d in designs)


def test_badge_title_says_what_the_design_can_show() -> None:
    (ref,), _ = bibliography.parse(ENTRY.format(kind="article", fields="  design = {quasi-experiment}\n"))
    assert (
        ref.evidence_title() == "Peer-reviewed article; design: quasi-experiment; can show cause and effect"
    )
    assert {d for d in Design if d.causal} == {
        Design.FIELD_EXPERIMENT,
        Design.LAB_EXPERIMENT,
        Design.QUASI_EXPERIMENT,
    }
    assert all(t.label and t.short_label for t in SourceType) and all(d.label for d in Design)


CITED_EDGES = (
    "relations:\n"
    "  risk-of:\n"
    "    - service-sales-ambidexterity\n"
    '    - {target: service-sales-ambidexterity, cite: "[@mullins2020ambidextrous, p. 5]"}\n'
    "  associated-with:\n"
    "    - target: service-sales-ambidexterity\n"
    "      cite: '[see @gabler2017dark; @mullins2020ambidextrous]'\n"
)


def test_relations_carry_their_citations_to_edges_and_backlinks(make_kb: MakeKb) -> None:
    kb, problems = load(make_kb({"kb/risks/role-ambiguity.md": concept("role-ambiguity", extra=CITED_EDGES)}))
    assert problems == []
    relations = kb.concepts["role-ambiguity"].relations
    assert [(r.type, r.line, r.col) for r in relations] == [
        (RelationType.RISK_OF, 8, 7),
        (RelationType.RISK_OF, 9, 16),
        (RelationType.ASSOCIATED_WITH, 11, 15),
    ]
    assert [[(c.key, c.locator, c.prefix, c.line, c.col) for c in r.citations] for r in relations] == [
        [],
        [("mullins2020ambidextrous", "p. 5", "", 9, 53)],
        [("gabler2017dark", "", "see", 12, 19), ("mullins2020ambidextrous", "", "", 12, 36)],
    ]
    backlinks = kb.backlinks("service-sales-ambidexterity")
    assert [e.citations for e in backlinks] == [r.citations for r in relations]
    assert [e.citations for e in kb.edges()] == [r.citations for r in relations]
    # An edge's citation is the source concept citing that work.
    assert set(kb.cited_by("mullins2020ambidextrous")) == {"role-ambiguity", "service-sales-ambidexterity"}


def test_relation_vocabulary_reads_both_ways() -> None:
    assert RelationType.ASSOCIATED_WITH.value == "associated-with"
    assert (
        RelationType.ASSOCIATED_WITH.label == RelationType.ASSOCIATED_WITH.inverse_label == "Associated with"
    )
    assert {r.value for r in CAUSAL_RELATIONS} == {"drives", "leads-to"}


def test_schema_accepts_both_forms_of_a_relation_item() -> None:
    schema = front_matter_schema()
    items = schema["properties"]["relations"]["additionalProperties"]["items"]["oneOf"]
    assert items[0]["type"] == "string"
    cited = schema["$defs"][items[1]["$ref"].rsplit("/", 1)[1]]
    assert cited["required"] == ["target", "cite"] and cited["additionalProperties"] is False
