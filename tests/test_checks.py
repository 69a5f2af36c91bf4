"""Each rule of `check`, through `validate`: a parametrised corpus of broken knowledge bases."""

from __future__ import annotations

import pytest

from ambidex.checks import validate
from tests.conftest import BIB, IN_SHORT, TWO_POLES, MakeKb, concept

RISK = "kb/risks/role-ambiguity.md"
SSA = "kb/ambidexterity/service-sales-ambidexterity.md"
NEXT = BIB.count("\n") + 2  # the first line of an entry appended to BIB after a blank line
DESIGN = BIB.splitlines().index("  design  = {survey}") + 1  # the design of gabler2017dark


# Two poles of a tension, the first naming a concept and citing its move.
POLES = (
    "poles:\n  - name: Serving\n    concept: role-ambiguity\n    signals: [Calls run long]\n"
    "    moves: ['Set a time box for service calls [@gabler2017dark].']\n    questions: [Who sells?]\n"
    "  - name: Selling\n"
)


def related(how: str) -> str:
    """The risk's relations, with `how` in place of its plain `risk-of` edge."""
    return concept("role-ambiguity", extra=f"relations:\n  risk-of: [service-sales-ambidexterity]\n{how}")


def article(fields: str, entry: str = "article") -> str:
    """BIB with one more entry of `entry` type, cited by nobody."""
    return BIB + f"\n@{entry}{{x2000,\n  author = {{Doe, Jane}},\n  title = {{T}},\n{fields}}}\n"


