"""Decoded HTML to a parsed, cleaned tree, and the page as text segments in reading order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import cast

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.errors import EmptyPage
from newsarchive.extract.limits import check_parse
from newsarchive.extract.vocab import SCRIPT_AUTHOR_KEYS

# Elements whose content is never text a reader sees.
DROP_TAGS = frozenset({
    "style", "noscript", "template", "select", "option", "textarea", "button", "input", "iframe",
    "object", "embed", "svg", "canvas", "map", "audio", "video", "link", "meta",
})
# Inline elements: their text belongs to the enclosing block.
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i", "img",
    "ins", "kbd", "label", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "time", "tt", "u", "var", "wbr", "acronym", "o:p",
})
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKUP_RE = re.compile(
    r"<\s*(?:!doctype|html|head|body|title|meta|div|p|table|h[1-6]|article|span|a)\b", re.IGNORECASE
)
# lxml.html's parser picks each element's class in Python (form, input... classes); every element
# here is a
# plain HtmlElement, so a C-level lookup does the same for a fraction of the cost.
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
# A sentinel piece that stands for <br>: a line break inside one block.
BREAK = None


def strip_xml_declaration(text: str) -> str:
    """A decoded page without its byte-order mark and XML declaration: lxml refuses str input that
    still carries an encoding declaration."""
    return _XML_DECL_RE.sub("", text.lstrip("\ufeff"))


def parse(text: str, url: str) -> HtmlElement:
    """The decoded page parsed by lxml; EmptyPage when there is no HTML document in it."""
    text = strip_xml_declaration(text)
    if not _MARKUP_RE.search(text[:65536]):
        raise EmptyPage(url, "no HTML markup in the page")
    try:
        tree = cast(HtmlElement, lxml.html.document_fromstring(text, parser=_PARSER))
    except (etree.ParserError, ValueError) as exc:
        raise EmptyPage(url, f"no HTML document in the page ({exc})") from exc
    check_parse(_PARSER, url)
    if tree.find("body") is None and not tree.text_content().strip():
        raise EmptyPage(url, "the HTML document is empty")
    return tree


# Dialogs a reader opens or dismisses (a cookie-consent centre, an editor's help, a login box):
# not the page's text, however much prose they hold (WAI-ARIA's dialog roles, <dialog>).
_DIALOG_ROLES = frozenset({"dialog", "alertdialog"})


def is_hidden(element: HtmlElement) -> bool:
    """Whether the element is hidden by its own attributes, or is a dialog over the page."""
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    if (
        element.tag == "dialog"
        or element.get("aria-modal") == "true"
        or (element.get("role") or "").strip().lower() in _DIALOG_ROLES
    ):
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE_RE.search(style))



# The only script text the field rules read: a date written as data ('2005-03-21', '2005年3月21日'),
# and a WeChat-style variable holding a Unix time, a server time or the account's name. Two
# patterns, each with a literal start, scan kilobytes of script far faster than one alternation.
_SCRIPT_DATE_RE = re.compile(r"(?:19|20)\d\d[-/年.]\d{1,2}[-/月.]\d")
_SCRIPT_VAR_RE = re.compile(
    r"var\s+(?:ct|create_time|createTime|svr_time|server_time|serverTime|"
    rf"{'|'.join(SCRIPT_AUTHOR_KEYS)})\s*="
)
# How much script text around such a date is kept: room for a quoted key before it and the value
# after.
_SCRIPT_BEFORE, _SCRIPT_AFTER = 48, 40
# Walks by tag in Python here beat the equivalent XPath queries (attribute tests in libxml2's XPath
# are slow).


def _scripts(tree: HtmlElement) -> list[HtmlElement]:
    """Every <script> but JSON-LD."""
    return [
        script
        for script in tree.iter("script")
        if (script.get("type") or "").lower() != "application/ld+json"
    ]


def _hidden_inputs(tree: HtmlElement) -> list[HtmlElement]:
    """Every <input type="hidden" value>."""
    return [element for element in tree.iter("input")
            if (element.get("type") or "").lower() == "hidden" and element.get("value") is not None]


_HIDING_ATTRIBUTES = frozenset({"style", "hidden", "aria-hidden", "aria-modal", "role"})


def _maybe_hidden(tree: HtmlElement) -> list[HtmlElement]:
    """The elements under <body> with a hidden, aria-hidden, aria-modal, role or style attribute,
    and every <dialog>: the only ones is_hidden can flag.
    """
    body = tree.find("body")
    if body is None:
        return []
    return [
        element
        for element in body.iterdescendants()
        if element.tag == "dialog" or not _HIDING_ATTRIBUTES.isdisjoint(element.keys())
    ]


def clean_tree(tree: HtmlElement) -> HtmlElement:
    """Drop comments, processing instructions and invisible elements; scripts and hidden inputs go
    to <head>.

    Scripts and hidden inputs hold page data (dates, ids) but no visible text, so they are kept out
    of the body, where the text and content scoring look, yet stay in the tree for the date rules.
    """
    scripts = _scripts(tree)
    data = [script for script in scripts if _keep_script_dates(script)]
    data += _hidden_inputs(tree)
    for element in scripts + data:
        drop_keeping_tail(element)
    for element in _maybe_hidden(tree):
        if is_hidden(element):
            drop_keeping_tail(element)
    etree.strip_elements(
        tree,
        etree.Comment,
        etree.ProcessingInstruction,
        *(tag for tag in DROP_TAGS if tag not in ("meta", "link")),
        with_tail=False,
    )
    if data:
        head = tree.find("head")
        if head is None:
            head = cast(HtmlElement, tree.makeelement("head", {}))
            tree.insert(0, head)
        for element in data:
            element.tail = None
            head.append(element)
    return tree


def drop_keeping_tail(element: HtmlElement) -> None:
    """Take an element out of the tree, its tail text kept where it stood (lxml's drop_tree),
    without the control characters lxml parsed but refuses to set again."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = _CONTROL_RE.sub("", (parent.text or "") + element.tail)
        else:
            previous.tail = _CONTROL_RE.sub("", (previous.tail or "") + element.tail)
    parent.remove(element)


def _keep_script_dates(script: HtmlElement) -> bool:
    """Cut a script's text down to the stretches around date values (`key: "2005-03-21 ..."`), in
    order; False when it has none, so the date rules never scan kilobytes of code for nothing."""
    text = script.text
    if not text:
        return False
    spans: list[list[int]] = []
    found = sorted(
        [m.span() for m in _SCRIPT_DATE_RE.finditer(text)]
        + ([m.span() for m in _SCRIPT_VAR_RE.finditer(text)] if "var " in text else [])
    )
    for match_start, match_end in found:
        start, end = max(0, match_start - _SCRIPT_BEFORE), match_end + _SCRIPT_AFTER
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    if not spans:
        return False
    # lxml refuses to set text holding control characters (which it parsed): they go.
    script.text = _CONTROL_RE.sub("", "\n".join(text[start:end] for start, end in spans))
    return True


@dataclass
class Segment:
    """A run of text owned by one block element, with which pieces sit inside links."""

    owner: HtmlElement
    index: int
    pieces: list[tuple[str | None, bool]] = field(default_factory=list)
    _lines: list[tuple[str, int, int]] | None = None

    def lines(self) -> list[tuple[str, int, int]]:
        """The segment split at <br>: (raw text, characters in links, all characters) per line."""
        if self._lines is None:
            self._lines = self._split()
        return self._lines

    def _split(self) -> list[tuple[str, int, int]]:
        """Split the pieces at <br> markers, counting non-space characters."""
        out: list[tuple[str, int, int]] = []
        buf: list[str] = []
        linked = total = 0
        for text, in_link in self.pieces:
            if text is BREAK:
                if buf:
                    out.append(("".join(buf), linked, total))
                buf, linked, total = [], 0, 0
                continue
            buf.append(text)
            size = (
                len(text)
                - text.count(" ")
                - text.count("\n")
                - text.count("\t")
                - text.count("\u3000")
            )
            total += size
            if in_link:
                linked += size
        if buf:
            out.append(("".join(buf), linked, total))
        return out


def segments(root: HtmlElement) -> list[Segment]:
    """The text under `root` as segments in reading order; a nested block starts a new segment."""
    out: list[Segment] = []
    current: Segment | None = None

    def add(owner: HtmlElement, text: str | None, in_link: bool) -> None:
        nonlocal current
        if text is not BREAK and not text.strip():
            if current is not None and current.owner is owner and text:
                current.pieces.append((" ", in_link))
            return
        if current is None or current.owner is not owner:
            if text is BREAK:
                return
            current = Segment(owner, len(out))
            out.append(current)
        current.pieces.append((text, in_link))

    # The owner (block element) and link state of each open element, innermost last.
    owners: list[HtmlElement] = []
    links: list[bool] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if not isinstance(tag, str) or tag in ("script", "head", "title"):
                walker.skip_subtree()  # its "end" still comes, and adds the tail
                owners.append(owners[-1] if owners else element)
                links.append(links[-1] if links else False)
                continue
            parent_owner = owners[-1] if owners else None
            in_link = links[-1] if links else False
            if tag == "br" and parent_owner is not None:
                add(parent_owner, BREAK, False)
            owner = parent_owner if (parent_owner is not None and tag in INLINE_TAGS) else element
            link = in_link or tag == "a"
            owners.append(owner)
            links.append(link)
            if element.text:
                add(owner, element.text, link)
        else:
            owners.pop()
            links.pop()
            if owners and element.tail:
                add(owners[-1], element.tail, links[-1])
    return out


def squash(text: str) -> str:
    """Whitespace runs collapsed to one space, trimmed."""
    return " ".join(text.split())
