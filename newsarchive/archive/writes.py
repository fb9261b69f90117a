"""The archive's write path: many fetches and articles in one transaction, with bulk statements.

A crawl stores hundreds of articles a second; one transaction and a dozen statements per
article cost more than the work itself. `Writes` runs inside one transaction and takes
lists: lookups are one ``IN (...)`` query per batch, inserts and updates are executemany.
Within a batch, items are resolved in order against the archive's state as the earlier
items left it, so two copies of one canonical URL still make one article.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.engine import Connection

from newsarchive.archive import clusters, index
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleRevision,
    ArticleRow,
    Failure,
    Fetch,
    RawPage,
    Site,
    split_time,
)
from newsarchive.archive.rawpages import RawPageCodec
from newsarchive.archive.urls import canonical_url, site_host
from newsarchive.archive.warc import WarcFiles
from newsarchive.extract.article import Article
from newsarchive.extract.errors import FailureKind

# The extracted fields whose change makes a new revision; the URL a copy was fetched
# from, the encoding label and the evidence describe the fetch, not the content.
HASHED_FIELDS = ("title", "body", "published", "updated", "authors", "source", "editor",
                 "keywords", "section_path", "summary")
# Bound parameters per IN (...) lookup: well under SQLite's and PostgreSQL's limits.
LOOKUP_CHUNK = 500

_fetches = cast(Table, Fetch.__table__)
_raw_pages = cast(Table, RawPage.__table__)
_sites = cast(Table, Site.__table__)
_articles = cast(Table, ArticleRow.__table__)
_revisions = cast(Table, ArticleRevision.__table__)
_events = cast(Table, ArticleEvent.__table__)
_failures = cast(Table, Failure.__table__)


def now() -> datetime:
    """The current instant in UTC."""
    return datetime.now(UTC)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data; anything JSON cannot hold becomes its str()."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def content_hash(article: Article) -> str:
    """SHA-256 of the article's extracted content (the fields in HASHED_FIELDS)."""
    # What Article.to_dict gives for these fields, without copying the whole article.
    data = {key: getattr(article, key) for key in HASHED_FIELDS}
    for key in ("published", "updated"):
        data[key] = data[key].isoformat() if data[key] is not None else None
    if article.posts:
        # A thread's posts (who wrote what, when) are content too; an article without posts
        # hashes as it did before posts were kept, so it is not taken for changed.
        data["posts"] = posts_json(article)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def posts_json(article: Article) -> list[dict[str, Any]]:
    """A thread's posts as stored: author, published (ISO 8601) and text each, in page order."""
    return [post.to_dict() for post in article.posts]


def article_fields(article: Article) -> dict[str, Any]:
    """The column values an article row and its revision share."""
    published_at, published_offset = split_time(article.published)
    updated_at, updated_offset = split_time(article.updated)
    return {
        "url": article.url, "title": article.title, "body": article.body,
        "published_at": published_at, "published_offset": published_offset,
        "updated_at": updated_at, "updated_offset": updated_offset,
        "authors": list(article.authors), "source": article.source, "editor": article.editor,
        "keywords": list(article.keywords), "section_path": list(article.section_path),
        "summary": article.summary, "language": article.language, "encoding": article.encoding,
        "posts": posts_json(article) or None,
        "content_hash": content_hash(article),
    }


def headers_json(headers: Mapping[Any, Any]) -> dict[str, list[str]]:
    """Response headers as {name: [values]} of str (Scrapy gives bytes)."""
    def text(value: Any) -> str:
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)

    result: dict[str, list[str]] = {}
    for name, values in headers.items():
        items = values if isinstance(values, list | tuple) else [values]
        result.setdefault(text(name), []).extend(text(v) for v in items)
    return result


