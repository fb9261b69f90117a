"""Fuzzing under hypothesis: the extractor, the decoder, the feed parser and the site-file loader
on mutated real pages and random bytes, for a fixed budget (derandomized: the same cases on every
run). Each either returns or raises one of our named errors, and no page takes past the cap."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.crawl.sites import SiteConfigError, load_site, site_from_dict
from newsarchive.extract import extract
from newsarchive.extract.decode import decode_html
from newsarchive.extract.errors import NewsarchiveError
from newsarchive.extract.feeds import FeedError, parse_feed

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = [p.read_bytes() for p in sorted((FIXTURES / "extract").glob("*.html"))] + [
    p.read_bytes() for p in sorted((FIXTURES / "decode").glob("*.html"))]
FEEDS = [p.read_bytes() for p in sorted((FIXTURES / "feeds").iterdir()) if p.is_file()]
SITE = (Path(__file__).parents[1] / "sites" / "example-portal.toml").read_text(encoding="utf-8")
URL = "http://news.example.test/2024/0101/1.html"
# Seconds one page may take here: far below the crawl's 30 s extraction limit.
PAGE_CAP_S = 10.0
FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces a hostile page is made of: markup that opens and never closes, odd declarations.
NASTY = [b"<div>" * 300, b"<table><tr><td>" * 50, b"<!--", b"<![CDATA[", b"<script>",
         b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'<meta charset="x-nonsense">',
         b'<meta charset="utf-16">', b"<?xml version='1.0' encoding='ebcdic'?>", b"&#0;",
         b"&#x110000;", b"<p>" * 1000, b"</html>", b"<base href='javascript:x'>",
         b"<a href='http://[::1'>x</a>", "正文".encode("gbk"), "正文".encode("big5")]
CHARSETS = ["utf-8", "gbk", "big5", "latin-1", "utf-16", "x-nonsense", "", "utf-8;;", "shift_jis"]


@st.composite
def mutated(draw: st.DrawFn, originals: list[bytes]) -> bytes:
    """A real document with a few cuts, flips, insertions and repeats."""
    body = bytearray(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["cut", "flip", "insert", "nasty", "repeat", "truncate"]))
        if action == "cut":
            del body[at:at + draw(st.integers(1, 2000))]
        elif action == "flip" and at < len(body):
            body[at] = draw(st.integers(0, 255))
        elif action == "insert":
            body[at:at] = draw(st.binary(max_size=64))
        elif action == "nasty":
            body[at:at] = draw(st.sampled_from(NASTY))
        elif action == "repeat":
            body[at:at] = bytes(body[at:at + 200]) * draw(st.integers(2, 20))
        else:
            del body[at:]
    return bytes(body)


def headers() -> st.SearchStrategy[dict[str, list[str]]]:
    return st.sampled_from(CHARSETS).map(
        lambda c: {"Content-Type": [f"text/html; charset={c}" if c else "text/html"]})


def _timed(call: Any, *args: Any, **kwargs: Any) -> None:
    started = time.monotonic()
    try:
        call(*args, **kwargs)
    except (NewsarchiveError, FeedError):
        pass
    assert time.monotonic() - started < PAGE_CAP_S


@settings(FUZZ, max_examples=1500)
@given(body=mutated(PAGES), page_headers=headers())
def test_extract_on_mutated_real_pages(body: bytes, page_headers: dict[str, list[str]]) -> None:
    _timed(extract, body, URL, page_headers)


@settings(FUZZ, max_examples=800)
@given(body=st.binary(max_size=4096) | st.text(max_size=2000).map(str.encode),
       page_headers=headers())
def test_extract_and_decode_on_random_bytes(body: bytes,
                                           page_headers: dict[str, list[str]]) -> None:
    _timed(extract, body, URL, page_headers)
    _timed(decode_html, body, page_headers, url=URL)


@settings(FUZZ, max_examples=800)
@given(body=mutated(PAGES), page_headers=headers())
def test_decode_on_mutated_real_pages(body: bytes, page_headers: dict[str, list[str]]) -> None:
    _timed(decode_html, body, page_headers, url=URL)


@settings(FUZZ, max_examples=1500)
@given(body=mutated(FEEDS) | st.binary(max_size=2048), tz=st.sampled_from(
    ["UTC", "Asia/Shanghai", "Mars/Olympus", ""]))
def test_feed_parser_on_mutated_feeds_and_random_bytes(body: bytes, tz: str) -> None:
    _timed(parse_feed, body, URL, tz=tz)


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**12) | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["20MB", "1h", "https://news.example.cn/x/",
                                             "Asia/Shanghai", "//b", "h1[[", "(x"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["css", "xpath", "title", "body", "delay", "after", "x"]), children,
        max_size=3),
    max_leaves=12)
SITE_DATA = tomllib.loads(SITE)


@settings(FUZZ, max_examples=1200)
@given(changes=st.dictionaries(st.sampled_from([*SITE_DATA, "max_size", "extra"]), TOML_VALUES,
                               max_size=4))
def test_site_validation_on_changed_site_data(changes: dict[str, Any]) -> None:
    data = {key: value for key, value in {**SITE_DATA, **changes}.items() if value is not None}
    try:
        site_from_dict(data, "fuzz.toml")
    except SiteConfigError as exc:
        assert exc.path == "fuzz.toml" and exc.reason


@settings(FUZZ, max_examples=800)
@given(text=mutated([SITE.encode()]))
def test_site_loading_on_mutated_site_files(tmp_path_factory: pytest.TempPathFactory,
                                            text: bytes) -> None:
    path = tmp_path_factory.mktemp("site") / "fuzz.toml"
    path.write_bytes(text)
    try:
        load_site(path)
    except SiteConfigError as exc:
        assert exc.reason


def test_found_by_fuzzing_control_characters_in_a_dated_script() -> None:
    # lxml parses them, then refuses to set them back as the script's cut-down text.
    body = ("<html><head><title>Bridge</title><script>var ct = '\x01\x02'; d = '2024-05-06 10:00'"
            "</script></head><body><h1>Bridge to reopen</h1><div class='content'><p>The council "
            "met on Monday evening to discuss the new bridge over the river, closed since the "
            "spring floods damaged its eastern supports.</p></div></body></html>").encode()
    article = extract(body, URL, {})
    assert article.paragraphs[0].startswith("The council met on Monday evening")
