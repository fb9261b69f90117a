"""Raw pages in zstd with per-host dictionaries, on real SQLite and PostgreSQL archives:
every stored form reads back byte for byte, through every reader."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, text

from newsarchive.archive import Archive, NotArchived, rawpages
from newsarchive.archive.db import alembic_config, make_engine, upgrade
from newsarchive.archive.models import Fetch, RawPage, RawPageDictionary
from newsarchive.archive.writes import FetchedPage
from newsarchive.crawl.frontier import Frontier

FETCHED = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
HEADERS = {"Content-Type": ["text/html; charset=utf-8"]}
WORDS = ["电信", "诈骗", "公安", "新华社", "记者", "今日", "报道", "经济", "发展", "城市", "交通", "教育", "医疗", "科技", "文化"]


def chrome(host: str) -> tuple[str, str]:
    """A site's template: head with a script and navigation, and a footer (~12 KB)."""
    rng = random.Random(host)
    links = "".join(f'<li><a href="http://{host}/{rng.randrange(10**8)}.html">'
                    f'{"".join(rng.choices(WORDS, k=3))}</a></li>' for _ in range(150))
    script = "<script>" + ";".join(f"var v{n}={rng.random()}" for n in range(150)) + "</script>"
    return (f"<html><head>{script}</head><body><ul class=nav>{links}</ul>",
            f"<div class=footer>{links[::-1]}</div></body></html>")


def page(host: str, n: int) -> bytes:
    """Page `n` of `host`: its chrome around text of its own."""
    head, footer = chrome(host)
    rng = random.Random(f"{host}:{n}")
    text = "".join(rng.choices(WORDS, k=50))
    return f"{head}<h1>第{n}篇</h1><p>{text}</p>{footer}".encode()


def record(host: str, n: int, body: bytes | None = None) -> FetchedPage:
    url = f"http://{host}/a/{n}.html"
    return FetchedPage(url, url, 200, HEADERS, page(host, n) if body is None else body, FETCHED)


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive(db_url) as opened:
        yield opened


def rows(archive: Archive) -> dict[int, tuple[str, int | None, int]]:
    """{fetch id: (compression, dictionary id, stored bytes)}."""
    with archive.reading() as session:
        return {f: (c, d, len(b)) for f, c, d, b in session.execute(
            select(Fetch.id, RawPage.compression, RawPage.dictionary_id, RawPage.body)
            .join(RawPage, RawPage.id == Fetch.raw_page_id))}


def test_dictionary_trained_after_samples_and_every_page_reads_back(archive: Archive,
                                                                    db_url: str) -> None:
    run = archive.start_run([], {})
    sampled = rawpages.DICTIONARY_SAMPLES
    records = [record("news.example.cn", n) for n in range(sampled + 5)]
    records += [record("other.example.cn", n) for n in range(3)]
    records.append(record("news.example.cn", 999, body=b""))
    with archive.writing() as writes:
        ids = writes.record_fetches(run, records)
    stored = rows(archive)
    news = [stored[i] for i in ids[:sampled + 5]]
    # The first pages are the samples (plain zstd); the rest use the host's dictionary.
    assert {(c, d) for c, d, _ in news[:sampled]} == {("zstd", None)}
    dictionary_ids = {d for _, d, _ in news[sampled:]}
    assert len(dictionary_ids) == 1 and None not in dictionary_ids
    assert [stored[i][1] for i in ids[sampled + 5:]] == [None, None, None, *dictionary_ids]
    # The chrome is in the dictionary: a page stores a small part of what plain zstd does.
    assert max(size for _, _, size in news[sampled:]) < min(size for _, _, size in news[:sampled]) / 3
    with archive.reading() as session:
        assert session.execute(select(RawPageDictionary.host, RawPageDictionary.samples)
                               ).all() == [("news.example.cn", sampled)]
    for fetch_id, sent in zip(ids, records, strict=True):
        assert archive.raw_body(fetch_id) == sent.body
    frontier = Frontier(db_url=db_url)
    try:
        assert frontier.stored_body(ids[-2]) == records[-2].body
    finally:
        frontier.close()


