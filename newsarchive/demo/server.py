"""A real HTTP server for the demo portal (http.server in a daemon thread), and its command line."""

from __future__ import annotations

import argparse
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

from newsarchive.demo.content import SECTIONS
from newsarchive.demo.site import Resource, build_site, not_found_page


class _Handler(BaseHTTPRequestHandler):
    """Serves the prebuilt pages; records every path asked for."""

    server: _PortalHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def _respond(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path) or "/"
        self.server.record(path)
        resource = self.server.site.get(path)
        if resource is None:
            resource = Resource(not_found_page(), "text/html; charset=utf-8", 404)
        self.send_response(resource.status)
        if resource.content_type is not None:
            self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(len(resource.body)))
        self.end_headers()
        if send_body:
            self.wfile.write(resource.body)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class _PortalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], verbose: bool, site: dict[str, Resource] | None
    ) -> None:
        super().__init__(address, _Handler)
        self.site = build_site() if site is None else site
        self.verbose = verbose
        self.requested: list[str] = []
        self._lock = threading.Lock()

    def record(self, path: str) -> None:
        with self._lock:
            self.requested.append(path)


class DemoServer:
    """The demo portal (or any other `site` of path -> Resource) on a real 127.0.0.1 port,
    served from a daemon thread."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        verbose: bool = False,
        site: dict[str, Resource] | None = None,
    ) -> None:
        self._httpd = _PortalHTTPServer((host, port), verbose, site)
        self._thread: threading.Thread | None = None
        bound_host, bound_port = self._httpd.server_address[:2]
        self.host = str(bound_host)
        self.port = int(bound_port)
        self.url = f"http://{self.host}:{self.port}"

    @property
    def requested(self) -> list[str]:
        """Every path requested so far, in order (a copy)."""
        with self._httpd._lock:
            return list(self._httpd.requested)

    def start(self) -> Self:
        """Start serving in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name=f"demo-portal-{self.port}", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        try:
            self._httpd.serve_forever(poll_interval=0.2)
        finally:
            self._httpd.server_close()

    def section_urls(self) -> list[str]:
        """The first list page of every section, absolute."""
        return [self.url + s.index_path for s in SECTIONS]

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Serve the demo portal in the foreground; the first line of stdout is its URL."""
    parser = argparse.ArgumentParser(
        prog="python -m newsarchive.demo.server", description=main.__doc__
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    server = DemoServer(args.host, args.port, verbose=args.verbose)
    print(server.url, flush=True)
    for url in server.section_urls():
        print(url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
