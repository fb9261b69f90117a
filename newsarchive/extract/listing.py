"""Section pages: the article links of the main list(s) and the pagination to follow.

The main list is found without site hints: an element whose children repeat one shape, each
holding a headline-length link (often with a date), scored by item count, headline length,
regularity and dates, and discounted when it looks like navigation, a sidebar, a ranking or
"hot" list, a footer or a link wall.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import lxml.html

from newsarchive.extract.clean import squash
from newsarchive.extract.listing_urls import (
    anchors,
    base_url,
    is_non_article_path,
    parse_html,
    registered_domain,
    resolve,
    same_site,
    url_shape,
)
from newsarchive.extract.pagination import (
    find_continuation,
    find_continuation_tree,
    find_next_pages,
    is_pager_link,
)
from newsarchive.extract.vocab import CJK_RE, NON_TEXT_TAGS

__all__ = [
    "Link",
    "Listing",
    "analyse_listing",
    "analyse_listing_tree",
    "find_continuation",
    "find_continuation_tree",
    "parse_html",
]

MIN_ITEMS = 3
MIN_SCORE = 40.0
HEADLINE_WEIGHT = 6
# A second list joins the first only when it is this large relative to it.
SIBLING_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+[\w]*")
_DATE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[-/月]\s*\d{1,2}|\d{1,2}:\d{2}|\d+\s*(分钟|小时|天)前|刚刚"
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
# Class/id words of blocks that are not the main list; matched as token prefixes.
_BAD_TOKEN_PREFIXES = (
    "hot", "rank", "top10", "side", "aside", "recommend", "recomm", "related", "relate", "foot",
    "nav", "menu", "crumb", "breadcrumb", "bread", "friend", "link", "tagcloud", "tag", "pager",
    "paging", "pagination", "copyright", "share", "comment", "login", "guess", "popular",
    "most", "trending",
)
_BAD_TOKENS = frozenset({"ad", "ads", "advert", "advertisement", "gg", "header", "bottom"})
_BAD_HEADING = re.compile(
    r"热门|热点|排行|排名|推荐|相关|热帖|热读|热文|点击榜|榜单|猜你|友情链接|合作伙伴|广告|精选"
)
_BAD_TAGS = frozenset({"nav", "footer", "aside"})


@dataclass(frozen=True)
class Link:
    """One link to follow: absolute URL without fragment, cleaned anchor text."""

    url: str
    text: str


@dataclass
class Listing:
    """What a section page offers a crawler."""

    article_links: list[Link] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Anchor:
    el: lxml.html.HtmlElement
    url: str
    text: str
    weight: int


@dataclass
class _Candidate:
    el: lxml.html.HtmlElement
    kids: dict[lxml.html.HtmlElement, list[_Anchor]]
    score: float = 0.0
    penalty: float = 1.0
    why: list[str] = field(default_factory=list)
    anchor_sig: tuple[str, ...] = ()
    kid_sig: tuple[str, frozenset[str]] = ("", frozenset())
    anchor_class: frozenset[str] = frozenset()
    facts: dict[str, float] = field(default_factory=dict)


def analyse_listing(body: bytes, url: str, headers: Mapping[str, Any] | None = None) -> Listing:
    """Article links and next pages of a section page given as raw bytes."""
    return analyse_listing_tree(parse_html(body, url, headers), url)


def analyse_listing_tree(tree: lxml.html.HtmlElement, url: str) -> Listing:
    """Article links and next pages of a parsed section page."""
    base = base_url(tree, url)
    sites = frozenset({registered_domain(url), registered_domain(base)})
    anchors = _collect_anchors(tree, base)
    candidates = _score_candidates(anchors, sites)
    chosen = _choose_lists(candidates) or _short_last_page(tree, url, base, anchors, sites)
    links, item_blocks, rejected_items = _list_links(chosen, base, sites, url)
    # Page numbers inside list items (a thread's own pages) are not the list's pagination.
    next_pages = find_next_pages(tree, url, base, item_blocks)
    getpath = tree.getroottree().getpath
    evidence: dict[str, Any] = {
        "site_policy": f"same registered domain as the page: {sorted(sites)}",
        "containers": [_describe(c, getpath) for c in chosen],
        "rejected_blocks": [
            _describe(c, getpath) for c in candidates[:8] if c not in chosen
        ],
        "rejected_items": rejected_items,
    }
    return Listing(article_links=links, next_pages=next_pages, evidence=evidence)


def _weight(text: str) -> int:
    """Headline length: CJK characters plus two per Latin word; bare numbers count nothing."""
    return len(CJK_RE.findall(text)) + 2 * len(_WORD.findall(CJK_RE.sub(" ", text)))


def _collect_anchors(tree: lxml.html.HtmlElement, base: str) -> list[_Anchor]:
    """Headline-length anchors with an http(s) target, outside noscript/template/select."""
    out: list[_Anchor] = []
    for a in anchors(tree):
        text = squash(a.text_content())
        weight = _weight(text)
        if weight < HEADLINE_WEIGHT:
            continue
        url = resolve(a.get("href"), base)
        if url is not None:
            out.append(_Anchor(a, url, text, weight))
    return out


def _score_candidates(
    anchors: list[_Anchor], sites: frozenset[str], min_items: int = MIN_ITEMS
) -> list[_Candidate]:
    groups: dict[lxml.html.HtmlElement, dict[lxml.html.HtmlElement, list[_Anchor]]] = {}
    for anchor in anchors:
        if not same_site(anchor.url, sites):
            continue
        if is_non_article_path(anchor.url):
            continue
        child = anchor.el
        for parent in anchor.el.iterancestors():
            groups.setdefault(parent, {}).setdefault(child, []).append(anchor)
            if parent.tag == "body":
                break
            child = parent
    candidates = []
    for el, kids in groups.items():
        if len(kids) >= min_items and el.tag not in ("html", "body"):
            cand = _Candidate(el, kids)
            _score(cand)
            candidates.append(cand)
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates


def _anchor_sig(a: lxml.html.HtmlElement) -> tuple[str, ...]:
    """The anchor's tag and its three nearest ancestors' tags: items of one list share it."""
    tags = [a.tag]
    for parent in a.iterancestors():
        tags.append(parent.tag)
        if len(tags) == 4:
            break
    return tuple(tags)


def _classes(el: lxml.html.HtmlElement) -> frozenset[str]:
    return frozenset((el.get("class") or "").split())


def _kid_sig(el: lxml.html.HtmlElement) -> tuple[str, frozenset[str]]:
    return (el.tag, _classes(el))


def _is_item_anchor(a: lxml.html.HtmlElement, cand: _Candidate) -> bool:
    """Whether an anchor sits where the list's headline links sit, with a compatible class."""
    if _anchor_sig(a) != cand.anchor_sig:
        return False
    return not cand.anchor_class or bool(_classes(a) & cand.anchor_class)


