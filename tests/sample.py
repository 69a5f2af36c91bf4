"""A small knowledge base that follows every rule, for the tests that build a whole project.

The site, the browser, `ambidex serve` and the API's fuzzing need a project of some size; the
repository's own `kb/` and `references.bib` change as editors write, so these tests build this
sample instead, next to the repository's code, `mkdocs.yml` and `docs/`. Concepts and
references that the hand-written pages under `docs/` link or cite, and that the sample lacks,
are added as plain entries so the pages build whatever they mention.
"""

from __future__ import annotations

import re
from pathlib import Path

from ambidex.markup import CiteSpan, LinkSpan, scan

REFERENCES = """@article{agnihotri2017salesperson,
  author    = {Agnihotri, Raj and Gabler, Colin B. and Itani, Omar S. and Jaramillo, Fernando and
               Krush, Michael T.},
  title     = {Salesperson Ambidexterity and Customer Satisfaction: Examining the Role of
               Customer Demandingness, Adaptive Selling, and Role Conflict},
  journal   = {Journal of Personal Selling \\& Sales Management},
  year      = {2017},
  volume    = {37},
  number    = {1},
  pages     = {27--41},
  doi       = {10.1080/08853134.2016.1272053},
  design    = {dyadic-survey}
}

@article{gabler2017dark,
  author    = {Gabler, Colin B. and Ogilvie, Jessica and Rapp, Adam and Bachrach, Daniel G.},
  title     = {Is There a Dark Side of Ambidexterity? {Implications} of Dueling Sales
               and Service Orientations},
  journal   = {Journal of Service Research},
  year      = {2017},
  volume    = {20},
  number    = {4},
  pages     = {379--392},
  doi       = {10.1177/1094670517712019},
  design    = {survey}
}

@article{mullins2020ambidextrous,
  author    = {Mullins, Ryan R. and Agnihotri, Raj and Hall, Zachary R.},
  title     = {The Ambidextrous Sales Force: Aligning Salesperson Polychronicity
               and Selling Contexts for Sales-Service Behaviors and Customer Value},
  journal   = {Journal of Service Research},
  year      = {2020},
  volume    = {23},
  number    = {1},
  doi       = {10.1177/1094670519883344},
  design    = {survey}
}

@article{becker2020proactive,
  author    = {Becker, Jan U. and Spann, Martin and Barrot, Christian},
  title     = {Impact of Proactive Postsales Service and Cross-Selling Activities on
               Customer Churn and Service Calls},
  journal   = {Journal of Service Research},
  year      = {2020},
  volume    = {23},
  number    = {1},
  pages     = {53--69},
  doi       = {10.1177/1094670519883347},
  design    = {field-experiment}
}

@article{aman2022ambidextrous,
  author    = {Aman, M. A. and Azam, M. K. and Akhtar, A.},
  title     = {Ambidextrous Selling: A Systematic Review and Synthesis of Theories, Themes,
               and Methodologies},
  journal   = {Journal of Personal Selling \\& Sales Management},
  year      = {2022},
  design    = {review},
  status    = {unverified},
  missing   = {doi, volume, pages: no record found}
}

@online{humanedgendcustomers,
  author    = {{Human Edge}},
  title     = {Customers on Your Left Hand, Sales Target in Your Right},
  url       = {https://human-edge.com/customers-on-your-left-hand-sales-target-in-your-right/}
}
"""

# Sentences that make a body long enough; each names the concept and cites a source.
_MORE = (
    "The sources describe {title} through what salespeople do in ordinary customer contacts, and they "
    "measure it with questions answered by the salespeople, their managers or their customers [@{key}].",
    "Where the studies differ, they differ in the setting they observe: retail counters, call centres, "
    "field sales forces and key account teams each give {title} a slightly different shape.",
    "Managers read {title} as something they can shape with goals, feedback and the way they design "
    "jobs, while salespeople read it as a matter of attention during the working day [@{key}].",
    "The findings agree more on direction than on size, so an editor should report what was measured "
    "and where before drawing a lesson from {title} for another team.",
)

