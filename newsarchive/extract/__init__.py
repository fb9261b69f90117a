"""Extraction: page bytes + URL + headers -> Article. Never fetches, never imports Scrapy."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from newsarchive.extract.article import Article, PageKind, Post
from newsarchive.extract.authors import find_authors, site_names
from newsarchive.extract.clean import clean_tree, parse, segments
from newsarchive.extract.content import (
    body_paragraphs,
    cjk_share,
    find_content,
    lead_segments,
    thread_posts,
)
from newsarchive.extract.dates import default_timezone, find_dates, page_clock
from newsarchive.extract.decode import decode_html
from newsarchive.extract.errors import (
    EmptyPage,
    ExtractionError,
    FailureKind,
    NewsarchiveError,
    NoContent,
    NotAnArticle,
    PageGone,
)
from newsarchive.extract.gone import gone_phrase_in, notice_reason
from newsarchive.extract.hints import Hints, match_hints
from newsarchive.extract.html import article_html
from newsarchive.extract.limits import (
    DEFAULT_LIMITS,
    Limits,
    check_body,
    check_elements,
    check_text,
)
from newsarchive.extract.media import count_images, find_image
from newsarchive.extract.metadata import (
    find_editor,
    find_keywords,
    find_section_path,
    find_source,
    find_title,
    first_meta,
    json_ld,
    strip_promo,
)
from newsarchive.extract.owner import is_blog_page
from newsarchive.extract.pagetype import classify
from newsarchive.extract.profile import SiteProfile
from newsarchive.extract.text import make_normalizer
from newsarchive.extract.threads import thread_date
from newsarchive.extract.vocab import alternation, label_pattern, labelled

__all__ = [
    "EXTRACTOR_VERSION",
    "Article",
    "EmptyPage",
    "ExtractionError",
    "FailureKind",
    "Limits",
    "NewsarchiveError",
    "NoContent",
    "NotAnArticle",
    "PageGone",
    "PageKind",
    "Post",
    "SiteProfile",
    "extract",
    "stitch",
]

# Tagged on every stored revision; bump it whenever extraction output may change, so
# `reextract` and researchers can tell which extractor produced what.
EXTRACTOR_VERSION = "0.3.0"

_SUMMARY = label_pattern(
    "summary", r"summary|abstract|lead|digest|zhaiyao|daodu|(^|[\s_-])(intro|desc)([\s_-]|$)"
)
_ENGLISH_RE = re.compile(r"\b(?:the|and|of|to|in|is|that|for)\b", re.IGNORECASE)
_HEAD_LINES = 12
_TITLE_LOOKBACK = 3
# Lines above a body that are not its headline: dates, bylines/sources, breadcrumbs and menus,
# labels, sentences.
_NOT_TITLE_LINE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}:\d{2}|"
    rf"{alternation(('来源', '作者', '记者'))}|[|>»›]|[:：]$|[。！!]$|^https?://"
)
_PLAYER_FRAMES = ("player", "video", "youtube", "vimeo")


def extract(body: bytes, url: str, headers: Mapping[str, Any] | None = None, *,
            fetched_at: datetime | None = None, timezone: str | None = None,
            hints: Hints | None = None, profile: SiteProfile | None = None,
            limits: Limits | None = None) -> Article:
    """The article on a page given as raw bytes; EmptyPage for empty or non-HTML input.

    `hints` ({"css"|"xpath": {"title"|"body"|"published": selector}}, from a site's config) win over
    the generic rules for their field when they select something; see extract/hints.py.
    `profile` (a SiteProfile learnt from the host's earlier pages) keeps the site's standing blocks
    out of the content search and the body. `limits` cap the page's elements and body length
    (PageTooLarge); a page nested past the parser's depth limit is PageTooDeep.
    """
    if not body or not body.strip():
        raise EmptyPage(url, "no bytes")
    decoded = decode_html(body, headers or {}, url=url)
    check_text(decoded.text, url)
    tree = parse(decoded.text, url)
    limits = limits or DEFAULT_LIMITS
    check_elements(tree, url, limits)
    # Players are dropped by cleaning; count them first (they make a video page).
    players = _count_players(tree)
    tree = clean_tree(tree)
    page = tree.find("body")
    segs = segments(tree)
    page_text = "\n".join(text for seg in segs for text, _ in seg.pieces if text)
    normalise = make_normalizer(page_text)

    hinted = match_hints(tree, hints)
    title, headline = find_title(tree, page, normalise)
    drop = profile.is_chrome if profile is not None and profile.chrome else None
    searched = (
        [seg for seg in segs if not profile.is_chrome_segment(seg)]
        if profile is not None and profile.chrome
        else segs
    )
    content = hinted.content(segs) or find_content(searched, threads=not is_blog_page(url))
    if content is not None and content.segments and not _has_title_reference(tree):
        title, headline = _title_before_content(
            segs, content.segments[0].index, title, headline, normalise
        )
    title, headline = hinted.title(title, headline, normalise)
    title = strip_promo(title)
    posts: list[Post] = []
    if content is not None and content.posts:
        tz_guess = timezone or default_timezone(_language(tree, page_text[:5000]))
        posts = thread_posts(content, normalise, title, tz=tz_guess, now=fetched_at, url=url,
                             drop=drop)
        paragraphs = [line for post in posts for line in post.text.split("\n") if line]
    else:
        if content is not None and headline is not None:
            content.segments[:0] = lead_segments(segs, headline, content)
        paragraphs = (
            body_paragraphs(content, normalise, title, drop=drop) if content is not None else []
        )
    check_body(paragraphs, url, limits)
    language = _language(tree, "".join(paragraphs) or page_text[:5000])
    tz = timezone or default_timezone(language)

    # Lines from the headline to the body start hold the byline, source and date.
    head_lines = _head_lines(segs, headline, normalise)
    start = content.segments[0].index if content is not None and content.segments else 0
    end = content.segments[-1].index + 1 if content is not None and content.segments else len(segs)
    near = head_lines + [
        normalise(raw)
        for seg in segs[start : min(end + 12, len(segs))]
        for raw, _, _ in seg.lines()
    ]
    near = [line for line in near if line]
    ld = json_ld(tree)

    source, source_line = find_source(_chain(near, _all_lines(segs, normalise, "源")))
    editor, editor_line = find_editor(_chain(near, _all_lines(segs, normalise, "编", "編")))
    keywords, keywords_from = find_keywords(near, tree, normalise)
    tail_lines = [
        line
        for line in (normalise(raw) for seg in segs[end : end + 12] for raw, _, _ in seg.lines())
        if line
    ]
    if content is not None:
        tail_lines = content.signature + tail_lines
    authors, authors_rule = find_authors(
        head_lines, paragraphs, tail_lines, tree, ld, normalise, site_names(tree, url), url=url
    )
    # A thread's author is its first poster, unless the author cascade settles on JSON-LD (no
    # line rule before it names anyone: an article whose comments read as posts). The line rules
    # on a forum page find the posters' ranks ('Member') and the software's credits.
    if posts and posts[0].author and authors_rule != "json-ld":
        authors, authors_rule = [posts[0].author], "thread-poster"
    content_root = content.roots[0] if content is not None else None
    # Relative dates ('2天前') count back from the page's own time when it gives one.
    clock = page_clock(tree, headers) or fetched_at
    published, updated = find_dates(
        tree, url=url, headline=headline, content=content_root, tz=tz, now=clock
    )
    if posts and posts[0].published is not None and content is not None:
        published = thread_date(content.posts[0], tz=tz, now=fetched_at, url=url) or published
    published = hinted.published(published, tz=tz, now=fetched_at, url=url)
    # A picture page may have no prose block at all; its images are then looked for in the whole
    # body.
    roots = content.roots if content is not None else ([page] if page is not None else [])
    image_url, image_caption = find_image(roots, tree, url, normalise)
    page_type = classify(
        segs,
        paragraphs,
        headline is not None,
        published is not None,
        count_images(roots),
        players,
        first_meta(tree, "og:type"),
        thread=bool(posts),
    )
    if page_type.kind != PageKind.ARTICLE or (not paragraphs and content is None):
        # A page with no article on it may be the portal's notice that the article is gone.
        title_element = tree.find(".//title")
        phrase = gone_phrase_in(title_element.text_content() if title_element is not None else "",
                                page_text)
        if phrase is not None:
            raise PageGone(url, notice_reason(phrase))
    if page_type.kind == PageKind.ARTICLE and not paragraphs and content is None:
        raise NoContent(url, "the page reads as an article but no body block was found")

    evidence: dict[str, Any] = {
        "encoding": decoded.evidence(),
        "content": {
            "score": round(content.score, 2) if content else 0.0,
            "roots": [root.getroottree().getpath(root) for root in content.roots]
            if content
            else [],
        },
        "title": {"rule": "headline" if headline is not None else "title-tag"},
        "authors": {"rule": authors_rule},
        "keywords": {"rule": keywords_from},
        "page_type": page_type.features,
    }
    if source_line:
        evidence["source"] = {"raw": source_line}
    if editor_line:
        evidence["editor"] = {"raw": editor_line}
    if published is not None:
        evidence["published"] = published.evidence()
    if hinted.hints:
        evidence["hints"] = hinted.evidence()
    if profile is not None:
        evidence["profile"] = {"host": profile.host, "pages": profile.pages,
                               "chrome_blocks": len(profile.chrome)}
    if updated is not None:
        evidence["updated"] = updated.evidence()

    return Article(
        url=url,
        title=title,
        paragraphs=paragraphs,
        published=published.value if published is not None else None,
        updated=updated.value if updated is not None else None,
        authors=authors,
        source=source,
        editor=editor,
        keywords=keywords,
        section_path=find_section_path(page, title, normalise),
        summary=_summary(tree, page, paragraphs, normalise),
        language=language,
        encoding=decoded.encoding,
        canonical_url=_canonical(tree),
        page_type=page_type.kind,
        page_type_confidence=page_type.confidence,
        evidence=evidence,
        next_page_url=_next_page(tree, url),
        html=article_html(title, paragraphs, image_url, image_caption),
        image_url=image_url,
        image_caption=image_caption,
        posts=posts,
    )


def _count_players(tree: HtmlElement) -> int:
    """Video players in the body: <video>, Flash <embed>, player <iframe> (a walk by tag beats the
    XPath). """
    body = tree.find("body")
    if body is None:
        return 0
    count = 0
    for element in body.iter("video", "embed", "iframe"):
        src = element.get("src") or ""
        if (
            element.tag == "video"
            or (
                element.tag == "embed" and (".swf" in src or "flash" in (element.get("type") or ""))
            )
            or (element.tag == "iframe" and any(word in src for word in _PLAYER_FRAMES))
        ):
            count += 1
    return count


def _has_title_reference(tree: HtmlElement) -> bool:
    """Whether the page names itself (<title>, og:title or twitter:title), so the headline can be
    matched to it.
    """
    element = tree.find(".//title")
    if element is not None and element.text_content().strip():
        return True
    return bool(first_meta(tree, "og:title", "twitter:title"))


def _title_before_content(
    segs: list[Any], start: int, title: str | None, headline: HtmlElement | None, normalise: Any
) -> tuple[str | None, HtmlElement | None]:
    """On a page that does not name itself, the headline is the line right above the body (skipping
    a date or
    source line), unless the headline found by name already stands there or opens the body."""
    window = segs[max(0, start - _TITLE_LOOKBACK):start + 1]
    if headline is not None and any(
        seg.owner is headline or headline in seg.owner.iterancestors() for seg in window
    ):
        return title, headline
    for seg in reversed(window[:-1]):
        for raw, _, _ in reversed(seg.lines()):
            text = normalise(raw)
            if not text or _NOT_TITLE_LINE_RE.search(text):
                continue
            if 4 <= len(text) <= 80:
                return text, seg.owner
    return title, headline


def _all_lines(segs: list[Any], normalise: Any, *needles: str) -> Iterator[str]:
    """The page's short text lines holding one of `needles`, normalised lazily."""
    holds_needle = re.compile("|".join(map(re.escape, needles))).search  # one C-level test per line
    for seg in segs:
        for raw, _, total in seg.lines():
            if total <= 200 and holds_needle(raw):
                line = normalise(raw)
                if line:
                    yield line


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    """`first`, then the lines of `rest` (computed only when reached)."""
    yield from first
    yield from rest


def _head_lines(segs: list[Any], headline: HtmlElement | None, normalise: Any) -> list[str]:
    """The text lines right after the headline (the date/source/byline area)."""
    if headline is None:
        return []
    inside = {headline, *headline.iterdescendants()}
    out: list[str] = []
    started = False
    for seg in segs:
        if seg.owner in inside:
            started = True
            continue
        if started:
            out.extend(line for line in (normalise(raw) for raw, _, _ in seg.lines()) if line)
            if len(out) >= _HEAD_LINES:
                break
    return out[:_HEAD_LINES]


def _language(tree: HtmlElement, text: str) -> str | None:
    """The page language: <html lang> first, else from the text (CJK share, common English words).
    """
    declared = (
        tree.get("lang")
        or tree.get("xml:lang")
        or first_meta(tree, "language", "content-language")
        or ""
    )
    declared = declared.strip().replace("_", "-")
    if declared:
        return declared.lower() if declared.lower() in ("zh", "en") else declared
    sample = text[:3000]
    if cjk_share(sample) >= 0.2:
        return "zh"
    if len(_ENGLISH_RE.findall(sample)) >= 10:
        return "en"
    return None


def _canonical(tree: HtmlElement) -> str | None:
    """<link rel=canonical> or og:url, as written."""
    for link in tree.iter("link"):
        if (
            "canonical" in (link.get("rel") or "").lower().split()
            and (link.get("href") or "").strip()
        ):
            return str(link.get("href")).strip()
    return first_meta(tree, "og:url")


def _summary(
    tree: HtmlElement, page: HtmlElement | None, paragraphs: list[str], normalise: Any
) -> str | None:
    """The page's summary (meta description or a summary box), unless it only repeats the body's
    start. """
    candidates: list[str] = []
    if page is not None:
        for element in page.iter("div", "p"):
            if labelled(element, _SUMMARY):
                text = normalise(element.text_content())
                if 10 <= len(text) <= 500:
                    candidates.append(text)
                    break
    meta = first_meta(tree, "description", "og:description")
    if meta:
        candidates.append(normalise(meta))
    body = "".join(
        "".join(paragraphs).split()
    )  # whitespace removed (split() is far cheaper than a regex here)
    for text in candidates:
        core = re.sub(r"\s+", "", re.sub(r"(?:\.{2,}|…+)$", "", text))
        if len(core) < 10:
            continue
        if core[:40] in body[:len(core) + 200] or core in body:
            continue
        return text
    return None


def _next_page(tree: HtmlElement, url: str) -> str | None:
    """The next page of a multi-page article, found by the listing helper's pagination rules."""
    try:
        from newsarchive.extract.pagination import find_continuation_tree
    except ImportError:  # the listing part is optional for extraction
        return None
    return find_continuation_tree(tree, url)


def stitch(pages: list[Article]) -> Article:
    """One article split over several pages -> one Article: first page's metadata, paragraphs in
    order. """
    if not pages:
        raise ValueError("stitch needs at least one page")
    first = pages[0]
    seen: set[str] = set()
    paragraphs: list[str] = []
    # Lines that repeat on every page are chrome (a summary box, a standing line); drop later
    # copies.
    for page in pages:
        for paragraph in page.paragraphs:
            if paragraph in seen:
                continue
            seen.add(paragraph)
            paragraphs.append(paragraph)
    evidence = dict(first.evidence)
    evidence["pages"] = [page.url for page in pages]
    authors = list(first.authors)
    for page in pages[1:]:
        authors.extend(name for name in page.authors if name not in authors)
    return Article(
        url=first.url,
        title=first.title,
        paragraphs=paragraphs,
        published=first.published,
        updated=max((p.updated for p in pages if p.updated is not None), default=first.updated),
        authors=authors,
        source=first.source,
        editor=first.editor or next((p.editor for p in pages if p.editor), None),
        keywords=first.keywords,
        section_path=first.section_path,
        summary=first.summary,
        language=first.language,
        encoding=first.encoding,
        canonical_url=first.canonical_url,
        page_type=first.page_type,
        page_type_confidence=first.page_type_confidence,
        evidence=evidence,
        next_page_url=None,
        html=article_html(first.title, paragraphs, first.image_url, first.image_caption),
        image_url=first.image_url,
        image_caption=first.image_caption,
    )