# (id, files to add or replace, expected (path, line, code) that must appear)
CORPUS = [
    (
        "yaml-syntax",
        {RISK: "---\nid: role-ambiguity\ntitle: [unclosed\ntype: risk\n---\n"},
        (RISK, 4, "yaml-syntax"),
    ),
    ("front-matter-missing", {RISK: "# no front matter\n"}, (RISK, 1, "front-matter-missing")),
    (
        "front-matter-unterminated",
        {RISK: "---\nid: role-ambiguity\n"},
        (RISK, 1, "front-matter-unterminated"),
    ),
    ("empty-file", {RISK: ""}, (RISK, 1, "empty-file")),
    ("binary-file", {RISK: b"---\n\xff\xfe\x00garbage"}, (RISK, 2, "encoding")),
    ("not-a-mapping", {RISK: "---\n- a\n- b\n---\n"}, (RISK, 2, "front-matter-not-mapping")),
    (
        "duplicate-yaml-key",
        {RISK: concept("role-ambiguity", extra="title: Again\n")},
        (RISK, 6, "yaml-duplicate-key"),
    ),
    (
        "missing-field",
        {RISK: "---\nid: role-ambiguity\ntitle: T\ntype: risk\n---\n"},
        (RISK, 2, "missing-field"),
    ),
    ("unknown-field", {RISK: concept("role-ambiguity", extra="tagz: [a]\n")}, (RISK, 6, "unknown-field")),
    ("bad-type", {RISK: concept("role-ambiguity", type="risks")}, (RISK, 4, "schema")),
    ("bad-slug", {RISK: concept("role-ambiguity", extra="tags: [Not A Slug]\n")}, (RISK, 6, "schema")),
    (
        "invalid-relation-type",
        {RISK: concept("role-ambiguity", extra="relations:\n  risk_of: [service-sales-ambidexterity]\n")},
        (RISK, 7, "invalid-relation-type"),
    ),
    (
        "id-mismatch",
        {RISK: concept("role-ambiguity-x", summary="S [@gabler2017dark].")},
        (RISK, 2, "id-mismatch"),
    ),
    (
        "type-directory-mismatch",
        {RISK: concept("role-ambiguity", type="trait")},
        (RISK, 2, "type-directory-mismatch"),
    ),
    (
        "duplicate-id",
        {"kb/risks/zz-copy.md": concept("role-ambiguity")},
        ("kb/risks/zz-copy.md", 2, "duplicate-id"),
    ),
    (
        "duplicate-alias",
        {
            SSA: concept(
                "service-sales-ambidexterity", type="ambidexterity", extra="aliases:\n  - Role conflict\n"
            )
        },
        (RISK, 6, "duplicate-alias"),
    ),
    (
        "unknown-citation",
        {RISK: concept("role-ambiguity", summary="S [@gabler2071dark].")},
        (RISK, 5, "unknown-citation"),
    ),
    (
        "unknown-citation-in-body",
        {RISK: concept("role-ambiguity", body="\nText [see @nobody2000x, p. 3].\n")},
        (RISK, 10, "unknown-citation"),
    ),
    (
        "unknown-link",
        {RISK: concept("role-ambiguity", body="See [[role-ambiguty]].\n")},
        (RISK, 9, "unknown-link"),
    ),
    (
        "unknown-relation-target",
        {RISK: concept("role-ambiguity", extra="relations:\n  risk-of:\n    - nothing-here\n")},
        (RISK, 8, "unknown-relation-target"),
    ),
    (
        "no-citation",
        {RISK: concept("role-ambiguity", summary="Cites nothing.", evidence="")},
        (RISK, 2, "no-citation"),
    ),
    (
        "uncited-evidence",
        {RISK: concept("role-ambiguity", extra="evidence:\n  - A finding without source.\n")},
        (RISK, 7, "uncited-evidence"),
    ),
    (
        "bibtex-syntax",
        {"references.bib": BIB + "\n@article{broken,\n  title = {open\n"},
        ("references.bib", NEXT, "bibtex-syntax"),
    ),
    (
        "bibtex-duplicate-key",
        {"references.bib": BIB + "\n@misc{gabler2017dark, title={Again}}\n"},
        ("references.bib", NEXT, "bibtex-duplicate-key"),
    ),
    (
        "bibtex-duplicate-field",
        {"references.bib": BIB + "\n@misc{x2000, title={A}, title={B}}\n"},
        ("references.bib", NEXT, "bibtex-duplicate-field"),
    ),
    (
        "missing-bib-field",
        {"references.bib": BIB + "\n@article{x2000, title={A}, year={2000}}\n"},
        ("references.bib", NEXT, "missing-bib-field"),
    ),
    (
        "malformed-doi",
        {
            "references.bib": BIB.replace(
                "10.1177/1094670517712019", "https://doi.org/10.1177/1094670517712019"
            )
        },
        ("references.bib", 9, "malformed-doi"),
    ),
    (
        "bad-bib-key",
        {"references.bib": BIB + "\n@misc{m\u00fcller2000, title={Umlaut in the key}}\n"},
        ("references.bib", NEXT, "bad-bib-key"),
    ),
    (
        "duplicate-doi",
        {"references.bib": BIB + "\n@misc{x2000, title={Other}, doi={10.1177/1094670517712019}}\n"},
        ("references.bib", NEXT, "duplicate-reference"),
    ),
    (
        "duplicate-title-year",
        {
            "references.bib": BIB
            + "\n@misc{x2017, title={Is there a {Dark} Side of Ambidexterity}, year={2017}}\n"
        },
        ("references.bib", NEXT, "duplicate-reference"),
    ),
    (
        "uncited-reference",
        {"references.bib": BIB + "\n@misc{x2000, title={Unused}}\n"},
        ("references.bib", NEXT, "uncited-reference"),
    ),
    ("bib-missing", {"references.bib": None}, ("references.bib", 1, "bib-missing")),
    (
        "file-include",
        {RISK: concept("role-ambiguity", body='Text.\n--8<-- "references.bib"\n')},
        (RISK, 10, "file-include"),
    ),
    (
        "disallowed-html",
        {RISK: concept("role-ambiguity", summary="S <script>x</script> [@gabler2017dark].")},
        (RISK, 5, "disallowed-html"),
    ),
    (
        "disallowed-attribute",
        {RISK: concept("role-ambiguity", body='<span onmouseover="x">y</span>\n')},
        (RISK, 9, "disallowed-html"),
    ),
    (
        "javascript-link",
        {RISK: concept("role-ambiguity", body="[y](javascript:alert(1))\n")},
        (RISK, 9, "malformed-url"),
    ),
    (
        "malformed-url",
        {"references.bib": BIB + '\n@misc{x2000, title={T}, url={https://x.org/"><b>}}\n'},
        ("references.bib", 22, "malformed-url"),
    ),
    (
        "doi-with-quote",
        {"references.bib": BIB.replace("10.1177/1094670517712019", '10.1177/1094"670517712019')},
        ("references.bib", 9, "malformed-doi"),
    ),
    (
        "too-deep",
        {RISK: "---\nid: role-ambiguity\nx: " + "[" * 100 + "]" * 100 + "\n---\n"},
        (RISK, 3, "too-deep"),
    ),
    (
        "vocabulary-yaml-syntax",
        {"kb/vocabulary.yml": "synonyms:\n  - [rep, salesperson\n"},
        ("kb/vocabulary.yml", 3, "yaml-syntax"),
    ),
    (
        "vocabulary-not-a-list",
        {"kb/vocabulary.yml": "synonyms: rep = salesperson\n"},
        ("kb/vocabulary.yml", 1, "vocabulary-schema"),
    ),
    (
        "vocabulary-unknown-key",
        {"kb/vocabulary.yml": "synonyms:\n  - [rep, salesperson]\nsynonym:\n  - [boss, manager]\n"},
        ("kb/vocabulary.yml", 3, "vocabulary-schema"),
    ),
    (
        "vocabulary-group-of-one",
        {"kb/vocabulary.yml": "synonyms:\n  - [rep, salesperson]\n  - [boss]\n"},
        ("kb/vocabulary.yml", 3, "vocabulary-schema"),
    ),
    (
        "vocabulary-long-phrase",
        {"kb/vocabulary.yml": "synonyms:\n  - [rep, a person who sells for a living]\n"},
        ("kb/vocabulary.yml", 2, "vocabulary-schema"),
    ),
    (
        "duplicate-synonym",
        {"kb/vocabulary.yml": "synonyms:\n  - [rep, salesperson]\n  - [boss, manager, Rep]\n"},
        ("kb/vocabulary.yml", 3, "duplicate-synonym"),
    ),
    (
        "unknown-source-type",
        {"references.bib": article("  journal = {J},\n  year = {2000},\n  sourcetype = {blog}\n")},
        ("references.bib", NEXT + 5, "unknown-source-type"),
    ),
    (
        "unknown-design",
        {"references.bib": BIB.replace("{survey}", "{survey, interviews}", 1)},
        ("references.bib", DESIGN, "unknown-design"),
    ),
    (
        "missing-design-article",
        {"references.bib": article("  journal = {J},\n  year = {2000}\n")},
        ("references.bib", NEXT, "missing-design"),
    ),
    (
        "missing-design-conference",
        {"references.bib": article("  booktitle = {Proc.},\n  year = {2000}\n", "inproceedings")},
        ("references.bib", NEXT, "missing-design"),
    ),
    (
        "missing-design-empty",
        {"references.bib": article("  journal = {J},\n  year = {2000},\n  design = { }\n")},
        ("references.bib", NEXT, "missing-design"),
    ),
    (
        "relation-item-missing-cite",
        {RISK: related("  drives:\n    - {target: service-sales-ambidexterity}\n")},
        (RISK, 9, "missing-field"),
    ),
    (
        "relation-item-unknown-field",
        {
            RISK: related(
                '  drives:\n    - {target: service-sales-ambidexterity, cites: "[@gabler2017dark]"}\n'
            )
        },
        (RISK, 9, "unknown-field"),
    ),
    (
        "relation-item-bad-target",
        {RISK: related('  drives:\n    - target: Service\n      cite: "[@gabler2017dark]"\n')},
        (RISK, 9, "schema"),
    ),
    (
        "malformed-relation-cite",
        {RISK: related('  drives:\n    - {target: service-sales-ambidexterity, cite: "gabler2017dark"}\n')},
        (RISK, 9, "malformed-relation-cite"),
    ),
    (
        "unknown-citation-in-relation",
        {
            RISK: related(
                '  drives:\n    - {target: service-sales-ambidexterity, cite: "[@gabler2071dark]"}\n'
            )
        },
        (RISK, 9, "unknown-citation"),
    ),
    (
        "unknown-relation-target-cited",
        {RISK: related('  mitigates:\n    - {target: nothing-here, cite: "[@gabler2017dark]"}\n')},
        (RISK, 9, "unknown-relation-target"),
    ),
    (
        "uncited-causal-relation",
        {RISK: related("  leads-to: [service-sales-ambidexterity]\n")},
        (RISK, 8, "uncited-causal-relation"),
    ),
    (
        "causal-from-correlation",
        {
            RISK: related(
                '  drives:\n    - {target: service-sales-ambidexterity, cite: "[@gabler2017dark]"}\n'
            )
        },
        (RISK, 9, "causal-from-correlation"),
    ),
    (
        "short-body",
        {RISK: concept("role-ambiguity", body="\nToo short to teach [@gabler2017dark].\n")},
        (RISK, 9, "short-body"),
    ),
    (
        "short-body-of-a-dilemma",
        {"kb/dilemmas/a-vs-b.md": concept("a-vs-b", type="dilemma", body=" ".join(["word"] * 200))},
        ("kb/dilemmas/a-vs-b.md", 9, "short-body"),
    ),
    ("no-evidence", {RISK: concept("role-ambiguity", evidence="")}, (RISK, 2, "no-evidence")),
    (
        "tex-command-lost",
        {"references.bib": article("  journal = {The \\Foo{} Review},\n  year = {2000}\n")},
        ("references.bib", NEXT + 3, "tex-command-lost"),
    ),
    (
        "issue-without-volume",
        {
            "references.bib": article(
                "  journal = {J},\n  year = {2000},\n  number = {5},\n  doi = {10.1/x}\n"
            )
        },
        ("references.bib", NEXT + 5, "issue-without-volume"),
    ),
    (
        "chapter-editors-without-given-names",
        {
            "references.bib": article(
                "  booktitle = {B},\n  editor = {Kilmann and Pondy},\n  year = {1976},\n  pages = {1--2}\n",
                "incollection",
            )
        },
        ("references.bib", NEXT + 4, "incomplete-chapter"),
    ),
    (
        "chapter-without-pages",
        {
            "references.bib": article(
                "  booktitle = {B},\n  editor = {Kilmann, R. H.},\n  year = {1976}\n", "incollection"
            )
        },
        ("references.bib", NEXT, "incomplete-chapter"),
    ),
    (
        "article-without-doi-or-volume-and-pages",
        {"references.bib": article("  journal = {J},\n  year = {2000},\n  volume = {3}\n")},
        ("references.bib", NEXT, "incomplete-article"),
    ),
    (
        "practitioner-without-url",
        {
            "references.bib": article(
                "  organization = {Consalia},\n  sourcetype = {practitioner}\n", "online"
            )
        },
        ("references.bib", NEXT, "practitioner-without-url"),
    ),
    (
        "unknown-status",
        {
            "references.bib": article(
                "  journal = {J},\n  year = {2000},\n  doi = {10.1/x},\n  status = {unverifed}\n"
            )
        },
        ("references.bib", NEXT + 6, "unknown-status"),
    ),
    (
        "malformed-missing",
        {"references.bib": article("  journal = {J},\n  year = {2000},\n  missing = {no reason}\n")},
        ("references.bib", NEXT + 5, "malformed-missing"),
    ),
    (
        "practitioner-only-finding",
        {
            "references.bib": BIB
            + "\n@online{edge, author = {{Human Edge}}, title = {T}, url = {https://e.org/a}}\n",
            RISK: concept("role-ambiguity", evidence="Dual roles raise stress [@edge]."),
        },
        (RISK, 7, "practitioner-only-finding"),
    ),
    (
        "practitioner-only-summary",
        {
            "references.bib": BIB
            + "\n@online{edge, author = {{Human Edge}}, title = {T}, url = {https://e.org/a}}\n",
            RISK: concept("role-ambiguity", summary="Dual roles raise stress [@edge; @edge]."),
        },
        (RISK, 5, "practitioner-only-finding"),
    ),
    (
        "poles-outside-tension",
        {RISK: concept("role-ambiguity", extra="poles:\n  - name: A\n  - name: B\n")},
        (RISK, 7, "poles-outside-tension"),
    ),
    (
        "pole-count",
        {SSA: concept("service-sales-ambidexterity", type="ambidexterity", extra=POLES + "  - name: C\n")},
        (SSA, 7, "pole-count"),
    ),
    (
        "unknown-pole-concept",
        {
            SSA: concept(
                "service-sales-ambidexterity",
                type="ambidexterity",
                extra=POLES.replace("role-ambiguity", "role-ambiguty"),
            )
        },
        (SSA, 7, "unknown-pole-concept"),
    ),
    (
        "uncited-move",
        {
            SSA: concept(
                "service-sales-ambidexterity",
                type="ambidexterity",
                extra=POLES.replace(" [@gabler2017dark]", ""),
            )
        },
        (SSA, 10, "uncited-move"),
    ),
    (
        "signs-outside-risk",
        {
            SSA: concept(
                "service-sales-ambidexterity", type="ambidexterity", extra="signs: [People are tired]\n"
            )
        },
        (SSA, 2, "signs-outside-risk"),
    ),
]