_TENSION = frozenset({"dilemma", "ambidexterity"})


def body(title: str, key: str, opening: str, concept_type: str) -> str:
    """`opening`, then sentences about the concept until the body is as long as its type needs."""
    needed = 260 if concept_type in _TENSION else 90
    paragraphs = [opening.strip()]
    i = 0
    while len(re.findall(r"\w+", re.sub(r"\[@[^\]]*\]", "", "\n".join(paragraphs)))) < needed:
        paragraphs.append(_MORE[i % len(_MORE)].format(title=title.lower(), key=key))
        i += 1
    return "\n\n".join(paragraphs) + "\n"


def concept_text(
    concept_id: str,
    concept_type: str,
    title: str,
    summary: str,
    front: str,
    opening: str,
    key: str,
) -> str:
    return (
        f"---\nid: {concept_id}\ntitle: {title}\ntype: {concept_type}\nsummary: >-\n  {summary}\n{front}"
        f"{advice(title, concept_type, key, front)}---\n\n{body(title, key, opening, concept_type)}"
    )


def advice(title: str, concept_type: str, key: str, front: str = "") -> str:
    """What every entry gives a manager, where its front matter does not already: an In short; a
    tension's poles; a risk's signs (in words that no test situation uses)."""
    given = set(re.findall(r"(?m)^(\w+):", front))
    out = "" if "in_short" in given else f"in_short: {title} in plain words.\n"
    if concept_type in _TENSION and "poles" not in given:
        out += "poles:\n" + "".join(
            f"  - name: {side} side\n    signals: [{side}-side habits show]\n"
            f"    moves: ['Try the {side.lower()}-side remedy [@{key}].']\n"
            f"    questions: ['Is the {side.lower()} side common?']\n"
            for side in ("First", "Second")
        )
    if concept_type == "risk" and "signs" not in given:
        out += "signs: [Early symptoms appear]\n"
    return out


