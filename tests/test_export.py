"""Exports re-read and compared field by field, in JSONL, CSV and Parquet, with provenance."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from newsarchive.archive import Archive
from newsarchive.cli import main
from newsarchive.extract.article import Article, Post
from newsarchive.query.exports import EXPORT_FIELDS, LIST_FIELDS
from tests.archiving import record_fetch, store_article

CST = timezone(timedelta(hours=8))
AT = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
PAGE_V1 = "<html><p>第一版</p></html>".encode("gbk")
PAGE_V2 = "<html><p>第二版</p></html>".encode("gbk")


@pytest.fixture
def archive(db_url: str) -> Iterator[Archive]:
    with Archive(db_url) as opened:
        run = opened.start_run(["http://news.example.cn/"], {})
        for body, paragraph in ((PAGE_V1, "涉案金额达100万元。"), (PAGE_V2, "涉案金额达120万元。")):
            url = "http://news.example.cn/a/1.html"
            fetch = record_fetch(opened, run, url=url, final_url=url, status=200, headers={},
                                        body=body, fetched_at=AT)
            store_article(opened, run, [fetch], Article(
                url=url, title="男子冒充公安, 实施\"电信\"诈骗", paragraphs=["本报讯。", paragraph],
                published=datetime(2020, 1, 9, 7, 56, 40, tzinfo=CST), authors=["张三", "李四"],
                keywords=["诈骗"], section_path=["新闻", "社会"], source="新华网"), "v-test")
        url = "http://other.example.cn/b.html"
        fetch = record_fetch(opened, run, url=url, final_url=url, status=200, headers={},
                                    body=b"<p>b</p>", fetched_at=AT)
        # A thread: its posts travel in every format, each with who wrote it and when.
        store_article(opened, run, [fetch], Article(
            url=url, title="天气", paragraphs=["晴。", "多云。"], posts=[
                Post(author="楼主", published=datetime(2020, 1, 9, 8, 0, tzinfo=CST), text="晴。"),
                Post(author=None, published=None, text="多云。")]), "v-test")
        yield opened


def run_export(db_url: str, tmp_path: Path, fmt: str, *args: str) -> Path:
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["export", "--db", db_url, "--format", fmt, "-o", str(out),
                                       *args])
    assert result.exit_code == 0, result.output
    return out


def read(path: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "parquet":
        return pq.read_table(path).to_pylist()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for key, value in row.items():
            row[key] = (json.loads(value) if key in LIST_FIELDS or key == "posts" and value
                        else None if value == "" else value)
    return rows


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_round_trip_field_by_field(archive: Archive, db_url: str, tmp_path: Path,
                                          fmt: str) -> None:
    with archive.reading() as session:
        from newsarchive.query.exports import iter_rows
        expected = list(iter_rows(session))
    rows = read(run_export(db_url, tmp_path, fmt), fmt)
    assert len(rows) == len(expected) == 2
    for got, want in zip(rows, expected, strict=True):
        assert list(got) == list(EXPORT_FIELDS)
        for key in EXPORT_FIELDS:
            value = want[key]
            if fmt == "csv" and isinstance(value, int):
                value = str(value)
            assert got[key] == value, key
    first = rows[0]
    assert first["body"] == "本报讯。\n涉案金额达120万元。"
    assert first["title"] == "男子冒充公安, 实施\"电信\"诈骗"
    assert first["published"] == "2020-01-09T07:56:40+08:00"
    assert first["authors"] == ["张三", "李四"]
    assert first["extractor_version"] == "v-test"
    assert first["raw_sha256"] == hashlib.sha256(PAGE_V2).hexdigest()
    assert first["fetched_at"] == AT.isoformat()
    assert first["crawl_run_id"] in (1, "1")
    assert first["posts"] is None
    assert rows[1]["posts"] == [
        {"author": "楼主", "published": "2020-01-09T08:00:00+08:00", "text": "晴。"},
        {"author": None, "published": None, "text": "多云。"}]


def test_export_revisions_and_filters(archive: Archive, db_url: str, tmp_path: Path) -> None:
    rows = read(run_export(db_url, tmp_path, "jsonl", "--revisions", "--site", "news.example.cn"),
                "jsonl")
    assert [r["body"].splitlines()[1] for r in rows] == ["涉案金额达100万元。", "涉案金额达120万元。"]
    assert [r["raw_sha256"] for r in rows] == [hashlib.sha256(PAGE_V1).hexdigest(),
                                               hashlib.sha256(PAGE_V2).hexdigest()]
    assert rows[0]["article_id"] == rows[1]["article_id"]
    assert rows[0]["revision_id"] < rows[1]["revision_id"]
    only = read(run_export(db_url, tmp_path, "jsonl", "--author", "李四"), "jsonl")
    assert [r["canonical_url"] for r in only] == ["https://news.example.cn/a/1.html"]
    assert read(run_export(db_url, tmp_path, "jsonl", "--until", "2019-01-01"), "jsonl") == []


def test_parquet_needs_a_file(archive: Archive, db_url: str) -> None:
    result = CliRunner().invoke(main, ["export", "--db", db_url, "--format", "parquet"])
    assert result.exit_code == 1
    assert "parquet: needs an output file" in result.output
