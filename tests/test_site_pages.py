"""Site pages as a pure function of the model (no MkDocs involved)."""

from __future__ import annotations

import os
import re
from datetime import date

import yaml

from ambidex.checks import validate
from ambidex.model import ConceptType
from ambidex.render import Renderer
from ambidex.site import maps
from ambidex.site.pages import SitePages
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
    # Breadcrumbs say where the reader is; the kind of concept is named, not shouted.
    assert "[Home](../index.md) › [Risks](../types/risk.md) › " in page
    assert '<a href="../../types/risk/">Risk</a>' in page
    assert "Linked to [service sales ambidexterity](service-sales-ambidexterity.md)" in page
    assert "- **A risk of:** [Service sales ambidexterity](service-sales-ambidexterity.md)" in page
    # In-text citation with locator links to an anchor that the page's reference list defines;
    # the badge of its source type and design follows the paragraph, grouped with the others.
    badge = (
        '<span class="ambidex-evidence" title="Peer-reviewed article; design: survey">'
        "Peer-reviewed · Survey</span>"
    )
    assert "([Gabler et al., 2017](#ref-gabler2017dark), p. 383).\n\n" in page
    sources = '<p class="ambidex-sources"><span class="ambidex-sources-label">Sources:</span> '
    assert f'{sources}<a href="#ref-gabler2017dark">Gabler et al., 2017</a> {badge}</p>' in page
    assert '<p class="ambidex-apa" id="ref-gabler2017dark">Gabler, C. B., Ogilvie, J.' in page
    assert re.search(r'id="ref-gabler2017dark">[^\n]*</a> ' + re.escape(badge), page)
    assert page.count("https://doi.org/10.1177/1094670517712019</a>") == 1, "the DOI once"
    assert "## How to cite this page" in page and "https://kb.example/concepts/role-ambiguity/" in page
    assert "Source file" not in page and "kb/risks/role-ambiguity.md" not in page


def test_how_to_cite_gives_the_date_the_entry_changed_and_bibtex(make_kb: MakeKb) -> None:
    text = concept(
        "role-ambiguity", extra="updated: 2024-03-05\nrelations:\n  risk-of: [service-sales-ambidexterity]\n"
    )
    kb, _ = validate(make_kb({"kb/risks/role-ambiguity.md": text}))
    site = SitePages(kb, Renderer(kb), "https://kb.example/", today=date(2026, 11, 2))
    apa, bibtex = site.citation(kb.concepts["role-ambiguity"])
    assert apa == (
        "Ambidex. (2024, March 5). Role ambiguity. In <i>Ambidex: A knowledge base on sales "
        'ambidexterity</i>. Retrieved <time class="ambidex-retrieved" datetime="2026-11-02">November 2, '
        "2026</time>, from https://kb.example/concepts/role-ambiguity/"
    )
    assert bibtex.splitlines() == [
        "@online{ambidex-role-ambiguity,",
        "  author    = {{Ambidex}},",
        "  title     = {Role ambiguity},",
        "  booktitle = {Ambidex: A knowledge base on sales ambidexterity},",
        "  date      = {2024-03-05},",
        "  url       = {https://kb.example/concepts/role-ambiguity/},",
        "  urldate   = {2026-11-02}",
        "}",
    ]
    undated, _ = site.citation(kb.concepts["service-sales-ambidexterity"])
    assert undated.startswith("Ambidex. (n.d.). Service sales ambidexterity. In <i>")


def test_the_date_comes_from_the_history_when_there_is_one(make_kb: MakeKb) -> None:
    import subprocess

    root = make_kb()
    env = {"GIT_AUTHOR_DATE": "2025-01-02T10:00:00", "GIT_COMMITTER_DATE": "2025-01-02T10:00:00"}
    for command in (
        ["init", "-q"],
        ["add", "kb"],
        ["-c", "user.name=E", "-c", "user.email=e@example.org", "commit", "-q", "-m", "entries"],
    ):
        subprocess.run(["git", "-C", str(root), *command], check=True, env={**os.environ, **env})
    kb, _ = validate(root)
    assert kb.concepts["role-ambiguity"].updated == "2025-01-02"


