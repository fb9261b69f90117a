"""A site's CSS/XPath hints for title, body and published date, applied over the generic extractor.

A hint that selects something non-empty wins for its field; one that selects nothing is reported in
the evidence, so a site whose layout changed shows it in the archive instead of failing silently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from newsarchive.extract.clean import Segment
from newsarchive.extract.content import Content
from newsarchive.extract.dates import FoundDate, parse_date

# Per field, the kinds tried in order: CSS first, then XPath.
KINDS = ("css", "xpath")
Hints = Mapping[str, Mapping[str, str]]


@lru_cache(maxsize=256)
def compiled_selector(kind: str, selector: str) -> Callable[[Any], Any]:
    """A compiled selector (sites are validated on load; compiling once per process is enough)."""
    return CSSSelector(selector) if kind == "css" else etree.XPath(selector)


def _select(tree: HtmlElement, kind: str, selector: str) -> list[Any]:
    """What the selector finds: elements, or strings for an XPath to text(), @attributes or
    string(). """
    try:
        found = compiled_selector(kind, selector)(tree)
    except etree.XPathEvalError:
        return []  # e.g. an unknown function: reported like a selector that matches nothing
    if isinstance(found, list):
        return [item for item in found if item is not None]
    return [found] if isinstance(found, str) and found else []


def _text(item: Any) -> str:
    """An element's text (a <meta> or <time> has it in content/datetime), or the string itself."""
    if isinstance(item, etree._Element):
        return (
            (
                item.text_content().strip()
                if isinstance(item, HtmlElement)
                else "".join(item.itertext())
            )
            or item.get("datetime", "")
            or item.get("content", "")
        )
    return str(item).strip()


@dataclass
class HintMatch:
    """The hints of one page: what each field's winning hint selected, and which hints found
    nothing. """

    hints: Hints
    found: dict[str, tuple[str, list[Any]]] = field(default_factory=dict)
    unmatched: dict[str, str] = field(default_factory=dict)
    applied: dict[str, str] = field(default_factory=dict)

    def _elements(self, name: str) -> list[HtmlElement]:
        return [i for i in self.found.get(name, ("", []))[1] if isinstance(i, etree._Element)]

    def _miss(self, name: str, why: str) -> None:
        """The field's hint selected something unusable: the generic value stays, the miss is
        reported. """
        kind = self.found.pop(name)[0]
        self.unmatched[name] = f"{kind} {self.hints[kind][name]!r}: {why}"

    def title(self, title: str | None, headline: HtmlElement | None, normalise: Callable[[str], str]
              ) -> tuple[str | None, HtmlElement | None]:
        """The hinted title (and its element, the headline the byline follows), else the generic
        one. """
        if "title" not in self.found:
            return title, headline
        kind, items = self.found["title"]
        text = normalise(" ".join(t for t in map(_text, items) if t))
        if not text:
            self._miss("title", "selected only empty text")
            return title, headline
        self.applied["title"] = kind
        elements = self._elements("title")
        return text, elements[0] if elements else headline

    def content(self, segs: list[Segment]) -> Content | None:
        """The hinted body: the page's segments inside the selected elements (cleaned like any
        body). """
        if "body" not in self.found:
            return None
        roots = self._elements("body")
        # A root inside another selected root is already covered by it.
        roots = [r for r in roots if not any(a in roots for a in r.iterancestors())]
        inside = {node for root in roots for node in root.iter()}
        chosen = [
            seg
            for seg in segs
            if seg.owner in inside and any(t and t.strip() for t, _ in seg.pieces)
        ]
        if not chosen:
            self._miss("body", "selected no element with text")
            return None
        self.applied["body"] = self.found["body"][0]
        return Content(roots, 0.0, chosen)

    def published(self, generic: FoundDate | None, *, tz: str, now: datetime | None, url: str
                  ) -> FoundDate | None:
        """The hinted publication date, read by the page-date rules in the site's zone, else the
        generic one. """
        if "published" not in self.found:
            return generic
        kind, items = self.found["published"]
        for raw in filter(None, map(_text, items)):
            found = parse_date(raw, tz=tz, now=now, url=url)
            if found is not None:
                self.applied["published"] = kind
                return replace(found, rule=f"hint-{kind}")
        self._miss("published", "selected no readable date")
        return generic

    def evidence(self) -> dict[str, Any]:
        """Which fields came from a hint (css or xpath) and which hints matched nothing, and why."""
        return {"applied": dict(self.applied), "unmatched": dict(self.unmatched)}


def _candidates(hints: Hints) -> Iterator[tuple[str, str, str]]:
    for kind in KINDS:
        for name, selector in (hints.get(kind) or {}).items():
            yield name, kind, selector


def match_hints(tree: HtmlElement, hints: Hints | None) -> HintMatch:
    """Run the hints on the cleaned page: per field, the first hint (CSS, then XPath) that selects
    anything. """
    match = HintMatch(
        {kind: dict(selectors) for kind, selectors in (hints or {}).items() if selectors}
    )
    for name, kind, selector in _candidates(match.hints):
        if name in match.found:
            continue
        items = _select(tree, kind, selector)
        if items:
            match.found[name] = (kind, items)
            match.unmatched.pop(name, None)
        else:
            match.unmatched.setdefault(name, f"{kind} {selector!r}: selected nothing")
    return match
