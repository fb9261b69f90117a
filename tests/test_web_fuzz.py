"""API fuzzing: schemathesis generates requests from /api/openapi.json against the app over the
crawled archive (SQLite and PostgreSQL) and checks every response: no 5xx, status codes,
content types, headers and bodies as the schema says. Bounded: a fixed number of examples per
operation, no deadline (the machine is shared).

Left out: schemathesis' "schema-valid data is accepted" check. A `next` cursor is any string
to the schema, and a query any text; a forged cursor or an unclosed quote is still a client
error (400 with its one-line reason), which no schema can express."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import positive_data_acceptance

from newsarchive.archive import Archive
from newsarchive.web import create_app
from tests import webarchive
from tests.webarchive import WebArchive

EXAMPLES = 25


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    return webarchive.shared(request.param, request, tmp_path_factory.mktemp)


def test_api_conforms_to_its_schema(built: WebArchive) -> None:
    archive = Archive(built.db_url, readonly=True)
    try:
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(archive=archive))
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) == 8
        for operation in operations:

            @given(case=operation.as_strategy())
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck), database=None)
            def check(case: Any) -> None:
                case.call_and_validate(excluded_checks=[positive_data_acceptance])

            check()
    finally:
        archive.close()
