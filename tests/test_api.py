"""The API through an HTTP client against the real app: resources, errors, caching, hostile input."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from ambidex.build import make_build
from api.app import create_app
from api.deps import KEY
from api.settings import Settings
from api.views import COMPRESS_FROM
from tests import sample
from tests.conftest import BIB, REPO, MakeKb, concept

V1 = "/api/v1"


@pytest.fixture
def client(make_kb: MakeKb) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(root=make_kb(), cors_origins=("https://allowed.example",)))) as c:
        yield c


@pytest.fixture(scope="module")
def sample_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = sample.write(tmp_path_factory.mktemp("sample") / "project", REPO / "docs")
    with TestClient(create_app(Settings(root=root))) as c:
        yield c


def test_concept_list_filters_and_pages(client: TestClient) -> None:
    page = client.get(f"{V1}/concepts", params={"per_page": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["next"] == f"{V1}/concepts?page=2&per_page=1" and page["prev"] is None
    risks = client.get(f"{V1}/concepts", params={"type": "risk"}).json()
    assert [c["id"] for c in risks["items"]] == ["role-ambiguity"]
    assert client.get(f"{V1}/concepts", params={"tag": "nothing"}).json()["total"] == 0


def test_concept_resolves_citations_relations_and_backlinks(client: TestClient) -> None:
    risk = client.get(f"{V1}/concepts/role-ambiguity").json()
    assert risk["summary"] == "A summary (Gabler et al., 2017)."
    assert risk["relations"] == [
        {
            "type": "risk-of",
            "label": "Risk of",
            "target": {
                "id": "service-sales-ambidexterity",
                "title": "Service sales ambidexterity",
                "type": "ambidexterity",
                "url": f"{V1}/concepts/service-sales-ambidexterity",
            },
            "citations": [],
        }
    ]
    (ref,) = risk["references"]
    assert ref["apa"].startswith("Gabler, C. B., Ogilvie, J., Rapp, A., & Bachrach, D. G. (2017).")
    assert '<a href="/api/v1/concepts/service-sales-ambidexterity"' in risk["body_html"]
    assert "(Gabler et al., 2017, p. 383)" in risk["body_markdown"].replace("[", "").replace(
        "](/api/v1/references/gabler2017dark)", ""
    )
    target = client.get(f"{V1}/concepts/service-sales-ambidexterity").json()
    assert [(b["type"], b["label"], b["source"]["id"]) for b in target["backlinks"]] == [
        ("risk-of", "Risks", "role-ambiguity")
    ]
    assert target["evidence"][0]["citations"][0]["in_text"] == "(Mullins et al., 2020)"


def test_reference_with_exports_and_cited_by(client: TestClient) -> None:
    ref = client.get(f"{V1}/references/gabler2017dark").json()
    assert ref["doi"] == "10.1177/1094670517712019"
    assert ref["cited_by"][0]["id"] == "role-ambiguity"
    assert ref["bibtex"].startswith("@article{gabler2017dark,")
    assert ref["csl_json"]["type"] == "article-journal" and ref["ris"].startswith("TY  - JOUR")
    ris = client.get(f"{V1}/references/gabler2017dark", params={"format": "ris"})
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    bib = client.get(f"{V1}/references/gabler2017dark", params={"format": "bibtex"})
    assert bib.text.startswith("@article{gabler2017dark,")
    assert client.get(f"{V1}/references/gabler2017dark", params={"format": "csl-json"}).json()[0]["DOI"]
    assert client.get(f"{V1}/references").json()["total"] == 2


SURVEY = {
    "source_type": "peer-reviewed",
    "source_type_label": "Peer-reviewed article",
    "design": ["survey"],
    "design_labels": ["Survey"],
    "causal": False,
    "evidence_label": "Peer-reviewed · Survey",
    "status": None,
}


def test_every_citation_says_what_kind_of_source_it_is(client: TestClient) -> None:
    risk = client.get(f"{V1}/concepts/role-ambiguity").json()
    citations = [*risk["summary_citations"], *risk["references"], *risk["evidence"][0]["citations"]]
    assert citations and all({k: c[k] for k in SURVEY} == SURVEY for c in citations)
    ref = client.get(f"{V1}/references/gabler2017dark").json()
    assert {k: ref[k] for k in SURVEY} == SURVEY
    items = client.get(f"{V1}/references").json()["items"]
    assert [{k: i[k] for k in SURVEY} for i in items] == [SURVEY, SURVEY]
    guide = client.get(f"{V1}/guide", params={"concept": "role-ambiguity", "detail": "full"}).json()
    assert {k: guide["matched"][0]["citations"][0][k] for k in SURVEY} == SURVEY


CITED_EDGE = concept(
    "role-ambiguity",
    extra="relations:\n  risk-of:\n"
    '    - {target: service-sales-ambidexterity, cite: "[@mullins2020ambidextrous, p. 7]"}\n',
)


def test_relations_backlinks_and_graph_edges_carry_their_source(make_kb: MakeKb) -> None:
    root = make_kb(
        {
            "kb/risks/role-ambiguity.md": CITED_EDGE,
            # The last entry, mullins2020ambidextrous, reports an experiment too.
            "references.bib": BIB.rsplit("  design  = {survey}", 1)[0]
            + "  design  = {meta-analysis, field-experiment}\n}\n",
        }
    )
    with TestClient(create_app(Settings(root=root))) as c:
        (relation,) = c.get(f"{V1}/concepts/role-ambiguity").json()["relations"]
        (backlink,) = c.get(f"{V1}/concepts/service-sales-ambidexterity").json()["backlinks"]
        (edge,) = c.get(f"{V1}/graph").json()["edges"]
        mullins = c.get(f"{V1}/references/mullins2020ambidextrous").json()
    for cited in (relation["citations"], backlink["citations"], edge["citations"]):
        (citation,) = cited
        assert citation["key"] == "mullins2020ambidextrous" and citation["locator"] == "p. 7"
        assert citation["in_text"] == "(Mullins et al., 2020, p. 7)"
        assert citation["design"] == ["meta-analysis", "field-experiment"] and citation["causal"] is True
        assert citation["design_labels"] == ["Meta-analysis", "Field experiment"]
    assert "role-ambiguity" in [r["id"] for r in mullins["cited_by"]], "an edge's source is cited"
    assert "design  = {meta-analysis, field-experiment}" in mullins["bibtex"]


def test_unknown_ids_are_404_problems_with_near_matches(client: TestClient) -> None:
    r = client.get(f"{V1}/concepts/role-ambiguty")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["suggestions"] == ["role-ambiguity"] and "role-ambiguity" in body["detail"]
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert client.get(f"{V1}/references/gabler2071dark").json()["suggestions"] == ["gabler2017dark"]


@pytest.mark.parametrize(
    "url",
    [
        f"{V1}/concepts/Bad%20Id",
        f"{V1}/references/m%C3%BCller2000",
        f"{V1}/concepts?per_page=1000",
        f"{V1}/concepts?page=0",
        f"{V1}/concepts?type=risks",
        f"{V1}/search",
        f"{V1}/search?q=" + "x" * 600,
        f"{V1}/guide",
        f"{V1}/graph?relation=nope",
    ],
    ids=[
        "bad-id",
        "non-ascii-key",
        "page-size",
        "page-zero",
        "bad-type",
        "no-q",
        "long-q",
        "guide-empty",
        "bad-relation",
    ],
)
def test_bad_parameters_are_400_problems(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["detail"]


def test_etag_and_conditional_requests(client: TestClient) -> None:
    r = client.get(f"{V1}/concepts/role-ambiguity")
    etag = r.headers["etag"]
    assert etag.startswith(f'"{client.get(f"{V1}/health").json()["build_id"]}-')
    assert "max-age" in r.headers["cache-control"]
    again = client.get(f"{V1}/concepts/role-ambiguity", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(f"{V1}/concepts/role-ambiguity", headers={"If-None-Match": '"old"'}).status_code == 200


def test_cors_allowlist_and_gzip(client: TestClient) -> None:
    allowed = client.get(f"{V1}/health", headers={"Origin": "https://allowed.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://allowed.example"
    other = client.get(f"{V1}/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    big = client.get(f"{V1}/concepts/role-ambiguity", headers={"Accept-Encoding": "gzip"})
    assert big.headers.get("content-encoding") == "gzip"


@pytest.mark.parametrize("path", ["/concepts/role-ambiguity", "/references/gabler2017dark", "/search?q=role"])
def test_cached_bodies_are_the_same_compressed_or_not(client: TestClient, path: str) -> None:
    # The httpx client inflates gzip bodies itself: both answers must decode to the same JSON.
    packed = client.get(V1 + path, headers={"Accept-Encoding": "gzip, deflate"})
    plain = client.get(V1 + path, headers={"Accept-Encoding": "identity"})
    if path.startswith("/search"):  # a short answer is sent as it is: compressing costs more
        assert len(plain.content) < COMPRESS_FROM and "content-encoding" not in packed.headers
    else:
        assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
    assert "content-encoding" not in plain.headers
    assert packed.json() == plain.json() and plain.json()
    assert int(plain.headers["content-length"]) == len(plain.content)


def test_types_tags_graph_health(client: TestClient) -> None:
    types = {t["name"]: t["count"] for t in client.get(f"{V1}/types").json()}
    assert types["risk"] == 1 and types["dilemma"] == 0
    assert client.get(f"{V1}/tags").json() == []
    graph = client.get(f"{V1}/graph").json()
    assert graph["edges"] == [
        {
            "source": "role-ambiguity",
            "target": "service-sales-ambidexterity",
            "type": "risk-of",
            "citations": [],
        }
    ]
    assert len(client.get(f"{V1}/graph", params={"type": "risk"}).json()["nodes"]) == 1
    assert client.get(f"{V1}/health").json()["concepts"] == 2


HOSTILE = [
    '"unbalanced',
    "(((",
    "a)",
    "*",
    "a*",
    "?",
    "AND",
    "OR NOT",
    "NOT",
    "x" * 500,
    "\x00\x01\x1f",
    "é" * 300,
    "💥🔥",
    "title:foo",
    "[a TO z]",
    "foo~9",
    "a^9",
    "\u202e\u200b",
    "--",
    "<script>",
]


@pytest.mark.parametrize("q", HOSTILE, ids=[f"q{i}" for i in range(len(HOSTILE))])
def test_hostile_queries(sample_client: TestClient, q: str) -> None:
    r = sample_client.get(f"{V1}/search", params={"q": q})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:
        body = r.json()
        # No query syntax survives normalisation, and nothing echoed reaches a snippet unescaped.
        assert not set(body["query"]) & set('*?~^:[]{}()<>\\/+!"'), body["query"]
        assert len(body["query"]) <= 256
        assert all("<script" not in item["snippet"] for item in body["items"])


def test_site_is_served_without_traversal(make_kb: MakeKb, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>home</title>")
    (tmp_path / "secret.txt").write_text("TOP-SECRET-CONTENT")
    with TestClient(create_app(Settings(root=make_kb(), site_dir=site))) as c:
        assert "home" in c.get("/").text
        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"):
            r = c.get(path)
            assert r.status_code == 404 and "TOP-SECRET-CONTENT" not in r.text
        assert c.get("/api/v1/health").status_code == 200


def test_every_concept_and_reference_is_rendered_before_the_first_request(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ambidex.documents import Documents

    def no_rendering(*_args: object) -> bytes:
        raise AssertionError("rendered on request")

    monkeypatch.setattr(Documents, "_concept_json", no_rendering)
    monkeypatch.setattr(Documents, "_reference_json", no_rendering)
    for item in client.get(f"{V1}/concepts").json()["items"]:
        assert client.get(item["url"]).json()["id"] == item["id"]
    for item in client.get(f"{V1}/references").json()["items"]:
        assert client.get(f"{V1}/references/{item['key']}").status_code == 200


def test_rendered_responses_are_cached_per_build(make_kb: MakeKb, monkeypatch: pytest.MonkeyPatch) -> None:
    from ambidex.documents import Documents

    root = make_kb()
    with TestClient(create_app(Settings(root=root))) as c:
        first = c.get(f"{V1}/concepts/role-ambiguity").json()
    (entry,) = (root / ".ambidex" / "cache").glob("bodies-*.bin")

    def no_rendering(*_args: object) -> bytes:
        raise AssertionError("rendered again although the build did not change")

    with monkeypatch.context() as patch:
        patch.setattr(Documents, "_concept_json", no_rendering)
        patch.setattr(Documents, "_reference_json", no_rendering)
        with TestClient(create_app(Settings(root=root))) as c:
            assert c.get(f"{V1}/concepts/role-ambiguity").json() == first
            assert c.get(f"{V1}/references/gabler2017dark").json()["apa_html"]

    path = root / "kb" / "risks" / "role-ambiguity.md"
    path.write_text(path.read_text(encoding="utf-8").replace("A summary", "A new summary"), encoding="utf-8")
    entry.write_bytes(b"\x00garbage")  # a damaged entry of the old build is never read again
    make_build(root)  # what `ambidex build` does, without the site
    with TestClient(create_app(Settings(root=root))) as c:
        assert c.get(f"{V1}/concepts/role-ambiguity").json()["summary"].startswith("A new summary")
    (fresh,) = (root / ".ambidex" / "cache").glob("bodies-*.bin")
    assert fresh != entry

    fresh.write_bytes(fresh.read_bytes()[:-10])  # truncated: rendered again, still correct
    with TestClient(create_app(Settings(root=root))) as c:
        assert c.get(f"{V1}/concepts/role-ambiguity").json()["summary"].startswith("A new summary")


def test_bodies_are_read_from_the_entry_the_server_opened_even_once_it_is_gone(make_kb: MakeKb) -> None:
    root = make_kb()
    with TestClient(create_app(Settings(root=root))) as c:
        first = c.get(f"{V1}/concepts/role-ambiguity")
        assert first.status_code == 200
        (entry,) = (root / ".ambidex" / "cache").glob("bodies-*.bin")
        entry.unlink()
        again = c.get(f"{V1}/concepts/role-ambiguity", headers={"Accept-Encoding": "identity"})
        assert again.status_code == 200 and again.json() == first.json()
        assert c.get(f"{V1}/references/gabler2017dark").json()["apa_html"]


def test_every_key_character_reaches_the_handler(client: TestClient) -> None:
    admitted = [c for c in string.printable if re.fullmatch(KEY, f"a{c}b")]
    assert sorted(admitted) == sorted(string.ascii_letters + string.digits + "_:.-")
    for c in admitted:
        r = client.get(f"{V1}/references/{quote(f'a{c}b', safe='')}")
        assert r.status_code == 404 and r.json()["detail"], (c, r.text)
    assert client.get(f"{V1}/references/0em%E0tD").status_code == 400


# ------------------------------------------------------------------ HTTP details


@pytest.mark.parametrize(
    "path",
    ["/health", "/concepts/role-ambiguity", "/references/gabler2017dark", "/search?q=role", "/openapi.json"],
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(V1 + path, headers={"Accept-Encoding": "identity"})
    head = client.head(V1 + path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("etag") == get.headers.get("etag")
    assert client.head("/api/docs").status_code == 200


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/concepts", "/api/", "/api/v1/concepts/a/b"])
def test_unknown_api_paths_are_problem_json(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    if method != "HEAD":
        assert r.json()["status"] == 404


def test_wrong_method_on_an_api_route_is_405_problem(client: TestClient) -> None:
    r = client.post(f"{V1}/concepts")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


def test_not_modified_keeps_cors_and_vary(client: TestClient) -> None:
    origin = {"Origin": "https://allowed.example"}
    first = client.get(f"{V1}/concepts/role-ambiguity", headers=origin)
    again = client.get(
        f"{V1}/concepts/role-ambiguity", headers={**origin, "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["access-control-allow-origin"] == "https://allowed.example"
    assert again.headers["etag"] == first.headers["etag"] and "Accept-Encoding" in again.headers["vary"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{V1}/concepts?page=0", 400),
        (f"{V1}/concepts/Bad%20Id", 400),
        (f"{V1}/concepts/no-such-concept", 404),
        (f"{V1}/references/nobody2000", 404),
        (f"{V1}/search", 400),
    ],
)
def test_a_bad_request_is_refused_whatever_its_if_none_match(
    client: TestClient, url: str, status: int
) -> None:
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == status


def test_etags_differ_by_encoding_and_name_the_code(client: TestClient) -> None:
    from api.app import CODE_DIGEST

    path = f"{V1}/concepts/role-ambiguity"
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert gzipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert gzipped.headers["etag"] != plain.headers["etag"]
    assert CODE_DIGEST in plain.headers["etag"] and CODE_DIGEST in gzipped.headers["etag"]
    cross = client.get(
        path, headers={"Accept-Encoding": "identity", "If-None-Match": gzipped.headers["etag"]}
    )
    assert cross.status_code == 200, "a gzip ETag does not validate the plain body"


def test_every_citation_url_can_be_fetched(make_kb: MakeKb) -> None:
    bib = BIB + "\n@misc{a_b:c.d-e9, title = {Odd but allowed key}}\n"
    text = concept("role-ambiguity", extra="relations:\n  risk-of: [service-sales-ambidexterity]\n")
    text = text.replace("[@gabler2017dark]", "[@gabler2017dark; @a_b:c.d-e9]")
    with TestClient(
        create_app(Settings(root=make_kb({"references.bib": bib, "kb/risks/role-ambiguity.md": text})))
    ) as c:
        urls = {x["url"] for x in c.get(f"{V1}/concepts/role-ambiguity").json()["summary_citations"]}
        assert f"{V1}/references/a_b:c.d-e9" in urls
        for url in urls:
            assert c.get(url).status_code == 200, url


def test_an_invalid_request_gets_a_bounded_error(client: TestClient) -> None:
    query = "&".join(["type=nope"] * 5_000 + ["per_page=" + "9" * 5_000])
    path = f"{V1}/concepts/" + "x" * 20_000
    assert len(query) + len(path) > 50_000
    for url in (f"{V1}/concepts?{query}", path, f"/api/v1/{'y' * 50_000}"):
        r = client.get(url)
        assert r.status_code in (400, 404) and r.headers["content-type"] == "application/problem+json"
        assert len(r.content) < 8_192, len(r.content)


def test_security_headers_on_api_docs_and_site(make_kb: MakeKb, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<title>home</title>")
    with TestClient(create_app(Settings(root=make_kb(), site_dir=site))) as c:
        for path in (f"{V1}/health", "/", "/api/docs", "/nothing-here"):
            r = c.get(path)
            assert r.headers["x-content-type-options"] == "nosniff", path
            assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
            assert r.headers["referrer-policy"], path
        assert "script-src 'self'" in c.get("/").headers["content-security-policy"]


def test_api_docs_need_no_other_host(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert "http" not in page.text.replace("http-equiv", ""), "every asset is served from here"
    for src in re.findall(r'(?:src|href)="([^"]+)"', page.text):
        assert client.get(src).status_code == 200, src
    assert "<script>" not in page.text, "no inline script"


def test_openapi_describes_sources_of_citations_and_edges(client: TestClient) -> None:
    schemas = client.get(f"{V1}/openapi.json").json()["components"]["schemas"]
    for name in ("CitationOut", "ReferenceListItem", "ReferenceOut"):
        assert {"source_type", "source_type_label", "design", "design_labels"} <= set(
            schemas[name]["properties"]
        )
    for name in ("RelationOut", "BacklinkOut", "GraphEdge"):
        assert schemas[name]["properties"]["citations"]["items"]["$ref"].endswith("/CitationOut")


def test_a_search_or_guide_asked_again_is_answered_from_its_cache(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.routes import search
    from api.views import Views

    urls = [
        f"{V1}/search?q=role",
        f"{V1}/search?q=role&page=2&per_page=1",
        f"{V1}/guide?concept=role-ambiguity",
        f"{V1}/guide?concept=role-ambiguity&detail=full",
    ]
    first = [client.get(url, headers={"Accept-Encoding": "identity"}) for url in urls]

    def no_work(*_args: object) -> bytes:
        raise AssertionError("answered again")

    monkeypatch.setattr(search, "_search", no_work)
    monkeypatch.setattr(Views, "guide_json", no_work)
    monkeypatch.setattr(Views, "advice_json", no_work)
    for url, before in zip(urls, first, strict=True):
        again = client.get(url, headers={"Accept-Encoding": "identity"})
        assert again.status_code == 200 and again.content == before.content
        assert again.headers["etag"] == before.headers["etag"]
        revalidate = {"Accept-Encoding": "identity", "If-None-Match": again.headers["etag"]}
        assert client.get(url, headers=revalidate).status_code == 304


def test_the_search_answer_is_exactly_its_schema(client: TestClient) -> None:
    """Search answers are shaped by hand: they must be what `SearchOut` itself would write."""
    from api.schemas import SearchOut

    asked = [
        {"q": "role"},
        {"q": "rol ambigity"},
        {"q": 'a "crashing" laptop — Kündigung?\t\u2028 </script>'},
        {"q": "zzzz qqqq"},
        {"q": "role", "type": ["risk", "dilemma"], "per_page": 1, "page": 2},
        {"q": "service", "kind": "reference"},
    ]
    for params in asked:
        r = client.get(f"{V1}/search", params=params, headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200, r.text
        assert SearchOut.model_validate_json(r.content).model_dump_json().encode() == r.content


def test_the_guide_answer_is_exactly_its_schema() -> None:
    """Guide answers are put together from pieces of JSON: they must be what `GuideOut` itself
    would write, paths of relations and their citations included."""
    from api.schemas import GuideOut

    asked = [
        {"situation": "my hunters neglect existing customers"},
        {"situation": "service staff are asked to sell and feel torn — Kündigung?\t</script>"},
        {"situation": "exploring new markets while exploiting current accounts"},
        {"concept": "role-conflict"},
        {"situation": "burnout", "concept": "role-conflict"},
    ]
    with TestClient(create_app(Settings(root=REPO))) as c:
        walked = 0
        for params in asked:
            full = {**params, "detail": "full"}
            r = c.get(f"{V1}/guide", params=full, headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200, r.text
            assert GuideOut.model_validate_json(r.content).model_dump_json().encode() == r.content
            walked += r.text.count('"relation":')
        assert walked > 0  # some answers reach concepts through relations


def test_large_answers_kept_compressed_reach_every_client_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large answer is cached gzip-compressed only: a client without gzip gets it inflated, and
    a situation spelled another way reuses the guide of its normalised words."""
    import gzip

    from api import views

    monkeypatch.setattr(views, "PACKED_ONLY_FROM", 2048)
    with TestClient(create_app(Settings(root=REPO))) as c:
        url = f"{V1}/guide?situation=my+hunters+neglect+existing+customers&detail=full"
        zipped = c.get(url, headers={"Accept-Encoding": "gzip"})
        served = c.app.state.served.views  # type: ignore[attr-defined]
        body = served.answers[f"{V1}/guide"].get(url.split("?", 1)[1].encode())
        assert body is not None and body.plain is None and len(gzip.decompress(body.packed)) > 2048
        plain = c.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.headers.get("content-encoding") is None
        assert plain.content == zipped.content and plain.json()["tensions"]

        def no_guide(*_args: object, **_kwargs: object) -> object:
            raise AssertionError("the guide was worked out again")

        monkeypatch.setattr(views, "answer", no_guide)
        asked = {"situation": "My  hunters neglect existing CUSTOMERS!", "detail": "full"}
        other = c.get(f"{V1}/guide", params=asked)
        assert other.status_code == 200
        assert {**other.json(), "situation": None} == {**plain.json(), "situation": None}


