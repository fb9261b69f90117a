"""Per-portal crawl configuration: sites/*.toml validated into typed objects."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_SITES_DIR = Path("sites")
# Re-check an archived article this long after it was first seen (edits and deletions).
DEFAULT_REVISIT = ("1h", "1d", "7d", "30d")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b|b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HINT_FIELDS = ("title", "body", "published")


class SiteConfigError(ValueError):
    """A site file that cannot be used: which file, which key, why."""

    def __init__(self, path: str, key: str | None, reason: str) -> None:
        self.path = path
        self.key = key
        self.reason = reason
        where = f"{path}: {key}" if key else path
        super().__init__(f"{where}: {reason}")


def parse_duration(value: str | float) -> timedelta:
    """'30m', '1h', '7d', '2w' or a number of seconds -> timedelta."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=float(value))
    match = _DURATION_RE.match(str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a duration such as 30m, 1h, 7d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def parse_size(value: str | int) -> int:
    """'20MB', '512KB', '1.5GB' (binary units; KiB, MiB, GiB too) or a number of bytes -> bytes."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{value!r} is not a size: it is negative")
        return value
    match = _SIZE_RE.match(str(value))
    if match is None:
        raise ValueError(f"{value!r} is not a size such as 20MB, 512KB or 1GB")
    unit = (match.group(2) or "b").lower().replace("i", "")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def duration_text(duration: timedelta) -> str:
    """A duration as parse_duration reads it back: '30m', '1h', '7d', else seconds ('90s')."""
    seconds = duration.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass(frozen=True)
class Hints:
    """Optional CSS or XPath selectors that override generic extraction for a field."""

    css: dict[str, str] = field(default_factory=dict)
    xpath: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, dict[str, str]]:
        """Plain picklable data, as `newsarchive.extract.extract(hints=...)` takes it."""
        return {"css": dict(self.css), "xpath": dict(self.xpath)}


@dataclass(frozen=True)
class Politeness:
    """How hard to press the site: seconds between requests and requests at a time."""

    delay: float = 0.25
    concurrency: int = 2


@dataclass(frozen=True)
class Revisit:
    """When archived articles are re-checked, and how far back a run pages through a section."""

    after: tuple[timedelta, ...] = tuple(parse_duration(d) for d in DEFAULT_REVISIT)
    # Stop paging back once this many list pages in a row held only known articles.
    known_list_pages: int = 1


@dataclass(frozen=True)
class SiteConfig:
    """One portal: where its sections are and how to crawl them."""

    name: str
    sections: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    timezone: str | None = None
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    # Also start from the `Sitemap:` lines of the sections' robots.txt.
    sitemaps_from_robots: bool = False
    article_url_pattern: str | None = None
    hints: Hints = Hints()
    politeness: Politeness = Politeness()
    revisit: Revisit = Revisit()
    # Bytes a response is read and decompressed to at most (None: DOWNLOAD_MAXSIZE's default).
    max_size: int | None = None
    path: str | None = None
    # The site's own tracking query parameters, dropped from listed links (besides utm_* etc.).
    tracking_params: tuple[str, ...] = ()


def _get(data: dict[str, Any], key: str, kind: type | tuple[type, ...], path: str,
         prefix: str = "", required: bool = False) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise SiteConfigError(path, prefix + key, "is required")
        return None
    if not isinstance(value, kind) or isinstance(value, bool) and bool not in (
            kind if isinstance(kind, tuple) else (kind,)):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise SiteConfigError(path, prefix + key, f"must be {names}, not {type(value).__name__}")
    return value


def _urls(data: dict[str, Any], key: str, path: str, required: bool = False) -> tuple[str, ...]:
    values = _get(data, key, list, path, required=required) or []
    if required and not values:
        raise SiteConfigError(path, key, "needs at least one URL")
    for i, url in enumerate(values):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise SiteConfigError(path, f"{key}[{i}]", f"{url!r} is not an http(s) URL")
    return tuple(values)


def site_from_dict(data: dict[str, Any], path: str = "<config>") -> SiteConfig:
    """Validate one site's TOML data; SiteConfigError names the key at fault."""
    known = {
        "name",
        "sections",
        "allowed_hosts",
        "timezone",
        "sitemaps",
        "feeds",
        "sitemaps_from_robots",
        "article_url_pattern",
        "hints",
        "politeness",
        "revisit",
        "tracking_params",
        "max_size",
    }
    for key in data:
        if key not in known:
            raise SiteConfigError(path, key, f"unknown key (known: {', '.join(sorted(known))})")
    name = _get(data, "name", str, path, required=True)
    if not _NAME_RE.match(name):
        raise SiteConfigError(path, "name", f"{name!r}: use lower-case letters, digits, - _ .")
    sections = _urls(data, "sections", path, required=True)
    hosts = _get(data, "allowed_hosts", list, path)
    if hosts is None:
        hosts = sorted({urlsplit(u).hostname or "" for u in sections})
    for i, host in enumerate(hosts):
        if not isinstance(host, str) or not host or "/" in host:
            raise SiteConfigError(path, f"allowed_hosts[{i}]", f"{host!r} is not a host name")
    sitemaps, feeds = _urls(data, "sitemaps", path), _urls(data, "feeds", path)
    # A start URL off the allowed hosts would be dropped by the crawl's offsite filter: say so now.
    for key, urls in (("sections", sections), ("sitemaps", sitemaps), ("feeds", feeds)):
        for i, url in enumerate(urls):
            host = urlsplit(url).hostname or ""
            if not any(host == h or host.endswith("." + h) for h in hosts):
                raise SiteConfigError(path, f"{key}[{i}]", f"{host} is not in allowed_hosts")
    timezone = _get(data, "timezone", str, path)
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SiteConfigError(path, "timezone", f"{timezone!r} is not an IANA zone") from exc
    pattern = _get(data, "article_url_pattern", str, path)
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise SiteConfigError(
                path, "article_url_pattern", f"bad regular expression: {exc}"
            ) from exc
    max_size = _get(data, "max_size", (str, int), path)
    if max_size is not None:
        try:
            max_size = parse_size(max_size)
        except ValueError as exc:
            raise SiteConfigError(path, "max_size", str(exc)) from exc
        if max_size < 1024:
            raise SiteConfigError(path, "max_size", "must be at least 1KB")
    return SiteConfig(
        name=name, sections=sections, allowed_hosts=tuple(hosts), timezone=timezone,
        sitemaps=sitemaps, feeds=feeds,
        sitemaps_from_robots=bool(_get(data, "sitemaps_from_robots", bool, path)),
        article_url_pattern=pattern, hints=_hints(data, path),
        politeness=_politeness(data, path), revisit=_revisit(data, path), max_size=max_size,
        path=path, tracking_params=_names(data, "tracking_params", path),
    )


def _names(data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
    values = _get(data, key, list, path) or []
    for i, name in enumerate(values):
        if not isinstance(name, str) or not name.strip() or "=" in name or "&" in name:
            raise SiteConfigError(path, f"{key}[{i}]", f"{name!r} is not a query parameter name")
    return tuple(name.strip() for name in values)


def _hints(data: dict[str, Any], path: str) -> Hints:
    table = _get(data, "hints", dict, path) or {}
    out: dict[str, dict[str, str]] = {"css": {}, "xpath": {}}
    for kind, selectors in table.items():
        if kind not in out:
            raise SiteConfigError(path, f"hints.{kind}", "use hints.css or hints.xpath")
        if not isinstance(selectors, dict):
            raise SiteConfigError(path, f"hints.{kind}", "must be a table of field = selector")
        for fld, selector in selectors.items():
            key = f"hints.{kind}.{fld}"
            if fld not in _HINT_FIELDS:
                raise SiteConfigError(path, key, f"hints exist for {', '.join(_HINT_FIELDS)}")
            if not isinstance(selector, str) or not selector.strip():
                raise SiteConfigError(path, key, "must be a non-empty selector string")
            _check_selector(kind, selector, path, key)
            out[kind][fld] = selector
    return Hints(css=out["css"], xpath=out["xpath"])


def _check_selector(kind: str, selector: str, path: str, key: str) -> None:
    from lxml import etree
    from lxml.cssselect import SelectorError

    from newsarchive.extract.hints import compiled_selector

    try:
        compiled_selector(kind, selector)
    except (SelectorError, etree.XPathSyntaxError) as exc:
        raise SiteConfigError(path, key, f"bad {kind} selector: {exc}") from exc


def _politeness(data: dict[str, Any], path: str) -> Politeness:
    table = _get(data, "politeness", dict, path) or {}
    for key in table:
        if key not in ("delay", "concurrency"):
            raise SiteConfigError(path, f"politeness.{key}", "unknown key (delay, concurrency)")
    delay = _get(table, "delay", (int, float), path, "politeness.")
    concurrency = _get(table, "concurrency", int, path, "politeness.")
    if delay is not None and delay < 0:
        raise SiteConfigError(path, "politeness.delay", "must be >= 0 seconds")
    if concurrency is not None and not 1 <= concurrency <= 16:
        raise SiteConfigError(path, "politeness.concurrency", "must be between 1 and 16")
    default = Politeness()
    return Politeness(delay=float(delay) if delay is not None else default.delay,
                      concurrency=concurrency or default.concurrency)


def _revisit(data: dict[str, Any], path: str) -> Revisit:
    table = _get(data, "revisit", dict, path) or {}
    for key in table:
        if key not in ("after", "known_list_pages"):
            raise SiteConfigError(path, f"revisit.{key}", "unknown key (after, known_list_pages)")
    default = Revisit()
    after = default.after
    raw = _get(table, "after", list, path, "revisit.")
    if raw is not None:
        try:
            after = tuple(sorted(parse_duration(v) for v in raw))
        except ValueError as exc:
            raise SiteConfigError(path, "revisit.after", str(exc)) from exc
    depth = _get(table, "known_list_pages", int, path, "revisit.")
    if depth is not None and depth < 0:
        raise SiteConfigError(
            path, "revisit.known_list_pages", "must be >= 0 (0 = page to the end)"
        )
    return Revisit(
        after=after, known_list_pages=default.known_list_pages if depth is None else depth
    )


def load_site(path: str | Path) -> SiteConfig:
    """Read and validate one sites/*.toml file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SiteConfigError(str(path), None, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SiteConfigError(str(path), None, f"not UTF-8 text (byte {exc.object[exc.start]:#04x} "
                              f"at offset {exc.start}): save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SiteConfigError(str(path), None, f"not valid TOML: {exc}") from exc
    return site_from_dict(data, str(path))


def load_sites(directory: str | Path = DEFAULT_SITES_DIR) -> dict[str, SiteConfig]:
    """Every site in `directory`, by name; a name used twice is an error."""
    sites: dict[str, SiteConfig] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        site = load_site(path)
        if site.name in sites:
            raise SiteConfigError(
                str(path), "name", f"{site.name!r} is also {sites[site.name].path}"
            )
        sites[site.name] = site
    return sites


def scan_sites(directory: str | Path = DEFAULT_SITES_DIR
               ) -> tuple[dict[str, SiteConfig], list[SiteConfigError]]:
    """Every usable site in `directory` by name, and the errors of the files that are not
    (one broken file, or a name used twice, disables only itself). SiteConfigError if
    `directory` is no directory."""
    directory = Path(directory)
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "no such directory"
        raise SiteConfigError(str(directory), None, f"{what} (give --sites-dir DIR)")
    sites: dict[str, SiteConfig] = {}
    broken: list[SiteConfigError] = []
    for path in sorted(directory.glob("*.toml")):
        try:
            site = load_site(path)
        except SiteConfigError as exc:
            broken.append(exc)
            continue
        if site.name in sites:
            broken.append(SiteConfigError(
                str(path), "name", f"{site.name!r} is also {sites[site.name].path}"))
            continue
        sites[site.name] = site
    return sites, broken


def find_site(name: str, directory: str | Path = DEFAULT_SITES_DIR) -> SiteConfig:
    """The site called `name` in `directory`, whatever state the other files are in."""
    sites, broken = scan_sites(directory)
    if name not in sites:
        known = ", ".join(sorted(sites)) or "none"
        unusable = f"; unusable: {'; '.join(str(e) for e in broken)}" if broken else ""
        raise SiteConfigError(str(directory), None,
                              f"no site named {name!r} (known: {known}){unusable}")
    return sites[name]


def site_settings(site: SiteConfig) -> dict[str, Any]:
    """The Scrapy settings a site's politeness, revisit policy and limits stand for."""
    limits = {} if site.max_size is None else {"DOWNLOAD_MAXSIZE": site.max_size}
    return limits | {
        "DOWNLOAD_DELAY": site.politeness.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": site.politeness.concurrency,
        "NEWSARCHIVE_REVISIT": [d.total_seconds() for d in site.revisit.after],
        "NEWSARCHIVE_KNOWN_LIST_PAGES": site.revisit.known_list_pages,
        "NEWSARCHIVE_TIMEZONE": site.timezone,
        "NEWSARCHIVE_ARTICLE_URL_PATTERN": site.article_url_pattern,
        "NEWSARCHIVE_ALLOWED_HOSTS": list(site.allowed_hosts),
        # Sitemaps and feeds are told apart by content: one list of start points besides the
        # sections.
        "NEWSARCHIVE_FEEDS": [*site.sitemaps, *site.feeds],
        "NEWSARCHIVE_ROBOTS_SITEMAPS": site.sitemaps_from_robots,
        "NEWSARCHIVE_HINTS": site.hints.as_dict(),
        "NEWSARCHIVE_SITE": site.name,
        "NEWSARCHIVE_TRACKING_PARAMS": list(site.tracking_params),
    }
