"""One error shape: RFC 9457 `application/problem+json`, for every error the API returns."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
MAX_ECHO = 200  # characters of the request echoed in an error (a path, a value)
MAX_ERRORS = 10  # validation errors listed one by one


def _cut(text: str, limit: int = MAX_ECHO) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ApiProblem(Exception):
    """An error to answer with; `extra` adds members such as `suggestions`."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def problem_response(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": _cut(detail, 2 * MAX_ECHO),
        "instance": _cut(request.url.path),
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=dict(headers or {}))


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiProblem)
    async def _api_problem(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}; the API lives under /api/v1 (see /api/docs)."
        return problem_response(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        everything = exc.errors()
        errors = [
            {"loc": [_cut(str(p), 80) for p in e.get("loc", ())], "msg": _cut(str(e.get("msg", "")))}
            for e in everything[:MAX_ERRORS]
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        detail = f"{'.'.join(first['loc'][1:]) or 'request'}: {first['msg']}"
        if len(everything) > MAX_ERRORS:
            detail += f" (and {len(everything) - 1} more problems; the first {MAX_ERRORS} are listed)"
        return problem_response(request, 400, detail, errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - last resort
        return problem_response(request, 500, "An unexpected error occurred; it has been logged.")
