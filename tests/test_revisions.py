"""Revisions and deletions through the real store pipeline, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from newsarchive.archive import Archive
from newsarchive.archive.models import Failure, Fetch
from newsarchive.crawl.items import ArticlePages, CrawlError, FetchedPage
from newsarchive.extract import extract
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind, NewsarchiveError, PageGone
from newsarchive.extract.gone import gone_reason
from newsarchive.query import articles
from pipelines.store import StorePipeline

CST = timezone(timedelta(hours=8))
URL = "http://news.example.cn/a/1.html"
T0 = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
HTML = {"Content-Type": ["text/html; charset=utf-8"]}
DELETED_PAGE = ("<html><head><title>提示信息</title></head><body><div class=nav>首页 新闻</div>"
                "<p>对不起，该文章已被删除！</p><a href='/'>返回首页</a></body></html>").encode()
DELETED_BIG5 = ("<html><head><meta charset=big5><title>錯誤</title></head>"
                "<body><p>您訪問的頁面不存在</p></body></html>").encode("big5")


def page(status: int = 200, body: bytes = b"<html><p>x</p></html>", at: datetime = T0,
         url: str = URL) -> FetchedPage:
    return FetchedPage(url=url, final_url=url, status=status, headers=HTML, body=body,
                       fetched_at=at)


def story(body: str = "涉案金额达100万元。", url: str = URL) -> Article:
    return Article(url=url, title="男子冒充公安实施电信诈骗",
                   paragraphs=["本报讯 近日，警方破获一起电信诈骗案。", body],
                   published=datetime(2020, 1, 9, 7, 56, 40, tzinfo=CST), authors=["张三"])


@pytest.fixture
def pipeline(db_url: str) -> Iterator[StorePipeline]:
    opened = StorePipeline(db_url, None, ["http://news.example.cn/"])
    opened.open_spider()
    yield opened
    opened.close()


def store(pipeline: StorePipeline, item: ArticlePages) -> None:
    """Through the pipeline's buffer and one batch write, as in a crawl."""
    done = pipeline.enqueue(item)
    pipeline.flush()
    assert done.called


def ok(pipeline: StorePipeline, article: Article, at: datetime = T0) -> None:
    store(pipeline, ArticlePages(url=article.url, pages=[page(at=at)], article=article))


def failed(pipeline: StorePipeline, status: int, body: bytes, error: NewsarchiveError,
           at: datetime = T0, url: str = URL) -> None:
    store(pipeline, ArticlePages(url=url, pages=[page(status, body, at, url)], error=error))


def gone(url: str, reason: str) -> PageGone:
    """What the extract pipeline makes of a 404/410 answer or a removal notice."""
    return PageGone(url, reason)


def revisions(archive: Archive) -> list[str]:
    with Session(archive.engine) as session:
        return list(session.scalars(text("SELECT body FROM article_revisions_full ORDER BY id")))


def test_revision_on_change_none_on_no_change(pipeline: StorePipeline) -> None:
    ok(pipeline, story())
    ok(pipeline, story(), T0 + timedelta(hours=1))
    ok(pipeline, story("涉案金额达120万元。"), T0 + timedelta(hours=2))
    ok(pipeline, story("涉案金额达120万元。"), T0 + timedelta(hours=3))
    assert pipeline.outcomes == {"new": 1, "unchanged": 2, "changed": 1}
    assert revisions(pipeline.archive) == [
        "本报讯 近日，警方破获一起电信诈骗案。\n涉案金额达100万元。",
        "本报讯 近日，警方破获一起电信诈骗案。\n涉案金额达120万元。"]
    assert pipeline.archive.counts()["fetches"] == 4


