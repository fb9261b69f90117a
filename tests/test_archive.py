"""The Archive API on real SQLite and PostgreSQL databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsarchive.archive import Archive, NotArchived, content_hash
from newsarchive.archive.models import ArticleRevision, Fetch
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind
from newsarchive.query import articles, search
from tests.archiving import record_failure, record_fetch, store_article

CST = timezone(timedelta(hours=8))
EST = timezone(timedelta(hours=-5))
NPT = timezone(timedelta(hours=5, minutes=45))
FETCHED = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
# GBK bytes with a NUL and high bytes: must come back byte-exact.
PAGE = "<html><meta charset=gb2312><p>男子冒充公安实施电信诈骗</p></html>".encode("gbk") + b"\x00\xff"


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive(db_url) as opened:
        yield opened


def fetch(archive: Archive, run_id: int, url: str, body: bytes = PAGE, status: int = 200) -> int:
    return record_fetch(archive, run_id, url=url, final_url=url, status=status,
                                headers={"Content-Type": ["text/html; charset=gb2312"]},
                                body=body, fetched_at=FETCHED)


def article(url: str = "http://www.news.example.cn/a/1.html", **fields: Any) -> Article:
    values: dict[str, Any] = {
        "title": "男子冒充公安实施电信诈骗",
        "paragraphs": ["本报讯 近日，警方破获一起电信诈骗案。", "涉案金额达100万元。"],
        "published": datetime(2020, 1, 9, 7, 56, 40, tzinfo=CST),
        "authors": ["张三"], "source": "新华网", "editor": "李四",
        "keywords": ["诈骗", "公安"], "section_path": ["新闻", "社会"], "encoding": "gbk",
    }
    values.update(fields)
    return Article(url=url, **values)


def store(archive: Archive, run_id: int, item: Article) -> str:
    return store_article(archive, run_id, [fetch(archive, run_id, item.url)], item, "test-1")


def test_a_rolled_back_write_leaves_no_site_id_behind(archive: Archive) -> None:
    """A new site's row rolled back with its batch: the next write of that site adds it again
    rather than pointing at a row that is not there."""
    run = archive.start_run([], {})
    fetch_id = fetch(archive, run, "http://www.new-site.example.cn/a/1.html")
    with pytest.raises(RuntimeError), archive.writing() as writes:
        writes.store_articles(run, [([fetch_id], article("http://www.new-site.example.cn/a/1.html"))],
                              "test-1")
        raise RuntimeError("the batch fails after the site was added")
    assert store(archive, run, article("http://www.new-site.example.cn/a/2.html")) == "new"
    assert [hit["site"] for hit in search(archive, "电信诈骗")] == ["new-site.example.cn"]


def test_raw_body_stored_once_and_read_back_exactly(archive: Archive) -> None:
    run = archive.start_run(["http://news.example.cn/"], {})
    first = fetch(archive, run, "http://news.example.cn/a/1.html")
    second = fetch(archive, run, "http://news.example.cn/a/1.html?from=rss")
    other = fetch(archive, run, "http://news.example.cn/a/2.html", body=b"")
    assert archive.raw_body(first) == PAGE
    assert archive.raw_body(second) == PAGE
    assert archive.raw_body(other) == b""
    counts = archive.counts()
    assert (counts["fetches"], counts["raw_pages"]) == (3, 2)


def test_headers_from_scrapy_bytes_become_text(archive: Archive, db_url: str) -> None:
    run = archive.start_run([], {})
    fetch_id = record_fetch(archive,
        run, url="http://a.cn/", final_url="http://a.cn/", status=200,
        headers={b"Content-Type": [b"text/html; charset=GBK"], "Server": "nginx"},
        body=b"x", fetched_at=FETCHED)
    with Session(archive.engine) as session:
        row = session.get(Fetch, fetch_id)
        assert row is not None
        assert row.headers == {"Content-Type": ["text/html; charset=GBK"], "Server": ["nginx"]}
        assert row.fetched_at == FETCHED


def test_raw_body_of_unknown_fetch(archive: Archive) -> None:
    with pytest.raises(NotArchived, match="fetch 999"):
        archive.raw_body(999)


def test_new_unchanged_changed_keeps_every_revision(archive: Archive) -> None:
    run = archive.start_run(["http://news.example.cn/"], {})
    assert store(archive, run, article()) == "new"
    # The same story reached through a tracking URL is the same article, unchanged.
    assert store(archive, run, article("https://news.example.cn/a/1.html?utm_source=wx")) == (
        "unchanged")
    edited = article(paragraphs=["本报讯 近日，警方破获一起电信诈骗案。", "涉案金额达120万元。"])
    assert store(archive, run, edited) == "changed"
    counts = archive.counts()
    assert (counts["articles"], counts["article_revisions"]) == (1, 2)
    [row] = articles(archive)
    assert row["body"] == "本报讯 近日，警方破获一起电信诈骗案。\n涉案金额达120万元。"
    assert row["canonical_url"] == "https://news.example.cn/a/1.html"
    with Session(archive.engine) as session:
        revisions = session.scalars(select(ArticleRevision).order_by(ArticleRevision.id)).all()
        # The latest revision's body is the article's own, stored once.
        assert [r.body for r in revisions] == [
            "本报讯 近日，警方破获一起电信诈骗案。\n涉案金额达100万元。", None]
        assert [r.content_hash for r in revisions] == [content_hash(article()),
                                                       content_hash(edited)]
        assert {r.extractor_version for r in revisions} == {"test-1"}
    summary = archive.finish_run(run, "finished")
    assert summary["articles"] == {"new": 1, "changed": 1, "unchanged": 1}
    assert summary["pages_fetched"] == 3
    assert summary["sections"] == ["http://news.example.cn/"]
    assert summary["finish_reason"] == "finished"


def test_same_site_canonical_hint_merges_urls(archive: Archive) -> None:
    run = archive.start_run([], {})
    hint = "https://news.example.cn/2020-01/09/c_1.htm"
    assert store(archive, run, article("http://m.news.example.cn/1.html",
                                       canonical_url="https://example.org/x")) == "new"
    assert store(archive, run, article("http://news.example.cn/a/1.html",
                                       canonical_url=hint)) == "new"
    assert store(archive, run, article("http://news.example.cn/c_1.htm?spm=1",
                                       canonical_url=hint)) == "unchanged"
    assert sorted(r["canonical_url"] for r in articles(archive)) == [
        "https://m.news.example.cn/1.html", "https://news.example.cn/2020-01/09/c_1.htm"]


def test_multi_page_article_marks_continuation(archive: Archive) -> None:
    run = archive.start_run([], {})
    pages = [fetch(archive, run, "http://a.cn/1.html"),
             fetch(archive, run, "http://a.cn/1_2.html", body=b"page two")]
    assert store_article(archive, run, pages, article("http://a.cn/1.html"), "t") == "new"
    with Session(archive.engine) as session:
        rows = session.scalars(select(Fetch).order_by(Fetch.id)).all()
        assert [(r.outcome, r.article_id is not None) for r in rows] == [
            ("new", True), ("continuation", True)]
    with pytest.raises(ValueError, match="fetch"):
        store_article(archive, run, [], article("http://a.cn/2.html"), "t")


@pytest.mark.parametrize("published", [
    "2020-01-09T07:56:40+08:00", "2019-12-31T23:30:00-05:00", "2021-06-01T10:15:00+05:45",
    "2020-01-09T07:56:40.250000+08:00", "2020-01-09T07:56:40",
])
def test_published_round_trips_with_its_original_offset(archive: Archive, published: str) -> None:
    run = archive.start_run([], {})
    updated = datetime(2020, 1, 10, 9, 0, tzinfo=NPT)
    store(archive, run, article(published=datetime.fromisoformat(published), updated=updated))
    [row] = articles(archive)
    assert row["published"] == published
    assert row["updated"] == "2020-01-10T09:00:00+05:45"
    [hit] = search(archive, "电信诈骗")
    assert hit["published"] == published


def test_since_until_compare_instants(archive: Archive) -> None:
    run = archive.start_run([], {})
    # 07:56:40+08:00 is 2020-01-08T23:56:40Z: before midnight UTC, after midnight Beijing.
    store(archive, run, article("http://a.cn/beijing.html"))
    store(archive, run, article("http://a.cn/newyork.html",
                                published=datetime(2020, 1, 8, 20, 0, tzinfo=EST)))  # 01:00Z
    store(archive, run, article("http://a.cn/undated.html", published=None))

    def urls(since: datetime | None = None, until: datetime | None = None) -> list[str]:
        rows = articles(archive, since=since, until=until)
        return sorted(r["url"].rsplit("/", 1)[1] for r in rows)

    utc_midnight = datetime(2020, 1, 9, tzinfo=UTC)
    assert urls(since=utc_midnight) == ["newyork.html"]
    assert urls(until=utc_midnight) == ["beijing.html"]
    assert urls(since=datetime(2020, 1, 9, tzinfo=CST)) == ["beijing.html", "newyork.html"]
    assert urls(since=datetime(2020, 1, 8, 23, 56, 40, tzinfo=UTC),
                until=datetime(2020, 1, 9, 1, 0, tzinfo=UTC)) == ["beijing.html"]
    assert len(urls()) == 3


def test_site_filter_accepts_host_or_url(archive: Archive) -> None:
    run = archive.start_run([], {})
    store(archive, run, article("http://www.a.cn/1.html"))
    store(archive, run, article("http://b.cn/1.html"))
    for site in ("a.cn", "www.a.cn", "https://www.a.cn/news/"):
        assert [r["url"] for r in articles(archive, site=site)] == ["http://www.a.cn/1.html"]
    assert [r["site"] for r in articles(archive, site="b.cn")] == ["b.cn"]
    assert list(articles(archive, site="c.cn")) == []


def test_export_row_fields(archive: Archive) -> None:
    run = archive.start_run([], {})
    store(archive, run, article())
    [row] = articles(archive)
    assert row["url"] == "http://www.news.example.cn/a/1.html"
    assert row["title"] == "男子冒充公安实施电信诈骗"
    assert row["authors"] == ["张三"]
    assert (row["source"], row["editor"], row["encoding"]) == ("新华网", "李四", "gbk")
    assert row["keywords"] == ["诈骗", "公安"]
    assert row["section_path"] == ["新闻", "社会"]
    assert row["site"] == "news.example.cn"
    assert datetime.fromisoformat(row["crawled_at"]).tzinfo is not None


def test_search_chinese_ranks_title_hits_first(archive: Archive) -> None:
    run = archive.start_run([], {})
    store(archive, run, article("http://a.cn/old.html",
                                published=datetime(2019, 5, 1, 8, 0, tzinfo=CST)))
    store(archive, run, article("http://a.cn/new.html", title="标题里没有那个词",
                                paragraphs=["正文开头。", "他们在研究电信诈骗的新手法。"]))
    store(archive, run, article("http://a.cn/title.html", title="电信诈骗专题",
                                paragraphs=["正文不提。"],
                                published=datetime(2018, 1, 1, tzinfo=CST)))
    store(archive, run, article("http://a.cn/other.html", title="天气", paragraphs=["晴。"]))
    hits = search(archive, "电信诈骗")
    assert [h["url"] for h in hits][2:] == ["http://a.cn/new.html"]
    assert {h["url"] for h in hits[:2]} == {"http://a.cn/old.html", "http://a.cn/title.html"}
    by_url = {h["url"]: h for h in hits}
    assert by_url["http://a.cn/new.html"]["snippet"] == "正文开头。 他们在研究«电信诈骗»的新手法。"
    assert by_url["http://a.cn/title.html"]["snippet"] == "«电信诈骗»专题"
    assert by_url["http://a.cn/new.html"]["site"] == "a.cn"
    assert len(search(archive, "电信诈骗", limit=1)) == 1
    assert search(archive, "不存在的词") == []
    assert search(archive, "  ") == []
    # Two characters are below the trigram size: a scan, newest archived first.
    assert [h["url"] for h in search(archive, "诈骗")] == [
        "http://a.cn/title.html", "http://a.cn/new.html", "http://a.cn/old.html"]


def test_search_escapes_like_wildcards(archive: Archive) -> None:
    run = archive.start_run([], {})
    store(archive, run, article("http://a.cn/pct.html", title="增长100%", paragraphs=["a_b"]))
    store(archive, run, article("http://a.cn/plain.html", title="增长1000", paragraphs=["axb"]))
    assert [h["url"] for h in search(archive, "%")] == ["http://a.cn/pct.html"]
    assert [h["url"] for h in search(archive, "0%")] == ["http://a.cn/pct.html"]
    assert [h["url"] for h in search(archive, "a_b")] == ["http://a.cn/pct.html"]
    assert search(archive, "/") == []
    assert len(search(archive, "增长")) == 2


def test_search_latin_is_case_insensitive(archive: Archive) -> None:
    run = archive.start_run([], {})
    store(archive, run, article("http://a.cn/5g.html", paragraphs=["华为发布5G Phone新品"]))
    assert [h["snippet"] for h in search(archive, "5g phone")] == ["华为发布«5G Phone»新品"]
    assert [h["snippet"] for h in search(archive, "5g")] == ["华为发布«5G» Phone新品"]


def test_failures_recorded_with_reasons(archive: Archive) -> None:
    run = archive.start_run(["http://a.cn/list/"], {"DOWNLOAD_DELAY": 0})
    gone = fetch(archive, run, "http://a.cn/gone.html", body=b"not found", status=404)
    record_failure(archive, run, gone, "http://a.cn/gone.html", FailureKind.GONE, "HTTP 404")
    record_failure(archive, run, None, "http://a.cn/private.html", FailureKind.ROBOTS,
                   "forbidden by robots.txt")
    store(archive, run, article("http://a.cn/ok.html"))
    summary = archive.finish_run(run, "finished")
    assert summary["failures"] == [
        {"url": "http://a.cn/gone.html", "kind": "gone", "reason": "HTTP 404"},
        {"url": "http://a.cn/private.html", "kind": "robots", "reason": "forbidden by robots.txt"},
    ]
    assert summary["articles"] == {"new": 1, "changed": 0, "unchanged": 0}
    assert summary["pages_fetched"] == 2
    assert summary["started_at"] <= summary["finished_at"]
    assert archive.run_summary(run) == summary
    with Session(archive.engine) as session:
        row = session.get(Fetch, gone)
        assert row is not None and (row.outcome, row.error) == ("failed", "HTTP 404")


def test_unknown_run(archive: Archive) -> None:
    with pytest.raises(NotArchived, match="crawl run 42"):
        archive.run_summary(42)


def test_concurrent_writers_store_one_article(db_url: str) -> None:
    with Archive(db_url) as first:
        # The site exists already, so the writers race on the article row itself.
        store(first, first.start_run([], {}), article("http://a.cn/earlier.html"))
    workers = 4
    barrier = threading.Barrier(workers)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            with Archive(db_url, migrate=False) as mine:
                run = mine.start_run([], {})
                item = article(f"http://www.a.cn/race.html?utm_source=w{index}")
                fetch_id = fetch(mine, run, item.url)
                barrier.wait()
                outcomes.append(store_article(mine, run, [fetch_id], item, "t"))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == ["new"] + ["unchanged"] * (workers - 1)
    with Archive(db_url, migrate=False) as check:
        counts = check.counts()
    assert (counts["articles"], counts["article_revisions"], counts["sites"]) == (2, 2, 1)
