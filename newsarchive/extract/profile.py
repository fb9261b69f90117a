"""Per-site learning: text blocks that repeat across many pages of one host are that site's chrome.

A SiteProfile is learnt from a host's earlier pages (their bytes, or the block fingerprints kept of
them) and handed to extract(..., profile=...): the content search then never picks a block of the
site's chrome (a neighbouring list, a standing box), and the body drops such lines (an "about the
company" box, a newsletter sign-up, a standing disclaimer). It is a pure value: picklable, and
JSON-ready through to_dict/from_dict, so a crawl can keep it per site and a worker process can get
it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from newsarchive.extract.clean import Segment, clean_tree, parse, segments
from newsarchive.extract.decode import decode_html
from newsarchive.extract.text import clean_text

# A line this short says too little to be told apart from the article's own ('Photo', '1').
MIN_CHARS = 6
# A block is chrome when it appears on at least this share of the host's pages...
MIN_SHARE = 0.5
# ...and on at least this many of them.
MIN_PAGES = 2
_DIGITS_RE = re.compile(r"\d(?:[\d,.]*\d)?")
_VERSION = 1


def fingerprint(text: str) -> str | None:
    """The fingerprint of one text line: cleaned, spaces dropped, digit runs folded (a view count
    or a date in a standing line changes from page to page); None for a line too short to tell."""
    core = "".join(clean_text(text).split()).lower()
    if len(core) < MIN_CHARS:
        return None
    core = _DIGITS_RE.sub("0", core)
    return hashlib.blake2b(core.encode("utf-8"), digest_size=8).hexdigest()


def segment_fingerprints(segs: Iterable[Segment]) -> frozenset[str]:
    """The fingerprints of the lines of a page's segments."""
    out: set[str] = set()
    for seg in segs:
        for raw, _, _ in seg.lines():
            mark = fingerprint(raw)
            if mark is not None:
                out.add(mark)
    return frozenset(out)


def page_fingerprints(
    body: bytes, url: str, headers: Mapping[str, Any] | None = None
) -> frozenset[str]:
    """The block fingerprints of one page given as bytes (what a crawl may keep per page)."""
    tree = clean_tree(parse(decode_html(body, headers or {}, url=url).text, url))
    return segment_fingerprints(segments(tree))


@dataclass(frozen=True)
class SiteProfile:
    """What a host's pages share: the fingerprints of the blocks repeated across them."""

    host: str
    pages: int
    chrome: frozenset[str] = field(default_factory=frozenset)

    def is_chrome(self, text: str) -> bool:
        """Whether a text line is one of the site's standing blocks."""
        mark = fingerprint(text)
        return mark is not None and mark in self.chrome

    def is_chrome_segment(self, seg: Segment) -> bool:
        """Whether every line of a segment with text is one of the site's standing blocks."""
        marks = [fingerprint(raw) for raw, _, _ in seg.lines()]
        marks = [mark for mark in marks if mark is not None]
        return bool(marks) and all(mark in self.chrome for mark in marks)

    @classmethod
    def learn(cls, host: str, pages: Iterable[frozenset[str]], *, min_share: float = MIN_SHARE,
              min_pages: int = MIN_PAGES) -> SiteProfile:
        """A profile from the fingerprint sets of a host's pages (see page_fingerprints)."""
        counts: Counter[str] = Counter()
        total = 0
        for marks in pages:
            counts.update(marks)
            total += 1
        need = max(min_pages, min_share * total)
        chrome = frozenset(mark for mark, seen in counts.items() if seen >= need)
        return cls(host=host, pages=total, chrome=chrome if total >= min_pages else frozenset())

    @classmethod
    def from_pages(cls, host: str, pages: Iterable[tuple[bytes, str]], *,
                   min_share: float = MIN_SHARE, min_pages: int = MIN_PAGES) -> SiteProfile:
        """A profile from a host's earlier pages as (bytes, url) pairs; pages that do not parse
        are left out."""
        from newsarchive.extract.errors import ExtractionError

        marks = []
        for body, url in pages:
            try:
                marks.append(page_fingerprints(body, url))
            except ExtractionError:
                continue
        return cls.learn(host, marks, min_share=min_share, min_pages=min_pages)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (sorted, so equal profiles serialise equally)."""
        return {"version": _VERSION, "host": self.host, "pages": self.pages,
                "chrome": sorted(self.chrome)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SiteProfile:
        """The profile to_dict wrote; ValueError for another version or a malformed mapping."""
        if data.get("version") != _VERSION:
            raise ValueError(f"site profile version {data.get('version')!r} is not {_VERSION}")
        try:
            return cls(host=str(data["host"]), pages=int(data["pages"]),
                       chrome=frozenset(str(mark) for mark in data["chrome"]))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed site profile: {exc}") from exc
