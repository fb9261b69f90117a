"""Chinese full-text search: SQLite FTS5 trigrams, PostgreSQL character bigrams (GIN); exact hits.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from click.testing import CliRunner

from newsarchive.archive import Archive, index
from newsarchive.cli import main
from newsarchive.extract.article import Article
from newsarchive.query import fulltext as search_module
from newsarchive.query import search
from tests.archiving import record_fetch, store_article

CST = timezone(timedelta(hours=8))
AT = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive(db_url) as opened:
        yield opened


def put(archive: Archive, url: str, title: str, body: str, **fields: Any) -> str:
    run = archive.start_run([], {})
    fetch = record_fetch(archive, run, url=url, final_url=url, status=200, headers={},
                                 body=url.encode(), fetched_at=AT)
    values: dict[str, Any] = {"published": datetime(2024, 3, 1, 9, 0, tzinfo=CST)}
    values.update(fields)
    return store_article(archive, run, [fetch], Article(url=url, title=title,
                                                       paragraphs=body.split("\n"), **values), "t")


def urls(hits: list[dict[str, Any]]) -> list[str]:
    return [h["url"] for h in hits]


def test_simplified_finds_traditional_and_back(archive: Archive) -> None:
    put(archive, "http://tw.example.com/1.html", "臺灣電動車銷量創新高",
        "據統計，臺灣電動車去年銷量成長三成。")
    put(archive, "http://cn.example.cn/2.html", "台湾电动车市场观察", "分析人士认为，电动车普及加快。")
    hits = search(archive, "台湾电动车")
    assert sorted(urls(hits)) == ["http://cn.example.cn/2.html", "http://tw.example.com/1.html"]
    by_url = {h["url"]: h for h in hits}
    # The snippet shows the page's own (Traditional) text, the match marked.
    assert by_url["http://tw.example.com/1.html"]["snippet"] == "據統計，«臺灣電動車»去年銷量成長三成。"
    assert by_url["http://tw.example.com/1.html"]["title"] == "臺灣電動車銷量創新高"
    assert urls(search(archive, "臺灣電動車銷量")) == ["http://tw.example.com/1.html"]
    assert sorted(urls(search(archive, "電動"))) == sorted(urls(hits))  # short query: a scan
    assert urls(search(archive, "銷")) == ["http://tw.example.com/1.html"]


def test_index_follows_changes_in_the_same_write(archive: Archive) -> None:
    put(archive, "http://a.cn/1.html", "标题", "原来的说法是这样的。")
    assert urls(search(archive, "原来的说法")) == ["http://a.cn/1.html"]
    assert put(archive, "http://a.cn/1.html", "标题", "更正后的说法是那样的。") == "changed"
    assert search(archive, "原来的说法") == []
    assert urls(search(archive, "更正后的说法")) == ["http://a.cn/1.html"]


def test_filters_site_time_author(archive: Archive) -> None:
    put(archive, "http://a.cn/1.html", "新能源汽车补贴", "新能源汽车补贴延续。", authors=["张三"])
    put(archive, "http://b.cn/2.html", "新能源汽车出口", "新能源汽车出口增长。", authors=["李四", "张三"],
        published=datetime(2023, 6, 1, 9, 0, tzinfo=CST))
    put(archive, "http://b.cn/3.html", "新能源汽车价格", "新能源汽车价格下降。", authors=["王五"])
    assert sorted(urls(search(archive, "新能源汽车", site="www.b.cn"))) == [
        "http://b.cn/2.html", "http://b.cn/3.html"]
    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert urls(search(archive, "新能源汽车", since=since, site="b.cn")) == ["http://b.cn/3.html"]
    assert urls(search(archive, "新能源汽车", until=since)) == ["http://b.cn/2.html"]
    assert sorted(urls(search(archive, "新能源汽车", author="张三"))) == [
        "http://a.cn/1.html", "http://b.cn/2.html"]
    assert search(archive, "新能源汽车", author="张") == []
    assert urls(search(archive, "汽车", author="王五")) == ["http://b.cn/3.html"]


def test_ranking_title_before_body_and_more_hits_first(archive: Archive) -> None:
    put(archive, "http://a.cn/once.html", "今日要闻", "会议讨论了人工智能。其他议题。")
    put(archive, "http://a.cn/many.html", "今日要闻", "人工智能，人工智能，还是人工智能。")
    put(archive, "http://a.cn/title.html", "人工智能大会开幕", "大会今天开幕。")
    assert urls(search(archive, "人工智能")) == [
        "http://a.cn/title.html", "http://a.cn/many.html", "http://a.cn/once.html"]


def test_search_command_jsonl(db_url: str) -> None:
    with Archive(db_url) as archive:
        put(archive, "http://tw.example.com/1.html", "臺灣電動車銷量創新高", "臺灣電動車去年銷量成長。",
            authors=["陳明"])
    result = CliRunner().invoke(main, ["search", "台湾电动车", "--db", db_url, "--format", "jsonl",
                                       "--author", "陳明", "--since", "2024-01-01"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert '"url": "http://tw.example.com/1.html"' in line
    assert '"snippet": "«臺灣電動車»去年銷量成長。"' in line


def test_index_keeps_no_copy_and_stays_consistent_through_changes(archive: Archive) -> None:
    """SQLite: the index reads the text from articles (folded copy only where it differs);
    removing an old text must hit exactly what was indexed, Traditional pages included."""
    put(archive, "http://tw.example.com/1.html", "臺灣電動車", "據統計，臺灣電動車銷量成長。")
    put(archive, "http://cn.example.cn/1.html", "电动车", "电动车销量成长。")
    assert put(archive, "http://tw.example.com/1.html", "臺灣電動車",
               "據統計，臺灣機車銷量下滑。") == "changed"
    assert urls(search(archive, "电动车销量")) == ["http://cn.example.cn/1.html"]
    assert urls(search(archive, "台湾机车")) == ["http://tw.example.com/1.html"]
    if archive.engine.dialect.name != "sqlite":
        return
    with archive.engine.connect() as conn:
        conn.exec_driver_sql(
            "INSERT INTO article_search (article_search, rank) VALUES ('integrity-check', 1)")
        folded = conn.exec_driver_sql(
            "SELECT canonical_url, search_title, search_body FROM articles ORDER BY id").all()
    assert folded == [("https://tw.example.com/1.html", "台湾电动车", "据统计，台湾机车销量下滑。"),
                      ("https://cn.example.cn/1.html", None, None)]


def test_short_queries_same_hits_through_index_or_scan(archive: Archive,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite looks a rare 1-2 character string up through the trigrams that start with it,
    and scans for a common one: both find the same articles."""
    put(archive, "http://a.cn/1.html", "气象台发布寒潮预警", "市气象台昨日发布寒潮蓝色预警，气温下降。")
    put(archive, "http://a.cn/2.html", "電動車銷量", "據統計，臺灣電動車銷量成長三成。")
    put(archive, "http://a.cn/3.html", "港口货运", "港口货运量稳步回升，寒潮影响有限。")
    queries = ["寒潮", "寒", "电动", "銷", "港", "货运量", "没有", "雪"]
    through_index = {q: sorted(urls(search(archive, q))) for q in queries}
    monkeypatch.setattr(search_module, "RARE_TERMS", 0)  # every short query scans
    scanned = {q: sorted(urls(search(archive, q))) for q in queries}
    assert through_index == scanned
    assert scanned["寒潮"] == ["http://a.cn/1.html", "http://a.cn/3.html"]
    assert scanned["銷"] == ["http://a.cn/2.html"]
    assert scanned["没有"] == scanned["雪"] == []


