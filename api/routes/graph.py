"""The concept graph: nodes and typed edges, filterable by concept type and relation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ambidex.documents import dump
from ambidex.model import ConceptType, RelationType
from api.deps import ViewsDep
from api.schemas import GraphOut

router = APIRouter(tags=["graph"])


@router.get("/graph", response_model=GraphOut, summary="Nodes and typed edges")
async def graph(
    request: Request,
    views: ViewsDep,
    type: Annotated[list[ConceptType] | None, Query(description="Only nodes of these types.")] = None,
    relation: Annotated[list[RelationType] | None, Query(description="Only edges of these types.")] = None,
) -> Response:
    if not type and not relation:
        return views.fixed["graph"].response(request)
    types, relations = set(type or ()), set(relation or ())
    key = ("graph", frozenset(types), frozenset(relations))
    body = views.cached(views.pages, key, lambda: dump(views.documents.graph(types, relations)))
    return body.response(request)
