"""Types, tags and health."""

from __future__ import annotations

from fastapi import APIRouter

from ambidex.model import ConceptType
from api.deps import ViewsDep
from api.schemas import CountOut, HealthOut
from api.views import PREFIX

router = APIRouter(tags=["meta"])


@router.get("/types", response_model=list[CountOut], summary="Concept types with counts")
async def types(views: ViewsDep) -> list[CountOut]:
    return [
        CountOut(
            name=t.value,
            label=t.label,
            count=len(views.kb.by_type(t)),
            url=f"{PREFIX}/concepts?type={t.value}",
        )
        for t in ConceptType
    ]


@router.get("/tags", response_model=list[CountOut], summary="Tags with counts")
async def tags(views: ViewsDep) -> list[CountOut]:
    return [
        CountOut(name=tag, label=tag.replace("-", " "), count=len(ids), url=f"{PREFIX}/concepts?tag={tag}")
        for tag, ids in views.kb.tags.items()
    ]


@router.get("/health", response_model=HealthOut, summary="Build id and counts")
async def health(views: ViewsDep) -> HealthOut:
    return HealthOut(
        status="ok",
        build_id=views.kb.build_id,
        concepts=len(views.kb.concepts),
        references=len(views.kb.references),
    )
