"""One-item writes for tests: the archive's write path (Writes) takes batches; these wrap one
fetch, article, deletion or failure in a transaction of its own, as a crawl's batch would."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from newsarchive.archive import Archive
from newsarchive.archive.writes import FailureRecord, FetchedPage, Outcome, headers_json
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind


def record_fetch(archive: Archive, run_id: int, *, url: str, final_url: str, status: int,
                 headers: Mapping[Any, Any], body: bytes, fetched_at: datetime,
                 encoding: dict[str, Any] | None = None) -> int:
    """Archive one HTTP response; its fetch id."""
    page = FetchedPage(url, final_url, status, headers_json(headers), body, fetched_at, encoding)
    with archive.writing() as writes:
        return writes.record_fetches(run_id, [page])[0]


def store_article(archive: Archive, run_id: int, fetch_ids: Sequence[int], article: Article,
                  extractor_version: str) -> Outcome:
    """Archive one extracted article from its fetches: new, changed or unchanged."""
    with archive.writing() as writes:
        return writes.store_articles(run_id, [(fetch_ids, article)], extractor_version)[0]


def mark_gone(archive: Archive, run_id: int, fetch_ids: list[int], url: str, reason: str,
              seen_at: datetime) -> Outcome | None:
    """A known article seen gone: deleted (first time) or gone (still); None if unknown."""
    with archive.writing() as writes:
        return writes.mark_gone(fetch_ids, url, reason, seen_at)


def record_failure(archive: Archive, run_id: int, fetch_id: int | None, url: str,
                   kind: FailureKind, reason: str) -> None:
    """Record why `url` gave no article (and mark its fetch failed, when there was one)."""
    with archive.writing() as writes:
        writes.record_failures(run_id, [FailureRecord(fetch_id, url, kind, reason)])
