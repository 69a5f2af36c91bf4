"""Site pages as a pure function of the model (no MkDocs involved)."""

from __future__ import annotations

import re

from ambidex.checks import validate
from ambidex.model import ConceptType
from ambidex.render import Renderer
from ambidex.site.pages import SitePages, tension_map
from tests.conftest import BIB, MakeKb, concept


def pages(make_kb: MakeKb, files: dict[str, str | bytes | None] | None = None) -> dict[str, str]:
    kb, problems = validate(make_kb(files))
    assert [p for p in problems if p.is_error] == []
    return SitePages(kb, Renderer(kb), "https://kb.example").all()


def test_every_concept_type_and_shared_page_is_generated(make_kb: MakeKb) -> None:
    generated = pages(make_kb)
    assert {
        "concepts/role-ambiguity.md",
        "concepts/service-sales-ambidexterity.md",
        "references.md",
        "map.md",
    } <= set(generated)
    assert {f"types/{t.value}.md" for t in ConceptType} <= set(generated)


def test_concept_page(make_kb: MakeKb) -> None:
    page = pages(make_kb)["concepts/role-ambiguity.md"]
    assert "\n# Role ambiguity\n" in page
    assert "tags: []" in page
    assert "[Service sales ambidexterity](service-sales-ambidexterity.md)" in page
    assert "**Risk of:**" in page
    # In-text citation with locator links to an anchor that the page's reference list defines,
    # with the badge of its source type and design.
    badge = (
        '<span class="ambidex-evidence" title="Peer-reviewed article; design: survey">'
        "Peer-reviewed · Survey</span>"
    )
    assert f"([Gabler et al., 2017](#ref-gabler2017dark), p. 383 {badge})" in page
    assert '<span id="ref-gabler2017dark"></span>Gabler, C. B., Ogilvie, J.' in page
    assert re.search(r'<span id="ref-gabler2017dark"></span>[^\n]*</a> ' + re.escape(badge), page)
    assert '<a href="https://doi.org/10.1177/1094670517712019">' in page
    assert "## How to cite this page" in page and "https://kb.example/concepts/role-ambiguity/" in page
    assert "Source file: `kb/risks/role-ambiguity.md`" in page


def test_backlinks_and_tension_map(make_kb: MakeKb) -> None:
    page = pages(make_kb)["concepts/service-sales-ambidexterity.md"]
    assert "## Linked from" in page and "**Risks:** [Role ambiguity](role-ambiguity.md)" in page
    assert "```mermaid" in page and "c_role_ambiguity -->|risk-of| c_service_sales_ambidexterity" in page


EDGES = (
    "relations:\n"
    "  risk-of:\n"
    '    - {target: service-sales-ambidexterity, cite: "[@mullins2020ambidextrous, p. 5]"}\n'
    "  associated-with: [service-sales-ambidexterity]\n"
)


def test_relations_and_backlinks_show_their_source(make_kb: MakeKb) -> None:
    generated = pages(
        make_kb,
        {
            "kb/risks/role-ambiguity.md": concept("role-ambiguity", extra=EDGES),
            "references.bib": BIB.replace("{survey}", "{field-experiment, survey}"),
        },
    )
    badge = (
        '<span class="ambidex-evidence ambidex-evidence--causal" title="Peer-reviewed article; '
        'design: field experiment, survey; can show cause and effect">'
        "Peer-reviewed · Field experiment, Survey</span>"
    )
    source = f"([Mullins et al., 2020](#ref-mullins2020ambidextrous), p. 5 {badge})"
    page = generated["concepts/role-ambiguity.md"]
    assert f"- **Risk of:** [Service sales ambidexterity](service-sales-ambidexterity.md) {source}" in page
    assert "- **Associated with:** [Service sales ambidexterity](service-sales-ambidexterity.md)\n" in page
    assert '<span id="ref-mullins2020ambidextrous"></span>' in page, "the edge's source is listed"
    target = generated["concepts/service-sales-ambidexterity.md"]
    assert f"- **Risks:** [Role ambiguity](role-ambiguity.md) {source}" in target
    assert "- **Associated with:** [Role ambiguity](role-ambiguity.md)\n" in target
    # The target page lists the source of the inverse edge, so the citation's link has its anchor.
    assert '<span id="ref-mullins2020ambidextrous"></span>' in target


def test_badge_of_a_practitioner_source_names_its_kind(make_kb: MakeKb) -> None:
    bib = BIB.replace(
        "  design  = {survey}\n}\n\n@article{mullins", "  sourcetype = {practitioner}\n}\n\n@article{mullins"
    )
    page = pages(make_kb, {"references.bib": bib})["concepts/role-ambiguity.md"]
    assert (
        '([Gabler et al., 2017](#ref-gabler2017dark), p. 383 <span class="ambidex-evidence" '
        'title="Practitioner article">Practitioner article</span>)' in page
    )


def test_bibliography_page(make_kb: MakeKb) -> None:
    refs = pages(make_kb)["references.md"]
    assert refs.count('<span class="ambidex-evidence" title="Peer-reviewed article; design: survey">') == 2
    blocks = re.findall(r'<div class="ambidex-reference" id="([^"]+)"', refs)
    assert blocks == ["gabler2017dark", "mullins2020ambidextrous"], "APA order, one block each"
    assert "Cited in: [Role ambiguity](concepts/role-ambiguity.md)" in refs
    assert "    @article{gabler2017dark," in refs and '??? abstract "BibTeX"' in refs


def test_type_index_lists_concepts_with_summaries(make_kb: MakeKb) -> None:
    index = pages(make_kb)["types/risk.md"]
    assert "- **[Role ambiguity](../concepts/role-ambiguity.md)** — A summary (Gabler et al., 2017)." in index
    assert "No entries yet." in pages(make_kb)["types/case.md"]


def test_tension_map_only_follows_tension_edges(make_kb: MakeKb) -> None:
    kb, _ = validate(
        make_kb(
            {
                "kb/practices/clarity.md": concept(
                    "clarity", type="practice", extra="relations:\n  mitigates: [role-ambiguity]\n"
                )
            }
        )
    )
    graph = tension_map(kb, "service-sales-ambidexterity")
    assert "c_clarity -->|mitigates| c_role_ambiguity" in graph
    assert graph.startswith("```mermaid\ngraph LR")


def test_the_editors_guide_lists_every_command_and_option_the_cli_has() -> None:
    import subprocess
    import sys

    from ambidex.site.reference import cli_help

    block = cli_help()
    for command in (["check"], ["build"], ["serve"], ["schema"], ["new", "concept"], ["refs", "add"]):
        assert f"### `ambidex {' '.join(command)}`" in block
        shown = subprocess.run(
            [sys.executable, "-m", "ambidex", *command, "--help"],
            capture_output=True,
            text=True,
            env={"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb", "PATH": ""},
            check=True,
        ).stdout
        section = block.split(f"### `ambidex {' '.join(command)}`")[1].split("### ")[0]
        for option in {w.strip(",") for w in shown.split() if w.startswith("--") and len(w) > 3}:
            if option not in ("--help", "--install-completion", "--show-completion"):
                assert option.rstrip(",") in section, (command, option)
