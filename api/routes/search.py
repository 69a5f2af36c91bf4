"""Full-text search over concepts and references."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ambidex.documents import PREFIX, concept_url, page_links, reference_url
from ambidex.model import ConceptType
from api.deps import PageQ, PerPageQ, TagQ, ViewsDep
from api.schemas import SearchOut
from api.views import Views, json_bytes

router = APIRouter(tags=["search"])


class Kind(StrEnum):
    concept = "concept"
    reference = "reference"


@router.get("/search", response_model=SearchOut, summary="Search concepts and references")
async def search(
    request: Request,
    views: ViewsDep,
    q: Annotated[str, Query(min_length=1, max_length=512, description="Words to find; typos are tolerated.")],
    type: Annotated[list[ConceptType] | None, Query(description="Only concepts of these types.")] = None,
    tag: TagQ = None,
    kind: Annotated[Kind | None, Query(description="Only concepts or only references.")] = None,
    page: PageQ = 1,
    per_page: PerPageQ = 10,
) -> Response:
    # A query takes well under a millisecond (see bench/search.py): answered on the event loop,
    # without the hop to a worker thread.
    types = tuple(sorted(t.value for t in type or ()))
    return views.answer(request, lambda: _search(views, q, types, tag, kind, page, per_page))


def _search(
    views: Views,
    q: str,
    types: tuple[str, ...],
    tag: str | None,
    kind: Kind | None,
    page: int,
    per_page: int,
) -> bytes:
    result = views.search(
        q, kind=kind.value if kind else None, types=types, tag=tag, page=page, per_page=per_page
    )
    # Shaped as `SearchOut` by hand: this runs for every new query, and validating a model
    # built from our own index costs more than the search.
    items = [
        {
            "kind": h.kind,
            "id": h.id,
            "type": h.type,
            "title": h.title,
            "score": h.score,
            "snippet": h.snippet,
            "tags": h.tags,
            "url": concept_url(h.id) if h.kind == "concept" else reference_url(h.id),
        }
        for h in result.hits
    ]
    params = {"q": q, "type": list(types), "tag": tag, "kind": kind.value if kind else None}
    return json_bytes(
        {
            **page_links(f"{PREFIX}/search", params, page, per_page, result.total),
            "query": result.query,
            "items": items,
            "facets": {name: dict(counts) for name, counts in result.facets.items()},
            "suggestion": result.suggestion,
            "fuzzy": result.fuzzy,
            "corrected": result.corrected,
        }
    )
