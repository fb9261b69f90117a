"""One article in full: every field with its provenance (fetches, encoding evidence, date
rule, extractor version, raw page hash), its revisions with character-level diffs, its
deletion and restoration events, and its cluster of copies on other portals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive.archive import clusters
from newsarchive.archive.models import (
    ArticleEvent,
    ArticleFields,
    ArticleRevision,
    ArticleRow,
    Fetch,
    RawPage,
    Site,
    join_time,
)
from newsarchive.extract.errors import FailureKind, NewsarchiveError
from newsarchive.query import diffs

# Fields compared between revisions, in the order shown.
COMPARED = ("title", "body", "published", "updated", "authors", "source", "editor",
            "keywords", "section_path", "summary", "language")
TEXT_FIELDS = ("title", "body", "summary")
# Fields whose change alone is boring: a portal restamps them on every edit.
BORING_FIELDS = ("updated", "editor")
CLUSTER_COPIES = 50
FETCHES_SHOWN = 200


class ArticleNotFound(NewsarchiveError, LookupError):
    """No archived article (or fetch) has this id."""

    kind = FailureKind.NOT_ARCHIVED


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def fields_of(row: ArticleFields, body: str) -> dict[str, Any]:
    """The extracted fields of an article or revision, as JSON-ready values."""
    return {
        "url": row.url, "title": row.title, "body": body,
        "published": _iso(join_time(row.published_at, row.published_offset)),
        "updated": _iso(join_time(row.updated_at, row.updated_offset)),
        "authors": list(row.authors), "source": row.source, "editor": row.editor,
        "keywords": list(row.keywords), "section_path": list(row.section_path),
        "summary": row.summary, "language": row.language, "encoding": row.encoding,
        "content_hash": row.content_hash,
    }


def _fetch(fetch: Fetch, sha256: str | None, size: int | None) -> dict[str, Any]:
    return {
        "id": fetch.id, "crawl_run_id": fetch.crawl_run_id, "url": fetch.url,
        "final_url": fetch.final_url, "status": fetch.status, "outcome": fetch.outcome,
        "error": fetch.error, "fetched_at": _iso(fetch.fetched_at), "headers": fetch.headers,
        "encoding": fetch.encoding, "raw_sha256": sha256, "raw_size": size,
        "warc_file": fetch.warc_file, "warc_offset": fetch.warc_offset,
    }


def _compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The changed fields from one revision to the next, text fields as diffs."""
    changes = []
    for name in COMPARED:
        if old[name] == new[name]:
            continue
        change: dict[str, Any] = {"field": name, "old": old[name], "new": new[name]}
        if name in TEXT_FIELDS:
            ops = diffs.diff(old[name] or "", new[name] or "")
            change["ops"] = ops
            change["counts"] = diffs.counts(ops)
            change["boring"] = all(o["boring"] for o in ops if o["op"] != diffs.EQUAL)
        else:
            change["boring"] = name in BORING_FIELDS
        changes.append(change)
    return {"changes": changes, "boring": bool(changes) and all(c["boring"] for c in changes)}


def revisions(session: Session, article: ArticleRow) -> list[dict[str, Any]]:
    """The article's revisions, oldest first, each with its provenance and its changes from
    the one before."""
    rows = session.execute(
        select(ArticleRevision, Fetch, RawPage.sha256, RawPage.size)
        .outerjoin(Fetch, Fetch.id == ArticleRevision.fetch_id)
        .outerjoin(RawPage, RawPage.id == Fetch.raw_page_id)
        .where(ArticleRevision.article_id == article.id).order_by(ArticleRevision.id)).all()
    out: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for revision, fetch, sha256, size in rows:
        current = fields_of(revision, revision.body if revision.body is not None
                            else article.body)
        entry = {
            "id": revision.id, "created_at": _iso(revision.created_at),
            "extractor_version": revision.extractor_version, "evidence": revision.evidence,
            "fetch": _fetch(fetch, sha256, size) if fetch is not None else None,
            "fields": current,
            "diff": _compare(previous, current) if previous is not None else None,
        }
        out.append(entry)
        previous = current
    return out