def test_short_queries_rare_and_common(archive: Archive) -> None:
    """1-2 character queries, common (in every article) and rare (in the oldest only), give
    exactly the articles containing them, newest first, on both engines."""
    put(archive, "http://a.cn/old.html", "旧闻", "百年老店迎来新掌柜。")
    for n in range(30):
        put(archive, f"http://a.cn/{n}.html", f"第{n}条消息", "今天的天气不错。")
    assert urls(search(archive, "掌柜")) == ["http://a.cn/old.html"]
    assert urls(search(archive, "掌")) == ["http://a.cn/old.html"]
    assert urls(search(archive, "天气", limit=3)) == [
        "http://a.cn/29.html", "http://a.cn/28.html", "http://a.cn/27.html"]
    assert len(search(archive, "的", limit=50)) == 30
    assert search(archive, "柜今") == []  # both characters are there, never side by side


def test_short_queries_across_the_newest_articles_and_the_older_ones(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL answers 1-2 character queries from the newest RECENT articles first, then
    through the index from older ones: one newest-first list across both steps."""
    monkeypatch.setattr(search_module, "RECENT", 5)
    put(archive, "http://a.cn/old.html", "旧闻", "百年老店迎来新掌柜。")
    for n in range(12):
        put(archive, f"http://a.cn/{n}.html", f"第{n}条消息", "今天的天气不错。" if n % 2 else "晴。")
    assert urls(search(archive, "掌柜")) == ["http://a.cn/old.html"]
    assert urls(search(archive, "天气", limit=4)) == [
        "http://a.cn/11.html", "http://a.cn/9.html", "http://a.cn/7.html", "http://a.cn/5.html"]
    assert urls(search(archive, "天气")) == [f"http://a.cn/{n}.html" for n in (11, 9, 7, 5, 3, 1)]
    assert urls(search(archive, "晴", limit=5)) == [f"http://a.cn/{n}.html" for n in (10, 8, 6, 4, 2)]
    assert len(search(archive, "条", limit=50)) == 12


def test_recheck_keeps_results_exact(archive: Archive) -> None:
    """Every gram (PostgreSQL: pair, SQLite: trigram) of the query in an article is not
    enough: the article must contain the query itself."""
    put(archive, "http://a.cn/apart.html", "能源", "新能源汽车，能源车辆。电动，动车。")
    put(archive, "http://a.cn/whole.html", "新闻", "新能源车辆上路，电动车增多。")
    assert urls(search(archive, "新能源车")) == ["http://a.cn/whole.html"]
    assert urls(search(archive, "电动车")) == ["http://a.cn/whole.html"]
    assert urls(search(archive, "源车")) == ["http://a.cn/whole.html", "http://a.cn/apart.html"]


def test_wildcards_case_and_astral_characters(archive: Archive) -> None:
    """LIKE's % and _ are searched for as themselves; Latin letters match in any case;
    characters beyond the BMP (which share gram codes on PostgreSQL) still match exactly."""
    put(archive, "http://a.cn/1.html", "iPhone发布会", "全场五折，折扣50%起。")
    put(archive, "http://a.cn/2.html", "价格", "售价5000元，型号A_1。")
    put(archive, "http://a.cn/3.html", "生僻字", "𠀀𠀁是扩展区汉字。")
    assert urls(search(archive, "50%")) == ["http://a.cn/1.html"]
    assert urls(search(archive, "A_1")) == ["http://a.cn/2.html"]
    assert search(archive, "A%1") == []
    assert urls(search(archive, "IPHONE发布")) == ["http://a.cn/1.html"]
    assert urls(search(archive, "iphone")) == ["http://a.cn/1.html"]
    assert urls(search(archive, "𠀀𠀁")) == ["http://a.cn/3.html"]
    assert urls(search(archive, "𠀁")) == ["http://a.cn/3.html"]
    assert search(archive, "𠀁𠀀") == []


def test_folded_text_stored_only_where_it_differs(archive: Archive) -> None:
    """PostgreSQL keeps the folded title and body only for Traditional pages (NULL: the
    article's own text is searched), as SQLite does in articles.search_*."""
    put(archive, "http://tw.example.com/1.html", "臺灣電動車", "臺灣電動車銷量成長。")
    put(archive, "http://cn.example.cn/1.html", "电动车", "电动车销量成长。")
    assert sorted(urls(search(archive, "电动车销量"))) == [
        "http://cn.example.cn/1.html", "http://tw.example.com/1.html"]
    if archive.engine.dialect.name == "sqlite":
        return
    with archive.engine.connect() as conn:
        stored = conn.exec_driver_sql(
            "SELECT title, body, cardinality(grams) FROM article_search ORDER BY article_id").all()
    # Title and body share their pairs and characters: 10 characters and 9 pairs, and
    # 8 characters and 7 pairs.
    assert stored == [("台湾电动车", "台湾电动车销量成长。", 19), (None, None, 15)]


def test_gram_codes() -> None:
    """A character's code is its UTF-16 unit; a pair's is the two units in one int32."""
    assert index.query_grams("的") == [ord("的")]
    assert index.query_grams("中国") == [ord("中") | ord("国") << 16]
    assert len(index.query_grams("中国人")) == 2
    codes = {int(c) for c in index.grams("Ab", "ab").strip("{}").split(",")}
    assert codes == {ord("a"), ord("b"), ord("a") | ord("b") << 16}
