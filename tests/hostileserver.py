"""A hostile news portal on a real 127.0.0.1 port: every way a server can hurt a crawler (and a
page that takes seconds to extract), beside good articles that must still be archived.

Bodies that are huge are streamed as they are sent (the server never holds them); compressed bombs
are built once per process. Pages are served by path; robots.txt depends on the Host header, so
one server stands for two hosts (127.0.0.1 and localhost) with different robots.txt answers.
"""

from __future__ import annotations

import gzip
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

HTML = "text/html; charset=utf-8"
PARAGRAPH = "这是一段用来测试恶意服务器的新闻正文，内容足够长，包含标点符号，也描述了一件具体的事情。"
MB = 1024 * 1024


def article(title: str, paragraphs: int = 3) -> str:
    body = "".join(f"<p>{PARAGRAPH}{i}</p>" for i in range(paragraphs))
    return (f"<html><head><title>{title}_测试网</title></head><body>"
            f'<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a></div>'
            f'<h1>{title}</h1><div class="info">2024-05-06 10:20:30 来源：测试网</div>'
            f'<div class="content">{body}</div></body></html>')


def section(links: list[tuple[str, str]], extra: str = "") -> bytes:
    items = "".join(f'<li><a href="{path}">{title}</a><span>2024-05-{i % 28 + 1:02d}</span></li>'
                    for i, (path, title) in enumerate(links))
    return (f"<html><head><title>新闻_测试网</title></head><body><h1>新闻</h1>"
            f'<ul class="list">{items}</ul>{extra}</body></html>').encode()


@cache
def gzip_bomb() -> bytes:
    """1 GiB of zeros as 16 gzip members of 64 MiB each (about 1 MB sent)."""
    member = gzip.compress(bytes(64 * MB), compresslevel=9)
    return member * 16


@cache
def double_gzip_bomb() -> bytes:
    """The bomb gzipped again (Content-Encoding: gzip, gzip): a few kB sent."""
    return gzip.compress(gzip_bomb(), compresslevel=9)