def _cluster(session: Session, article: ArticleRow) -> list[dict[str, Any]]:
    """The copies of the article's story, origin (earliest published) first, each with how
    it differs from the origin."""
    if article.cluster_id is None:
        return []
    rows = session.execute(
        select(ArticleRow.id, ArticleRow.url, ArticleRow.title, ArticleRow.body,
               ArticleRow.published_at, ArticleRow.published_offset, ArticleRow.first_seen,
               ArticleRow.deleted_at, Site.host)
        .join(Site, Site.id == ArticleRow.site_id)
        .where(ArticleRow.cluster_id == article.cluster_id)
        .order_by(*clusters.origin_order()).limit(CLUSTER_COPIES)).all()
    if len(rows) < 2:
        return []
    origin = rows[0]
    copies = []
    for n, row in enumerate(rows):
        copy: dict[str, Any] = {
            "id": row.id, "url": row.url, "title": row.title, "site": row.host,
            "published": _iso(join_time(row.published_at, row.published_offset)),
            "first_seen": _iso(row.first_seen), "deleted_at": _iso(row.deleted_at),
            "origin": n == 0, "this": row.id == article.id,
        }
        if n > 0:
            ops = diffs.diff(origin.body, row.body)
            copy["similarity"] = diffs.similarity(origin.body, row.body)
            copy["title_changed"] = row.title != origin.title
            copy["ops"] = ops
            copy["counts"] = diffs.counts(ops)
        copies.append(copy)
    return copies


def article_detail(session: Session, article_id: int) -> dict[str, Any]:
    """Everything the archive knows of one article (ArticleNotFound if it holds none)."""
    found = session.execute(select(ArticleRow, Site.host).join(Site, Site.id == ArticleRow.site_id)
                            .where(ArticleRow.id == article_id)).one_or_none()
    if found is None:
        raise ArticleNotFound(f"article {article_id}", "no such article in the archive")
    article, host = found
    fetches = session.execute(
        select(Fetch, RawPage.sha256, RawPage.size)
        .outerjoin(RawPage, RawPage.id == Fetch.raw_page_id)
        .where(Fetch.article_id == article_id).order_by(Fetch.id.desc())
        .limit(FETCHES_SHOWN)).all()
    fetch_count = session.scalar(select(func.count()).select_from(Fetch)
                                 .where(Fetch.article_id == article_id)) or 0
    events = session.scalars(select(ArticleEvent).where(ArticleEvent.article_id == article_id)
                             .order_by(ArticleEvent.at, ArticleEvent.id)).all()
    history = revisions(session, article)
    latest = history[-1] if history else None
    return {
        "id": article.id, "site": host, "canonical_url": article.canonical_url,
        "first_seen": _iso(article.first_seen), "last_seen": _iso(article.last_seen),
        "deleted_at": _iso(article.deleted_at), "cluster_id": article.cluster_id,
        "fields": fields_of(article, article.body),
        "provenance": {
            "revision_id": latest["id"] if latest else None,
            "extractor_version": latest["extractor_version"] if latest else None,
            "fetch": latest["fetch"] if latest else None,
            "evidence": latest["evidence"] if latest else None,
        },
        "revisions": history,
        "fetches": [_fetch(f, sha, size) for f, sha, size in fetches],
        "fetch_count": fetch_count,
        "events": [{"kind": e.kind, "at": _iso(e.at), "fetch_id": e.fetch_id,
                    "reason": e.reason} for e in events],
        "cluster": _cluster(session, article),
    }


def raw_page_fetch(session: Session, article_id: int, fetch_id: int | None) -> int:
    """The fetch whose raw page shows the article: `fetch_id` if it is one of the article's,
    else the fetch of its latest revision."""
    if fetch_id is not None:
        owner = session.scalar(select(Fetch.article_id).where(Fetch.id == fetch_id))
        if owner != article_id:
            raise ArticleNotFound(f"fetch {fetch_id}", f"not a fetch of article {article_id}")
        return fetch_id
    latest = session.scalar(select(ArticleRevision.fetch_id)
                            .where(ArticleRevision.article_id == article_id)
                            .order_by(ArticleRevision.id.desc()).limit(1))
    if latest is None:
        raise ArticleNotFound(f"article {article_id}", "no such article, or no page kept for it")
    return int(latest)


def fetch_record(session: Session, fetch_id: int) -> dict[str, Any]:
    """One fetch as the article page lists it."""
    found = session.execute(select(Fetch, RawPage.sha256, RawPage.size)
                            .outerjoin(RawPage, RawPage.id == Fetch.raw_page_id)
                            .where(Fetch.id == fetch_id)).one_or_none()
    if found is None:
        raise ArticleNotFound(f"fetch {fetch_id}", "no such fetch")
    return _fetch(*found)
