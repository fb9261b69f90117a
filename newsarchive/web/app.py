"""The researchers' web interface and JSON API: a FastAPI (Starlette) app over newsarchive.query,
on an archive opened read-only.

Secure by default: every response carries a CSP that lets pages load nothing but this server's
own style sheet, and no script runs anywhere; with a token, every request must carry it
(``Authorization: Bearer TOKEN``, or ``?token=TOKEN`` once, which sets a cookie).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from newsarchive import __version__
from newsarchive.archive import Archive
from newsarchive.query import (
    ArticleNotFound,
    BadCursor,
    NewsarchiveError,
    QuerySyntaxError,
    SiteNotFound,
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
TOKEN_COOKIE = "newsarchive_token"
NOT_FOUND = (ArticleNotFound, SiteNotFound)
BAD_REQUEST = (QuerySyntaxError, BadCursor, ValueError)


class Guard:
    """Security headers on every response; with a token, 401 for a request without it."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    def _authorised(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, came as ?token=): the token in a header, a cookie or the query."""
        if self.token is None:
            return True, False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        given = headers.get("authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:], self.token):
            return True, False
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 - a malformed cookie header is no token
            cookie = SimpleCookie()
        if TOKEN_COOKIE in cookie and hmac.compare_digest(cookie[TOKEN_COOKIE].value,
                                                          self.token):
            return True, False
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        if "token" in query and hmac.compare_digest(query["token"], self.token):
            return True, True
        return False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = scope.get("query_string", b"").decode("latin-1") + scope.get("path", "")
        if "\x00" in unquote(raw):
            # No archived text holds NUL, and neither database takes it in a parameter.
            await JSONResponse({"detail": "a NUL character cannot be searched for"},
                               status_code=400)(scope, receive, self._headers(send))
            return
        allowed, by_query = self._authorised(scope)
        if not allowed:
            response = JSONResponse({"detail": "this archive needs a token: send "
                                     "'Authorization: Bearer TOKEN' or open a URL with "
                                     "?token=TOKEN once"}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, self._headers(send))
            return
        if by_query:
            # Take the token out of the address bar (and of the history) into a cookie.
            rest = [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode())
                    if k != "token"]
            target = scope["path"] + ("?" + urlencode(rest) if rest else "")
            moved = Response(status_code=303, headers={"Location": target})
            moved.set_cookie(TOKEN_COOKIE, self.token or "", httponly=True, samesite="strict")
            await moved(scope, receive, self._headers(send))
            return
        await self.app(scope, receive, self._headers(send))

    @staticmethod
    def _headers(send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"referrer-policy", b"no-referrer"),
                            (b"cross-origin-resource-policy", b"same-origin")]
                message["headers"] = headers
            await send(message)

        return sending


def _problem(request: Request, status: int, detail: str) -> Response:
    if request.url.path.startswith("/api/") or "html" not in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status)
    from newsarchive.web.pages import error_page

    return error_page(request, status, detail)


def create_app(db_url: str | None = None, *, token: str | None = None,
               archive: Archive | None = None) -> Any:
    """The ASGI app over the archive at `db_url` (opened read-only now: ArchiveUnavailable if
    it cannot be), or over an already open read-only `archive` (the caller closes it)."""
    from newsarchive.web import api, feeds, pages

    archive = archive or Archive(db_url, readonly=True)
    app = FastAPI(title="newsarchive", version=__version__,
                  description="The news archive's JSON API: search with facets and timelines, "
                  "articles with their revisions and provenance, deletions, sites and crawls. "
                  "Read-only; every list pages with a keyset cursor (`next`).",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.archive = archive
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(feeds.router)
    static = resources.files("newsarchive.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(NewsarchiveError)
    async def named_failure(request: Request, exc: NewsarchiveError) -> Response:
        status = 404 if isinstance(exc, NOT_FOUND) or exc.kind == "not_archived" else 400
        return _problem(request, status, str(exc))

    @app.exception_handler(ValueError)
    async def bad_value(request: Request, exc: ValueError) -> Response:
        return _problem(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": jsonable_errors(exc)}, status_code=422)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:])
        return _problem(request, 422, f"{where}: {first.get('msg', 'invalid')}")

    return Guard(app, token)


# How `newsarchive serve --workers N` hands each worker process its archive and token.
SERVE_DB_ENV = "NEWSARCHIVE_SERVE_DB"
SERVE_TOKEN_ENV = "NEWSARCHIVE_SERVE_TOKEN"


def app_from_environment() -> Any:
    """The app of one `serve --workers` process, over the archive the parent named."""
    import os

    return create_app(os.environ[SERVE_DB_ENV], token=os.environ.get(SERVE_TOKEN_ENV) or None)


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Validation errors as FastAPI's default 422 body gives them (JSON-safe)."""
    from fastapi.encoders import jsonable_encoder

    return list(jsonable_encoder(exc.errors()))
