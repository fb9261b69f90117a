"""Per-site profiles from the archive: what a host's archived article pages share is its chrome.

The extractor learns a SiteProfile from a host's earlier pages (newsarchive.extract.profile); the
archive has them. A crawl asks for the profiles of the hosts it is about to visit, reextract for
the hosts of the articles it re-reads. A host with fewer than two archived pages has no profile.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from newsarchive.archive.models import ArticleRow, Fetch, RawPage, Site
from newsarchive.archive.rawpages import RawPageReader, UnknownCompression
from newsarchive.archive.writes import ARTICLE_OUTCOMES
from newsarchive.extract.profile import SiteProfile

# The newest article pages of a host a profile is learnt from: enough for a standing block to
# show (it is on half of them), few enough to read at a crawl's start.
SAMPLE_PAGES = 24


def hosts_under(session: Session, domains: Iterable[str]) -> list[str]:
    """The archived site hosts equal to one of `domains` or under it (news.example.cn under
    example.cn), as a crawl's allowed domains name them."""
    wanted = {d.lower().removeprefix("www.").strip(".") for d in domains if d}
    return sorted(host for host in session.scalars(select(Site.host))
                  if any(host == d or host.endswith("." + d) for d in wanted))


def site_profile(session: Session, host: str, reader: RawPageReader | None = None,
                 sample: int = SAMPLE_PAGES) -> SiteProfile:
    """The profile of `host` learnt from its newest archived article pages."""
    reader = reader or RawPageReader()
    newest = (select(func.max(Fetch.id).label("fetch_id"))
              .join(ArticleRow, ArticleRow.id == Fetch.article_id)
              .join(Site, Site.id == ArticleRow.site_id)
              .where(Site.host == host, Fetch.outcome.in_(ARTICLE_OUTCOMES),
                     Fetch.raw_page_id.is_not(None))
              .group_by(Fetch.raw_page_id).order_by(func.max(Fetch.id).desc()).limit(sample))
    rows = session.execute(
        select(Fetch.final_url, RawPage.body, RawPage.compression, RawPage.dictionary_id)
        .join(RawPage, RawPage.id == Fetch.raw_page_id)
        .where(Fetch.id.in_(newest))).all()
    pages = []
    for url, body, compression, dictionary_id in rows:
        try:
            pages.append((reader.decompress(session, body, compression, dictionary_id), url))
        except UnknownCompression:
            continue
    return SiteProfile.from_pages(host, pages)


def site_profiles(session: Session, hosts: Iterable[str]) -> dict[str, SiteProfile]:
    """The profiles of `hosts` that have any chrome to tell, by host."""
    reader = RawPageReader()
    profiles = {host: site_profile(session, host, reader) for host in hosts}
    return {host: profile for host, profile in profiles.items() if profile.chrome}
