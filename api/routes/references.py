"""References: the list and one reference with APA, BibTeX, CSL-JSON, RIS and cited-by."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ambidex import bibliography
from ambidex.documents import dump
from ambidex.problems import near as near_matches
from api.deps import KEY, PageQ, PerPageQ, ViewsDep
from api.errors import ApiProblem
from api.schemas import ReferenceOut, ReferencePage
from api.views import json_bytes, packed_json

router = APIRouter(prefix="/references", tags=["references"])


class Export(StrEnum):
    json = "json"
    bibtex = "bibtex"
    csl_json = "csl-json"
    ris = "ris"


@router.get("", response_model=ReferencePage, summary="List references")
async def list_references(
    request: Request, views: ViewsDep, page: PageQ = 1, per_page: PerPageQ = 20
) -> Response:
    key = ("references", page, per_page)
    body = views.cached(views.pages, key, lambda: dump(views.documents.references(page, per_page)))
    return body.response(request)


@router.get(
    "/{key}",
    response_model=ReferenceOut,
    summary="One reference, or an export of it",
    responses={
        200: {
            "content": {
                "application/x-bibtex": {},
                "application/x-research-info-systems": {},
                "application/vnd.citationstyles.csl+json": {},
            }
        }
    },
)
async def get_reference(
    request: Request,
    views: ViewsDep,
    key: Annotated[str, Path(max_length=100, pattern=KEY, description="The BibTeX key.")],
    format: Annotated[Export, Query(description="json (default), bibtex, csl-json or ris.")] = Export.json,
) -> Response:
    ref = views.kb.references.get(key)
    if ref is None:
        near = near_matches(key, views.kb.references)
        hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise ApiProblem(404, f"There is no reference '{key}'.{hint}", suggestions=near)
    if format is Export.bibtex:
        return Response(ref.raw + "\n", media_type="application/x-bibtex; charset=utf-8")
    if format is Export.ris:
        return Response(
            bibliography.to_ris(ref), media_type="application/x-research-info-systems; charset=utf-8"
        )
    if format is Export.csl_json:
        return Response(
            json_bytes([bibliography.to_csl(ref)]), media_type="application/vnd.citationstyles.csl+json"
        )
    return packed_json(request, views.documents.reference_json(key))
