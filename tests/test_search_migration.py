"""Migration 0005 re-indexes what was archived before it, and its downgrade restores the old index.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import Connection, text

from newsarchive.archive import Archive
from newsarchive.archive.db import alembic_config, check, make_engine, upgrade
from newsarchive.query import search

TRADITIONAL = ("臺灣電動車", "據統計，臺灣電動車銷量成長。")
SIMPLIFIED = ("电动车", "电动车销量成长。")
FOLDED = ("台湾电动车", "据统计，台湾电动车销量成长。")


def _archived_before_0005(conn: Connection) -> None:
    """Two articles (Traditional, Simplified) indexed as the code before 0005 did."""
    conn.execute(text("INSERT INTO sites (id, host) VALUES (1, 'example.com')"))
    for article_id, (title, body) in ((1, TRADITIONAL), (2, SIMPLIFIED)):
        conn.execute(text(
            "INSERT INTO articles (id, site_id, canonical_url, first_seen, last_seen, url, "
            "title, body, authors, keywords, section_path, content_hash) VALUES (:id, 1, :url, "
            "'2024-03-05 12:00:00', '2024-03-05 12:00:00', :url, :title, :body, '[]', '[]', "
            "'[]', 'x')"),
            {"id": article_id, "url": f"http://example.com/{article_id}.html", "title": title,
             "body": body})
    if conn.dialect.name == "sqlite":
        conn.execute(text("UPDATE articles SET search_title = :t, search_body = :b WHERE id = 1"),
                     {"t": FOLDED[0], "b": FOLDED[1]})
        conn.execute(text("INSERT INTO article_search (rowid, title, body) "
                          "SELECT id, title, body FROM article_search_source"))
    else:
        conn.execute(text("INSERT INTO article_search (article_id, title, body) "
                          "VALUES (1, :t1, :b1), (2, :t2, :b2)"),
                     {"t1": FOLDED[0], "b1": FOLDED[1], "t2": SIMPLIFIED[0], "b2": SIMPLIFIED[1]})


def _searches(url: str) -> None:
    with Archive(url, migrate=False) as archive:
        assert sorted(h["url"] for h in search(archive, "电动车销量")) == [
            "http://example.com/1.html", "http://example.com/2.html"]
        assert [h["url"] for h in search(archive, "臺灣")] == ["http://example.com/1.html"]
        assert [h["url"] for h in search(archive, "统")] == ["http://example.com/1.html"]


def test_0005_reindexes_and_downgrades(db_url: str) -> None:
    upgrade(db_url, "0004")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            _archived_before_0005(conn)
        upgrade(db_url)
        check(db_url)
        _searches(db_url)
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("INSERT INTO article_search (article_search, rank) "
                                  "VALUES ('integrity-check', 1)"))
            else:
                stored = conn.execute(text(
                    "SELECT title, body FROM article_search ORDER BY article_id")).all()
                assert stored == [FOLDED, (None, None)]
            command.downgrade(alembic_config(conn), "0004")
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                options = conn.execute(text(
                    "SELECT sql FROM sqlite_master WHERE name = 'article_search'")).scalar_one()
                assert "detail" not in options
                conn.execute(text("INSERT INTO article_search (article_search, rank) "
                                  "VALUES ('integrity-check', 1)"))
                hits = conn.execute(text("SELECT rowid FROM article_search "
                                         "WHERE article_search MATCH '\"电动车销量\"'")).all()
                assert sorted(hits) == [(1,), (2,)]
            else:
                stored = conn.execute(text(
                    "SELECT title, body FROM article_search ORDER BY article_id")).all()
                assert stored == [FOLDED, SIMPLIFIED]
                indexes = conn.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'article_search' "
                    "AND schemaname = current_schema() ORDER BY 1")).scalars().all()
                assert indexes == ["article_search_pkey", "ix_article_search_body_trgm",
                                   "ix_article_search_title_trgm"]
    finally:
        engine.dispose()
    upgrade(db_url)
    _searches(db_url)