def test_a_new_archive_object_uses_the_stored_dictionary(db_url: str) -> None:
    with Archive(db_url) as first:
        run = first.start_run([], {})
        with first.writing() as writes:
            writes.record_fetches(run, [record("news.example.cn", n)
                                        for n in range(rawpages.DICTIONARY_SAMPLES)])
    with Archive(db_url) as second:
        with second.writing() as writes:
            later = writes.record_fetches(run, [record("news.example.cn", 500)])
        with second.reading() as session:
            dictionaries = session.scalars(select(RawPageDictionary.id)).all()
        assert rows(second)[later[0]][1] == dictionaries[0]
        assert len(dictionaries) == 1
        assert second.raw_body(later[0]) == page("news.example.cn", 500)


def test_rolled_back_batch_takes_its_dictionary_along(archive: Archive) -> None:
    run = archive.start_run([], {})
    with pytest.raises(RuntimeError), archive.writing() as writes:
        writes.record_fetches(run, [record("news.example.cn", n)
                                    for n in range(rawpages.DICTIONARY_SAMPLES + 2)])
        raise RuntimeError("the batch fails after its dictionary was stored")
    # The next batches neither refer to the vanished dictionary nor lose a byte.
    with archive.writing() as writes:
        ids = writes.record_fetches(run, [record("news.example.cn", n)
                                          for n in range(100, 100 + rawpages.DICTIONARY_SAMPLES + 2)])
    stored = rows(archive)
    with archive.reading() as session:
        dictionaries = session.scalars(select(RawPageDictionary.id)).all()
    assert len(dictionaries) == 1
    assert {stored[i][1] for i in ids[-2:]} == set(dictionaries)
    for n, fetch_id in zip(range(100, 200), ids, strict=False):
        assert archive.raw_body(fetch_id) == page("news.example.cn", n)


def test_zlib_rows_of_an_older_archive_still_read(db_url: str) -> None:
    upgrade(db_url, "0003")
    old = page("news.example.cn", 1)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            run = conn.execute(text(
                "INSERT INTO crawl_runs (started_at, start_urls, settings) "
                "VALUES (:at, '[]', '{}') RETURNING id"), {"at": FETCHED}).scalar_one()
            raw = conn.execute(text(
                "INSERT INTO raw_pages (sha256, size, compression, body) "
                "VALUES ('x', :size, 'zlib', :body) RETURNING id"),
                {"size": len(old), "body": zlib.compress(old, 1)}).scalar_one()
            fetch_id = conn.execute(text(
                "INSERT INTO fetches (crawl_run_id, url, final_url, status, headers, fetched_at, "
                "raw_page_id, outcome) VALUES (:run, 'u', 'u', 200, '{}', :at, :raw, 'fetched') "
                "RETURNING id"), {"run": run, "at": FETCHED, "raw": raw}).scalar_one()
    finally:
        engine.dispose()
    with Archive(db_url) as archive:  # migrates to head
        assert archive.raw_body(fetch_id) == old
    frontier = Frontier(db_url=db_url)
    try:
        assert frontier.stored_body(fetch_id) == old
    finally:
        frontier.close()


def test_downgrade_stores_zstd_rows_as_zlib_again(db_url: str) -> None:
    with Archive(db_url) as archive:
        run = archive.start_run([], {})
        records = [record("news.example.cn", n) for n in range(rawpages.DICTIONARY_SAMPLES + 3)]
        with archive.writing() as writes:
            writes.record_fetches(run, records)
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0003")
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT compression, body FROM raw_pages ORDER BY id")).all()
    finally:
        engine.dispose()
    assert {c for c, _ in stored} == {"zlib"}
    assert [zlib.decompress(b) for _, b in stored] == [r.body for r in records]


def test_unknown_compression_is_named(archive: Archive) -> None:
    run = archive.start_run([], {})
    with archive.writing() as writes:
        (fetch_id,) = writes.record_fetches(run, [record("news.example.cn", 1)])
    with archive.reading() as session, session.begin():
        session.execute(text("UPDATE raw_pages SET compression = 'brotli'"))
    with pytest.raises(NotArchived, match="unknown compression 'brotli'"):
        archive.raw_body(fetch_id)


