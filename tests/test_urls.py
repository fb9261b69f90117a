"""Canonical URLs and site hosts: the archive's identity keys."""

from __future__ import annotations

import pytest

from newsarchive.archive.urls import canonical_url, is_tracking_param, site_host


@pytest.mark.parametrize(("url", "expected"), [
    ("https://news.example.cn/a/1.html?utm_source=weibo&utm_medium=social",
     "https://news.example.cn/a/1.html"),
    ("https://news.example.cn/a/1.html?from=timeline&isappinstalled=0",
     "https://news.example.cn/a/1.html"),
    ("https://news.example.cn/a/1.html?spm=a2c4e.11153940.0.0&id=7",
     "https://news.example.cn/a/1.html?id=7"),
    ("https://news.example.cn/show?id=7&UTM_Campaign=x&page=2",
     "https://news.example.cn/show?id=7&page=2"),
    ("https://news.example.cn/a/1.html#comments", "https://news.example.cn/a/1.html"),
    ("https://news.example.cn/show?page=2&id=7#top", "https://news.example.cn/show?id=7&page=2"),
])
def test_tracking_params_and_fragment_removed(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_scheme_and_www_unified() -> None:
    forms = [
        "http://www.example.cn/a/1.html", "https://www.example.cn/a/1.html",
        "http://example.cn/a/1.html", "https://EXAMPLE.cn:443/a/1.html",
        "http://www.example.cn:80/a/1.html?utm_source=x#p2",
    ]
    assert {canonical_url(u) for u in forms} == {"https://example.cn/a/1.html"}


def test_same_site_hint_is_used() -> None:
    url = "http://www.example.cn/m/20200109/1.html?from=groupmessage"
    assert canonical_url(url, "https://example.cn/2020-01/09/c_1.htm") == (
        "https://example.cn/2020-01/09/c_1.htm")
    # A relative og:url resolves against the page URL.
    assert canonical_url(url, "/2020-01/09/c_1.htm?utm_term=x") == (
        "https://example.cn/2020-01/09/c_1.htm")


@pytest.mark.parametrize("hint", [
    "https://other-portal.cn/2020/1.html",   # a syndicating portal's canonical
    "https://m.example.cn/a/1.html",         # another host of the same portal is not this site
    "javascript:void(0)",
    "   ",
])
def test_off_site_or_bad_hint_ignored(hint: str) -> None:
    url = "https://www.example.cn/a/1.html?utm_source=rss"
    assert canonical_url(url, hint) == "https://example.cn/a/1.html"


def test_query_bytes_in_other_encodings_kept_exactly() -> None:
    # GBK percent-escapes must not be decoded as UTF-8 and collapse into U+FFFD.
    assert canonical_url("http://example.cn/s?kw=%D6%D0%CE%C4&utm_medium=x") == (
        "https://example.cn/s?kw=%D6%D0%CE%C4")
    assert canonical_url("http://example.cn/s?kw=%D6%D0") != canonical_url(
        "http://example.cn/s?kw=%B9%FA")


def test_unicode_path_percent_encoded() -> None:
    assert canonical_url("http://example.cn/新闻/1.html") == (
        "https://example.cn/%E6%96%B0%E9%97%BB/1.html")


def test_non_web_url_only_loses_fragment() -> None:
    assert canonical_url("file:///tmp/page.html#x") == "file:///tmp/page.html"


@pytest.mark.parametrize(("url", "host"), [
    ("https://WWW.Example.CN/a", "example.cn"),
    ("http://news.example.cn:80/a", "news.example.cn"),
    ("https://news.example.cn:443/a", "news.example.cn"),
    ("http://127.0.0.1:8123/a", "127.0.0.1:8123"),
    ("http://[::1]:8080/", "[::1]:8080"),
    ("file:///tmp/a.html", ""),
    ("http://example.cn:notaport/", ""),
])
def test_site_host(url: str, host: str) -> None:
    assert site_host(url) == host


def test_tracking_param_names() -> None:
    assert is_tracking_param("utm_content")
    assert is_tracking_param("SPM")
    assert not is_tracking_param("id")
    assert not is_tracking_param("page")