def test_base_is_clean(make_kb: MakeKb) -> None:
    kb, problems = validate(make_kb())
    assert problems == []
    assert set(kb.concepts) == {"role-ambiguity", "service-sales-ambidexterity"}


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_problem_is_located(
    make_kb: MakeKb, files: dict[str, str | bytes | None], expected: tuple[str, int, str]
) -> None:
    _, problems = validate(make_kb(files))
    found = {(p.path, p.line, p.code) for p in problems}
    assert expected in found, "\n".join(p.format() for p in problems)


def test_suggestions_name_the_near_match(make_kb: MakeKb) -> None:
    _, problems = validate(make_kb({RISK: concept("role-ambiguity", summary="S [@gabler2071dark].")}))
    (problem,) = [p for p in problems if p.code == "unknown-citation"]
    assert problem.hint == "did you mean 'gabler2017dark'?"
    assert problem.col == 13  # the @ of the key


def test_salvaged_concept_still_resolves_links(make_kb: MakeKb) -> None:
    """One bad field reports itself without making links to the concept fail too."""
    _, problems = validate(
        make_kb(
            {
                SSA: concept(
                    "service-sales-ambidexterity",
                    type="ambidexterity",
                    summary="S [@mullins2020ambidextrous].",
                    extra="tags: [Bad Tag]\n" + IN_SHORT + TWO_POLES,
                )
            }
        )
    )
    codes = [p.code for p in problems]
    assert codes == ["schema"]


