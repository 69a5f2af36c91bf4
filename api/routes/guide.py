"""The guide: tensions, risks and what helps for a situation or a concept, all cited."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from ambidex.advice import MAX_CHARS
from ambidex.problems import near as near_matches
from api.deps import SLUG, ViewsDep
from api.errors import ApiProblem
from api.schemas import AdviceOut, GuideOut

router = APIRouter(tags=["guide"])


@router.get(
    "/guide",
    response_model=AdviceOut | GuideOut,
    summary="Cited advice for a situation or a concept",
    description="By default, advice (`AdviceOut`): a diagnosis, moves, questions, risks to watch and "
    "at most five pieces of evidence, at most 8 kB. With `detail=full`, the whole graph walk "
    "(`GuideOut`): every tension, pole, risk, trait, driver, practice and outcome reached, each "
    "with the path that led to it.",
)
async def guide(
    request: Request,
    views: ViewsDep,
    situation: Annotated[
        str | None,
        Query(
            min_length=1,
            description=f"The situation in free text (a pasted paragraph, at most {MAX_CHARS:,} characters).",
        ),
    ] = None,
    concept: Annotated[str | None, Query(max_length=80, pattern=SLUG, description="A concept id.")] = None,
    detail: Annotated[
        Literal["advice", "full"], Query(description="`advice` (the default) or `full`: the graph walk.")
    ] = "advice",
) -> Response:
    if situation is None and concept is None:
        raise ApiProblem(400, "Give 'situation' (free text), 'concept' (an id), or both.")
    if situation is not None and len(situation) > MAX_CHARS:
        raise ApiProblem(
            400,
            f"The situation is {len(situation):,} characters long; the guide reads at most "
            f"{MAX_CHARS:,}. Shorten it to what is happening and what pulls the team two ways.",
        )
    if concept is not None and concept not in views.kb.concepts:
        near = near_matches(concept, views.kb.concepts)
        raise ApiProblem(404, f"There is no concept '{concept}'.", suggestions=near)
    if detail == "full":
        return views.answer(request, lambda: views.guide_json(situation, concept))
    return views.answer(request, lambda: views.advice_json(situation, concept))
