"""extract() with a site's profile, safely: a profile that would leave no article is not used.

A profile drops the blocks a host repeats on its pages. Where a host's articles share most of
their text (a templated notice, a syndicated boilerplate story), the article's own lines look
like chrome too; the article must not be lost for it. Such a page is extracted again without the
profile, and its evidence says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsarchive.extract import extract
from newsarchive.extract.article import Article, PageKind
from newsarchive.extract.errors import ExtractionError, PageGone
from newsarchive.extract.profile import SiteProfile


def extract_with_profile(body: bytes, url: str, headers: Mapping[str, Any] | None = None, *,
                         profile: SiteProfile | None = None, **options: Any) -> Article:
    """The page's Article with `profile` applied, unless the profile leaves it no article or no
    body, in which case the Article without it (`options` as extract() takes them)."""
    if profile is None or not profile.chrome:
        return extract(body, url, headers, **options)
    try:
        article = extract(body, url, headers, profile=profile, **options)
    except PageGone:
        raise
    except ExtractionError:
        article = None
    if article is not None and article.page_type == PageKind.ARTICLE and article.paragraphs:
        return article
    plain = extract(body, url, headers, **options)
    plain.evidence["profile"] = {"host": profile.host, "pages": profile.pages,
                                 "chrome_blocks": len(profile.chrome),
                                 "unused": "with it the page held no article"}
    return plain