@pytest.mark.parametrize(
    ("files", "absent"),
    [
        (
            {
                "references.bib": article(
                    "  journal = {J},\n  year = {2000},\n  sourcetype = {practitioner}\n"
                )
            },
            "missing-design",
        ),
        (
            {
                "references.bib": article(
                    "  journal = {J},\n  year = {2000},\n  number = {5},\n  doi = {10.1/x},\n"
                    "  missing = {volume: not in the publisher's record}\n"
                )
            },
            "issue-without-volume",
        ),
        (
            {
                "references.bib": article(
                    "  booktitle = {B},\n  editor = {Kilmann},\n  year = {1976},\n"
                    "  missing = {editor, pages: the stored record gives neither}\n",
                    "incollection",
                )
            },
            "incomplete-chapter",
        ),
        (
            {
                "references.bib": article(
                    "  journal = {J},\n  year = {2000},\n  missing = {doi: none found}\n"
                )
            },
            "incomplete-article",
        ),
        (
            {
                "references.bib": article(
                    "  organization = {Consalia},\n  missing = {url: the host is not known}\n", "online"
                )
            },
            "practitioner-without-url",
        ),
        (
            {"references.bib": BIB + "\n@online{anon, title = {T}, missing = {author, url: anonymous}}\n"},
            "missing-bib-field",
        ),
        (
            {
                "references.bib": BIB
                + "\n@online{edge, author = {{Human Edge}}, title = {T}, url = {https://e.org/a}}\n",
                RISK: concept("role-ambiguity", evidence="A blog post recommends dual roles [@edge]."),
            },
            "practitioner-only-finding",
        ),
        (
            {
                "references.bib": BIB
                + "\n@online{edge, author = {{Human Edge}}, title = {T}, url = {https://e.org/a}}\n",
                RISK: concept("role-ambiguity", evidence="For Human Edge, dual roles raise stress [@edge]."),
            },
            "practitioner-only-finding",
        ),
        (
            {
                "references.bib": BIB
                + "\n@online{edge, author = {{Human Edge}}, title = {T}, url = {https://e.org/a}}\n",
                RISK: concept("role-ambiguity", evidence="Dual roles raise stress [@edge; @gabler2017dark]."),
            },
            "practitioner-only-finding",
        ),
        (
            {
                "references.bib": article(
                    "  journal = {To ``Do'' {\\TeX} \\LaTeX{} Jos{\\'e} \\emph{x} \\relax},\n"
                    "  year = {2000}\n"
                )
            },
            "tex-command-lost",
        ),
        ({"references.bib": article("  year = {2000},\n  howpublished = {Web}\n", "misc")}, "missing-design"),
        (
            {
                "references.bib": article(
                    "  journal = {J},\n  year = {2000},\n  sourcetype = { Peer-Reviewed },\n"
                    "  design = {Survey , meta-analysis}\n"
                )
            },
            "unknown-design",
        ),
        ({RISK: related("  associated-with: [service-sales-ambidexterity]\n")}, "uncited-causal-relation"),
        ({RISK: related("  moderates: [service-sales-ambidexterity]\n")}, "uncited-causal-relation"),
        (
            {
                RISK: related(
                    "  leads-to:\n    - {target: service-sales-ambidexterity, "
                    'cite: "[@gabler2017dark; @mullins2020ambidextrous, p. 5]"}\n'
                ),
                "references.bib": BIB.replace("{survey}", "{survey, quasi-experiment}", 2),
            },
            "causal-from-correlation",
        ),
        (
            {
                RISK: related(
                    '  drives:\n    - {target: service-sales-ambidexterity, cite: "[@nobody2000]"}\n'
                )
            },
            "causal-from-correlation",
        ),
        ({"kb/cases/x.md": concept("x", type="case", body=" ".join(["word"] * 80))}, "short-body"),
        (
            {
                "kb/cases/x.md": concept(
                    "x",
                    type="case",
                    body=" ".join(["word"] * 79) + " [@gabler2017dark, p. 1]"
                    " [[role-ambiguity|x]] [y](https://z.example/a-b-c-d)",
                )
            },
            "short-body",
        ),
    ],
    ids=[
        "practitioner-article",
        "a-reason-for-a-missing-volume",
        "a-reason-for-missing-editors-and-pages",
        "a-reason-for-a-missing-doi",
        "a-reason-for-a-missing-url",
        "an-anonymous-work-with-a-reason",
        "a-view-names-its-word",
        "a-view-names-its-author",
        "a-finding-from-a-study-beside-the-blog",
        "tex-accents-logos-and-quotes-are-kept",
        "misc-is-practitioner",
        "designs-in-any-case-and-spacing",
        "association-needs-no-cite",
        "moderation-is-not-causal",
        "one-experiment-suffices",
        "unknown-keys-are-reported-elsewhere",
        "exactly-the-minimum",
        "labels-count-citations-and-urls-do-not",
    ],
)
def test_rule_does_not_fire(make_kb: MakeKb, files: dict[str, str | bytes | None], absent: str) -> None:
    _, problems = validate(make_kb(files))
    assert absent not in {p.code for p in problems}, "\n".join(p.format() for p in problems)


