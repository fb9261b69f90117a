"""An archived page made safe to show: decoded as the crawl decoded it, then sanitized by an
allow-list (nh3, the Ammonia sanitizer): no script, style, frame, form, event handler, link
target or image source survives, so the page can run nothing and load nothing.

It is served with a CSP that allows no network load at all and shown in a sandboxed
<iframe> without scripts or same-origin rights: three layers, each enough alone.
"""

from __future__ import annotations

import codecs
from typing import Any

import nh3

# Text-level and structural tags only; links keep their text but lose their target.
TAGS = set(nh3.ALLOWED_TAGS) - {"img", "area", "map"}
DROPPED_WITH_CONTENT = {"head", "title", "script", "style", "noscript", "template", "iframe",
                        "object", "embed", "svg", "math", "form", "select", "textarea",
                        "button", "canvas", "audio", "video"}
ATTRIBUTES = {"*": {"title", "lang", "dir"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}}
FRAME_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; "
             "form-action 'none'; base-uri 'none'; sandbox")
FRAME_STYLE = ("body{font:16px/1.7 'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;"
               "margin:1em;color:#222}a{color:#0645ad}")


def decode(body: bytes, encoding: dict[str, Any] | None) -> str:
    """The page's text, decoded with the encoding the crawl chose (UTF-8 when unknown)."""
    name = (encoding or {}).get("encoding") or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    return body.decode(name, errors="replace")


def safe_page(body: bytes, encoding: dict[str, Any] | None) -> str:
    """A complete HTML document showing the archived page's content and nothing active."""
    cleaned = nh3.clean(decode(body, encoding), tags=TAGS,
                        clean_content_tags=DROPPED_WITH_CONTENT, attributes=ATTRIBUTES,
                        url_schemes=set(), link_rel=None)
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f"<style>{FRAME_STYLE}</style></head><body>{cleaned}</body></html>")