def test_train_falls_back_to_raw_content_for_too_few_samples() -> None:
    samples = [page("news.example.cn", n) for n in range(2)]
    data = rawpages.train(samples)
    assert data == b"".join(samples)[-rawpages.DICTIONARY_BYTES:]
    # Still a working dictionary: the chrome of a third page compresses against it.
    codec = rawpages.RawPageCodec._compressor(data)
    assert len(codec.compress(page("news.example.cn", 7))) < len(
        zlib.compress(page("news.example.cn", 7), 9)) / 10


def test_trained_dictionary_keeps_an_exactly_repeated_template_whole() -> None:
    data = rawpages.train([page("news.example.cn", n) for n in range(rawpages.DICTIONARY_SAMPLES)])
    assert data[:4] == b"\x37\xa4\x30\xec"  # zstd's dictionary magic: trained, not raw
    later = page("news.example.cn", 500)
    assert len(rawpages.RawPageCodec._compressor(data).compress(later)) < len(later) / 50


def test_hosts_beyond_the_kept_compressors_load_their_dictionary_again(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rawpages, "DICTIONARIES_KEPT", 1)
    run = archive.start_run([], {})
    hosts = ["a.example.cn", "b.example.cn"]
    with archive.writing() as writes:
        writes.record_fetches(run, [record(h, n) for h in hosts
                                    for n in range(rawpages.DICTIONARY_SAMPLES)])
    with archive.reading() as session:
        by_host = dict(session.execute(select(RawPageDictionary.host, RawPageDictionary.id)).all())
    ids = []
    for n in range(100, 103):  # the hosts take turns: each batch evicts the other's compressor
        for host in hosts:
            with archive.writing() as writes:
                ids += [(host, n, *writes.record_fetches(run, [record(host, n)]))]
    stored = rows(archive)
    assert [stored[fetch_id][1] for _, _, fetch_id in ids] == [by_host[h] for h, _, _ in ids]
    for host, n, fetch_id in ids:
        assert archive.raw_body(fetch_id) == page(host, n)


def test_sampling_host_longest_waiting_gives_way_past_the_budget(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    size = len(page("a.example.cn", 0))
    monkeypatch.setattr(rawpages, "SAMPLE_BUDGET", (rawpages.DICTIONARY_SAMPLES + 3) * size)
    run = archive.start_run([], {})
    later_a = list(range(5, rawpages.DICTIONARY_SAMPLES + 6))
    with archive.writing() as writes:
        # a.example.cn's 5 samples are dropped once b.example.cn's would not fit beside them.
        ids = writes.record_fetches(run, [record("a.example.cn", n) for n in range(5)]
                                    + [record("b.example.cn", n)
                                       for n in range(rawpages.DICTIONARY_SAMPLES + 1)]
                                    + [record("a.example.cn", n) for n in later_a])
    stored = rows(archive)
    # a.example.cn sampled anew from page 5: only its last page had a dictionary.
    assert [stored[i][1] is None for i in ids[-len(later_a):]] == [True] * (len(later_a) - 1) + [
        False]
    with archive.reading() as session:
        assert session.execute(select(RawPageDictionary.host, RawPageDictionary.samples)
                               .order_by(RawPageDictionary.id)).all() == [
            ("b.example.cn", rawpages.DICTIONARY_SAMPLES),
            ("a.example.cn", rawpages.DICTIONARY_SAMPLES)]


def test_a_body_larger_than_its_share_of_the_budget_is_no_sample(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    size = len(page("a.example.cn", 0))
    monkeypatch.setattr(rawpages, "SAMPLE_BUDGET", size * 3 // 2 * rawpages.DICTIONARY_SAMPLES)
    run = archive.start_run([], {})
    huge = record("a.example.cn", 999, body=page("a.example.cn", 999) * 2)
    samples = [record("a.example.cn", n) for n in range(rawpages.DICTIONARY_SAMPLES)]
    with archive.writing() as writes:
        ids = writes.record_fetches(run, [huge, *samples, record("a.example.cn", 1000)])
    with archive.reading() as session:
        assert session.scalars(select(RawPageDictionary.samples)).all() == [
            rawpages.DICTIONARY_SAMPLES]
    stored = rows(archive)
    # The dictionary came after the 32nd regular page, not after the 31st.
    assert [stored[i][1] is None for i in (ids[0], ids[-2], ids[-1])] == [True, True, False]
    assert archive.raw_body(ids[0]) == huge.body