def chunks(values: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    """`values` in slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


class Outcome(StrEnum):
    """What became of a fetch (``fetches.outcome``) or of a stored item."""

    FETCHED = "fetched"  # archived raw, nothing decided yet
    NEW = "new"  # an article's first page: first archived
    CHANGED = "changed"  # ... its content changed (a new revision)
    UNCHANGED = "unchanged"  # ... the same content again
    CONTINUATION = "continuation"  # a later page of a multi-page article
    DELETED = "deleted"  # a known article seen gone for the first time
    GONE = "gone"  # ... and seen gone again
    FAILED = "failed"  # no article (a failures row says why)
    DUPLICATE = "duplicate"  # the same article under a second URL in one crawl (not stored)
    SECTION = "section"  # a section (list) page, sitemap or feed
    REDIRECT = "redirect"  # a redirect on the way from a listed URL to its answer (or refusal)
    RETRIED = "retried"  # an error answer that was asked again (429, 5xx, ...)


# The outcomes of an article's own first page.
ARTICLE_OUTCOMES = (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED)


@dataclass
class FetchedPage:
    """One HTTP response, exactly as received: what the crawl hands on and the archive keeps.

    `headers` are {name: [values]} as text (decoded once, as latin-1, the HTTP way);
    `encoding` is the decoding evidence extraction found for the body, when it ran.
    """

    url: str
    final_url: str
    status: int
    headers: dict[str, list[str]]
    body: bytes
    fetched_at: datetime
    encoding: dict[str, Any] | None = None


@dataclass(frozen=True)
class FailureRecord:
    """Why a URL gave no article: its fetch (if any), the URL, the kind and the reason."""

    fetch_id: int | None
    url: str
    kind: FailureKind
    reason: str


@dataclass
class _Current:
    """An article's state as the batch has left it so far."""

    article_id: int | None
    content_hash: str
    cluster_id: int | None
    fields: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # first archived by this batch
    changed: bool = False  # its fields must be written back


@dataclass
class Revision:
    """A new revision to write: its content, where it came from, and the article's cluster."""

    key: str  # the article's canonical URL, resolved to an id once rows exist
    fetch_id: int | None
    fields: dict[str, Any]
    evidence: Any
    extractor_version: str
    fresh: bool


class Writes:
    """The archive's writes inside one open transaction (see Archive.writing)."""

    def __init__(self, connection: Connection, site_ids: dict[str, int],
                 codec: RawPageCodec) -> None:
        self.connection = connection
        self._site_ids = site_ids
        self._codec = codec

    # -- fetches -----------------------------------------------------------------

    def record_fetches(self, run_id: int, records: Sequence[FetchedPage],
                       warc: WarcFiles | None = None) -> list[int]:
        """Archive HTTP responses (each distinct body stored once; with `warc`, a WARC record
        each too); their fetch ids, in order."""
        if not records:
            return []
        page_ids = self._raw_page_ids(records)
        places: list[tuple[str | None, int | None]] = [(None, None)] * len(records)
        if warc is not None:
            places = [warc.write_response(r.final_url, r.status, r.headers, r.body, r.fetched_at)
                      for r in records]
            warc.flush()
        rows = [{
            "crawl_run_id": run_id, "url": r.url, "final_url": r.final_url, "status": r.status,
            "headers": r.headers, "fetched_at": r.fetched_at,
            "raw_page_id": page_id, "outcome": Outcome.FETCHED, "error": None,
            "encoding": jsonable(r.encoding) if r.encoding is not None else None,
            "article_id": None, "warc_file": place[0], "warc_offset": place[1],
        } for r, page_id, place in zip(records, page_ids, places, strict=True)]
        return self._insert_returning_ids(_fetches, rows)

    def _insert_returning_ids(self, table: Table, rows: list[dict[str, Any]]) -> list[int]:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(self.connection.execute(stmt, rows).scalars())

    def _raw_page_ids(self, records: Sequence[FetchedPage]) -> list[int]:
        """The raw page id of each record's body, storing the bodies not archived yet."""
        digests = [hashlib.sha256(r.body).hexdigest() for r in records]
        known = self._lookup(_raw_pages.c.sha256, _raw_pages.c.id, set(digests))
        missing: dict[str, FetchedPage] = {}
        for digest, record in zip(digests, records, strict=True):
            if digest not in known:
                missing.setdefault(digest, record)
        if missing:
            pages = [(site_host(r.final_url) or "", r.body) for r in missing.values()]
            rows = [{"sha256": d, "size": len(r.body), "compression": "zstd",
                     "dictionary_id": dictionary_id, "body": data}
                    for (d, r), (dictionary_id, data) in zip(
                        missing.items(), self._codec.compress(self.connection, pages), strict=True)]
            known.update(zip(missing, self._insert_returning_ids(_raw_pages, rows), strict=True))
        return [known[digest] for digest in digests]

    def _lookup(self, key: Any, value: Any, wanted: Iterable[Any]) -> dict[Any, Any]:
        """{key: value} for the rows whose `key` is in `wanted`, one query per chunk."""
        found: dict[Any, Any] = {}
        for part in chunks(sorted(wanted)):
            found.update((k, v) for k, v in self.connection.execute(
                select(key, value).where(key.in_(part))))
        return found

    def site_ids(self, hosts: Iterable[str]) -> dict[str, int]:
        """Each host's site id, adding the sites not archived yet."""
        wanted = set(hosts) - set(self._site_ids)
        if wanted:
            found = self._lookup(_sites.c.host, _sites.c.id, wanted)
            missing = sorted(wanted - set(found))
            if missing:
                ids = self._insert_returning_ids(_sites, [{"host": h} for h in missing])
                found.update(zip(missing, ids, strict=True))
            self._site_ids.update(found)
        return self._site_ids

    # -- articles ----------------------------------------------------------------

    def store_articles(self, run_id: int, entries: Sequence[tuple[Sequence[int], Article]],
                       extractor_version: str) -> list[Outcome]:
        """Archive extracted articles from their fetches: new, changed or unchanged each.

        An article is keyed by its canonical URL; changed content adds a revision and becomes
        the current fields, unchanged content only moves last_seen. Storing an article seen
        gone before restores it (with a "restored" event).
        """
        for fetch_ids, article in entries:
            if not fetch_ids:
                raise ValueError(f"{article.url}: an article needs the fetch(es) it came from")
        keys = [canonical_url(a.url, a.canonical_url) for _, a in entries]
        states = self._current(keys)
        restored = {key for key, state in states.items() if state.fields.pop("deleted", False)}
        seen = set(states)
        at = now()
        outcomes: list[Outcome] = []
        revisions: list[Revision] = []
        for key, (fetch_ids, article) in zip(keys, entries, strict=True):
            fields = article_fields(article)
            state = states.get(key)
            if state is None:
                outcome = Outcome.NEW
                states[key] = _Current(None, fields["content_hash"], None, fields, fresh=True)
            elif state.content_hash == fields["content_hash"]:
                outcome = Outcome.UNCHANGED
            else:
                outcome = Outcome.CHANGED
                state.content_hash, state.fields, state.changed = (
                    fields["content_hash"], fields, True)
            if outcome != Outcome.UNCHANGED:
                revisions.append(Revision(key, fetch_ids[0], fields, jsonable(article.evidence),
                                          extractor_version, fresh=outcome == Outcome.NEW))
            outcomes.append(outcome)
        hosts = {key: site_host(key) or site_host(a.url) for key, (_, a) in zip(keys, entries,
                                                                              strict=True)}
        changed = [cast(int, states[key].article_id) for key in seen if states[key].changed]
        self._before_body_changes(changed)
        ids = self._write_articles(states, seen, hosts, at)
        self._write_events(ids, keys, entries, restored, at)
        self.write_revisions(ids, revisions, at)
        self._write_fetch_outcomes(ids, keys, entries, outcomes)
        return outcomes

    def _current(self, keys: Sequence[str]) -> dict[str, _Current]:
        """The archived state of the articles with these canonical URLs."""
        states: dict[str, _Current] = {}
        columns = (_articles.c.canonical_url, _articles.c.id, _articles.c.content_hash,
                   _articles.c.cluster_id, _articles.c.deleted_at)
        for part in chunks(sorted(set(keys))):
            for key, article_id, digest, cluster_id, deleted_at in self.connection.execute(
                    select(*columns).where(_articles.c.canonical_url.in_(part))):
                states[key] = _Current(article_id, digest, cluster_id,
                                       {"deleted": deleted_at is not None})
        return states

    def _write_articles(self, states: dict[str, _Current], archived: set[str],
                        hosts: dict[str, str], at: datetime) -> dict[str, int]:
        """Insert the new rows, update the changed ones, move last_seen; ids by canonical URL."""
        fresh = [key for key, state in states.items() if state.fresh]
        if fresh:
            site_ids = self.site_ids(hosts[key] for key in fresh)
            rows = [{"site_id": site_ids[hosts[key]], "canonical_url": key, "first_seen": at,
                     "last_seen": at, "deleted_at": None, "cluster_id": None, "sketch": None,
                     **states[key].fields} for key in fresh]
            for key, new_id in zip(fresh, self._insert_returning_ids(_articles, rows), strict=True):
                states[key].article_id = new_id
        ids = {key: cast(int, state.article_id) for key, state in states.items()}
        if archived:
            self.connection.execute(
                update(_articles).where(_articles.c.id == bindparam("b_id"))
                .values(last_seen=at, deleted_at=None),
                [{"b_id": ids[key]} for key in archived])
        changed = [states[key] for key in archived if states[key].changed]
        if changed:
            names = list(changed[0].fields)
            self.connection.execute(
                update(_articles).where(_articles.c.id == bindparam("b_id"))
                .values({name: bindparam(f"b_{name}") for name in names}),
                [{"b_id": s.article_id, **{f"b_{n}": s.fields[n] for n in names}}
                 for s in changed])
        return ids

    def revise_article(self, article_id: int, fetch_id: int, fields: dict[str, Any],
                       evidence: Any, extractor_version: str) -> None:
        """Make `fields` the article's current content and add them as a revision."""
        self._before_body_changes([article_id])
        self.connection.execute(update(_articles).where(_articles.c.id == article_id)
                                .values(**fields))
        key = f"article {article_id}"
        self.write_revisions({key: article_id}, [Revision(
            key, fetch_id, fields, evidence, extractor_version, fresh=False)], now())

    def _before_body_changes(self, article_ids: Sequence[int]) -> None:
        """What must read an article's text before its row changes: the search index takes
        the old text out, and the latest revision keeps its body (it pointed at the row's)."""
        if not article_ids:
            return
        index.unindex_articles(self.connection, article_ids)
        self.connection.execute(
            update(_revisions).where(_revisions.c.article_id == bindparam("b_id"),
                                     _revisions.c.body.is_(None))
            .values(body=select(_articles.c.body).where(_articles.c.id == bindparam("b_id"))
                    .scalar_subquery()),
            [{"b_id": i} for i in article_ids])

    def _write_events(self, ids: dict[str, int], keys: Sequence[str],
                      entries: Sequence[tuple[Sequence[int], Article]], restored: set[str],
                      at: datetime) -> None:
        """A "restored" event for each article back after being seen gone (at its first fetch)."""
        events = []
        for key, (fetch_ids, _) in zip(keys, entries, strict=True):
            if key in restored:
                restored.discard(key)
                events.append({"article_id": ids[key], "kind": "restored", "at": at,
                               "fetch_id": fetch_ids[0], "reason": None})
        if events:
            self.connection.execute(insert(_events), events)

    def write_revisions(self, ids: dict[str, int], revisions: Sequence[Revision],
                        at: datetime) -> None:
        """Insert revisions, and bring the search index and the clusters up to date."""
        if not revisions:
            return
        latest = {ids[r.key]: r for r in revisions}
        # The latest revision's body is the article's (see ArticleRevision).
        self.connection.execute(insert(_revisions), [{
            "article_id": ids[r.key], "extractor_version": r.extractor_version,
            "fetch_id": r.fetch_id, "evidence": r.evidence, "created_at": at, **r.fields,
            "body": None if latest[ids[r.key]] is r else r.fields["body"],
        } for r in revisions])
        index.index_articles(self.connection, [
            (article_id, r.fields["title"], r.fields["body"]) for article_id, r in latest.items()],
            fresh={ids[r.key] for r in revisions if r.fresh})
        clusters.assign_clusters(self.connection, [
            clusters.Sketched(ids[r.key], r.fields["body"], fresh=r.fresh) for r in revisions])

    def _write_fetch_outcomes(self, ids: dict[str, int], keys: Sequence[str],
                              entries: Sequence[tuple[Sequence[int], Article]],
                              outcomes: Sequence[Outcome]) -> None:
        rows = []
        for key, (fetch_ids, _), outcome in zip(keys, entries, outcomes, strict=True):
            rows.append({"b_id": fetch_ids[0], "b_outcome": outcome, "b_article": ids[key]})
            rows.extend({"b_id": later, "b_outcome": Outcome.CONTINUATION, "b_article": ids[key]}
                        for later in fetch_ids[1:])
        self.connection.execute(
            update(_fetches).where(_fetches.c.id == bindparam("b_id"))
            .values(outcome=bindparam("b_outcome"), article_id=bindparam("b_article")), rows)

    # -- deletions and failures ------------------------------------------------------

    def article_for_url(self, url: str) -> tuple[int, datetime | None] | None:
        """(id, deleted_at) of the archived article a URL belongs to: by canonical URL, else
        by an earlier fetch of that URL."""
        columns = (_articles.c.id, _articles.c.deleted_at)
        row = self.connection.execute(select(*columns).where(
            _articles.c.canonical_url == canonical_url(url))).one_or_none()
        if row is not None:
            return row[0], row[1]
        article_id = self.connection.execute(
            select(_fetches.c.article_id).where(
                (_fetches.c.url == url) | (_fetches.c.final_url == url),
                _fetches.c.article_id.is_not(None))
            .order_by(_fetches.c.id.desc()).limit(1)).scalar_one_or_none()
        if article_id is None:
            return None
        row = self.connection.execute(select(*columns).where(_articles.c.id == article_id)).one()
        return row[0], row[1]

    def mark_gone(self, fetch_ids: Sequence[int], url: str, reason: str,
                  seen_at: datetime) -> Outcome | None:
        """A known article seen gone: "deleted" (first time, deleted_at = seen_at) or "gone"
        (still gone); None when the URL is no archived article. Nothing is removed."""
        found = self.article_for_url(url)
        if found is None:
            return None
        article_id, deleted_at = found
        outcome = Outcome.GONE
        if deleted_at is None:
            outcome = Outcome.DELETED
            self.connection.execute(update(_articles).where(_articles.c.id == article_id)
                                    .values(deleted_at=seen_at))
            self.connection.execute(insert(_events).values(
                article_id=article_id, kind="deleted", at=seen_at,
                fetch_id=fetch_ids[0] if fetch_ids else None, reason=reason))
        if fetch_ids:
            self.connection.execute(update(_fetches).where(_fetches.c.id.in_(fetch_ids))
                                    .values(outcome=outcome, error=reason, article_id=article_id))
        return outcome

    def mark_fetches(self, fetch_ids: Sequence[int], outcome: Outcome) -> None:
        """Set what became of these fetches (a redirect hop, a duplicate's page)."""
        for part in chunks(list(fetch_ids)):
            self.connection.execute(update(_fetches).where(_fetches.c.id.in_(part))
                                    .values(outcome=outcome))

    def record_failures(self, run_id: int, failures: Sequence[FailureRecord]) -> None:
        """Record why each URL gave no article, by kind; mark their fetches failed."""
        if not failures:
            return
        at = now()
        self.connection.execute(insert(_failures), [
            {"crawl_run_id": run_id, "fetch_id": f.fetch_id, "url": f.url, "kind": f.kind,
             "reason": f.reason, "created_at": at} for f in failures])
        failed = [{"b_id": f.fetch_id, "b_error": f.reason} for f in failures
                  if f.fetch_id is not None]
        if failed:
            self.connection.execute(
                update(_fetches).where(_fetches.c.id == bindparam("b_id"))
                .values(outcome=Outcome.FAILED, error=bindparam("b_error")), failed)


__all__ = ["ARTICLE_OUTCOMES", "FailureRecord", "FetchedPage", "Outcome", "Revision", "Writes",
           "article_fields", "content_hash", "headers_json", "jsonable", "now"]