# (id, type, folder, title, summary, front matter after the summary, opening of the body, key)
CONCEPTS = [
    (
        "service-sales-ambidexterity",
        "ambidexterity",
        "Service-sales ambidexterity",
        "Serving customers and selling to them in the same contact [@gabler2017dark; @aman2022ambidextrous].",
        "aliases: [sales-service ambidexterity]\ntags: [service-sales]\nrelations:\n"
        "  part-of: [service-vs-sales]\n"
        "evidence:\n  - Ambidextrous salespeople had more satisfied customers [@agnihotri2017salesperson].\n",
        "Service-sales ambidexterity is the ability to help a customer and to sell to the same customer "
        "without letting either goal crowd out the other [@gabler2017dark, p. 383]. It is measured as "
        "the joint presence of a [[service-orientation]] and a [[sales-orientation]].",
        "gabler2017dark",
    ),
    (
        "service-vs-sales",
        "dilemma",
        "Service vs. sales",
        "Whether a customer contact should solve the problem or open a sale [@gabler2017dark].",
        "tags: [service-sales]\n"
        "in_short: >-\n  A support call can also sell.\n"
        "  Lean too far either way and customers or targets suffer.\n"
        "evidence:\n  - Dueling orientations can exhaust salespeople [@gabler2017dark, p. 388].\n"
        "poles:\n"
        "  - name: Serving first\n    concept: service-orientation\n"
        "    signals:\n      - Agents fix the fault and hang up without mentioning anything new.\n"
        "    moves:\n      - Suggest one relevant offer once the problem is solved [@becker2020proactive].\n"
        "    questions:\n      - Which solved problems pointed to something the customer still needs?\n"
        "  - name: Pushing the sale\n    concept: sales-orientation\n"
        "    signals:\n      - Every support call ends with an upgrade pitch.\n"
        "      - Customers complain that help turns into a sales pitch.\n"
        "    moves:\n      - Solve the problem before any offer [@becker2020proactive].\n"
        "      - Reward solved problems as well as sales [@gabler2017dark].\n"
        "    questions:\n      - How many calls ended with a pitch the customer did not want?\n"
        "      - What do customers say about our calls after the fault is fixed?\n",
        "Every support contact offers a second chance: to sell. Leaning towards service builds trust "
        "and keeps customers; leaning towards sales brings revenue now but can feel pushy "
        "[@gabler2017dark]. Organisations resolve the dilemma by training for both and by setting "
        "goals that reward both.",
        "gabler2017dark",
    ),
    (
        "service-orientation",
        "orientation",
        "Service orientation",
        "A disposition to solve customers' problems first [@gabler2017dark].",
        "relations:\n  pole-of: [service-vs-sales, service-sales-ambidexterity]\n"
        "evidence:\n  - Service orientation raised customer satisfaction [@agnihotri2017salesperson].\n",
        "A service-oriented salesperson puts the customer's problem first and sees the sale as a "
        "consequence of help that worked [@gabler2017dark].",
        "gabler2017dark",
    ),
    (
        "sales-orientation",
        "orientation",
        "Sales orientation",
        "A disposition to close sales in every contact [@gabler2017dark].",
        "relations:\n  pole-of: [service-vs-sales, service-sales-ambidexterity]\n"
        "  opposes: [service-orientation]\n"
        "evidence:\n  - Sales orientation alone did not raise satisfaction [@agnihotri2017salesperson].\n",
        "A sales-oriented salesperson looks for the next order in every contact and measures a good "
        "day by what was sold [@gabler2017dark].",
        "gabler2017dark",
    ),
    (
        "role-ambiguity",
        "risk",
        "Role ambiguity",
        "Unclear expectations when one job asks for two things [@agnihotri2017salesperson].",
        "aliases: [role conflict]\ntags: [service-sales]\n"
        "signs:\n  - People ask whether their job is to help customers or to sell to them.\n"
        "relations:\n  risk-of: [service-sales-ambidexterity]\n"
        "evidence:\n  - Role conflict weakened the link between ambidexterity and satisfaction "
        "[@agnihotri2017salesperson].\n",
        "Role ambiguity arises when salespeople do not know which of their two goals counts more "
        "[@agnihotri2017salesperson]. It is the price of [[service-sales-ambidexterity]] when managers "
        "leave the priorities open.",
        "agnihotri2017salesperson",
    ),
    (
        "customer-churn",
        "risk",
        "Customer churn",
        "Customers leaving after a contact that felt like a sales pitch [@becker2020proactive].",
        "relations:\n  risk-of: [sales-orientation]\n"
        "evidence:\n  - Cross-selling in service calls was followed by more churn "
        "[@becker2020proactive, p. 60].\n",
        "Churn is the share of customers who leave. Selling at the wrong moment of a service contact "
        "can drive it up [@becker2020proactive].",
        "becker2020proactive",
    ),
    (
        "polychronicity",
        "trait",
        "Polychronicity",
        "A preference for doing several things at once [@mullins2020ambidextrous].",
        "relations:\n  associated-with:\n    - target: service-sales-ambidexterity\n"
        '      cite: "[@mullins2020ambidextrous]"\n'
        "evidence:\n  - Polychronic salespeople combined service and sales more often "
        "[@mullins2020ambidextrous].\n",
        "Polychronicity is the preference for working on several tasks at the same time rather than one "
        "after the other [@mullins2020ambidextrous].",
        "mullins2020ambidextrous",
    ),
    (
        "proactive-service-calls",
        "practice",
        "Proactive service calls",
        "Calling customers to help before they ask [@becker2020proactive].",
        "relations:\n  mitigates: [customer-churn]\n  drives:\n"
        '    - {target: customer-retention, cite: "[@becker2020proactive, p. 62]"}\n'
        "evidence:\n  - Proactive service calls lowered churn in a field experiment "
        "[@becker2020proactive].\n",
        "A proactive service call reaches out to a customer before a problem turns into a complaint "
        "[@becker2020proactive]. It lowers [[customer-churn]].",
        "becker2020proactive",
    ),
    (
        "customer-retention",
        "outcome",
        "Customer retention",
        "Customers staying with the firm [@becker2020proactive].",
        "evidence:\n  - Retention rose after proactive service [@becker2020proactive].\n",
        "Retention is the share of customers who stay from one period to the next [@becker2020proactive].",
        "becker2020proactive",
    ),
    (
        "laptop-support-call",
        "case",
        "Laptop support call",
        "A support call about a crashing laptop, and a new joystick in stock, as a sales training firm's "
        "blog describes it [@humanedgendcustomers].",
        "tags: [service-sales]\nrelations:\n  example-of: [service-vs-sales]\n"
        "evidence:\n  - The case is told in a blog post by a sales training firm [@humanedgendcustomers].\n",
        "A customer calls because a laptop keeps crashing during games. Once the problem is solved, a "
        "new joystick could be offered [@humanedgendcustomers].",
        "humanedgendcustomers",
    ),
]

