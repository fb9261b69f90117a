"""The article's main image and its caption, from the content block, else og:image."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from newsarchive.extract.metadata import Normalise, first_meta

_ICON_RE = re.compile(
    r"icon|logo|avatar|spacer|blank|pixel|button|btn|share|qrcode|ewm|erweima|loading|\.gif$",
    re.IGNORECASE,
)
_CAPTION_CLASS_RE = re.compile(
    r"caption|desc|pic-?txt|img-?txt|note|illustration|tuzhu|picnote", re.IGNORECASE
)
_SRC_ATTRS = ("src", "data-src", "data-original", "data-lazy-src", "original")
_MIN_SIDE = 100
_CAPTION_MAX = 120


def _size_ok(image: HtmlElement) -> bool:
    """False when width/height attributes say the image is small (an icon, a spacer)."""
    for attribute in ("width", "height"):
        value = (image.get(attribute) or "").strip().rstrip("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return False
    return True


def _source(image: HtmlElement) -> str | None:
    """The image's URL as written (lazy-loading attributes first when src is a placeholder)."""
    for attribute in _SRC_ATTRS[1:] + _SRC_ATTRS[:1]:
        value = (image.get(attribute) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return None


def _caption(image: HtmlElement, normalise: Normalise) -> str | None:
    """<figcaption>, a caption-named sibling, the next short text block, else the alt text."""
    node: HtmlElement | None = image
    for _ in range(3):
        node = node.getparent() if node is not None else None
        if node is None:
            break
        if node.tag == "figure":
            caption = node.find(".//figcaption")
            if caption is not None and normalise(caption.text_content()):
                return normalise(caption.text_content())
    holder = image.getparent()
    while holder is not None and holder.tag in ("a", "span", "strong", "b", "center", "font"):
        holder = holder.getparent()
    if holder is not None:
        after = holder.getnext()
        text = normalise(holder.text_content())
        if text and len(text) <= _CAPTION_MAX:
            return text
        if after is not None and isinstance(after.tag, str):
            label = f"{after.get('class', '')} {after.get('id', '')}"
            text = normalise(after.text_content())
            if (
                text
                and len(text) <= _CAPTION_MAX
                and (
                    _CAPTION_CLASS_RE.search(label)
                    or after.get("align") == "center"
                    or "text-align: center" in (after.get("style") or "").lower()
                )
            ):
                return text
    alt = normalise(image.get("alt") or image.get("title") or "")
    return alt if len(alt) >= 4 else None


def find_image(roots: list[HtmlElement], tree: HtmlElement, url: str,
               normalise: Normalise) -> tuple[str | None, str | None]:
    """The main image's absolute URL and caption: the first real image in the content, else
    og:image. """
    for root in roots:
        for image in root.iter("img"):
            src = _source(image)
            if not src or _ICON_RE.search(src) or not _size_ok(image):
                continue
            return urljoin(url, src), _caption(image, normalise)
    og = first_meta(tree, "og:image", "twitter:image", "twitter:image:src")
    return (urljoin(url, og), None) if og else (None, None)


def count_images(roots: list[HtmlElement]) -> int:
    """Real (non-icon) images inside the content."""
    return sum(1 for root in roots for image in root.iter("img")
               if (src := _source(image)) and not _ICON_RE.search(src) and _size_ok(image))

