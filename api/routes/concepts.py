"""Concepts: the list (filters, pagination) and one concept with everything resolved."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from ambidex.model import ConceptType
from ambidex.problems import near as near_matches
from api.deps import SLUG, PageQ, PerPageQ, TagQ, ViewsDep
from api.errors import ApiProblem
from api.schemas import ConceptOut, ConceptPage
from api.views import PREFIX, packed_json, page_links

router = APIRouter(prefix="/concepts", tags=["concepts"])


@router.get("", response_model=ConceptPage, summary="List concepts")
async def list_concepts(
    views: ViewsDep,
    type: Annotated[ConceptType | None, Query(description="Only concepts of this type.")] = None,
    tag: TagQ = None,
    page: PageQ = 1,
    per_page: PerPageQ = 20,
) -> ConceptPage:
    kb = views.kb
    ids = list(kb.by_type(type)) if type else list(kb.concepts)
    if tag:
        tagged = set(kb.tags.get(tag, ()))
        ids = [i for i in ids if i in tagged]
    ids.sort()
    chunk = ids[(page - 1) * per_page : page * per_page]
    links = page_links(
        f"{PREFIX}/concepts", {"type": type.value if type else None, "tag": tag}, page, per_page, len(ids)
    )
    return ConceptPage(**links, items=[views.concept_item(kb.concepts[i]) for i in chunk])


@router.get("/{concept_id}", response_model=ConceptOut, summary="One concept")
async def get_concept(
    request: Request,
    views: ViewsDep,
    concept_id: Annotated[str, Path(max_length=80, pattern=SLUG, description="The concept's id (slug).")],
) -> Response:
    if concept_id not in views.kb.concepts:
        resolved = views.kb.resolve(concept_id.replace("-", " "))
        near = [resolved.id] if resolved else near_matches(concept_id, views.kb.concepts)
        hint = f" Did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise ApiProblem(404, f"There is no concept '{concept_id}'.{hint}", suggestions=near)
    return packed_json(request, views.concept_json(concept_id))