def _score(cand: _Candidate) -> None:
    kids = cand.kids
    n = len(kids)
    bests = [max(found, key=lambda a: a.weight) for found in kids.values()]
    avg_weight = sum(min(b.weight, 30) for b in bests) / n
    tag_counts = Counter(k.tag for k in kids)
    tag_reg = tag_counts.most_common(1)[0][1] / n
    sig_counts = Counter(_anchor_sig(b.el) for b in bests)
    cand.anchor_sig, sig_top = sig_counts.most_common(1)[0]
    cand.anchor_class = Counter(
        _classes(b.el) for b in bests if _anchor_sig(b.el) == cand.anchor_sig
    ).most_common(1)[0][0]
    sig_reg = sig_top / n
    cand.kid_sig = Counter(_kid_sig(k) for k in kids).most_common(1)[0][0]
    single = sum(1 for found in kids.values() if len({a.url for a in found}) == 1) / n
    dated = 0
    for kid, best in zip(kids, bests, strict=True):
        # Items that are bare anchors separated by <br> carry their date in the tail text.
        rest = squash(kid.text_content()).replace(best.text, " ") + " " + (kid.tail or "")
        follower = kid.getnext()
        # <dt> headline + <dd> date: the date sits in the sibling that holds no headline.
        if follower is not None and follower not in kids and isinstance(follower.tag, str):
            rest += " " + squash(follower.text_content())
        if _DATE.search(rest):
            dated += 1
    date_frac = dated / n
    cand.penalty = _penalty(cand)
    cand.score = (
        n
        * avg_weight
        * (0.5 + 0.5 * tag_reg)
        * (0.5 + 0.5 * sig_reg)
        * (0.4 + 0.6 * single)
        * (1.0 + date_frac)
        * cand.penalty
    )
    cand.facts = {
        "items": n,
        "avg_headline": round(avg_weight, 1),
        "tag_regularity": round(tag_reg, 2),
        "anchor_regularity": round(sig_reg, 2),
        "single_link_items": round(single, 2),
        "dated_items": round(date_frac, 2),
    }


def _penalty(cand: _Candidate) -> float:
    """Discount for blocks that look like navigation, sidebars, rankings, footers or link walls."""
    penalty = 1.0
    el: lxml.html.HtmlElement | None = cand.el
    for depth, node in enumerate([cand.el, *cand.el.iterancestors()]):
        if node.tag in _BAD_TAGS or (node.tag == "header" and depth <= 3):
            cand.why.append(f"inside <{node.tag}>")
            penalty *= 0.1
        if depth <= 3:
            words = _TOKEN_SPLIT.split(f"{node.get('class') or ''} {node.get('id') or ''}".lower())
            bad = [
                w for w in words if w and (w in _BAD_TOKENS or w.startswith(_BAD_TOKEN_PREFIXES))
            ]
            if bad:
                cand.why.append(f"class/id {bad[0]!r} at depth {depth}")
                penalty *= 0.2
    heading = _heading_text(el)
    if heading and _BAD_HEADING.search(heading):
        cand.why.append(f"heading {heading!r}")
        penalty *= 0.1
    return max(penalty, 0.001)