@dataclass
class Reply:
    """One scripted answer: status, headers, and a body as bytes or chunks produced as sent."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", HTML),)
    body: bytes | Callable[[], Iterator[bytes]] = b""
    # Declared length: None for the real one; a lie for truncation; -1 for none (read to close).
    length: int | None = None
    stall: float = 0.0  # seconds of silence after the headers


def _huge(total: int) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        yield article("一篇巨大的新闻页面标题足够长").encode()[:-len("</body></html>")]
        line = f"<p>{PARAGRAPH}</p>\n".encode()
        block = line * (MB // len(line))
        for _ in range(total // len(block)):
            yield block
    return chunks


def _slow() -> bytes:
    """A page of 60,000 short paragraphs: seconds of extraction, well past a 1 s limit."""
    return (f"<html><head><title>{HOSTILE_SLOW}</title></head><body><h1>{HOSTILE_SLOW}</h1>"
            "<div class='content'>" + "".join(f"<p>这是很慢的段落，编号{i}。</p>"
                                              for i in range(60_000))
            + "</div></body></html>").encode()


def _deep() -> bytes:
    return (article("一篇嵌套很深的新闻页面标题").replace(
        '<div class="content">', '<div class="content">' + "<div>" * 100_000)
        + "</div>" * 100_000).encode()


HOSTILE_SLOW = "一篇提取很慢的新闻页面标题"
GOOD = {
    "/news/good1.html": "第一篇正常的新闻报道标题足够长",
    "/news/good2.html": "第二篇正常的新闻报道标题足够长",
    "/news/liar.html": "一篇字符集声明错误的新闻报道",
    "/news/unknown-charset.html": "一篇字符集未知的新闻报道标题",
    "/news/later.html": "一篇先被限流后来成功的新闻报道",
}
HOSTILE = {
    "/news/e500.html": "一篇总是服务器错误的新闻报道",
    "/news/e503.html": "一篇总是暂停服务的新闻报道标题",
    "/news/stall.html": "一篇服务器卡住不动的新闻报道",
    "/news/truncated.html": "一篇传输被截断的新闻报道标题",
    "/news/huge.html": "一篇巨大的新闻页面标题足够长",
    "/news/bomb.html": "一篇压缩炸弹的新闻页面标题",
    "/news/bomb2.html": "一篇双重压缩炸弹的新闻页面",
    "/news/binary.html": "一篇内容是二进制的新闻报道",
    "/news/empty.html": "一篇空白页面的新闻报道标题",
    "/news/deep.html": "一篇嵌套很深的新闻页面标题",
    "/news/slow.html": "一篇提取很慢的新闻页面标题",
}
# Host B (localhost): a second section behind a garbage robots.txt.
GOOD_B = {"/b/good3.html": "第三篇正常的新闻报道标题足够长",
          "/b/good4.html": "第四篇正常的新闻报道标题足够长",
          "/b/good5.html": "第五篇正常的新闻报道标题足够长"}
# Links that are no page to fetch: other schemes, and a URL longer than any server takes.
ODD_LINKS = ('<a href="javascript:void(0)">一个脚本链接的标题足够长</a>'
             '<a href="mailto:editor@example.test">给编辑写信的链接标题</a>'
             '<a href="ftp://127.0.0.1/file.txt">一个文件传输链接的标题</a>'
             '<a href="data:text/html,hello">一个数据链接的标题足够长</a>')
LONG_PATH = "/news/" + "x" * 5000 + ".html"


def replies() -> dict[str, Reply]:
    """Every path of the portal and its answer (scripted ones are in HostileServer.respond)."""
    links = list({**GOOD, **HOSTILE}.items()) + [(LONG_PATH, "一个长得离谱的链接的新闻标题")]
    binary = random.Random(15).randbytes(64 * 1024)
    return {
        "/news/": Reply(body=section(links, ODD_LINKS)),
        "/b/": Reply(body=section(list(GOOD_B.items()))),
        **{path: Reply(body=article(title).encode()) for path, title in
           [*GOOD.items(), *GOOD_B.items()] if path not in ("/news/liar.html",
                                                            "/news/unknown-charset.html")},
        # Says UTF-8, is GBK; says a charset nobody knows, is UTF-8.
        "/news/liar.html": Reply(body=article(GOOD["/news/liar.html"]).encode("gbk")),
        "/news/unknown-charset.html": Reply(
            headers=(("Content-Type", "text/html; charset=x-no-such-charset"),),
            body=article(GOOD["/news/unknown-charset.html"]).encode()),
        "/news/e500.html": Reply(status=500, body=b"<html><body>Internal error</body></html>"),
        "/news/e503.html": Reply(status=503, headers=(("Content-Type", HTML),
                                                      ("Retry-After", "1")),
                                 body=b"<html><body>Come back later</body></html>"),
        "/news/stall.html": Reply(body=article("x").encode(), stall=30.0),
        "/news/truncated.html": Reply(body=article(HOSTILE["/news/truncated.html"], 60).encode(),
                                      length=100_000),
        "/news/huge.html": Reply(body=_huge(200 * MB), length=-1),
        "/news/bomb.html": Reply(headers=(("Content-Type", HTML), ("Content-Encoding", "gzip")),
                                 body=gzip_bomb()),
        "/news/bomb2.html": Reply(headers=(("Content-Type", HTML),
                                           ("Content-Encoding", "gzip, gzip")),
                                  body=double_gzip_bomb()),
        "/news/binary.html": Reply(body=binary),
        "/news/empty.html": Reply(body=b""),
        "/news/deep.html": Reply(body=_deep()),
        "/news/slow.html": Reply(body=_slow()),
    }


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        reply = self.server.portal.respond(host, urlsplit(self.path).path or "/")
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        body = reply.body if isinstance(reply.body, bytes) else None
        if reply.length != -1:
            self.send_header("Content-Length", str(reply.length or len(body or b"")))
        if reply.length is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        try:
            self.wfile.flush()
            if reply.stall:
                time.sleep(reply.stall)
            if body is not None:
                self.wfile.write(body if reply.length is None else body[:reply.length // 3])
            else:
                for chunk in reply.body():  # type: ignore[operator]
                    self.wfile.write(chunk)
        except OSError:  # the crawler hung up (it stopped reading at its cap)
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    portal: HostileServer


class HostileServer:
    """Serve the hostile portal on 127.0.0.1 (also reachable as localhost)."""

    def __init__(self) -> None:
        self.replies = replies()
        self.hits: list[tuple[str, str]] = []
        self._later = 0
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.portal = self
        self.port = self._httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.url_b = f"http://localhost:{self.port}"

    def respond(self, host: str, path: str) -> Reply:
        with self._lock:
            self.hits.append((host, path))
            if path == "/robots.txt":
                if host == "localhost":  # garbage
                    return Reply(headers=(("Content-Type", "text/plain"),),
                                 body=random.Random(7).randbytes(4096) + b"\nDisallow /\x00")
                return Reply(status=404, body=b"<html><body>Not found</body></html>")
            if path == "/news/later.html" and self._later < 1:
                self._later += 1  # too many requests, once: come back in a second
                return Reply(status=429, headers=(("Content-Type", HTML), ("Retry-After", "1")),
                             body=b"<html><body>Slow down</body></html>")
            return self.replies.get(path, Reply(status=404, body=b"<html><body>404</body></html>"))

    def __enter__(self) -> Self:
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