def test_404_marks_deleted_keeps_data_and_a_later_fetch_restores(pipeline: StorePipeline) -> None:
    archive = pipeline.archive
    ok(pipeline, story())
    gone_at = T0 + timedelta(days=1)
    failed(pipeline, 404, b"<html>Not Found</html>", gone(URL, "HTTP 404"), gone_at)
    failed(pipeline, 410, b"", gone(URL, "HTTP 410"), gone_at + timedelta(days=1))
    [row] = articles(archive)
    assert datetime.fromisoformat(row["deleted_at"]) == gone_at  # first seen gone, kept
    assert row["body"].endswith("100万元。")
    assert pipeline.outcomes == {"new": 1, "deleted": 1, "gone": 1}
    ok(pipeline, story(), gone_at + timedelta(days=2))
    [row] = articles(archive)
    assert row["deleted_at"] is None
    assert [(e["kind"], e["at"], e["reason"]) for e in archive.events(1)] == [
        ("deleted", gone_at.isoformat(), "HTTP 404"),
        ("restored", archive.events(1)[1]["at"], None)]
    with Session(archive.engine) as session:
        outcomes = list(session.scalars(select(Fetch.outcome).order_by(Fetch.id)))
        assert outcomes == ["new", "deleted", "gone", "unchanged"]
        assert session.scalar(select(Failure.id)) is None
    assert len(revisions(archive)) == 1


def test_deleted_notice_page_marks_deleted(pipeline: StorePipeline) -> None:
    ok(pipeline, story())
    # Extraction, which has the page parsed already, tells the notice; the writer marks it.
    with pytest.raises(PageGone) as notice:
        extract(DELETED_PAGE, URL, HTML)
    assert notice.value.reason == "page says: 该文章已被删除"
    failed(pipeline, 200, DELETED_PAGE, notice.value)
    [row] = articles(pipeline.archive)
    assert datetime.fromisoformat(row["deleted_at"]) == T0
    assert pipeline.archive.events(1)[0]["reason"] == "page says: 该文章已被删除"


def test_unknown_url_gone_is_a_failure_not_a_deletion(pipeline: StorePipeline) -> None:
    failed(pipeline, 404, b"", gone("http://news.example.cn/never.html", "HTTP 404"),
           url="http://news.example.cn/never.html")
    failed(pipeline, 500, b"", CrawlError(URL, "HTTP 500", FailureKind.HTTP_STATUS))
    assert pipeline.outcomes == {"failed": 2}
    with Session(pipeline.archive.engine) as session:
        assert [tuple(row) for row in session.execute(
                select(Failure.kind, Failure.reason).order_by(Failure.id))] == [
            ("gone", "HTTP 404"), ("http_status", "HTTP 500")]


def test_gone_reason_phrases() -> None:
    assert gone_reason(404, b"") == "HTTP 404"
    assert gone_reason(410, b"anything") == "HTTP 410"
    assert gone_reason(503, DELETED_PAGE) is None
    assert gone_reason(200, DELETED_PAGE, HTML) == "page says: 该文章已被删除"
    assert gone_reason(200, DELETED_BIG5) == "page says: 您访问的页面不存在"
    # An article that quotes the phrase in a long body is an article.
    long_article = ("<html><head><title>网站治理报告</title></head><body><p>"
                    + "记者调查发现，许多链接打开后显示页面不存在。" * 120 + "</p></body></html>")
    assert gone_reason(200, long_article.encode()) is None
    assert gone_reason(200, "<title>404 页面不存在</title>".encode()) == "page says: 页面不存在"


