"""Whether a page is an article, a list of articles, or something else, with a confidence."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from newsarchive.extract.article import PageKind
from newsarchive.extract.clean import Segment

_PUNCT_RE = re.compile(r"[，。；！？,.;!?]")
_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}(?:\s*[-/月.]\s*\d{1,2})?|\b\d{1,2}[-/]\d{1,2}\b"
)
_HEADLINE_MIN = 8
_GALLERY_IMAGES = 4
_MEDIA_PROSE = 300
# Prose that makes a body article-like: under a headline, or on its own.
_HEADED_PROSE = 60
_BARE_PROSE = 300
# The least confidence an article typed against the other evidence gets.
_DOUBT_FLOOR = 0.3


@dataclass(frozen=True)
class PageType:
    """The page's kind and how sure we are, with the figures behind it."""

    kind: PageKind
    confidence: float
    features: dict[str, float | str]


def _sigmoid(value: float) -> float:
    """A 0..1 squash."""
    return 1.0 / (1.0 + math.exp(-value))


def classify(segs: list[Segment], paragraphs: list[str], has_headline: bool, has_date: bool,
             images: int = 0, players: int = 0, og_type: str | None = None,
             thread: bool = False) -> PageType:
    """article / gallery / video / list / other from prose length, images and players in the
    content, headline links with dates, and date/headline presence.

    A page whose body reads as an article (or a thread) is never typed otherwise: when the other
    evidence points elsewhere, it is an article with a low confidence, and the features name the
    kind it was taken for (`doubt`, `doubt_confidence`), so nothing article-like is dropped
    silently."""
    found = _classify(segs, paragraphs, has_headline, has_date, images, players, og_type)
    if found.kind == PageKind.ARTICLE:
        return found
    prose = float(found.features["prose_chars"])
    punct = float(found.features["punctuation"])
    article_like = (
        thread
        or (has_headline and prose >= _HEADED_PROSE and punct >= 3)
        or (has_headline and prose >= 2 * _HEADED_PROSE and punct >= 2)
        or (prose >= _BARE_PROSE and punct >= 5)
    )
    if not article_like:
        return found
    features = {**found.features, "doubt": str(found.kind), "doubt_confidence": found.confidence}
    return PageType(PageKind.ARTICLE, round(max(_DOUBT_FLOOR, 1.0 - found.confidence), 3),
                    features)


def _classify(segs: list[Segment], paragraphs: list[str], has_headline: bool, has_date: bool,
              images: int, players: int, og_type: str | None) -> PageType:
    """The kind the page's evidence points to, before the article-like override."""
    prose = sum(len(p) for p in paragraphs if len(p) >= 20)
    punct = sum(len(_PUNCT_RE.findall(p)) for p in paragraphs)
    headline_links = 0
    dated_items = 0
    for seg in segs:
        for text, linked, total in seg.lines():
            if linked >= _HEADLINE_MIN and linked * 2 > total:
                headline_links += 1
                if total <= 120 and _DATE_RE.search(text):
                    dated_items += 1
    features: dict[str, float | str] = {
        "prose_chars": float(prose),
        "punctuation": float(punct),
        "headline_links": float(headline_links),
        "dated_items": float(dated_items),
        "headline": float(has_headline),
        "date": float(has_date),
        "images": float(images),
        "players": float(players),
    }
    kind = (og_type or "").lower()
    # Media pages: a player or many pictures carry the page, the text only captions them.
    if (
        (players or kind.startswith("video"))
        and prose < _MEDIA_PROSE
        and (has_headline or kind.startswith("video"))
    ):
        sure = 0.9 if players and kind.startswith("video") else 0.75
        return PageType(PageKind.VIDEO, sure, features)
    if images >= _GALLERY_IMAGES and prose < _MEDIA_PROSE * max(1, images // _GALLERY_IMAGES):
        return PageType(PageKind.GALLERY, 0.9 if images >= 2 * _GALLERY_IMAGES else 0.75, features)
    # Evidence for an article: prose with sentence punctuation, a headline and a date.
    article = (
        (math.log1p(prose) - math.log(250)) * 1.5
        + min(punct, 20) / 10
        + 0.8 * has_headline
        + 0.8 * has_date
        - 1.0
    )
    # Evidence for a list: many headline links, many dated items, against the prose.
    listing = (
        (math.log1p(headline_links) - math.log(20)) * 1.5 + min(dated_items, 30) / 10 - prose / 1500
    )
    if article >= 0 and article >= listing:
        return PageType(PageKind.ARTICLE, round(_sigmoid(article + 1.0), 3), features)
    if listing > 0:
        return PageType(PageKind.LIST, round(_sigmoid(listing + 1.0), 3), features)
    return PageType(PageKind.OTHER, round(_sigmoid(-max(article, listing) + 0.5), 3), features)
