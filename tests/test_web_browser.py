"""The web interface in a real browser (Playwright driving Debian's chromium) over the crawled
demo archive (tests/webarchive.py), SQLite and PostgreSQL. A screenshot of each main page is
saved under the test's tmp dir (``pytest --basetemp DIR`` keeps them somewhere known)."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from newsarchive.archive import Archive
from newsarchive.query import exports
from newsarchive.query.pinned import read_pin
from newsarchive.web import create_app
from tests import webarchive
from tests.conftest import IN_CI
from tests.webarchive import DELETED, REVISED, TRADITIONAL, WebArchive

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> WebArchive:
    return webarchive.shared(request.param, request, tmp_path_factory.mktemp)


@pytest.fixture(scope="module")
def server(built: WebArchive) -> Iterator[str]:
    """`newsarchive serve`'s app under uvicorn on a free 127.0.0.1 port, in a thread."""
    archive = Archive(built.db_url, readonly=True)
    config = uvicorn.Config(create_app(archive=archive), host="127.0.0.1", port=0,
                            log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = running.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
        archive.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


class Visit:
    """A browser page that records every request, dialog and console error."""

    def __init__(self, browser: Any, server: str, shots: Path) -> None:
        self.context = browser.new_context(accept_downloads=True, locale="en-US",
                                           viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.server = server
        self.shots = shots
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url.startswith(self.server):
            route.continue_()
        else:
            route.abort()

    def open(self, path: str) -> Any:
        self.page.goto(self.server + path)
        return self.page

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        # A full-page screenshot leaves a sandboxed frame (another process) blank: the
        # archived page gets a picture of its own.
        frames = self.page.locator("iframe.archived-page")
        if frames.count():
            frames.first.scroll_into_view_if_needed()
            frames.first.screenshot(path=str(self.shots / f"{name}-archived-page.png"))
        return path

    def outside(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.server)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser: Any, server: str, tmp_path: Path) -> Iterator[Visit]:
    opened = Visit(browser, server, tmp_path)
    try:
        yield opened
    finally:
        opened.close()
    assert opened.outside() == [], "the pages loaded something from outside the server"
    assert opened.dialogs == [] and opened.errors == []


def _id_of(server_visit: Visit, url: str) -> int:
    page = server_visit.open("/api/search?limit=200&sort=archived")
    hits = json.loads(page.inner_text("body"))["results"]
    return next(h["id"] for h in hits if h["url"] == url)


def test_simplified_query_finds_traditional_article(visit: Visit, built: WebArchive) -> None:
    page = visit.open("/")
    page.fill("form.search input[name=q]", "美术馆")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    hit = page.locator("li.hit", has_text="江州美術館新館開館")
    assert hit.count() == 1
    assert hit.locator("mark").first.inner_text() == "美術館"
    assert hit.locator("a.title").get_attribute("href").startswith("/articles/")
    visit.shot("search")


def test_facet_toggles_change_the_result_count(visit: Visit, built: WebArchive) -> None:
    page = visit.open("/search?q=江州")
    before = int(page.locator("#total").get_attribute("data-total"))
    portal = built.portal_base[len("http://"):]
    facet = page.locator(f"section[data-facet=site] a.toggle[data-value='{portal}']")
    expected = int(facet.locator("xpath=following-sibling::span").inner_text())
    facet.click()
    page.wait_for_url("**site=*")
    after = int(page.locator("#total").get_attribute("data-total"))
    assert after == expected < before
    assert page.locator("li.hit").count() == after
    page.locator(f"section[data-facet=site] a.toggle.selected[data-value='{portal}']").click()
    page.wait_for_load_state()
    assert int(page.locator("#total").get_attribute("data-total")) == before
    page.locator("section[data-facet=status] a.toggle[data-value=deleted]").click()
    page.wait_for_load_state()
    assert int(page.locator("#total").get_attribute("data-total")) == 1
    visit.shot("search-facet")


def test_attention_chart_draws_a_point_per_period(visit: Visit) -> None:
    for granularity in ("month", "week"):
        data = json.loads(visit.open(f"/api/search?q=江州&granularity={granularity}")
                          .inner_text("body"))
        expected = len(data["timeline"]["points"])
        assert expected > 1
        page = visit.open(f"/search?q=江州&granularity={granularity}")
        points = page.locator("svg.attention circle.point")
        assert points.count() == expected
        assert [points.nth(i).get_attribute("data-period") for i in range(expected)] == [
            p["period"] for p in data["timeline"]["points"]]
    page.get_by_role("link", name="share of archived").click()
    page.wait_for_url("**share=1*")
    assert page.locator("svg.attention circle.point").count() == expected
    visit.shot("attention-share")
    page = visit.open("/compare?q=乡村&q=科技&granularity=month")
    assert page.locator("svg.compare g.series").count() == 2
    visit.shot("compare")


def test_revision_diff_shows_the_changed_characters(visit: Visit, built: WebArchive) -> None:
    article_id = _id_of(visit, built.demo(REVISED))
    page = visit.open(f"/articles/{article_id}")
    change = page.locator("li.revision .change[data-field=body]").first
    assert change.locator("del").all_inner_texts() == ["14"]
    assert change.locator("ins").all_inner_texts() == ["36"]
    assert "计划开工改造老旧小区" in change.inner_text()
    provenance = page.locator("section.provenance").inner_text()
    assert "SHA-256" in provenance and "extractor version" in provenance
    frame = page.frame_locator("iframe.archived-page")
    assert "计划开工改造老旧小区236个" in frame.locator("body").inner_text()
    visit.shot("article")
    page.get_by_role("link", name="side by side").click()
    page.wait_for_url("**layout=side*")
    side = page.locator("li.revision .change[data-field=body] .diff.side").first
    assert side.locator(".old del").inner_text() == "14"
    assert side.locator(".new ins").inner_text() == "36"
    visit.shot("article-side-by-side")


def test_deleted_article_appears_under_deletions(visit: Visit, built: WebArchive) -> None:
    page = visit.open("/")
    page.get_by_role("link", name="Deletions").first.click()
    page.wait_for_url("**/deletions*")
    gone = page.locator("li.deleted-article")
    assert gone.count() == 1
    title = next(a.title for a in webarchive.ARTICLES if a.path == DELETED)
    assert gone.locator("a.title").inner_text() == title
    said = next(a.paragraphs[0] for a in webarchive.ARTICLES if a.path == DELETED)
    assert said[:40] in gone.locator("blockquote.said").inner_text()
    assert page.locator("svg.deletion-rate circle.point").count() > 0
    visit.shot("deletions")
    gone.locator("a.title").click()
    page.wait_for_load_state()
    assert page.locator("ol.timeline li.event.deleted").count() == 1


def test_csv_export_rereads_field_for_field(visit: Visit, built: WebArchive,
                                            tmp_path: Path) -> None:
    page = visit.open("/search?q=江州")
    with page.expect_download() as download:
        page.locator("a.export.csv").click()
    saved = tmp_path / "export.csv"
    download.value.save_as(saved)
    first, rest = saved.read_text(encoding="utf-8").split("\n", 1)
    pin = read_pin(first)
    assert pin is not None and pin["query"] == "江州" and pin["as_of"]
    rows = list(csv.DictReader(io.StringIO(rest, newline="")))
    archive = Archive(built.db_url, readonly=True)
    try:
        with archive.reading() as session:
            expected = {r["article_id"]: r for r in exports.iter_rows(session)}
    finally:
        archive.close()
    total = int(page.locator("#total").get_attribute("data-total"))
    assert len(rows) == total > 0
    for row in rows:
        want = expected[int(row["article_id"])]
        assert list(row) == list(exports.EXPORT_FIELDS)
        for key in exports.EXPORT_FIELDS:
            value = want[key]
            cell = (json.dumps(value, ensure_ascii=False) if isinstance(value, list)
                    else "" if value is None else str(value))
            assert row[key] == cell, key


def test_xss_page_renders_inert(visit: Visit, built: WebArchive) -> None:
    article_id = _id_of(visit, built.portal("/news/xss.html"))
    for path in (f"/articles/{article_id}", "/search?q=通报",
                 f"/sites/{built.portal_base[len('http://'):]}"):
        page = visit.open(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.querySelectorAll('script, img, object, embed').length") == 0
        handlers = page.evaluate(
            "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
            ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))")
        assert handlers == []
        assert page.evaluate("[...document.links].filter(a => a.protocol === 'javascript:')"
                             ".length") == 0
    page = visit.open(f"/articles/{article_id}")
    assert page.locator("h1.article-title").inner_text() == webarchive.XSS_TITLE
    assert webarchive.XSS_AUTHOR in page.locator("p.meta").inner_text()
    assert page.title().startswith(webarchive.XSS_TITLE[:10])
    frame = next(f for f in page.frames if f.url.endswith("/page"))
    frame.wait_for_load_state()
    assert frame.evaluate("document.querySelectorAll('script, img, iframe, form').length") == 0
    assert frame.evaluate("[...document.links].filter(a => a.href).length") == 0
    assert "点击 javascript:alert(3) 查看详情" in frame.inner_text("body")
    assert page.locator("iframe.archived-page").get_attribute("sandbox") == ""
    visit.shot("xss-article")
    assert not any("example.invalid" in url for url in visit.requests)


def test_sites_runs_and_chinese_interface(visit: Visit, built: WebArchive) -> None:
    host = built.demo_base[len("http://"):]
    page = visit.open(f"/sites/{host}?days=3660")
    assert page.locator("svg.published rect.bar").count() == 3660
    assert page.locator("table.runs tr.run").count() == 2  # the two crawls of the demo
    visit.shot("site")
    runs = json.loads(visit.open("/api/runs").inner_text("body"))["results"]
    page = visit.open("/runs")
    assert page.locator("table.runs tr.run.finished").count() == len(runs) >= 3
    visit.shot("runs")
    page = visit.open("/search?q=江州")
    page.locator("a.lang-switch").click()
    page.wait_for_url("**lang=zh*")
    assert page.locator("header nav").inner_text().split() == ["搜索", "对比", "删除", "网站",
                                                               "抓取"]
    page.locator("header nav a", has_text="删除").click()
    page.wait_for_url("**/deletions?lang=zh")
    assert "按周、按网站列出的已删除文章" in page.inner_text("body")
    visit.shot("deletions-zh")
    page = visit.open("/search?q=%E6%B1%9F%E5%B7%9E&lang=zh")
    visit.shot("search-zh")
    assert TRADITIONAL  # the Traditional article is the one the first test finds
