"""The web interface and JSON API over a real crawled archive (tests/webarchive.py), on SQLite
and PostgreSQL: search, facets, pagination, articles, deletions, sites, runs, exports, feeds,
security, languages."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import lxml.html
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from newsarchive.archive import Archive
from newsarchive.cli import main
from newsarchive.query import exports
from newsarchive.query.pinned import read_pin
from newsarchive.web import create_app
from tests import webarchive
from tests.mockserver import await_http, free_port
from tests.webarchive import BORING, COPIED, DELETED, REVISED, TRADITIONAL, WebArchive

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    return webarchive.shared(request.param, request, tmp_path_factory.mktemp)


@pytest.fixture(scope="module")
def client(built: WebArchive) -> Iterator[TestClient]:
    archive = Archive(built.db_url, readonly=True)
    try:
        with TestClient(create_app(archive=archive)) as opened:
            yield opened
    finally:
        archive.close()


def ids(client: TestClient, built: WebArchive) -> dict[str, int]:
    """Article id by URL path (both portals)."""
    found: dict[str, int] = {}
    after = None
    while True:
        page = client.get("/api/search", params={"limit": 200, "sort": "archived",
                                                 **({"after": after} if after else {})}).json()
        for hit in page["results"]:
            found["/" + hit["url"].split("/", 3)[3]] = hit["id"]
        after = page["next"]
        if after is None:
            return found


def test_search_api_shape_and_simplified_finds_traditional(client: TestClient,
                                                           built: WebArchive) -> None:
    data = client.get("/api/search", params={"q": "美术馆"}).json()
    assert data["total"] == len(data["results"]) >= 1
    hit = next(h for h in data["results"] if h["url"] == built.demo(TRADITIONAL))
    assert hit["title"].startswith("江州美術館新館開館")
    assert {"url", "title", "published", "site", "snippet"} <= set(hit)
    assert "«美術館»" in hit["snippet"]
    assert data["next"] is None


def test_query_syntax_in_the_api(client: TestClient, built: WebArchive) -> None:
    both = {h["url"] for h in client.get("/api/search", params={"q": "江州 乡村",
                                                                "limit": 200}).json()["results"]}
    village = {h["url"] for h in client.get("/api/search", params={"q": "乡村",
                                                                   "limit": 200}).json()["results"]}
    assert both and both <= village
    without = {h["url"] for h in client.get("/api/search", params={"q": "乡村 -江州",
                                                                   "limit": 200}).json()["results"]}
    assert without == village - both
    either = client.get("/api/search", params={"q": "美术馆 OR 马拉松"}).json()
    titles = [h["title"] for h in either["results"]]
    assert any("美術館" in t for t in titles) and any("马拉松" in t for t in titles)
    titled = client.get("/api/search", params={"q": "title:马拉松"}).json()["results"]
    assert titled and all("马拉松" in h["title"] for h in titled)
    by_site = client.get("/api/search", params={"q": f'乡村 site:{built.portal_base[7:]}'}
                         ).json()["results"]
    assert [h["url"] for h in by_site] == [built.portal("/news/copy.html")]
    phrase = client.get("/api/search", params={"q": '"国庆黄金周期间"'}).json()["results"]
    assert [h["url"] for h in phrase] == [built.portal("/news/copy.html")]
    bad = client.get("/api/search", params={"q": '"unclosed'})
    assert bad.status_code == 400 and "not closed" in bad.json()["detail"]


def test_keyset_pages_cover_every_match_once(client: TestClient) -> None:
    total = client.get("/api/search", params={"q": "江州"}).json()["total"]
    seen: list[int] = []
    after = None
    for sort in ("relevance", "time"):
        seen, after = [], None
        while True:
            page = client.get("/api/search", params={"q": "江州", "limit": 3, "sort": sort,
                                                     **({"after": after} if after else {})}).json()
            seen += [h["id"] for h in page["results"]]
            after = page["next"]
            if after is None:
                break
        assert len(seen) == len(set(seen)) == total, sort
    wrong = client.get("/api/search", params={"q": "江州", "after": "bm9wZQ"})
    assert wrong.status_code == 400


def test_facets_toggle_filters(client: TestClient, built: WebArchive) -> None:
    data = client.get("/api/search", params={"q": "江州"}).json()
    sites = {f["value"]: f for f in data["facets"]["site"]}
    portal_host = built.portal_base[7:]
    assert set(sites) == {built.demo_base[7:], portal_host}
    toggled = client.get(sites[portal_host]["toggle"].replace("/search", "/api/search")).json()
    assert toggled["total"] == sites[portal_host]["count"] < data["total"]
    assert {h["site"] for h in toggled["results"]} == {portal_host}
    selected = {f["value"]: f for f in toggled["facets"]["site"]}
    assert selected[portal_host]["selected"]
    back = client.get(selected[portal_host]["toggle"].replace("/search", "/api/search")).json()
    assert back["total"] == data["total"]
    statuses = {f["value"]: f["count"] for f in client.get(
        "/api/search", params={"limit": 200}).json()["facets"]["status"]}
    assert statuses["deleted"] == 1 and statuses["changed"] == 2
    deleted = client.get("/api/search", params={"status": "deleted"}).json()["results"]
    assert [h["url"] for h in deleted] == [built.demo(DELETED)]
    authors = client.get("/api/search", params={"author": "赵一鸣"}).json()["results"]
    assert authors and all("赵一鸣" in h["authors"] for h in authors)


def test_attention_timeline_counts_and_share(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "江州", "granularity": "month",
                                             "share": "true"}).json()
    points = data["timeline"]["points"]
    assert data["timeline"]["granularity"] == "month"
    assert sum(p["matches"] for p in points) + data["timeline"]["undated"] == data["total"]
    assert all(p["period"].endswith("-01") for p in points)
    assert all(0 <= p["share"] <= 1 and p["matches"] <= p["archived"] for p in points)
    months = [p["period"] for p in points]
    assert months == sorted(months) and len(months) == len(set(months))
    compared = client.get("/api/compare", params=[("q", "乡村"), ("q", "科技")]).json()
    assert [s["query"] for s in compared["series"]] == ["乡村", "科技"]
    assert len({len(s["points"]) for s in compared["series"]}) == 1


def test_article_detail_revisions_diffs_and_provenance(client: TestClient,
                                                       built: WebArchive) -> None:
    by_path = ids(client, built)
    detail = client.get(f"/api/articles/{by_path[REVISED]}").json()
    assert len(detail["revisions"]) == 2
    change = detail["revisions"][1]["diff"]["changes"][0]
    assert change["field"] == "body" and not change["boring"]
    assert [o["text"] for o in change["ops"] if o["op"] != "equal"] == ["14", "36"]
    fetch = detail["provenance"]["fetch"]
    assert len(fetch["raw_sha256"]) == 64 and fetch["encoding"]["encoding"]
    assert detail["provenance"]["extractor_version"]
    assert detail["provenance"]["evidence"]["published"]
    boring = client.get(f"/api/articles/{by_path[BORING]}").json()
    assert boring["revisions"][1]["diff"]["boring"]
    page = client.get(f"/articles/{by_path[REVISED]}", headers=HTML).text
    assert "<del>14</del><ins>36</ins>" in page
    side = client.get(f"/articles/{by_path[REVISED]}?layout=side", headers=HTML).text
    assert '<div class="old">' in side and "<del>14</del>" in side and "<ins>36</ins>" in side
    hidden = client.get(f"/articles/{by_path[BORING]}", headers=HTML).text
    shown = client.get(f"/articles/{by_path[BORING]}?boring=1", headers=HTML).text
    assert "李明" not in hidden.split('class="revisions"')[1].split("</ol>")[0]
    assert "<ins>李明</ins>" in shown


def test_deletion_events_and_cluster(client: TestClient, built: WebArchive) -> None:
    by_path = ids(client, built)
    gone = client.get(f"/api/articles/{by_path[DELETED]}").json()
    assert [e["kind"] for e in gone["events"]] == ["deleted"]
    assert gone["events"][0]["reason"] == "HTTP 404"
    listed = client.get("/api/deletions").json()
    assert [d["url"] for d in listed["results"]] == [built.demo(DELETED)]
    item = listed["results"][0]
    assert item["said"] and item["reason"] == "HTTP 404"
    assert listed["by_week"][0]["sites"][0]["site"] == built.demo_base[7:]
    rates = listed["rates"]["sites"]
    assert rates[0]["deleted"] == 1 and any(p["rate"] > 0 for p in rates[0]["points"])
    copy = client.get(f"/api/articles/{by_path['/news/copy.html']}").json()
    cluster = copy["cluster"]
    assert [c["origin"] for c in cluster] == [True, False]
    assert cluster[0]["url"] == built.demo(COPIED)
    assert 0.9 < cluster[1]["similarity"] < 1
    assert "黄金周" in "".join(o["text"] for o in cluster[1]["ops"] if o["op"] == "insert")


def test_sites_dashboard_and_runs(client: TestClient, built: WebArchive) -> None:
    host = built.demo_base[7:]
    listed = {s["site"]: s for s in client.get("/api/sites").json()["sites"]}
    assert listed[host]["articles"] == 46 and listed[host]["deleted_now"] == 1
    recent = client.get(f"/api/sites/{host}").json()
    assert recent["days"] == 90 and 0 < recent["window_articles"] < 46
    dash = client.get(f"/api/sites/{host}", params={"days": 3660}).json()
    assert dash["articles"] == dash["window_articles"] == 46
    assert sum(d["articles"] for d in dash["by_fetch_day"]) >= 46
    assert dash["by_published_day"][-1]["articles"] >= 1
    assert dash["revised_articles"] == 2 and dash["deletion_rate"] == round(1 / 46, 4)
    assert dash["coverage_runs"] and dash["coverage_runs"][0]["coverage"]["articles"] > 0
    assert {f["kind"] for f in dash["failures_by_kind"]} >= {"robots"}
    runs = client.get("/api/runs").json()["results"]
    assert [r["state"] for r in runs] == ["finished"] * 3
    assert runs[-1]["articles"]["new"] == 46
    assert client.get("/api/sites/nowhere.example").status_code == 404


def test_a_running_crawl_shows_as_running(built: WebArchive) -> None:
    writer = Archive(built.db_url)
    try:
        run_id = writer.start_run(["http://x.example/"], {})
        with TestClient(create_app(built.db_url)) as fresh:
            runs = fresh.get("/api/runs").json()["results"]
            assert (runs[0]["id"], runs[0]["state"]) == (run_id, "running")
            assert "running" in fresh.get("/runs", headers=HTML).text
        writer.finish_run(run_id, "finished")
    finally:
        writer.close()


def _csv_rows(data: bytes) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    text = data.decode("utf-8")
    first, rest = text.split("\n", 1)
    rows = list(csv.DictReader(io.StringIO(rest, newline="")))
    for row in rows:
        for key, value in row.items():
            row[key] = (json.loads(value) if key in exports.LIST_FIELDS
                        else int(value) if key in exports.INT_FIELDS and value
                        else None if value == "" else value)
    return read_pin(first), rows


def test_exports_pinned_and_field_for_field(client: TestClient, built: WebArchive) -> None:
    response = client.get("/export.csv", params={"q": "江州", "site": built.demo_base[7:]})
    assert response.headers["content-type"].startswith("text/csv")
    pin, rows = _csv_rows(response.content)
    assert pin is not None and pin["query"] == "江州"
    assert pin["filters"]["sites"] == [built.demo_base[7:]] and pin["as_of"]
    total = client.get("/api/search", params={"q": "江州", "site": built.demo_base[7:]}
                       ).json()["total"]
    assert len(rows) == total
    archive = Archive(built.db_url, readonly=True)
    try:
        with archive.reading() as session:
            expected = {r["article_id"]: r for r in exports.iter_rows(session)}
    finally:
        archive.close()
    for row in rows:
        assert row == {k: expected[row["article_id"]][k] for k in exports.EXPORT_FIELDS}
    lines = client.get("/export.jsonl", params={"q": "江州"}).text.splitlines()
    assert read_pin(lines[0])["query"] == "江州"
    assert len(lines) - 1 == client.get("/api/search", params={"q": "江州"}).json()["total"]
    parquet = client.get("/export.parquet", params={"q": "江州"}).content
    table = pq.read_table(io.BytesIO(parquet))
    assert json.loads(table.schema.metadata[b"newsarchive_export"])["query"] == "江州"
    assert table.num_rows == len(lines) - 1


def test_as_of_export_reproduces_the_archive_then(client: TestClient,
                                                  built: WebArchive) -> None:
    """Pinned before the second crawl: the old figures, the deleted article still live."""
    as_of = built.first_crawl_done.isoformat()
    _, then = _csv_rows(client.get("/export.csv", params={"as_of": as_of}).content)
    by_url = {r["url"]: r for r in then}
    assert "214个" in by_url[built.demo(REVISED)]["body"]
    assert by_url[built.demo(DELETED)]["deleted_at"] is None
    assert built.portal("/news/xss.html") not in by_url  # archived after
    old_match = client.get("/export.jsonl", params={"q": "214个", "as_of": as_of}).text
    assert len(old_match.splitlines()) == 2  # the pin and the article as it was then
    assert client.get("/export.jsonl", params={"q": "214个"}).text.count("\n") == 1
    _, now = _csv_rows(client.get("/export.csv").content)
    assert len(now) == len(then) + 8


def test_feeds(client: TestClient, built: WebArchive) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.fromstring(client.get("/feeds/search.atom", params={"q": "江州"}).content)
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == client.get("/api/search", params={"q": "江州"}).json()["total"]
    deletions = ElementTree.fromstring(client.get("/feeds/deletions.atom").content)
    (entry,) = deletions.findall(f"{atom}entry")
    assert entry.find(f"{atom}link[@rel='via']").get("href") == built.demo(DELETED)
    xss = ElementTree.fromstring(client.get("/feeds/search.atom", params={"q": "通报"}).content)
    assert any("<script>" in (e.findtext(f"{atom}title") or "") for e in xss.iter())


def _active_parts(page: str) -> list[str]:
    """Anything in an HTML page that could run or load: scripts, images, frames other than our
    own, event handlers, javascript: URLs."""
    tree = lxml.html.fromstring(page)
    found = [el.tag for el in tree.iter("script", "img", "object", "embed")]
    found += [f"{el.tag} {name}" for el in tree.iter() if isinstance(el.tag, str)
              for name in el.attrib if name.lower().startswith("on")]
    found += [el.get("href", "") for el in tree.iter("a")
              if el.get("href", "").strip().lower().startswith("javascript")]
    found += [el.get("src", "") for el in tree.iter("iframe")
              if not el.get("src", "").startswith("/articles/")]
    return found


def test_every_archived_string_escaped(client: TestClient, built: WebArchive) -> None:
    by_path = ids(client, built)
    xss = by_path["/news/xss.html"]
    for path in (f"/articles/{xss}", "/search?q=通报", f"/sites/{built.portal_base[7:]}",
                 f"/api/articles/{xss}"):
        response = client.get(path, headers=HTML)
        if path.startswith("/api/"):
            assert response.json()["fields"]["title"] == webarchive.XSS_TITLE
            continue
        assert _active_parts(response.text) == [], path
    page = client.get(f"/articles/{xss}", headers=HTML).text
    title = lxml.html.fromstring(page).cssselect("h1.article-title")[0].text_content()
    assert title == webarchive.XSS_TITLE  # shown as the text it is
    assert webarchive.XSS_AUTHOR in lxml.html.fromstring(page).text_content()
    frame = client.get(f"/articles/{xss}/page")
    assert "default-src 'none'" in frame.headers["content-security-policy"]
    assert "sandbox" in frame.headers["content-security-policy"]
    assert _active_parts(frame.text) == []
    assert "<a>链接</a>" in frame.text  # the link kept as text, its target gone


def test_security_headers_token_and_binding(built: WebArchive) -> None:
    with TestClient(create_app(built.db_url)) as open_client:
        headers = open_client.get("/", headers=HTML).headers
        assert "script-src" not in headers["content-security-policy"]
        assert headers["content-security-policy"].startswith("default-src 'none'")
        assert headers["x-content-type-options"] == "nosniff"
    with TestClient(create_app(built.db_url, token="s3cret"),
                    follow_redirects=False) as guarded:
        assert guarded.get("/api/search").status_code == 401
        assert guarded.get("/api/search", headers={"Authorization": "Bearer wrong"}
                           ).status_code == 401
        assert guarded.get("/api/search", headers={"Authorization": "Bearer s3cret"}
                           ).status_code == 200
        redirect = guarded.get("/search?q=江州&token=s3cret")
        assert redirect.status_code == 303 and "token" not in redirect.headers["location"]
        assert guarded.get(redirect.headers["location"]).status_code == 200  # the cookie
    refused = CliRunner().invoke(main, ["serve", "--db", built.db_url, "--host", "0.0.0.0"])
    assert refused.exit_code == 2 and "--token" in refused.output


def test_languages_by_accept_language_and_switch(client: TestClient) -> None:
    zh = client.get("/search?q=江州", headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9"})
    assert "删除" in zh.text and zh.headers["content-language"] == "zh"
    en = client.get("/search?q=江州", headers={**HTML, "Accept-Language": "en-US,en;q=0.8"})
    assert "Deletions" in en.text and en.headers["content-language"] == "en"
    switched = client.get("/search?q=江州&lang=en",
                          headers={**HTML, "Accept-Language": "zh-CN"})
    assert "Deletions" in switched.text and 'href="/deletions?lang=en"' in switched.text
    assert "lang=zh" in switched.text  # the switch back


def test_pages_render(client: TestClient, built: WebArchive) -> None:
    for path in ("/", "/search", "/search?q=江州&granularity=week&share=1", "/compare?q=乡村&q=科技",
                 "/deletions", "/sites", f"/sites/{built.demo_base[7:]}", "/runs",
                 "/search?q=%22open"):
        response = client.get(path, headers=HTML)
        assert response.status_code in (200, 400), path
        assert "<html" in response.text
    missing = client.get("/articles/999999", headers=HTML)
    assert missing.status_code == 404 and "no such article" in missing.text


def test_cli_search_and_export_share_the_query_layer(built: WebArchive, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["search", "乡村 OR 美术馆 -马拉松", "--db", built.db_url,
                                  "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    cli = {json.loads(line)["url"] for line in result.stdout.splitlines() if line.startswith("{")}
    archive = Archive(built.db_url, readonly=True)
    try:
        with TestClient(create_app(archive=archive)) as api:
            web = {h["url"] for h in api.get("/api/search", params={"q": "乡村 OR 美术馆 -马拉松"}
                                             ).json()["results"]}
    finally:
        archive.close()
    assert cli == web and cli


def test_serve_with_several_workers(built: WebArchive, tmp_path: Path) -> None:
    # The real command with --workers 2 and a token: every worker opens the archive and guards
    # it; concurrent readers are all answered; SIGTERM stops the whole group.
    port = free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "newsarchive.cli", "serve", "--db", built.db_url, "--port",
             str(port), "--workers", "2", "--token", "s3cret"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": "Bearer s3cret"}
    try:
        await_http(base + "/api/health", process, log_path.read_text, ready=(200, 401))
        assert httpx.get(base + "/api/search?q=江州", timeout=30).status_code == 401
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(
                lambda _: httpx.get(base + "/api/search?q=江州", headers=auth, timeout=60),
                range(16)))
        assert {answer.status_code for answer in answers} == {200}
        assert {answer.json()["total"] for answer in answers} == {answers[0].json()["total"]}
        assert answers[0].json()["total"] >= 1
        workers = subprocess.run(["pgrep", "-g", str(os.getpgid(process.pid))],
                                 capture_output=True, text=True).stdout.split()
        assert len(workers) >= 3  # the supervisor and its two workers
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while subprocess.run(["pgrep", "-g", str(process.pid)], capture_output=True).stdout:
        assert time.monotonic() < deadline, "a worker outlived serve's SIGTERM by 30 s"
        time.sleep(0.2)
