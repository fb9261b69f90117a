"""Atom feeds an archivist subscribes to: a query's new matches, a site's deletions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from newsarchive import __version__, query
from newsarchive.web.params import Filters, QueryText, filters, link

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ENTRIES = 50
# Characters XML 1.0 cannot hold at all (ElementTree would write them, and break the feed).
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
router = APIRouter(prefix="/feeds", include_in_schema=False)


def _text(parent: ElementTree.Element, tag: str, value: str | None, **attrs: str
          ) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}",
                                     {k: _XML_UNSAFE.sub("", v) for k, v in attrs.items()})
    if value is not None:
        element.text = _XML_UNSAFE.sub("", value)
    return element


def atom(request: Request, title: str, self_path: str, entries: list[dict[str, Any]]) -> Response:
    """An Atom feed document (ElementTree escapes every archived string)."""
    ElementTree.register_namespace("", ATOM)
    base = str(request.base_url).rstrip("/")
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "title", title)
    _text(feed, "id", base + self_path)
    _text(feed, "link", None, rel="self", href=base + self_path)
    _text(feed, "generator", "newsarchive", version=__version__)
    updated = max((e["updated"] for e in entries), default=datetime.now(UTC).isoformat())
    _text(feed, "updated", updated)
    for item in entries:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "title", item["title"] or item["url"])
        _text(entry, "id", base + item["path"])
        _text(entry, "link", None, rel="alternate", href=base + item["path"])
        _text(entry, "link", None, rel="via", href=item["url"])
        _text(entry, "updated", item["updated"])
        if item.get("published"):
            _text(entry, "published", item["published"])
        author = _text(entry, "author", None)
        _text(author, "name", ", ".join(item.get("authors") or []) or item["site"])
        _text(entry, "summary", item["summary"])
    body = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=MEDIA_TYPE)


@router.get("/search.atom")
def search_feed(request: Request, flt: Annotated[Filters, Depends(filters)],
                q: QueryText = "") -> Response:
    """The query's latest archived matches, newest first."""
    page = query.search_page(request.app.state.archive, q, flt.article_filter(),
                             sort="archived", limit=ENTRIES)
    entries = [{"title": h["title"], "url": h["url"], "path": f"/articles/{h['id']}",
                "updated": h["first_seen"], "published": h["published"], "site": h["site"],
                "authors": h["authors"], "summary": h["snippet"] or ""}
               for h in page["results"]]
    return atom(request, f"newsarchive: {q or 'all articles'}",
                link("/feeds/search.atom", [("q", q)] + flt.params()), entries)


@router.get("/deletions.atom")
def deletions_feed(request: Request,
                   site: Annotated[str | None, Query(max_length=255)] = None) -> Response:
    """The latest deletions (of one site), latest first, each with what it said."""
    found = query.deleted(request.app.state.archive, site=site, limit=ENTRIES)
    entries = [{"title": d["title"], "url": d["url"], "path": f"/articles/{d['id']}",
                "updated": d["deleted_at"], "published": d["published"], "site": d["site"],
                "authors": d["authors"],
                "summary": f"{d['reason'] or 'deleted'}: {d['said']}"}
               for d in found["results"]]
    return atom(request, f"newsarchive deletions: {site or 'all sites'}",
                link("/feeds/deletions.atom", [("site", site)] if site else []), entries)
