"""Interactive API docs (Swagger UI) served from the `swagger-ui-bundle-v2` package: no CDN, and
no inline script, so the docs work offline and under a strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS = "/api/docs"
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} – API docs</title>
<link rel="stylesheet" href="{docs}/assets/swagger-ui.css">
<link rel="icon" type="image/png" href="{docs}/assets/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{docs}/assets/swagger-ui-bundle.js"></script>
<script src="{docs}/init.js"></script>
</body>
</html>
"""
INIT = """window.ui = SwaggerUIBundle({{
  url: {openapi!r},
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
}});
"""


def install(app: FastAPI, openapi_url: str) -> None:
    """Serve the docs page, its start-up script and Swagger UI's files under /api/docs."""
    page = PAGE.format(title=app.title, docs=DOCS)
    init = INIT.format(openapi=openapi_url)

    @app.get(DOCS, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get(f"{DOCS}/init.js", include_in_schema=False)
    async def docs_init() -> Response:
        return Response(init, media_type="text/javascript")

    app.mount(f"{DOCS}/assets", StaticFiles(directory=str(Path(str(swagger_ui_path)))), name="docs-assets")
