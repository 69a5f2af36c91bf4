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
    assert entry == "Human Edge. (n.d.). Customers on Your Left Hand. https://example.org/a"


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
        "Human Edge. (n.d.). Customers on Your Left Hand. Retrieved May 1, 2024, from https://example.org/a"
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
