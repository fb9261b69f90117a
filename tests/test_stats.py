"""stats: articles per site per (local) day, revisions, deletions, failures by kind."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from click.testing import CliRunner

from newsarchive.archive import Archive
from newsarchive.cli import main
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind
from tests.archiving import mark_gone, record_failure, record_fetch, store_article

CST = timezone(timedelta(hours=8))
AT = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def put(archive: Archive, run: int, url: str, body: str, published: datetime | None) -> None:
    fetch = record_fetch(archive, run, url=url, final_url=url, status=200, headers={},
                                 body=body.encode(), fetched_at=AT)
    store_article(archive, run, [fetch], Article(url=url, title="题", paragraphs=[body],
                                                published=published), "t")


def test_stats_counts(db_url: str) -> None:
    with Archive(db_url) as archive:
        run = archive.start_run([], {})
        # 07:56 in Beijing is the previous day in UTC: the page's own day counts.
        put(archive, run, "http://a.cn/1.html", "一", datetime(2020, 1, 9, 7, 56, tzinfo=CST))
        put(archive, run, "http://a.cn/1.html", "一改", datetime(2020, 1, 9, 7, 56, tzinfo=CST))
        put(archive, run, "http://a.cn/2.html", "二", datetime(2020, 1, 9, 23, 0, tzinfo=CST))
        put(archive, run, "http://b.cn/3.html", "三", None)
        gone = record_fetch(archive, run, url="http://a.cn/2.html", final_url="http://a.cn/2.html",
                            status=404, headers={}, body=b"", fetched_at=AT)
        assert mark_gone(archive, run, [gone], "http://a.cn/2.html", "HTTP 404", AT) == "deleted"
        record_failure(archive, run, None, "http://a.cn/x.html", FailureKind.NOT_ARTICLE,
                       "not an article: page_type=list (confidence 0.83)")
        record_failure(archive, run, None, "http://a.cn/y.html", FailureKind.NOT_ARTICLE,
                       "not an article: page_type=list (confidence 0.91)")
        record_failure(archive, run, None, "http://a.cn/z.html", FailureKind.HTTP_STATUS,
                       "HTTP 500")
    result = CliRunner().invoke(main, ["stats", "--db", db_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["per_site_day"] == [
        {"site": "a.cn", "day": "2020-01-09", "articles": 2},
        {"site": "b.cn", "day": "undated", "articles": 1}]
    assert (stats["articles"], stats["revisions"], stats["revised_articles"]) == (3, 4, 1)
    assert (stats["deleted_now"], stats["deletions"], stats["restorations"]) == (1, 1, 0)
    # Grouped by kind, not by sentence: the two pages' confidences do not split them.
    assert stats["failures"] == {"not_article": 2, "http_status": 1}
    table = CliRunner().invoke(main, ["stats", "--db", db_url, "--site", "b.cn"])
    assert table.output.splitlines()[0].split() == ["b.cn", "undated", "1"]
