"""WARC output: a real crawl writes every fetch as a WARC record where the archive says it is."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]

from newsarchive.archive import Archive
from newsarchive.archive.models import Fetch
from newsarchive.archive.warc import WarcFiles
from tests.mockserver import FAST, Portal, numbered_pages, run_cli

# Real Scrapy crawls: left out of `make test-fast`.
pytestmark = pytest.mark.crawl


def test_crawl_writes_every_fetch_to_warc_at_the_stored_offset(db_url: str,
                                                              tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    with Portal(numbered_pages(6, 3, "第{n}号新闻：存档格式测试报道标题")) as portal:
        run_cli("crawl", portal.url + "/news/", "--db", db_url, *FAST,
                "--warc", str(warc_dir))
    with Archive(db_url) as archive, archive.reading() as session:
        fetches = session.execute(select(Fetch.id, Fetch.final_url, Fetch.status,
                                         Fetch.warc_file, Fetch.warc_offset)).all()
        assert len(fetches) >= 8  # two section pages, six articles
        for fetch_id, url, status, name, offset in fetches:
            assert name is not None and offset is not None
            with open(warc_dir / name, "rb") as stream:
                stream.seek(offset)
                record = next(iter(ArchiveIterator(stream)))
                assert record.rec_type == "response"
                assert record.rec_headers.get_header("WARC-Target-URI") == url
                assert record.http_headers.get_statuscode() == str(status)
                assert record.content_stream().read() == archive.raw_body(fetch_id)


def test_files_rotate_and_offsets_stay_exact(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    files = WarcFiles(tmp_path, "t", max_bytes=2000)
    # Incompressible bodies, so the files pass max_bytes.
    bodies = [random.Random(n).randbytes(1500) for n in range(5)]
    places = [files.write_response(f"http://a.cn/{n}.html", 200,
                                   {"Content-Type": ["text/html"], "Content-Encoding": ["gzip"]},
                                   body, datetime(2024, 3, 5, tzinfo=UTC))
              for n, body in enumerate(bodies)]
    files.close()
    assert len({name for name, _ in places}) > 1
    for (name, offset), body in zip(places, bodies, strict=True):
        with open(tmp_path / name, "rb") as stream:
            stream.seek(offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.content_stream().read() == body
            # The body is stored decoded, so the record claims no Content-Encoding.
            assert record.http_headers.get_header("Content-Encoding") is None
