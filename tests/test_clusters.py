"""Near-duplicate clusters: one syndicated story on three portals, different chrome, small edits."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from newsarchive.archive import Archive
from newsarchive.archive.sketches import SIMILAR, SKETCH_SIZE, may_be_similar, similarity, sketch
from newsarchive.extract import extract
from newsarchive.query import articles
from tests.archiving import record_fetch, store_article

PAGES = Path(__file__).parent / "fixtures" / "archive" / "syndicated"
AT = datetime(2024, 11, 21, tzinfo=UTC)
# Crawl order is not publication order: the origin is the earliest published copy.
COPIES = [
    ("portal-c.html", "https://finance.portal-c.cn/c/3.html"),
    ("portal-b-other.html", "http://news.portal-b.com/n/9.shtml"),
    ("portal-b.html", "http://news.portal-b.com/n/2.shtml"),
    ("portal-a.html", "http://www.news-a.cn/2024/1120/1.html"),
]


def test_syndicated_copies_share_a_cluster_with_the_earliest_as_origin(db_url: str) -> None:
    with Archive(db_url) as archive:
        run = archive.start_run([], {})
        for name, url in COPIES:
            body = (PAGES / name).read_bytes()
            fetch = record_fetch(archive, run, url=url, final_url=url, status=200, headers={},
                                         body=body, fetched_at=AT)
            assert store_article(archive, run, [fetch], extract(body, url), "t") == "new"
        ids = {row["url"]: i for i, row in enumerate(articles(archive), 1)}
        members = archive.cluster(ids["http://news.portal-b.com/n/2.shtml"])
        assert [(m["site"], m["published"], m["origin"]) for m in members] == [
            ("news-a.cn", "2024-11-20T10:05:00+08:00", True),
            ("news.portal-b.com", "2024-11-20T11:30:00+08:00", False),
            ("finance.portal-c.cn", "2024-11-20T15:42:00+08:00", False),
        ]
        # Every copy is kept; the unrelated story from portal B stands alone.
        assert archive.counts()["articles"] == 4
        [alone] = archive.cluster(ids["http://news.portal-b.com/n/9.shtml"])
        assert alone["origin"] and alone["site"] == "news.portal-b.com"


def test_similarity_estimates() -> None:
    text = "国家发展改革委20日召开新闻发布会，介绍今年以来全国能源供应保障情况。" * 3
    assert similarity(sketch(text), sketch(text)) == 1.0
    assert similarity(sketch(text), sketch("市气象台昨日发布寒潮蓝色预警，预计未来三天气温下降。")) == 0.0
    # Traditional and Simplified forms of one text are one text.
    assert similarity(sketch("國家發展改革委召開新聞發布會介紹能源供應"),
                      sketch("国家发展改革委召开新闻发布会介绍能源供应")) == 1.0
    assert sketch("") == []


def test_the_cheap_bound_never_rules_out_a_similar_pair() -> None:
    rng = random.Random(5)
    checked = 0
    for _ in range(3000):
        shared = rng.sample(range(10_000), rng.randint(0, SKETCH_SIZE))
        a = sorted(set(shared + rng.sample(range(10_000, 20_000), rng.randint(0, SKETCH_SIZE))))
        b = sorted(set(shared + rng.sample(range(20_000, 30_000), rng.randint(0, SKETCH_SIZE))))
        a, b = a[:SKETCH_SIZE], b[:SKETCH_SIZE]
        if not a or not b:
            continue
        longest = min(SKETCH_SIZE, max(len(a), len(b)))
        if similarity(a, b) >= SIMILAR:
            checked += 1
            assert may_be_similar(set(a), b, longest)
    assert checked > 100
