"""The guide: tensions, risks and what helps for a situation or a concept, all cited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from ambidex.problems import near as near_matches
from api.deps import SLUG, ViewsDep
from api.errors import ApiProblem
from api.schemas import GuideOut

router = APIRouter(tags=["guide"])


@router.get("/guide", response_model=GuideOut, summary="Cited advice for a situation or a concept")
async def guide(
    request: Request,
    views: ViewsDep,
    situation: Annotated[
        str | None, Query(min_length=1, max_length=512, description="The situation in free text.")
    ] = None,
    concept: Annotated[str | None, Query(max_length=80, pattern=SLUG, description="A concept id.")] = None,
) -> Response:
    if situation is None and concept is None:
        raise ApiProblem(400, "Give 'situation' (free text), 'concept' (an id), or both.")
    if concept is not None and concept not in views.kb.concepts:
        near = near_matches(concept, views.kb.concepts)
        raise ApiProblem(404, f"There is no concept '{concept}'.", suggestions=near)
    return views.answer(request, lambda: views.guide_json(situation, concept))
