"""The BibTeX adapter: parsing with located problems, display text, exports and APA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ambidex import bibliography
from ambidex.bibliography import Apa, plain, to_csl, to_ris
from ambidex.files import DiskCache
from tests.conftest import BIB


def test_parse_keeps_lines_and_raw() -> None:
    refs, problems = bibliography.parse(BIB)
    assert problems == []
    assert [(r.key, r.line) for r in refs] == [("gabler2017dark", 1), ("mullins2020ambidextrous", 13)]
    assert refs[0].field_lines["doi"] == 9
    assert refs[0].raw.startswith("@article{gabler2017dark,")


def test_broken_entry_is_located_and_the_next_recovered() -> None:
    text = "@article{broken,\n  title = {open\n\n@misc{fine2000, title={Fine}}\n"
    refs, problems = bibliography.parse(text)
    assert [r.key for r in refs] == ["fine2000"]
    assert [(p.line, p.code) for p in problems] == [(1, "bibtex-syntax")]
    assert "'broken'" in problems[0].message


def test_plain_decodes_latex() -> None:
    assert plain(r"R{\'e}gis") == "Régis"
    assert plain(r"Sales \& Service {BibTeX}") == "Sales & Service BibTeX"
    assert plain("pp. 1--2") == "pp. 1–2"


def test_csl_names_and_particles() -> None:
    text = (
        "@article{v2017, author={van der Borgh, Michel and {Human Edge}}, title={T}, journal={J}, year=2017}"
    )
    (ref,), _ = bibliography.parse(text)
    csl = to_csl(ref)
    assert csl["author"] == [
        {"family": "Borgh", "given": "Michel", "non-dropping-particle": "van der"},
        {"literal": "Human Edge"},
    ]
    assert csl["issued"] == {"date-parts": [[2017]]}


def test_apa_reference_and_in_text_label() -> None:
    refs, _ = bibliography.parse(BIB)
    apa = Apa(refs)
    entry = apa.entry_text("gabler2017dark")
    assert entry.startswith("Gabler, C. B., Ogilvie, J., Rapp, A., & Bachrach, D. G. (2017).")
    assert "https://doi.org/10.1177/1094670517712019" in entry
    assert "<i>Journal of Service Research</i>" in apa.entry("gabler2017dark")
    assert apa.label("gabler2017dark") == "Gabler et al., 2017"
    assert (apa.author("gabler2017dark"), apa.year("gabler2017dark")) == ("Gabler et al.", "2017")
    assert apa.sorted_keys() == ["gabler2017dark", "mullins2020ambidextrous"]


def test_ris_export() -> None:
    refs, _ = bibliography.parse(BIB)
    ris = to_ris(refs[0])
    assert ris.splitlines()[:3] == ["TY  - JOUR", "ID  - gabler2017dark", "AU  - Gabler, Colin B."]
    assert "SP  - 379" in ris and "EP  - 392" in ris and ris.rstrip().endswith("ER  -")


def test_online_without_retrieval_date_has_a_plain_url() -> None:
    text = "@online{edge, author={{Human Edge}}, title={Customers on Your Left Hand}, url={https://example.org/a}}"
    refs, _ = bibliography.parse(text)
    entry = Apa(refs).entry_text("edge")
    assert entry == "Human Edge. (n.d.). Customers on your left hand. https://example.org/a"


def test_online_with_retrieval_date_says_when() -> None:
    text = (
        "@online{edge, author={{Human Edge}}, title={Customers on Your Left Hand},"
        " url={https://example.org/a}, urldate={2024-05-01}}"
    )
    refs, _ = bibliography.parse(text)
    assert to_csl(refs[0])["accessed"] == {"date-parts": [[2024, 5, 1]]}
    assert "Y2  - 2024/05/01/" in to_ris(refs[0]).splitlines()
    entry = Apa(refs).entry_text("edge")
    assert entry == (
        "Human Edge. (n.d.). Customers on your left hand. Retrieved May 1, 2024, from https://example.org/a"
    )


def test_reference_defaults() -> None:
    from ambidex.model import Reference

    ref = Reference(key="x", entry_type="misc", fields={"title": "T"})
    assert ref.field_lines == {} and ref.get("title") == "T" and ref.get("year") == ""


def test_apa_cache_is_reused_and_follows_the_references(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refs, _ = bibliography.parse(BIB)
    cache = DiskCache(tmp_path)
    first = Apa(refs, cache)
    (cached,) = tmp_path.glob("apa-*.json")

    def no_citeproc(*_args: object) -> None:
        raise AssertionError("formatted again although nothing changed")

    with monkeypatch.context() as patch:
        patch.setattr(Apa, "_format", no_citeproc)
        again = Apa(refs, cache)
    assert again.sorted_keys() == first.sorted_keys()
    assert again.entry("gabler2017dark") == first.entry("gabler2017dark")
    assert again.label("gabler2017dark") == "Gabler et al., 2017"

    changed, _ = bibliography.parse(BIB.replace("Journal of Service Research", "Journal of Selling"))
    assert "Journal of Selling" in Apa(changed, cache).entry_text("gabler2017dark")
    (fresh,) = tmp_path.glob("apa-*.json")
    assert fresh != cached

    fresh.write_text("{not json", encoding="utf-8")
    assert Apa(changed, cache).label("gabler2017dark") == "Gabler et al., 2017"
    assert json.loads(fresh.read_text(encoding="utf-8"))["labels"]["gabler2017dark"] == "Gabler et al., 2017"


# One entry of every type the library uses or accepts, and its APA 7 reference as checked by hand
# against the Publication Manual (7th ed., ch. 9–10): sentence-case titles, italics, "[Paper
# presentation]" with the event and its place, web pages with their URL, one DOI.
LIBRARY = r"""@article{gabler2017dark,
  author  = {Gabler, Colin B. and Ogilvie, Jessica and Rapp, Adam and Bachrach, Daniel G.},
  title   = {Is There a Dark Side of Ambidexterity? {Implications} of Dueling Sales and Service Orientations},
  journal = {Journal of Service Research},
  year    = {2017},
  volume  = {20},
  number  = {4},
  pages   = {379--392},
  doi     = {10.1177/1094670517712019}
}
@book{march1999pursuit,
  author    = {March, James G.},
  title     = {The Pursuit of Organizational Intelligence},
  publisher = {Blackwell},
  year      = {1999}
}
@incollection{tushman2002winning,
  author    = {Tushman, Michael L. and O'Reilly, III, Charles A.},
  title     = {Managing Streams of Innovation},
  booktitle = {Winning Through Innovation: A Practical Guide to Leading Organizational Change},
  editor    = {Smith, Jane},
  publisher = {Harvard Business School Press},
  pages     = {155--183},
  year      = {2002}
}
@inproceedings{lemmens2011selling,
  author    = {Lemmens, R{\'e}gis and Marcos-Cuevas, Javier and Ryals, Lynette},
  title     = {Selling in the 21st Century: Mapping the Transformations of Selling and Sales Management},
  booktitle = {9th Sales Management Research Conference},
  address   = {Paris, France},
  month     = may,
  year      = {2011}
}
@inproceedings{doe2019proceedings,
  author    = {Doe, Jane},
  title     = {Learning to Sell: {A} Field Study},
  booktitle = {Proceedings of the Global Sales Science Institute Conference},
  publisher = {GSSI},
  pages     = {10--20},
  year      = {2019},
  doi       = {10.1234/gssi.2019.10}
}
@online{marcoscuevas2014leading,
  author       = {Marcos-Cuevas, Javier},
  title        = {Leading the Modern Sales Organisation with Ambidexterity},
  organization = {Consalia},
  date         = {2014-06-24},
  url          = {https://www.consalia.com/leading-the-modern-sales-organisation}
}
@online{cranfieldndsales,
  author    = {{Cranfield School of Management}},
  title     = {Sales Leadership Paradoxes},
  url       = {https://www.cranfield.ac.uk/sales-leadership-paradoxes},
  urldate   = {2024-05-01}
}
@techreport{roe2020state,
  author      = {Roe, Richard},
  title       = {The State of Sales Enablement},
  institution = {Sales Institute},
  number      = {7},
  year        = {2020},
  url         = {https://example.org/report}
}
@phdthesis{smith2018hunting,
  author = {Smith, Anna},
  title  = {Hunting and Farming in {B2B} Sales},
  school = {Cranfield University},
  year   = {2018}
}
@misc{humanedgendcustomers,
  author = {{Human Edge}},
  title  = {Customers on Your Left Hand, Sales Target in Your Right},
  url    = {https://human-edge.com/customers}
}
"""

APA_BY_HAND = {
    "cranfieldndsales": (
        "Cranfield School of Management. (n.d.). <i>Sales leadership paradoxes</i>. Retrieved May 1, "
        "2024, from https://www.cranfield.ac.uk/sales-leadership-paradoxes"
    ),
    "doe2019proceedings": (
        "Doe, J. (2019). Learning to sell: A field study. In <i>Proceedings of the Global Sales Science "
        "Institute Conference</i> (pp. 10–20). GSSI. https://doi.org/10.1234/gssi.2019.10"
    ),
    "gabler2017dark": (
        "Gabler, C. B., Ogilvie, J., Rapp, A., &amp; Bachrach, D. G. (2017). Is there a dark side of "
        "ambidexterity? Implications of dueling sales and service orientations. <i>Journal of Service "
        "Research</i>, <i>20</i>(4), 379–392. https://doi.org/10.1177/1094670517712019"
    ),
    "humanedgendcustomers": (
        "Human Edge. (n.d.). <i>Customers on your left hand, sales target in your right</i>. "
        "https://human-edge.com/customers"
    ),
    "lemmens2011selling": (
        "Lemmens, R., Marcos-Cuevas, J., &amp; Ryals, L. (2011, May). <i>Selling in the 21st century: "
        "Mapping the transformations of selling and sales management</i> [Paper presentation]. 9th Sales"
        " Management Research Conference, Paris, France."
    ),
    "march1999pursuit": (
        "March, J. G. (1999). <i>The pursuit of organizational intelligence</i>. Blackwell."
    ),
    "marcoscuevas2014leading": (
        "Marcos-Cuevas, J. (2014, June 24). <i>Leading the modern sales organisation with "
        "ambidexterity</i>. Consalia. https://www.consalia.com/leading-the-modern-sales-organisation"
    ),
    "roe2020state": (
        "Roe, R. (2020). <i>The state of sales enablement</i> (Report No. 7). Sales Institute. "
        "https://example.org/report"
    ),
    "smith2018hunting": (
        "Smith, A. (2018). <i>Hunting and farming in B2B sales</i> [Doctoral dissertation, Cranfield "
        "University]."
    ),
    "tushman2002winning": (
        "Tushman, M. L., &amp; O'Reilly, C. A., III. (2002). Managing streams of innovation. In J. Smith"
        " (Ed.), <i>Winning through innovation: A practical guide to leading organizational change</i> "
        "(pp. 155–183). Harvard Business School Press."
    ),
}


def test_apa_strings_checked_by_hand_for_every_entry_type() -> None:
    refs, problems = bibliography.parse(LIBRARY)
    assert problems == []
    apa = Apa(refs)
    assert {key: apa.entry(key) for key in apa.sorted_keys()} == APA_BY_HAND
    assert list(APA_BY_HAND) == apa.sorted_keys(), "alphabetical by first author"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Ambidextrous Organization", "The ambidextrous organization"),
        ("Ambidexterity: Past, Present, and Future", "Ambidexterity: Past, present, and future"),
        (
            "Is There a Dark Side? {Implications} of Dueling",
            "Is there a dark side? {Implications} of dueling",
        ),
        ("The {Inventory of Polychronic Values (IPV)}", "The {Inventory of Polychronic Values (IPV)}"),
        ("Self-Regulatory Mode on Acquisition--Retention", "Self-regulatory mode on acquisition--retention"),
        ("Using IPV and eBay with McDonald", "Using IPV and eBay with McDonald"),
        ("What I Learned from \\LaTeX{} and R{\\'e}gis", "What I learned from \\LaTeX{} and r{\\'e}gis"),
    ],
)
def test_sentence_case_keeps_braced_words_acronyms_and_names(title: str, expected: str) -> None:
    assert bibliography.sentence_case(title) == expected


def _apa_text(bibtex: str) -> str:
    refs, problems = bibliography.parse(bibtex)
    assert problems == []
    return Apa(refs).entry_text(refs[0].key)


def test_tex_quotes_logos_and_accents_become_unicode() -> None:
    entry = _apa_text(
        "@article{k2000, author={Kruglanski, Arie W. and {\\'A}lvarez-Garc{\\'\\i}a, Jos{\\'e}},"
        " title={To ``Do the Right Thing'' or `Just' {\\TeX} and the \\LaTeX{} of Selling},"
        " journal={J}, year=2000, volume=79, pages={793--815}}"
    )
    assert entry.startswith(
        "Kruglanski, A. W., & Álvarez-García, J. (2000). To “do the right thing” or ‘just’"
    )
    assert "TeX and the LaTeX of selling" in entry
    assert not any(mark in entry for mark in ("\\", "{", "}", "``", "''"))


def test_hyphenated_given_names_keep_the_hyphen_in_initials() -> None:
    entry = _apa_text("@article{h, author={He, Zi-Lin and Wong, Poh-Kam}, title={T}, journal={J}, year=2004}")
    assert entry.startswith("He, Z.-L., & Wong, P.-K. (2004).")


def test_a_title_ending_in_a_question_mark_takes_no_full_stop() -> None:
    entry = _apa_text(
        "@article{l, author={Lam, Son K.}, title={Do Customer Base Characteristics Matter?},"
        " journal={Journal of the Academy of Marketing Science}, year=2019}"
    )
    assert "matter? Journal of the Academy" in entry and "?." not in entry


def test_co_authors_not_known_read_et_al() -> None:
    entry = _apa_text("@article{c, author={Carter and others}, title={T}, journal={J}, year=2014, volume=34}")
    assert entry.startswith("Carter, et al. (2014).") and "&" not in entry and "others" not in entry


def test_an_issue_is_printed_only_with_its_volume() -> None:
    without = _apa_text("@article{z, author={Zheng, Yaqin}, title={T}, journal={J}, year=2021, number=5}")
    assert "(5)" not in without
    with_volume = _apa_text(
        "@article{z, author={Zheng, Yaqin}, title={T}, journal={J}, year=2021, volume=36, number=5}"
    )
    assert "J, 36(5)." in with_volume


def test_chapter_editors_get_initials_and_the_chapter_its_pages() -> None:
    entry = _apa_text(
        "@incollection{d, author={Duncan, Robert B.}, title={The Ambidextrous Organization},"
        " booktitle={The Management of Organization Design}, editor={Kilmann, Ralph H. and Pondy, L. R.},"
        " publisher={North-Holland}, year=1976, pages={167--188}}"
    )
    assert (
        "In R. H. Kilmann & L. R. Pondy (Eds.), The management of organization design (pp. 167–188)." in entry
    )


def test_lost_tex_commands_are_named() -> None:
    assert bibliography.lost_commands("\\foo{x} \\emph{y} {\\TeX} \\relax \\'e") == ("foo",)