def test_connections_in_plain_words_with_a_map(make_kb: MakeKb) -> None:
    page = pages(make_kb)["concepts/service-sales-ambidexterity.md"]
    assert "## Connections" in page and "## Relations" not in page and "## Linked from" not in page
    assert "- **Risks:** [Role ambiguity](role-ambiguity.md)" in page
    assert '<svg class="ambidex-map-svg"' in page and 'xlink:href="../role-ambiguity/"' in page
    assert "risk-of" not in page.split("<svg")[0], "no editors' words before the map"
    assert '<a href="../role-ambiguity/">Role ambiguity</a> is a risk of service sales ambidexterity' in page


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
    assert f"- **A risk of:** [Service sales ambidexterity](service-sales-ambidexterity.md) {source}" in page
    assert "- **Goes together with:** [Service sales ambidexterity](service-sales-ambidexterity.md)\n" in page
    assert 'id="ref-mullins2020ambidextrous"' in page, "the edge's source is listed"
    target = generated["concepts/service-sales-ambidexterity.md"]
    assert f"- **Risks:** [Role ambiguity](role-ambiguity.md) {source}" in target
    assert "- **Goes together with:** [Role ambiguity](role-ambiguity.md)\n" in target
    # The target page lists the source of the inverse edge, so the citation's link has its anchor.
    assert 'id="ref-mullins2020ambidextrous"' in target


def test_badge_of_a_practitioner_source_names_its_kind(make_kb: MakeKb) -> None:
    bib = BIB.replace(
        "  design  = {survey}\n}\n\n@article{mullins", "  sourcetype = {practitioner}\n}\n\n@article{mullins"
    )
    page = pages(make_kb, {"references.bib": bib})["concepts/role-ambiguity.md"]
    assert (
        '<a href="#ref-gabler2017dark">Gabler et al., 2017</a> <span class="ambidex-evidence" '
        'title="Practitioner article">Practitioner article</span></p>' in page
    )


def test_bibliography_page(make_kb: MakeKb) -> None:
    refs = pages(make_kb)["references.md"]
    assert refs.count('<span class="ambidex-evidence" title="Peer-reviewed article; design: survey">') == 2
    blocks = re.findall(r'<div class="ambidex-reference" id="([^"]+)"', refs)
    assert blocks == ["gabler2017dark", "mullins2020ambidextrous"], "APA order, one block each"
    assert "Cited in: [Role ambiguity](concepts/role-ambiguity.md)" in refs
    assert "    @article{gabler2017dark," in refs and '??? abstract "BibTeX"' in refs


def test_type_index_defines_the_type_and_lists_concepts(make_kb: MakeKb) -> None:
    index = pages(make_kb)["types/risk.md"]
    assert "What can go wrong when someone leans too far toward one pole" in index
    # The summary's citation links to the bibliography, one folder up.
    cited = "A summary ([Gabler et al., 2017](../references.md#gabler2017dark))."
    assert f"- **[Role ambiguity](../concepts/role-ambiguity.md)** — {cited}" in index
    assert "No entries yet." in pages(make_kb)["types/case.md"]


def test_tag_pages_have_titles_and_a_line_of_description(make_kb: MakeKb) -> None:
    text = concept("role-ambiguity", extra="tags: [leading-the-people]\n")
    generated = pages(make_kb, {"kb/risks/role-ambiguity.md": text})
    assert "- **[Leading the people](tags/leading-the-people.md)** — 1 entry: 1 risk." in generated["tags.md"]
    tag = generated["tags/leading-the-people.md"]
    assert "# Leading the people" in tag and "Concepts tagged *leading the people*: 1 entry: 1 risk." in tag
    page = generated["concepts/role-ambiguity.md"]
    assert "[Leading the people](../tags/leading-the-people.md){.ambidex-tag}" in page


