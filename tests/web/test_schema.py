"""Property-based API tests generated from /openapi.json with schemathesis (bounded in time).

Every operation is called with generated requests; the server must never answer 5xx, and every
answer must match the documented status codes, content types and response schemas. The app under
test has a run-size limit of 1 agent-week, so POST /api/runs validates but never starts a run.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from equality_model.web import Settings, create_app

app = create_app(Settings(max_run_size=1, max_jobs=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
