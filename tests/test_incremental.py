"""Incremental re-crawls of a portal that changes between runs: what is fetched, what is archived.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from newsarchive.archive import Archive
from newsarchive.archive.db import make_engine
from newsarchive.archive.models import ArticleRevision, ArticleRow
from newsarchive.crawl.frontier import Frontier, KnownArticle, revisit_due
from newsarchive.query import articles
from tests.mockserver import FAST, Page, Portal, article_html, run_cli, section_html

TITLES = {n: f"第{n}号新闻：增量抓取测试报道标题" for n in range(1, 13)}
MOVED = "/news/2024/a4.html"


def path(n: int) -> str:
    return f"/news/a{n}.html"


def version_1() -> dict[str, Page]:
    """Ten articles, five per list page, newest first."""
    pages = {path(n): Page(article_html(TITLES[n])) for n in range(1, 11)}
    pages["/news/"] = Page(section_html([(path(n), TITLES[n]) for n in range(10, 5, -1)],
                                        "/news/index_2.html", ["/news/", "/news/index_2.html"]))
    pages["/news/index_2.html"] = Page(section_html([(path(n), TITLES[n]) for n in range(5, 0, -1)],
                                                    None, ["/news/", "/news/index_2.html"]))
    return pages


def version_2() -> dict[str, Page]:
    """Two new articles push five down; 7 is edited, 3 deleted, 4 moved (301 to a new URL)."""
    pages = version_1()
    for n in (11, 12):
        pages[path(n)] = Page(article_html(TITLES[n]))
    pages[path(7)] = Page(article_html(TITLES[7], extra="（更正：本文已修改）"), modified=1_800_000_000)
    del pages[path(3)]
    pages[MOVED] = pages.pop(path(4))
    pages[path(4)] = Page(b"", status=301, validators=False, headers={"Location": MOVED})
    first = [(path(n), TITLES[n]) for n in (12, 11, 10, 9, 8)]
    second = [(path(n), TITLES[n]) for n in (7, 6, 5)] + [(MOVED, TITLES[4])] + [
        (path(n), TITLES[n]) for n in (2, 1)]
    numbers = ["/news/", "/news/index_2.html"]
    pages["/news/"] = Page(section_html(first, "/news/index_2.html", numbers))
    pages["/news/index_2.html"] = Page(section_html(second, None, numbers))
    return pages


def _site_file(directory: Path, base: str) -> Path:
    directory.mkdir(exist_ok=True)
    config = directory / "changing.toml"
    config.write_text(
        f'name = "changing"\nsections = ["{base}/news/"]\nallowed_hosts = ["127.0.0.1"]\n'
        'timezone = "Asia/Shanghai"\n[revisit]\nafter = ["1h", "1d", "7d", "30d"]\n'
        "known_list_pages = 1\n", encoding="utf-8")
    return directory


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def three_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("incremental")
    db_url = (f"sqlite:///{tmp / 'archive.db'}" if request.param == "sqlite"
              else request.getfixturevalue("pg_module_url"))
    with Portal(version_1()) as portal:
        sites = _site_file(tmp / "sites", portal.url)
        crawl = ["crawl", "changing", "--sites-dir", str(sites), "--db", db_url, *FAST]
        outputs, fetched, hits = [], [], []
        for number in (1, 2, 3):
            if number == 2:
                portal.pages = {**portal.pages, **version_2()}
                portal.pages.pop(path(3))
            extra = []
            if number == 3:
                # Two days later: the 1 h and 1 day re-checks of everything are due.
                later = datetime.now(UTC) + timedelta(days=2)
                extra = ["-s", f"NEWSARCHIVE_NOW={later.isoformat()}"]
            before = len(portal.hits)
            outputs.append(run_cli(*crawl, *extra).stdout)
            fetched.append(portal.requested(before))
            hits.append([h for h in portal.hits[before:] if h.path != "/robots.txt"])
        yield {"db_url": db_url, "out": outputs, "fetched": fetched, "hits": hits,
               "base": portal.url}


@pytest.mark.crawl
def test_first_run_fetches_everything(three_runs: dict[str, Any]) -> None:
    fetched = three_runs["fetched"][0]
    assert sorted(fetched) == sorted(["/news/", "/news/index_2.html", *(path(n) for n in range(1, 11))])
    assert "10 new" in three_runs["out"][0]


@pytest.mark.crawl
def test_second_run_fetches_only_new_articles_and_pages_until_known(three_runs: dict[str, Any]) -> None:
    fetched = three_runs["fetched"][1]
    # Page 1 had new articles, so page 2 was read too; known articles were not fetched again.
    assert sorted(fetched) == sorted(["/news/", "/news/index_2.html", path(11), path(12), MOVED])
    assert "3 new" in three_runs["out"][1]
    assert "8 archived articles not due" in three_runs["out"][1]


@pytest.mark.crawl
def test_third_run_rechecks_due_articles_conditionally(three_runs: dict[str, Any]) -> None:
    hits = three_runs["hits"][2]
    by_path: dict[str, list[int]] = {}
    for hit in hits:
        by_path.setdefault(hit.path, []).append(hit.status)
    # Page 1 held only known articles: paging back stopped there.
    assert "/news/index_2.html" not in by_path
    assert by_path["/news/"] == [200]
    assert by_path[path(7)] == [200]  # edited: a new body
    assert by_path[path(3)] == [404]  # deleted
    assert by_path[path(4)] == [301]  # moved
    unchanged = [path(n) for n in (1, 2, 5, 6, 8, 9, 10, 11, 12)] + [MOVED]
    for p in unchanged:
        # MOVED twice: its own re-check, and a4's redirect, which the dupefilter no longer eats
        # (a4's re-check ends at MOVED's article instead of vanishing).
        assert by_path[p] == ([304, 304] if p == MOVED else [304]), p
    asked = {h.path: h.headers for h in hits}
    assert asked[path(1)]["If-None-Match"].startswith('"')
    assert "If-Modified-Since" in asked[path(1)]
    assert set(by_path) == {"/news/", *unchanged, path(3), path(4), path(7)}


@pytest.mark.crawl
def test_final_archive_state(three_runs: dict[str, Any]) -> None:
    base = three_runs["base"]
    with Archive(three_runs["db_url"]) as archive:
        rows = {r["url"].removeprefix(base): r for r in articles(archive)}
        third = archive.run_summary(3)
    assert set(rows) == {path(n) for n in range(1, 13)} | {MOVED}
    assert rows[MOVED]["title"] == TITLES[4]
    assert "（更正：本文已修改）" in rows[path(7)]["body"]
    assert third["articles"] == {"new": 0, "changed": 1, "unchanged": 10}
    engine = make_engine(three_runs["db_url"])
    try:
        with engine.connect() as conn:
            revisions = dict(conn.execute(
                select(ArticleRow.url, func.count(ArticleRevision.id))
                .join(ArticleRevision, ArticleRevision.article_id == ArticleRow.id)
                .group_by(ArticleRow.url)).all())
            deleted = conn.scalar(select(ArticleRow.deleted_at).where(
                ArticleRow.url == base + path(3)))
    finally:
        engine.dispose()
    assert revisions[base + path(7)] == 2
    assert all(count == 1 for url, count in revisions.items() if url != base + path(7))
    assert deleted is not None  # the 404 on re-check marked it deleted


def test_revisit_due_points() -> None:
    first = datetime(2026, 1, 1, tzinfo=UTC)
    after = [timedelta(hours=1), timedelta(days=1), timedelta(days=7)]

    def known(checked: datetime) -> KnownArticle:
        return KnownArticle("https://x/a", "http://x/a", first, checked, 1, None, None, {})

    assert not revisit_due(known(first), first + timedelta(minutes=59), after)
    assert revisit_due(known(first), first + timedelta(hours=2), after)
    assert not revisit_due(known(first + timedelta(hours=2)), first + timedelta(hours=5), after)
    assert revisit_due(known(first + timedelta(hours=2)), first + timedelta(days=2), after)
    assert not revisit_due(known(first + timedelta(days=8)), first + timedelta(days=300), after)
    assert Frontier([known(first)]).get("http://www.x/a") is not None