def test_tag_lines_use_the_types_plural_and_pair_tags_keep_their_hyphen(make_kb: MakeKb) -> None:
    tagged = "tags: [service-sales, serving-the-customer]\n"
    files: dict[str, str | bytes | None] = {
        "kb/traits/grit.md": concept("grit", type="trait", extra=tagged),
        "kb/traits/calm.md": concept("calm", type="trait", extra=tagged),
        "kb/drivers/demand.md": concept("demand", type="driver", extra=tagged),
        "kb/dilemmas/service-vs-sales.md": concept("service-vs-sales", type="dilemma", extra=tagged),
    }
    generated = pages(make_kb, files)
    line = "4 entries: 2 traits and abilities, 1 dilemma, 1 driver or moderator."
    assert f"- **[Service-sales](tags/service-sales.md)** — {line}" in generated["tags.md"]
    assert "- **[Serving the customer](tags/serving-the-customer.md)**" in generated["tags.md"]
    tag = generated["tags/service-sales.md"]
    assert "# Service-sales" in tag
    assert "(trait or ability) — A summary ([Gabler et al., 2017](../references.md#gabler2017dark))." in tag


def test_previous_and_next_within_the_type(make_kb: MakeKb) -> None:
    generated = pages(make_kb, {"kb/risks/burnout.md": concept("burnout", title="Burnout")})
    first, second = generated["concepts/burnout.md"], generated["concepts/role-ambiguity.md"]
    assert '[Next: Role ambiguity →](role-ambiguity.md){rel="next"}' in first and "Previous" not in first
    assert '[← Previous: Burnout](burnout.md){rel="prev"}' in second and "Next:" not in second


def test_a_dilemma_map_reaches_what_bears_on_its_poles(make_kb: MakeKb) -> None:
    kb, _ = validate(
        make_kb(
            {
                "kb/dilemmas/serve-vs-sell.md": concept("serve-vs-sell", type="dilemma"),
                "kb/orientations/serving.md": concept(
                    "serving", type="orientation", extra="relations:\n  pole-of: [serve-vs-sell]\n"
                ),
                "kb/risks/role-ambiguity.md": concept(
                    "role-ambiguity", extra="relations:\n  risk-of: [serving]\n"
                ),
                "kb/practices/clarity.md": concept(
                    "clarity", type="practice", extra="relations:\n  mitigates: [role-ambiguity]\n"
                ),
            }
        )
    )
    columns, edges = maps.neighbourhood(kb, "serve-vs-sell")
    assert columns == {"serve-vs-sell": 2, "serving": 1, "role-ambiguity": 0}
    assert [(e.source, e.relation, e.target) for e in edges] == [
        ("serving", "pole-of", "serve-vs-sell"),
        ("role-ambiguity", "risk-of", "serving"),
    ]
    boxes = {b.id: b for b in maps.layered_layout(kb, columns, edges)}
    assert boxes["role-ambiguity"].x < boxes["serving"].x < boxes["serve-vs-sell"].x


def test_full_map_labels_never_overlap(make_kb: MakeKb) -> None:
    files: dict[str, str | bytes | None] = {
        f"kb/risks/risk-{i}.md": concept(
            f"risk-{i}",
            title=f"A risk with a long name {i}",
            extra=f"relations:\n  risk-of: [risk-{(i * 7) % 40}]\n",
        )
        for i in range(40)
    }
    kb, _ = validate(make_kb(files))
    boxes = maps.full_layout(
        kb,
        list(kb.concepts),
        [maps.MapEdge(e.source, e.type.value, e.target) for e in kb.edges() if e.source != e.target],
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
            assert apart, (a.id, b.id)
    again = maps.full_layout(kb, list(kb.concepts), [])
    assert again == maps.full_layout(kb, list(kb.concepts), []), "the same graph, the same picture"


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


def test_titles_cannot_leave_the_theme_s_title_element(make_kb: MakeKb) -> None:
    """The theme writes the page title raw into the header and through `striptags` (which
    unescapes) into <title>: neither may see a tag or an end tag of the title element."""
    from markupsafe import Markup

    hostile = '"</title><script>alert(1)</script><img src=x onerror=alert(2)>"'
    kb, _ = validate(make_kb({"kb/risks/role-ambiguity.md": concept("role-ambiguity", title=hostile)}))
    page = SitePages(kb, Renderer(kb)).concept(kb.concepts["role-ambiguity"])
    front = yaml.safe_load(page.split("---\n")[1])
    assert "<" not in front["title"] and "<" not in front["description"]
    assert "</title" not in Markup(front["title"]).striptags().lower()
    prose = re.sub(r"```.*?```", "", page, flags=re.S)  # code blocks are escaped when rendered
    assert "<script>alert" not in prose and "<img src=x" not in prose