FOLDERS = {
    "ambidexterity": "ambidexterity",
    "dilemma": "dilemmas",
    "orientation": "orientations",
    "risk": "risks",
    "trait": "traits",
    "practice": "practices",
    "outcome": "outcomes",
    "case": "cases",
}


def _mentioned(docs: Path) -> tuple[list[str], list[str]]:
    """Concept ids and citation keys the hand-written pages under `docs` link or cite."""
    ids: dict[str, None] = {}
    keys: dict[str, None] = {}
    for page in sorted(docs.rglob("*.md")):
        for span in scan(page.read_text(encoding="utf-8")):
            if isinstance(span, LinkSpan):
                ids.setdefault(span.link.target)
            elif isinstance(span, CiteSpan):
                keys.update(dict.fromkeys(c.key for c in span.citations))
    return list(ids), list(keys)


def _guess_type(concept_id: str) -> str:
    if "-vs-" in concept_id:
        return "dilemma"
    return "ambidexterity" if "ambidext" in concept_id else "case"


def files(docs: Path | None = None) -> dict[str, str]:
    """Path -> text of the sample project, with what the pages under `docs` mention."""
    out: dict[str, str] = {}
    for cid, ctype, title, summary, front, opening, key in CONCEPTS:
        out[f"kb/{FOLDERS[ctype]}/{cid}.md"] = concept_text(cid, ctype, title, summary, front, opening, key)
    bib = REFERENCES
    if docs is not None and docs.is_dir():
        ids, keys = _mentioned(docs)
        known_keys = set(re.findall(r"@\w+\{([^,]+),", REFERENCES))
        extra_keys = [k for k in keys if k not in known_keys]
        for key in extra_keys:
            bib += (
                f"\n@misc{{{key},\n  title = {{A source the pages cite: {key}}},\n"
                f"  url = {{https://example.org/sources/{key}}}\n}}\n"
            )
        known_ids = {c[0] for c in CONCEPTS}
        for cid in (i for i in ids if i not in known_ids):
            ctype = _guess_type(cid)
            title = cid.replace("-", " ").capitalize()
            cited = " ".join(f"[@{k}]" for k in extra_keys) or "[@aman2022ambidextrous]"
            extra_keys = []  # each added reference is cited once, by the first added concept
            front = (
                "relations:\n  related: [service-sales-ambidexterity]\n"
                f"evidence:\n  - A finding about {title.lower()} [@aman2022ambidextrous].\n"
            )
            opening = f"{title} as the pages under docs/ mention it {cited}."
            out[f"kb/{FOLDERS[ctype]}/{cid}.md"] = concept_text(
                cid, ctype, title, f"{title} [@aman2022ambidextrous].", front, opening, "aman2022ambidextrous"
            )
    out["references.bib"] = bib
    return out


def write(root: Path, docs: Path | None = None) -> Path:
    """Write the sample's kb/ and references.bib under `root` (replacing any there)."""
    import shutil

    if (root / "kb").exists():
        shutil.rmtree(root / "kb")
    for rel, text in files(docs).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