def test_unverified_and_editorial_sources_say_so(make_kb: MakeKb) -> None:
    extra = (
        "\n@article{aman2022ambidextrous, author = {Aman, M. A.}, title = {Ambidextrous Selling},"
        " journal = {J}, year = {2022}, sourcetype = {peer-reviewed}, design = {review},"
        " status = {unverified}, missing = {doi, volume, pages: no record found}}\n"
        "\n@article{rapp2020intersection, author = {Rapp, A.}, title = {The Intersection},"
        " journal = {Journal of Service Research}, year = {2020}, doi = {10.1177/1094670519892333},"
        " sourcetype = {editorial}}\n"
    )
    root = make_kb(
        {
            "references.bib": BIB + extra,
            "kb/risks/role-ambiguity.md": concept(
                "role-ambiguity",
                summary="A summary [@gabler2017dark; @aman2022ambidextrous; @rapp2020intersection].",
                extra="relations:\n  risk-of: [service-sales-ambidexterity]\n",
            ),
        }
    )
    with TestClient(create_app(Settings(root=root))) as c:
        aman = c.get(f"{V1}/references/aman2022ambidextrous").json()
        assert (aman["status"], aman["evidence_label"], aman["design"]) == ("unverified", "Unverified", [])
        assert "Peer-reviewed" not in aman["evidence_label"]
        rapp = c.get(f"{V1}/references/rapp2020intersection").json()
        assert (rapp["source_type"], rapp["evidence_label"], rapp["status"]) == (
            "editorial",
            "Editorial",
            None,
        )
        cited = c.get(f"{V1}/concepts/role-ambiguity").json()["summary_citations"]
        assert [(x["key"], x["evidence_label"]) for x in cited] == [
            ("gabler2017dark", "Peer-reviewed · Survey"),
            ("aman2022ambidextrous", "Unverified"),
            ("rapp2020intersection", "Editorial"),
        ]
