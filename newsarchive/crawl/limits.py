"""The response size cap: no page is read, or decompressed, past DOWNLOAD_MAXSIZE; a response
cut short by the server is kept as it came.

Scrapy's own cap drops an oversized response whole (its bytes lost, the failure a log line) and
decompresses a gzip bomb up to the same cap at once. Here the download stops at the cap and the
bytes up to it are kept; compressed bodies are decompressed incrementally, layer by layer, up to
the cap. A response cut either way carries the reason in its request's meta (CUT_META); the
spider records it as a `too_large` failure with the page's raw bytes archived.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Callable
from itertools import chain
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import StopDownload
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes

from newsarchive.crawl.items import CrawlError
from newsarchive.extract.errors import FailureKind

logger = logging.getLogger(__name__)

# Request meta: the cap this request is read to, the bytes read so far, and why it was cut.
MAXSIZE_META = "newsarchive_maxsize"
RECEIVED_META = "newsarchive_received"
CUT_META = "newsarchive_cut"
# Decompressed at a time, so a bomb never grows past the cap by more than this.
CHUNK = 64 * 1024


def _inflate(data: bytes, cap: int, wbits: int) -> tuple[bytes, bool]:
    """zlib/gzip data decompressed up to `cap` bytes (every gzip member), and whether it was cut.
    """
    out: list[bytes] = []
    size = 0
    decompressor = zlib.decompressobj(wbits)
    pending = data
    while pending:
        # Never more than the cap allows (+1 to tell a cut), so a bomb is copied once at most.
        chunk = decompressor.decompress(pending, min(CHUNK, cap + 1 - size) if cap else CHUNK)
        out.append(chunk)
        size += len(chunk)
        if cap and size > cap:
            out[-1] = chunk[:len(chunk) - (size - cap)]
            return b"".join(out), True
        if decompressor.eof:
            pending = decompressor.unused_data
            if not pending or wbits <= zlib.MAX_WBITS:  # only gzip has further members
                break
            decompressor = zlib.decompressobj(wbits)
            continue
        if not chunk and decompressor.unconsumed_tail == pending:
            break
        pending = decompressor.unconsumed_tail
    return b"".join(out), False


def _gunzip(data: bytes, cap: int) -> tuple[bytes, bool]:
    return _inflate(data, cap, 16 + zlib.MAX_WBITS)


def _deflate(data: bytes, cap: int) -> tuple[bytes, bool]:
    try:
        return _inflate(data, cap, zlib.MAX_WBITS)
    except zlib.error:  # raw deflate, as some servers send it
        return _inflate(data, cap, -zlib.MAX_WBITS)


def _unbrotli(data: bytes, cap: int) -> tuple[bytes, bool]:
    import brotli

    out = bytearray()
    decompressor = brotli.Decompressor()
    chunk = decompressor.process(data, output_buffer_limit=CHUNK)
    while chunk:
        out += chunk
        if cap and len(out) > cap:
            del out[cap:]
            return bytes(out), True
        if decompressor.is_finished():
            break
        chunk = decompressor.process(b"", output_buffer_limit=CHUNK)
    return bytes(out), False


def _unzstd(data: bytes, cap: int) -> tuple[bytes, bool]:
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found,no-redef]

    out = bytearray()
    decompressor = zstd.ZstdDecompressor()
    chunk = decompressor.decompress(data, CHUNK)
    while chunk:
        out += chunk
        if cap and len(out) > cap:
            del out[cap:]
            return bytes(out), True
        if decompressor.eof or decompressor.needs_input:
            break
        chunk = decompressor.decompress(b"", CHUNK)
    return bytes(out), False


DECODERS: dict[bytes, Callable[[bytes, int], tuple[bytes, bool]]] = {
    b"gzip": _gunzip, b"x-gzip": _gunzip, b"deflate": _deflate, b"br": _unbrotli,
    b"zstd": _unzstd,
}
ACCEPT_ENCODING = b"gzip, deflate, br, zstd"


def decompress(body: bytes, encodings: list[bytes], cap: int
               ) -> tuple[bytes, list[bytes], str | None]:
    """The body with its Content-Encoding layers undone (last applied first) up to `cap` bytes
    each; the layers left (unknown ones); and why it was cut (None: whole)."""
    layers = [e.strip().lower() for e in chain.from_iterable(v.split(b",") for v in encodings)]
    layers = [e for e in layers if e and e != b"identity"]
    while layers and layers[-1] in DECODERS:
        encoding = layers.pop()
        try:
            decoded, cut = DECODERS[encoding](body, cap)
        except Exception as exc:  # noqa: BLE001 - each codec raises its own error class
            raise CrawlError("", f"{encoding.decode()} body cannot be decompressed: {exc}",
                             FailureKind.DECODE) from exc
        body = decoded
        if cut:
            return body, layers, (f"over {cap:,} bytes once decompressed "
                                  f"({encoding.decode()}): kept the first {cap:,}")
    return body, layers, None


class SizeCapMiddleware:
    """Stops each download at its cap (DOWNLOAD_MAXSIZE, or the request's `download_maxsize`
    meta), keeping the bytes up to it, and decompresses bodies up to the same cap. Takes
    HttpCompressionMiddleware's place."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.maxsize = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        self.warnsize = crawler.settings.getint("DOWNLOAD_WARNSIZE")
        self.retry_enabled = crawler.settings.getbool("RETRY_ENABLED")
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SizeCapMiddleware:
        return cls(crawler)

    def cap(self, request: Request) -> int:
        """The bytes this request is read to (0: no cap)."""
        return int(request.meta.get(MAXSIZE_META, self.maxsize))

    def process_request(self, request: Request, spider: Any = None) -> None:
        meta = request.meta
        meta.setdefault(MAXSIZE_META, int(meta.get("download_maxsize", self.maxsize)))
        # Scrapy's handler would drop the response whole at its cap; this middleware cuts it.
        meta["download_maxsize"] = 0
        meta[RECEIVED_META] = 0
        meta.pop(CUT_META, None)  # a retried request starts again
        request.headers.setdefault("Accept-Encoding", ACCEPT_ENCODING)

    def bytes_received(self, data: bytes, request: Request, spider: Any = None) -> None:
        """Stop the download once it is past its cap (the response keeps what came)."""
        cap = int(request.meta.get(MAXSIZE_META, 0))
        received = request.meta[RECEIVED_META] = request.meta.get(RECEIVED_META, 0) + len(data)
        if cap and received > cap:
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response, spider: Any = None
                         ) -> Request | Response:
        cap = self.cap(request)
        body = response.body
        reason = None
        if "dataloss" in response.flags:
            # Retried like the transfer error it is; the last try is kept as it came.
            retry = self._retry(request)
            if retry is not None:
                return retry
            self._cut(request, f"response cut short by the server after {len(body):,} bytes",
                      FailureKind.NETWORK)
            return response
        if cap and (len(body) > cap or request.meta.get(RECEIVED_META, 0) > cap):
            body = body[:cap]
            reason = f"response over {cap:,} bytes: download stopped, kept the first {cap:,}"
        encodings = response.headers.getlist("Content-Encoding")
        if encodings and request.method != "HEAD":
            try:
                body, left, cut = decompress(body, encodings, cap)
            except CrawlError as exc:
                self._cut(request, exc.reason, FailureKind.DECODE)
                return response
            reason = reason or cut
            if left:
                response.headers["Content-Encoding"] = b", ".join(left)
            else:
                del response.headers["Content-Encoding"]
        if reason is not None:
            self._cut(request, reason, FailureKind.TOO_LARGE)
        elif self.warnsize and len(body) > self.warnsize:
            logger.warning("%s: %d bytes, over DOWNLOAD_WARNSIZE (%d)", response.url, len(body),
                           self.warnsize)
        if body is response.body:
            return response
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        kwargs: dict[str, Any] = {"body": body}
        if issubclass(cls, TextResponse):
            kwargs["encoding"] = None  # found again from the decoded body
        return response.replace(cls=cls, **kwargs)

    def _retry(self, request: Request) -> Request | None:
        spider = self.crawler.spider
        if spider is None or request.meta.get("dont_retry") or not self.retry_enabled:
            return None
        return get_retry_request(request, spider=spider, reason="response cut short")

    def _cut(self, request: Request, reason: str, kind: FailureKind) -> None:
        request.meta[CUT_META] = (str(kind), reason)
        self.crawler.stats.inc_value(f"newsarchive/cut/{kind}")
        logger.warning("%s: %s", request.url, reason)


def cut_error(response: Response) -> CrawlError | None:
    """The named failure of a response cut at its cap (or undecodable), if it was."""
    request = response.request
    cut = request.meta.get(CUT_META) if request is not None else None
    if cut is None:
        return None
    kind, reason = cut
    return CrawlError(response.url, reason, kind)
