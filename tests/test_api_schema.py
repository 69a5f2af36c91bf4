"""Schemathesis against the app's own OpenAPI schema: no 5xx, responses match their schemas."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.app import create_app
from api.settings import Settings
from tests import sample
from tests.conftest import REPO

# schemathesis reads the schema when the module is collected, so the app exists by then.
ROOT = sample.write(Path(tempfile.mkdtemp(prefix="ambidex-schema-")) / "project", REPO / "docs")
APP = create_app(Settings(root=ROOT))


@pytest.fixture(scope="module", autouse=True)
def _lifespan() -> Iterator[None]:
    """Run the app's lifespan (load the build) around the generated cases."""
    with TestClient(APP):
        yield
    shutil.rmtree(ROOT.parent, ignore_errors=True)


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_openapi_surface(case: schemathesis.Case) -> None:
    # The guide needs `situation` or `concept`; OpenAPI cannot say "at least one of two query
    # parameters", so a request with neither is rightly refused although the schema allows it.
    excluded = [positive_data_acceptance] if case.operation.path == "/api/v1/guide" else []
    case.call_and_validate(excluded_checks=excluded)