def test_warnings_are_warnings(make_kb: MakeKb) -> None:
    misc = "\n@misc{x2000, title={Unused}, url={https://example.org/x}}\n"
    _, problems = validate(make_kb({"references.bib": BIB + misc}))
    assert [(p.severity, p.code) for p in problems] == [("warning", "uncited-reference")]


FOLDED = (
    "---\nid: role-ambiguity\ntitle: Role ambiguity\ntype: risk\nsummary: >-\n"
    "  Unclear priorities between serving and selling\n"
    "  confuse salespeople [@gabler2071dark].\n"
    "evidence:\n"
    "  - A plain item that runs\n"
    "    over two lines [@gabler2072dark].\n"
    "---\nBody.\n"
)


def test_citations_inside_folded_and_multi_line_scalars_are_located(make_kb: MakeKb) -> None:
    _, problems = validate(make_kb({"kb/risks/role-ambiguity.md": FOLDED}))
    places = {(p.line, p.col, p.message.split("'")[1]) for p in problems if p.code == "unknown-citation"}
    # Line 7 is "  confuse salespeople [@gabler2071dark]."; the key starts after "[@".
    assert places == {(7, 24, "gabler2071dark"), (10, 21, "gabler2072dark")}


ORIGINAL = "As a customer assistant in a technology shop, you have a customer whose laptop crashes often.\n"
COPIES = [
    (
        "summary",
        {
            RISK: concept(
                "role-ambiguity", summary="In a technology shop, you have a customer whose [@gabler2017dark]."
            )
        },
        (RISK, 5, 1, 9),
    ),
    (
        "evidence",
        {
            RISK: concept(
                "role-ambiguity", evidence="As a Customer-Assistant in a technology shop you have a customer."
            )
        },
        (RISK, 7, 1, 12),
    ),
    (
        "body-through-markup",
        {
            RISK: concept(
                "role-ambiguity",
                body="Intro.\n\nSo: as a **customer** [[role-ambiguity|assistant]] in a technology shop "
                "[@gabler2017dark], you have a [customer](https://x.example/y) whose laptop.\n",
            )
        },
        (RISK, 11, 5, 14),
    ),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in COPIES], ids=[c[0] for c in COPIES])
def test_copied_phrasing_is_located(
    make_kb: MakeKb, files: dict[str, str | bytes | None], expected: tuple[str, int, int, int]
) -> None:
    root = make_kb({**files, "originals/article.txt": ORIGINAL, "originals/notes.pdf": ORIGINAL})
    _, problems = validate(root, root / "originals")
    copied = [p for p in problems if p.code == "copied-phrasing"]
    assert [(p.path, p.line, p.col) for p in copied] == [expected[:3]], "\n".join(
        p.format() for p in problems
    )
    assert copied[0].is_error and f"shares {expected[3]} consecutive words with " in copied[0].message
    assert str(root / "originals" / "article.txt") in copied[0].message


def test_eight_shared_words_are_not_a_copy(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            RISK: concept(
                "role-ambiguity", summary="In a technology shop, you have a customer [@gabler2017dark]."
            ),
            "originals/article.md": ORIGINAL,
        }
    )
    _, problems = validate(root, root / "originals")
    assert "copied-phrasing" not in {p.code for p in problems}
    _, without = validate(root)
    assert problems == without
