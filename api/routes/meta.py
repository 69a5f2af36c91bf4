"""Types, tags and health: rendered once per build."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import ViewsDep
from api.schemas import CountOut, HealthOut

router = APIRouter(tags=["meta"])


@router.get("/types", response_model=list[CountOut], summary="Concept types with counts")
async def types(request: Request, views: ViewsDep) -> Response:
    return views.fixed["types"].response(request)


@router.get("/tags", response_model=list[CountOut], summary="Tags with counts")
async def tags(request: Request, views: ViewsDep) -> Response:
    return views.fixed["tags"].response(request)


@router.get("/health", response_model=HealthOut, summary="Build id and counts")
async def health(request: Request, views: ViewsDep) -> Response:
    return views.fixed["health"].response(request)
