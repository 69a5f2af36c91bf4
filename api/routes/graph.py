"""The concept graph: nodes and typed edges, filterable by concept type and relation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ambidex.model import ConceptType, RelationType
from api.deps import ViewsDep
from api.schemas import GraphEdge, GraphNode, GraphOut

router = APIRouter(tags=["graph"])


@router.get("/graph", response_model=GraphOut, summary="Nodes and typed edges")
async def graph(
    views: ViewsDep,
    type: Annotated[list[ConceptType] | None, Query(description="Only nodes of these types.")] = None,
    relation: Annotated[list[RelationType] | None, Query(description="Only edges of these types.")] = None,
) -> GraphOut:
    kb = views.kb
    types = set(type or ConceptType)
    relations = set(relation or RelationType)
    nodes = [c for c in kb.concepts.values() if c.type in types]
    kept = {c.id for c in nodes}
    edges = [e for e in kb.edges() if e.type in relations and e.source in kept and e.target in kept]
    return GraphOut(
        nodes=[GraphNode(id=c.id, title=c.title, type=c.type.value) for c in nodes],
        edges=[
            GraphEdge(
                source=e.source,
                target=e.target,
                type=e.type.value,
                citations=[views.citation(c) for c in e.citations],
            )
            for e in edges
        ],
    )
