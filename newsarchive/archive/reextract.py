"""Re-run the current extractor over archived raw pages; a revision only where output changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from newsarchive.archive import Archive
from newsarchive.archive.filters import ArticleFilter, apply_filter
from newsarchive.archive.models import ArticleRevision, ArticleRow, Fetch, Site
from newsarchive.archive.profiles import site_profile
from newsarchive.extract import EXTRACTOR_VERSION, ExtractionError, stitch
from newsarchive.extract.article import Article
from newsarchive.extract.profile import SiteProfile
from newsarchive.extract.profiled import extract_with_profile


def _pages(archive: Archive, article_id: int, first_fetch: int) -> list[Fetch]:
    """The fetch a revision came from and its continuation pages from the same crawl, in order."""
    with archive.reading() as session:
        first = session.get(Fetch, first_fetch)
        if first is None:
            return []
        later = session.scalars(select(Fetch).where(
            Fetch.article_id == article_id, Fetch.crawl_run_id == first.crawl_run_id,
            Fetch.id > first.id).order_by(Fetch.id)).all()
    pages = [first]
    for fetch in later:
        if fetch.outcome != "continuation":
            break  # the next fetch of the article itself starts another copy
        pages.append(fetch)
    return pages


def extract_archived(archive: Archive, pages: list[Fetch],
                     profile: SiteProfile | None = None) -> Article:
    """The article the current extractor finds in archived fetches (stitched when several), at
    their original fetch times and with their own headers, and the site's profile if any."""
    articles = [extract_with_profile(archive.raw_body(p.id), p.final_url, p.headers,
                                     fetched_at=p.fetched_at, profile=profile)
                for p in pages]
    article = articles[0] if len(articles) == 1 else stitch(articles)
    article.url = pages[0].url
    return article


def reextract(archive: Archive, flt: ArticleFilter | None = None,
              progress: Callable[[str], None] | None = None,
              version: str = EXTRACTOR_VERSION) -> dict[str, Any]:
    """Re-extract every filtered article from its current revision's raw pages; counts by outcome.
    """
    latest = (select(ArticleRevision.article_id, func.max(ArticleRevision.id).label("rid"))
              .group_by(ArticleRevision.article_id).subquery())
    stmt = (select(ArticleRow.id, ArticleRevision.fetch_id, Site.host).join(Site)
            .join(latest, latest.c.article_id == ArticleRow.id)
            .join(ArticleRevision, ArticleRevision.id == latest.c.rid)
            .where(ArticleRevision.fetch_id.is_not(None)).order_by(ArticleRow.id))
    stmt = apply_filter(stmt, flt or ArticleFilter(), archive.engine.dialect.name)
    with archive.reading() as session:
        work: list[tuple[int, int, str]] = [
            (a, f, h) for a, f, h in session.execute(stmt) if f is not None]
    # Each host's chrome, learnt once from its archived pages (see archive.profiles).
    profiles: dict[str, SiteProfile] = {}
    counts: dict[str, Any] = {"checked": 0, "changed": 0, "unchanged": 0, "failed": []}
    for article_id, fetch_id, host in work:
        counts["checked"] += 1
        pages = _pages(archive, article_id, fetch_id)
        if host not in profiles:
            with archive.reading() as session:
                profiles[host] = site_profile(session, host)
        try:
            article = extract_archived(archive, pages, profiles[host])
        except ExtractionError as exc:
            counts["failed"].append({"article_id": article_id, "reason": exc.reason})
            continue
        except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
            counts["failed"].append({"article_id": article_id,
                                     "reason": f"extractor failed: {type(exc).__name__}: {exc}"})
            continue
        changed = archive.record_revision(article_id, fetch_id, article, version)
        counts["changed" if changed else "unchanged"] += 1
        if progress is not None and changed:
            progress(f"article {article_id}: new revision")
    return counts
