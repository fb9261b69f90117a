"""Column types that must behave alike on SQLite and PostgreSQL: instants, page times, JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from newsarchive.archive.db import make_engine, upgrade
from newsarchive.archive.models import CrawlRun, join_time, split_time

CST = timezone(timedelta(hours=8))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    upgrade(db_url)
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_split_and_join_keep_the_original_offset() -> None:
    value = datetime(2020, 1, 9, 7, 56, 40, tzinfo=CST)
    instant, offset = split_time(value)
    assert instant == datetime(2020, 1, 8, 23, 56, 40, tzinfo=UTC)
    assert offset == 8 * 3600
    joined = join_time(instant, offset)
    assert joined is not None and joined.isoformat() == "2020-01-09T07:56:40+08:00"


def test_naive_page_time_stays_naive() -> None:
    value = datetime(2020, 1, 9, 7, 56, 40)
    assert split_time(value) == (value, None)
    joined = join_time(value.replace(tzinfo=UTC), None)
    assert joined is not None and joined.isoformat() == "2020-01-09T07:56:40"


def test_instants_round_trip_in_utc(engine: Engine) -> None:
    started = datetime(2024, 3, 5, 8, 0, 0, 123456, tzinfo=CST)
    with Session(engine) as session, session.begin():
        session.add(CrawlRun(started_at=started, start_urls=[], settings={}))
    with Session(engine) as session:
        stored = session.scalars(select(CrawlRun.started_at)).one()
    assert stored == started
    assert stored.isoformat() == "2024-03-05T00:00:00.123456+00:00"


def test_json_round_trips_and_stays_readable(engine: Engine) -> None:
    urls = ["http://新闻.example.cn/国内/"]
    settings = {"DOWNLOAD_DELAY": 0.5, "标签": ["要闻", None, 3], "nested": {"a": True}}
    with Session(engine) as session, session.begin():
        session.add(CrawlRun(started_at=datetime.now(UTC), start_urls=urls,
                             settings=settings))
    with Session(engine) as session:
        run = session.scalars(select(CrawlRun)).one()
        assert (run.start_urls, run.settings) == (urls, settings)
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT CAST(settings AS TEXT) FROM crawl_runs")).scalar_one()
    assert "要闻" in raw  # not \u8981\u95fb: plain SQL users can read it