def _heading_text(el: lxml.html.HtmlElement) -> str:
    """Short text just before the block (its title), looked for at two levels."""
    texts = []
    node: lxml.html.HtmlElement | None = el
    for _ in range(2):
        if node is None:
            break
        sib = node.getprevious()
        steps = 0
        while sib is not None and steps < 2:
            if isinstance(sib.tag, str) and sib.tag not in NON_TEXT_TAGS:
                text = squash(sib.text_content())
                if text:
                    if len(text) <= 30:
                        texts.append(text)
                    break
            sib = sib.getprevious()
            steps += 1
        node = node.getparent()
    caption = el.find("caption")
    if caption is not None:
        texts.append(squash(caption.text_content()))
    return " | ".join(texts)


def _choose_lists(candidates: list[_Candidate]) -> list[_Candidate]:
    if not candidates or candidates[0].score < MIN_SCORE:
        return []
    best = candidates[0]
    chosen = [best]
    for cand in candidates[1:]:
        if cand.score < best.score * SIBLING_SHARE or cand.penalty < 1.0:
            continue
        if _kid_sig(cand.el) != _kid_sig(best.el) or cand.anchor_sig != best.anchor_sig:
            continue
        if any(_related(cand.el, other.el) for other in chosen):
            continue
        if not _near(cand.el, best.el):
            continue
        chosen.append(cand)
    order = {el: i for i, el in enumerate(best.el.getroottree().iter())}
    chosen.sort(key=lambda c: order.get(c.el, 0))
    return chosen


def _short_last_page(
    tree: lxml.html.HtmlElement, url: str, base: str, anchors: list[_Anchor], sites: frozenset[str]
) -> list[_Candidate]:
    """The last page of a paginated list often holds fewer items than a list needs: two dated,
    unpenalised headline items on a page that has a pager still make the list."""
    if not find_next_pages(tree, url, base, []):
        return []
    pairs = [
        c for c in _score_candidates(anchors, sites, min_items=2)
        if len(c.kids) == 2 and c.penalty == 1.0 and c.facts.get("dated_items") == 1.0
    ]
    if not pairs or pairs[0].score < MIN_SCORE:
        return []
    return [pairs[0]]


def _near(a: lxml.html.HtmlElement, b: lxml.html.HtmlElement) -> bool:
    """Whether two blocks share a parent or grandparent: split parts of one list do."""
    ups_a = [a.getparent(), *(p.getparent() for p in [a.getparent()] if p is not None)]
    ups_b = [b.getparent(), *(p.getparent() for p in [b.getparent()] if p is not None)]
    return any(x is not None and x in ups_b for x in ups_a)


def _related(a: lxml.html.HtmlElement, b: lxml.html.HtmlElement) -> bool:
    return a in b.iterancestors() or b in a.iterancestors() or a is b


def _list_links(
    chosen: list[_Candidate], base: str, sites: frozenset[str], page_url: str
) -> tuple[list[Link], list[lxml.html.HtmlElement], list[dict[str, str]]]:
    links: list[Link] = []
    item_blocks: list[lxml.html.HtmlElement] = []
    seen = {page_url}
    rejected: list[dict[str, str]] = []
    for cand in chosen:
        items: list[tuple[lxml.html.HtmlElement, str, str]] = []
        for kid in cand.el:
            if not isinstance(kid.tag, str) or kid.tag in NON_TEXT_TAGS:
                continue
            found = []
            for a in kid.iter("a"):
                if not _is_item_anchor(a, cand) or is_pager_link(a):
                    continue
                url = resolve(a.get("href"), base)
                text = squash(a.text_content()) or squash(a.get("title") or "")
                if url is not None and text:
                    found.append((_weight(text), url, text))
            # Beside the item's headline, only other headlines (grouped items), not "New" marks.
            top = max((w for w, _, _ in found), default=0)
            for weight, url, text in found:
                if weight < top and weight < HEADLINE_WEIGHT:
                    continue
                if not same_site(url, sites):
                    rejected.append({"url": url, "text": text, "reason": "off-site"})
                    continue
                items.append((kid, url, text))
        if not items:
            continue
        shape = Counter(url_shape(u) for _, u, _ in items).most_common(1)[0][0]
        for kid, url, text in items:
            if _kid_sig(kid) != cand.kid_sig and url_shape(url) != shape:
                rejected.append(
                    {"url": url, "text": text, "reason": "odd item (class and URL shape)"}
                )
                continue
            if not item_blocks or item_blocks[-1] is not kid:
                item_blocks.append(kid)
            if url not in seen:
                seen.add(url)
                links.append(Link(url, text))
    return links, item_blocks, rejected


def _describe(cand: _Candidate, getpath: Any) -> dict[str, Any]:
    return {
        "path": getpath(cand.el),
        "class": cand.el.get("class"),
        "id": cand.el.get("id"),
        "score": round(cand.score, 1),
        "penalty": cand.penalty,
        "penalised_for": cand.why,
        **cand.facts,
    }
