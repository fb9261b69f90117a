"""Route the demo portal's requests to the local demo server, used as an HTTP proxy."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.demo import DEMO_ORIGIN


class DemoProxyMiddleware:
    """Sends requests for DEMO_ORIGIN's host through NEWSARCHIVE_DEMO_PROXY (the local server)."""

    def __init__(self, proxy: str) -> None:
        self.proxy = proxy
        self.host = urlsplit(DEMO_ORIGIN).hostname

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DemoProxyMiddleware:
        proxy = crawler.settings.get("NEWSARCHIVE_DEMO_PROXY")
        if not proxy:
            raise NotConfigured("NEWSARCHIVE_DEMO_PROXY is not set")
        return cls(proxy)

    def process_request(self, request: Request) -> None:
        if urlsplit(request.url).hostname == self.host:
            request.meta.setdefault("proxy", self.proxy)
