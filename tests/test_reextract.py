"""reextract: the current extractor over archived bytes, a revision only where output changed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from newsarchive.archive import Archive
from newsarchive.archive.models import ArticleRevision
from newsarchive.cli import main
from newsarchive.extract import EXTRACTOR_VERSION, extract
from newsarchive.extract.article import Article
from newsarchive.query import articles, search
from tests.archiving import record_fetch, store_article

PAGE = (Path(__file__).parent / "fixtures" / "archive" / "article.html").read_bytes()
HEADERS = {"Content-Type": ["text/html; charset=utf-8"]}
AT = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def archive_page(archive: Archive, run: int, url: str, article: Article) -> None:
    fetch = record_fetch(archive, run, url=url, final_url=url, status=200, headers=HEADERS,
                                 body=PAGE, fetched_at=AT)
    store_article(archive, run, [fetch], article, "old-extractor")


def test_reextract_adds_a_revision_only_where_output_changed(db_url: str) -> None:
    current = "http://news.example.cn/a/current.html"
    stale = "http://news.example.cn/a/stale.html"
    with Archive(db_url) as archive:
        run = archive.start_run([], {})
        # What the current extractor makes of the page, as a crawl would have stored it.
        same = extract(PAGE, current, HEADERS, fetched_at=AT)
        archive_page(archive, run, current, same)
        # What an older, worse extractor kept: chrome in the body, no author.
        archive_page(archive, run, stale, Article(
            url=stale, title="前两月工业增加值增长7%_新闻中心",
            paragraphs=["首页 新闻", "国家统计局新闻发言人表示。"]))
    result = CliRunner().invoke(main, ["reextract", "--db", db_url, "--site", "news.example.cn"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "2 checked, 1 changed, 1 unchanged, 0 failed"
    with Archive(db_url) as archive:
        with Session(archive.engine) as session:
            revisions = session.execute(select(
                ArticleRevision.article_id, ArticleRevision.extractor_version,
                ArticleRevision.title, ArticleRevision.authors).order_by(ArticleRevision.id)).all()
        assert [tuple(r) for r in revisions] == [
            (1, "old-extractor", "前两月工业增加值增长7%", ["王明"]),
            (2, "old-extractor", "前两月工业增加值增长7%_新闻中心", []),
            (2, EXTRACTOR_VERSION, "前两月工业增加值增长7%", ["王明"]),
        ]
        rows = {r["url"]: r for r in articles(archive)}
        assert rows[stale]["body"] == same.body
        assert rows[stale]["authors"] == ["王明"]
        # The search index follows the new revision.
        assert sorted(h["url"] for h in search(archive, "高技术制造业")) == [current, stale]
    again = CliRunner().invoke(main, ["reextract", "--db", db_url])
    assert again.output.splitlines()[0] == "2 checked, 0 changed, 2 unchanged, 0 failed"


def test_reextract_stitches_an_articles_pages_in_order(db_url: str) -> None:
    url = "http://news.example.cn/a/1.html"
    second = (Path(__file__).parent / "fixtures" / "archive" / "article_2.html").read_bytes()
    with Archive(db_url) as archive:
        run = archive.start_run([], {})
        fetches = [record_fetch(archive, run, url=u, final_url=u, status=200, headers=HEADERS,
                                        body=b, fetched_at=AT)
                   for u, b in ((url, PAGE), ("http://news.example.cn/a/1_2.html", second))]
        store_article(archive, run, fetches, Article(url=url, title="旧", paragraphs=["旧正文。"]),
                              "old-extractor")
    result = CliRunner().invoke(main, ["reextract", "--db", db_url])
    assert result.output.splitlines()[0] == "1 checked, 1 changed, 0 unchanged, 0 failed"
    with Archive(db_url) as archive:
        [row] = articles(archive)
    lines = row["body"].splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("新华社北京3月5日电")
    assert lines[3].startswith("第二页：从地区看")
    assert row["title"] == "前两月工业增加值增长7%"
