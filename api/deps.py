"""Dependency aliases for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from ambidex import markup
from ambidex.model import SLUG_PATTERN
from api.serving import SERVED
from api.views import Views

SLUG = SLUG_PATTERN
KEY = rf"^{markup.KEY}$"


async def get_views(request: Request) -> Views:
    """The views of the build this request was given when it arrived (see `api.serving`).

    async: FastAPI runs a plain `def` dependency in a worker thread, a hop on every request.
    """
    views: Views = request.scope[SERVED].views
    return views


ViewsDep = Annotated[Views, Depends(get_views)]
PageQ = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PerPageQ = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]
TagQ = Annotated[str | None, Query(max_length=80, pattern=SLUG, description="Only items with this tag.")]