def test_one_batch_resolves_items_in_order(pipeline: StorePipeline) -> None:
    """Two copies of one URL, a change, a deletion and a restoration in ONE transaction give
    the outcomes, revisions and events that item-by-item storing gives."""
    gone_at = T0 + timedelta(days=1)
    items = [
        ArticlePages(url=URL, pages=[page()], article=story()),
        ArticlePages(url=URL + "?utm_source=feed", pages=[page(url=URL + "?utm_source=feed")],
                     article=story(url=URL + "?utm_source=feed")),
        ArticlePages(url=URL, pages=[page(at=T0 + timedelta(hours=1))],
                     article=story("涉案金额达120万元。")),
        ArticlePages(url=URL, pages=[page(404, b"", gone_at)], error=gone(URL, "HTTP 404")),
        ArticlePages(url=URL, pages=[page(at=gone_at + timedelta(hours=1))],
                     article=story("涉案金额达120万元。")),
    ]
    waiting = [pipeline.enqueue(item) for item in items]
    assert not any(done.called for done in waiting)  # nothing passed on before the commit
    pipeline.flush()
    assert all(done.called for done in waiting)
    archive = pipeline.archive
    assert pipeline.outcomes == {"new": 1, "unchanged": 2, "changed": 1, "deleted": 1}
    assert archive.counts()["articles"] == 1
    assert [r[-6:] for r in revisions(archive)] == ["100万元。", "120万元。"]
    assert [e["kind"] for e in archive.events(1)] == ["deleted", "restored"]
    with Session(archive.engine) as session:
        assert list(session.scalars(select(Fetch.outcome).order_by(Fetch.id))) == [
            "new", "unchanged", "changed", "deleted", "unchanged"]


def test_extraction_tells_a_removal_notice_from_an_article() -> None:
    """The in-extraction check agrees with gone_reason on parsed pages: a short notice is
    PageGone (in any encoding), an article quoting the phrase at length is an article."""
    for notice, phrase in ((DELETED_PAGE, "该文章已被删除"), (DELETED_BIG5, "您访问的页面不存在")):
        with pytest.raises(PageGone) as caught:
            extract(notice, URL)
        assert (caught.value.kind, caught.value.reason) == ("gone", f"page says: {phrase}")
    long_article = ("<html><head><title>网站治理报告</title></head><body><h1>网站治理报告</h1><p>"
                    + "记者调查发现，许多链接打开后显示页面不存在。" * 120 + "</p></body></html>")
    assert extract(long_article.encode(), URL).title == "网站治理报告"


def test_thread_posts_are_kept_and_plain_articles_hash_as_before(pipeline: StorePipeline) -> None:
    from newsarchive.archive.writes import content_hash
    from newsarchive.extract.article import Post

    plain = Article(url="http://news.example.cn/a/1.html", title="标题",
                    paragraphs=["第一段。", "第二段。"],
                    published=datetime(2020, 1, 9, 7, 56, 40, tzinfo=CST), authors=["张三"])
    # What this article hashed to before posts were kept (1f02f60): archived copies of it are
    # not taken for changed.
    assert content_hash(plain) == (
        "2ffcc0ee88e77780201c233396366175670d9f7c98f5c424753d82deb1b05800")
    posts = [Post("楼主", datetime(2020, 1, 9, 8, 0, tzinfo=CST), "第一段。"),
             Post("网友甲", datetime(2020, 1, 9, 9, 30, tzinfo=CST), "第二段。")]
    thread = Article(url=URL, title="讨论帖", paragraphs=["第一段。", "第二段。"], posts=posts,
                     authors=["楼主"])
    ok(pipeline, thread)
    later = Article(url=URL, title="讨论帖", paragraphs=["第一段。", "第二段。"],
                    posts=[posts[0], Post("网友乙", posts[1].published, "第二段。")],
                    authors=["楼主"])
    ok(pipeline, later, T0 + timedelta(hours=1))
    # Same text, another poster: a new revision, with its posts.
    assert pipeline.outcomes == {"new": 1, "changed": 1}
    with Session(pipeline.archive.engine) as session:
        stored = list(session.scalars(text("SELECT posts FROM article_revisions_full ORDER BY id")))
    stored = [json.loads(p) if isinstance(p, str) else p for p in stored]
    assert [[p["author"] for p in revision] for revision in stored] == [
        ["楼主", "网友甲"], ["楼主", "网友乙"]]
    assert stored[0][1] == {"author": "网友甲", "published": "2020-01-09T09:30:00+08:00",
                            "text": "第二段。"}
