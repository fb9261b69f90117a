"""Tracking parameters leave a listed link before it is fetched: utm_*, fbclid, gclid, spm, ...,
and a site's own (`tracking_params` / NEWSARCHIVE_TRACKING_PARAMS); everything else stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.archive.urls import canonical_url, strip_tracking
from newsarchive.crawl.sites import SiteConfigError, load_site, site_settings


@pytest.mark.parametrize(("url", "stripped"), [
    ("https://a.example.cn/n/1.html?utm_source=weibo&utm_medium=share",
     "https://a.example.cn/n/1.html"),
    ("https://a.example.cn/n/1.html?id=7&fbclid=IwAR0&gclid=x", "https://a.example.cn/n/1.html?id=7"),
    ("https://a.example.cn/n/1.html?spm=a.b.c&page=2#top", "https://a.example.cn/n/1.html?page=2#top"),
    ("https://a.example.cn/n/1.html?UTM_Campaign=x&id=1", "https://a.example.cn/n/1.html?id=1"),
    # Nothing to drop: the URL is left exactly as listed (a GBK-escaped query keeps its bytes).
    ("https://a.example.cn/s?q=%D6%D0%CE%C4&id=1", "https://a.example.cn/s?q=%D6%D0%CE%C4&id=1"),
    ("https://a.example.cn/s?q=%D6%D0&spm=1", "https://a.example.cn/s?q=%D6%D0"),
    ("https://a.example.cn/n/1.html", "https://a.example.cn/n/1.html"),
])
def test_common_tracking_parameters_are_dropped(url: str, stripped: str) -> None:
    assert strip_tracking(url) == stripped
    # The archive's key agrees: stripping never changes which article a URL is.
    assert canonical_url(strip_tracking(url)) == canonical_url(url)


def test_a_sites_own_tracking_parameters_are_dropped_too() -> None:
    url = "https://a.example.cn/n/1.html?id=3&ref=home&From_App=1"
    assert strip_tracking(url) == "https://a.example.cn/n/1.html?id=3&ref=home&From_App=1"
    assert strip_tracking(url, ["ref", "from_app"]) == "https://a.example.cn/n/1.html?id=3"


def test_tracking_params_is_a_site_key(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('name = "s"\nsections = ["https://a.example.cn/news/"]\n'
                    'tracking_params = ["ref", "from_app"]\n', encoding="utf-8")
    assert site_settings(load_site(path))["NEWSARCHIVE_TRACKING_PARAMS"] == ["ref", "from_app"]
    path.write_text('name = "s"\nsections = ["https://a.example.cn/news/"]\n'
                    'tracking_params = ["ref=1"]\n', encoding="utf-8")
    with pytest.raises(SiteConfigError, match=r"tracking_params\[0\].*not a query parameter"):
        load_site(path)
