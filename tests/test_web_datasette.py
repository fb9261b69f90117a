"""`newsarchive datasette-metadata` read by a real Datasette process over a crawled SQLite
archive: descriptions from docs/schema.md, facets, and canned queries that run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from newsarchive.query.datasette import describe
from tests import webarchive
from tests.mockserver import await_http, free_port, run_cli
from tests.webarchive import DELETED, REVISED, WebArchive

SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    return webarchive.shared("sqlite", request, tmp_path_factory.mktemp)


@pytest.fixture(scope="module")
def datasette(built: WebArchive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("datasette")
    copy = tmp / "archive.db"
    shutil.copy(built.db_url.removeprefix("sqlite:///"), copy)  # Datasette may write its WAL
    metadata = tmp / "metadata.json"
    run_cli("datasette-metadata", "--db", f"sqlite:///{copy}", "-o", str(metadata))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", str(copy), "--metadata", str(metadata),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        await_http(base + "/-/versions.json", process,
                   lambda: process.stdout.read().decode() if process.stdout else "")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_descriptions_come_from_the_schema_document() -> None:
    tables = describe(SCHEMA_DOC.read_text(encoding="utf-8"))
    assert tables["fetches"]["columns"]["outcome"].startswith("varchar(32): fetched;")
    assert tables["articles"]["description"].startswith("One row per canonical article")
    assert set(tables) >= {"sites", "crawl_runs", "raw_pages", "fetches", "failures",
                           "articles", "article_revisions", "article_events", "article_search"}


def test_datasette_serves_the_metadata(datasette: str) -> None:
    metadata = httpx.get(datasette + "/-/metadata.json").json()
    tables = metadata["databases"]["archive"]["tables"]
    assert "the run that fetched it" in tables["fetches"]["columns"]["crawl_run_id"]
    page = httpx.get(datasette + "/archive/fetches").text
    assert "the run that fetched it" in page  # column descriptions shown on the table page
    facets = httpx.get(datasette + "/archive/fetches.json?_extra=facet_results").json()
    assert "outcome" in json.dumps(facets)


def test_canned_queries_run(datasette: str, built: WebArchive) -> None:
    deleted = httpx.get(datasette + "/archive/deleted_this_week.json?_shape=objects").json()
    assert [row["url"] for row in deleted["rows"]] == [built.demo(DELETED)]
    assert deleted["rows"][0]["reason"] == "HTTP 404"
    revised = httpx.get(datasette + "/archive/most_revised.json?_shape=objects").json()
    urls = {row["url"]: row["revisions"] for row in revised["rows"]}
    assert urls[built.demo(REVISED)] == 2
    found = httpx.get(datasette + "/archive/text_contains.json",
                      params={"text": "美术馆", "_shape": "objects"}).json()
    assert any("美術館" in row["title"] for row in found["rows"])
