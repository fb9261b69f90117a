"""The `newsarchive` command: a thin shell over the library."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import click

from newsarchive import __version__
from newsarchive.extract.errors import NewsarchiveError

if TYPE_CHECKING:
    from newsarchive.crawl.sites import SiteConfig

F = TypeVar("F", bound=Callable[..., Any])

EXTRACT_FIELDS = (
    "path", "url", "title", "body", "published", "updated", "authors", "source", "editor",
    "keywords", "section_path", "summary", "language", "encoding", "canonical_url",
    "page_type", "page_type_confidence", "next_page_url", "evidence",
)


def default_db_url() -> str:
    """$NEWSARCHIVE_DB or sqlite:///newsarchive.db; the archive layer is imported only once a
    command runs, so a usage error or --help answers at once."""
    from newsarchive.archive.db import default_db_url as default

    url = default()
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise click.UsageError("$NEWSARCHIVE_DB is not UTF-8 text: set it in UTF-8, or give "
                               "--db URL") from None
    return url


def db_option(func: F) -> F:
    """The shared --db option: any SQLAlchemy URL, default $NEWSARCHIVE_DB or ./newsarchive.db."""
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL [default: $NEWSARCHIVE_DB or sqlite:///newsarchive.db].",
    )(func)


def sites_dir_option(func: F) -> F:
    """The shared --sites-dir option: where the sites/*.toml files are."""
    return click.option(
        "--sites-dir", default="sites", show_default=True, type=click.Path(file_okay=False),
        help="Directory of site configurations (*.toml).",
    )(func)


def _settings(_ctx: click.Context, _param: click.Parameter, pairs: tuple[str, ...]
              ) -> dict[str, str]:
    """-s NAME=VALUE options as {name: value} (later ones win)."""
    settings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE")
        settings[name.strip()] = value
    return settings


def settings_option(help_text: str) -> Callable[[F], F]:
    """The shared -s/--set NAME=VALUE option (Scrapy settings), parsed into a dict."""
    return click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
                        callback=_settings, help=help_text)


MAX_LIMIT = 10_000
_JOB_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def _query_text(_ctx: click.Context, _param: click.Parameter, value: str | None
                ) -> str | None:
    """A search query: refused when empty or only spaces (it would match nothing)."""
    if value is not None and not value.strip():
        raise click.BadParameter("is empty: give a word or phrase to search for")
    return value


def _not_blank(_ctx: click.Context, _param: click.Parameter, value: str | None
               ) -> str | None:
    """A filter given as empty text would match nothing: refused, not silently empty."""
    if value is not None and not value.strip():
        raise click.BadParameter("is empty: give a value, or leave the option out")
    return value


def _job_name(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--job: a plain name, its state a directory under .newsarchive/jobs/ and nowhere else."""
    if value is not None and (not _JOB_RE.match(value) or ".." in value):
        raise click.BadParameter(f"{value!r} is not a job name: use letters, digits, - _ . "
                                 "(no path)")
    return value


def _output_file(_ctx: click.Context, _param: click.Parameter, value: str | None
                 ) -> str | None:
    """-o FILE: refused before anything is read when it cannot be written."""
    if value is None or value == "-":
        return value
    path = Path(value)
    parent = path.parent
    if path.is_dir():
        raise click.BadParameter(f"{value} is a directory: give a file name")
    if not parent.is_dir():
        raise click.BadParameter(f"directory {parent} does not exist: create it, or write "
                                 "elsewhere")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.BadParameter(f"{value} cannot be written (permission denied)")
    return value


def _warc_dir(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """--warc DIR: a directory, or one that can be made, before the crawl starts."""
    if value is None:
        return None
    path = Path(value)
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise click.BadParameter(f"{existing} is a file, not a directory")
    if not os.access(existing, os.W_OK):
        raise click.BadParameter(f"{existing} cannot be written (permission denied)")
    return value


def _parse_when(value: str | None, option: str = "--since") -> datetime | None:
    """An ISO date or date-time for --since/--until; one without offset is taken as UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date (e.g. 2024-03-05)",
                                 param_hint=option) from exc
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _print_summary(summary: dict[str, Any], out: Callable[[str], None] = click.echo) -> None:
    """A crawl run summary, readable by a person."""
    articles = summary.get("articles", {})
    out(f"Crawl run {summary.get('run_id')} ({summary.get('finish_reason')})")
    sections = summary.get("sections", [])
    out(f"  sections crawled:  {len(sections)}")
    for url in sections:
        out(f"    {url}")
    out(f"  pages fetched:     {summary.get('pages_fetched')}")
    out(
        "  articles archived: "
        f"{articles.get('new', 0)} new, {articles.get('changed', 0)} changed, "
        f"{articles.get('unchanged', 0)} unchanged"
    )
    if summary.get("elapsed_seconds") is not None:
        out(
            f"  time:              {summary['elapsed_seconds']:.2f} s "
            f"({summary.get('pages_per_second')} pages/s)"
        )
    failures = summary.get("failures", [])
    out(f"  failures:          {len(failures)}")
    for failure in failures:
        out(f"    {failure['url']}: {failure['reason']}")


def _print_hits(hits: list[dict[str, Any]]) -> None:
    for hit in hits:
        click.echo(f"{hit.get('published') or '-':25}  {hit.get('title')}")
        click.echo(f"{'':25}  {hit.get('url')}")
        if hit.get("snippet"):
            click.echo(f"{'':25}  …{hit['snippet']}…")


def _one_line(text_: str) -> str:
    return " ".join(text_.split())


# A group run with no command shows its help (click >= 8.2 raises this): not an error line.
_SHOWS_HELP: tuple[type[Exception], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",)
    if hasattr(click.exceptions, name))


class _UsageLine(click.UsageError):
    """A usage error shown as one line: the cause, the fix, and where the help is."""

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.format_message(), error.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"Error: {_one_line(self.format_message())}{hint}", err=True)


class _RuntimeLine(click.ClickException):
    """A runtime failure (exit 1) shown as one line."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Error: {_one_line(self.format_message())}", err=True)


def _failure(exc: Exception) -> click.ClickException:
    """The one line an exception out of a command ends it with (exit 1)."""
    from newsarchive.crawl.sites import SiteConfigError

    if isinstance(exc, NewsarchiveError | SiteConfigError):
        return _RuntimeLine(str(exc))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return _RuntimeLine(f"{where}{exc.strerror or exc}")
    if isinstance(exc, UnicodeDecodeError):
        return _RuntimeLine(f"input is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                            f"offset {exc.start}): convert it to UTF-8")
    if type(exc).__module__.startswith("sqlalchemy"):
        cause = getattr(exc, "orig", None) or exc
        return _RuntimeLine(f"the archive could not be read or written: {str(cause)[:300]}")
    return _RuntimeLine(f"unexpected error {type(exc).__name__}: {str(exc)[:300]}; this is a "
                        "bug, please report it (NEWSARCHIVE_DEBUG=1 shows the traceback)")


def _not_utf8(args: list[str]) -> None:
    """A usage error naming the first argument that is not UTF-8 text (argv bytes arrive
    as surrogate escapes, which no database, file name or query can take)."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise click.UsageError(f"argument {number} ({shown!r}) is not UTF-8 text: "
                                   "give it in UTF-8") from None


class _Commands(click.Group):
    """The command group: every failure ends a command with one line on stderr, exit 2 for
    a usage error and 1 for a runtime one; NEWSARCHIVE_DEBUG=1 shows the traceback."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            _not_utf8(args)
            return super().make_context(info_name, args, parent, **extra)
        except _SHOWS_HELP:
            raise
        except click.UsageError as exc:
            raise _UsageLine(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if isinstance(exc, (_UsageLine, *_SHOWS_HELP)):
                raise
            raise _UsageLine(exc) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if os.environ.get("NEWSARCHIVE_DEBUG") == "1":
                raise
            raise _failure(exc) from exc


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news portals' sections into an article archive, and query it."""


@main.command()
@db_option
def migrate(db_url: str | None) -> None:
    """Create the archive, or bring its schema up to this newsarchive's (Alembic migrations).

    crawl and reextract migrate on their own; the query commands read an archive as it is.
    Example: newsarchive migrate --db sqlite:///newsarchive.db
    """
    from newsarchive.archive.db import head_revision, shown_url, upgrade

    url = db_url or default_db_url()
    upgrade(url)
    click.echo(f"{shown_url(url)}: schema at {head_revision()}")


@main.command()
@db_option
@click.option("--query", default=None, callback=_query_text,
              help="Example search to run at the end.")
def demo(db_url: str | None, query: str | None) -> None:
    """Serve the bundled demo portal, crawl it into the archive, show a summary and a query.

    Example: newsarchive demo --db sqlite:///demo.db
    """
    from newsarchive.archive import Archive
    from newsarchive.crawl.run import crawl
    from newsarchive.demo import DEMO_ORIGIN, DEMO_QUERY, DEMO_SECTIONS, DemoServer, crawl_settings
    from newsarchive.query import search as find

    db_url = db_url or default_db_url()
    with DemoServer() as server:
        click.echo(f"Demo portal {DEMO_ORIGIN} served at {server.url}")
        summary = crawl(list(DEMO_SECTIONS), db_url=db_url, overrides=crawl_settings(server.url))
    _print_summary(summary)
    archive = Archive(db_url, readonly=True)
    try:
        counts = archive.counts()
        query = query or DEMO_QUERY
        hits = find(archive, query, limit=5)
    finally:
        archive.close()
    click.echo(f"Archive {db_url}: {counts.get('articles', 0)} articles in all")
    click.echo(f"\nExample: newsarchive search {query} --limit 5")
    _print_hits(hits)


@main.command(name="crawl")
@click.argument("targets", nargs=-1, required=True)
@db_option
@click.option(
    "--max-pages", type=click.IntRange(min=0), default=0, show_default=True,
    help="List pages followed per section, the start page included (0 = all).",
)
@sites_dir_option
@click.option("--job", default=None, metavar="NAME", callback=_job_name,
              help="Resumable job: state in .newsarchive/jobs/NAME; rerun the same to resume.")
@click.option("--revisit", default=None, metavar="DURATIONS",
              help="Incremental: re-check archived articles at these ages, e.g. 1h,1d,7d,30d "
                   "(default for sites and jobs; URLs otherwise fetch every article).")
@click.option("--distributed", is_flag=True,
              help="Share the request queue with other workers through Redis (scrapy-redis).")
@click.option("--redis-url", default="redis://127.0.0.1:6379/0", show_default=True,
              help="Redis for --distributed.")
@click.option("--progress", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds between progress lines on stderr (0 = none).")
@click.option("--warc", "warc_dir", default=None, metavar="DIR", callback=_warc_dir,
              help="Also write every fetch to gzip WARC files in DIR (needs the warc extra).")
@settings_option("Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=1.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl_command(
    targets: tuple[str, ...], db_url: str | None, max_pages: int, sites_dir: str,
    job: str | None, revisit: str | None, distributed: bool, redis_url: str, progress: float,
    overrides: dict[str, str], verbose: bool, warc_dir: str | None = None,
) -> None:
    """Crawl a configured SITE, or section page URLs, and their articles into the archive.

    A target with "://" is a section URL; otherwise it names a site in --sites-dir.

    Example: newsarchive crawl https://news.example.cn/world/ --max-pages 5
    """
    from newsarchive.crawl.run import crawl
    from newsarchive.crawl.sites import SiteConfigError, find_site, parse_duration

    urls = [t for t in targets if "://" in t]
    names = [t for t in targets if "://" not in t]
    if len(names) > 1 or (names and urls):
        raise click.UsageError("give one SITE name, or section URLs")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise click.BadParameter(f"{url!r} is not an http(s) URL with a host, e.g. "
                                     "https://news.example.cn/world/", param_hint="TARGETS")
        try:
            parts.port
        except ValueError as exc:
            raise click.BadParameter(f"{url!r}: {exc}", param_hint="TARGETS") from exc
    _check_settings(overrides)
    try:
        site = find_site(names[0], sites_dir) if names else None
    except SiteConfigError as exc:
        hint = ("; a section URL starts with http:// or https://"
                if "." in names[0] or "/" in names[0] else "")
        raise click.BadParameter(f"{exc}{hint}", param_hint="SITE") from exc
    if distributed:
        _check_redis(redis_url)
    settings: dict[str, Any] = {"LOG_LEVEL": "INFO" if verbose else "WARNING"}
    if warc_dir is not None:
        settings["NEWSARCHIVE_WARC_DIR"] = warc_dir
    if revisit is not None:
        try:
            settings["NEWSARCHIVE_REVISIT"] = [
                parse_duration(d).total_seconds() for d in revisit.split(",") if d.strip()]
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--revisit") from exc
    settings.update(overrides)
    summary = crawl(urls, db_url=db_url or default_db_url(), max_list_pages=max_pages,
                    overrides=settings, site=site, job=job, distributed=distributed,
                    redis_url=redis_url, progress=progress)
    _print_summary(summary)
    if summary.get("skipped_known") or summary.get("not_modified"):
        click.echo(f"  incremental:       {summary.get('skipped_known', 0)} archived articles "
                   f"not due, {summary.get('not_modified', 0)} answered 304")
    if summary.get("lag_pauses"):
        click.echo(f"  backpressure:      fetching paused {summary['lag_pauses']} time(s) for "
                   "extraction and the archive to catch up")
    for warning in summary.get("warnings", []):
        click.echo(f"  WARNING coverage:  {warning}")


def _check_settings(overrides: dict[str, str]) -> None:
    """-s values Scrapy would fail on mid-crawl: text for a setting that takes a number or a
    flag (as newsarchive's settings and Scrapy's defaults have it)."""
    if not overrides:
        return
    from scrapy.settings import Settings

    defaults = Settings()
    defaults.setmodule("newsarchive.settings")
    # Numbers are read as floats: Scrapy reads some int-valued defaults (DOWNLOAD_TIMEOUT)
    # with getfloat, and a refusal here must never be one Scrapy would not make.
    getters = {bool: ("getbool", "true or false"), int: ("getfloat", "a number"),
               float: ("getfloat", "a number")}
    for name, value in overrides.items():
        default = defaults.get(name)
        if type(default) not in getters:
            continue
        getter, wanted = getters[type(default)]
        try:
            getattr(Settings({name: value}), getter)(name)
        except ValueError as exc:
            raise click.BadParameter(f"{name}={value!r}: {name} takes {wanted} (default "
                                     f"{default})", param_hint="-s") from exc


def _check_redis(url: str) -> None:
    """--distributed: the Redis at `url` answers, before anything is crawled or written."""
    try:
        import redis
    except ImportError as exc:
        raise click.ClickException("--distributed needs scrapy-redis: pip install "
                                   "'newsarchive[distributed]'") from exc
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    except ValueError as exc:
        raise click.BadParameter(f"{url!r} is not a Redis URL ({exc})",
                                 param_hint="--redis-url") from exc
    try:
        client.ping()
    except redis.RedisError as exc:
        raise _RuntimeLine(f"Redis at {url} does not answer ({exc}): start it, or give "
                           "--redis-url") from exc
    finally:
        client.close()


@main.group()
def sites() -> None:
    """Site configurations (sites/*.toml): check them, list them.

    Example: newsarchive sites validate sites/*.toml
    """


@sites.command(name="validate")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@sites_dir_option
def sites_validate(files: tuple[str, ...], sites_dir: str) -> None:
    """Check site files (default: every sites/*.toml); exit 1 naming file and key at fault.

    Example: newsarchive sites validate sites/demo.toml
    """
    from newsarchive.crawl.sites import SiteConfigError, load_site, scan_sites

    found: list[SiteConfig] = []
    broken: list[SiteConfigError] = []
    if files:
        for path in files:
            try:
                found.append(load_site(path))
            except SiteConfigError as exc:
                broken.append(exc)
    else:
        try:
            known, broken = scan_sites(sites_dir)
        except SiteConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--sites-dir") from exc
        found = list(known.values())
        if not found and not broken:
            raise _RuntimeLine(f"{sites_dir}: no site files (*.toml) in it")
    for site in found:
        click.echo(f"ok: {site.path} ({site.name}, {len(site.sections)} section(s))")
    for error in broken:
        click.echo(f"invalid: {_one_line(str(error))}", err=True)
    if broken:
        sys.exit(1)


@sites.command(name="list")
@sites_dir_option
def sites_list(sites_dir: str) -> None:
    """List the configured sites: name, hosts, sections, revisit policy.

    Example: newsarchive sites list --sites-dir sites
    """
    from newsarchive.crawl.sites import SiteConfigError, duration_text, scan_sites

    try:
        found, broken = scan_sites(sites_dir)
    except SiteConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--sites-dir") from exc
    for name, site in found.items():
        revisit = ",".join(duration_text(d) for d in site.revisit.after)
        click.echo(f"{name}\t{','.join(site.allowed_hosts)}\t{len(site.sections)} section(s)"
                   f"\trevisit {revisit or 'every run'}\t{site.timezone or '-'}")
    for error in broken:
        click.echo(f"unusable: {_one_line(str(error))}", err=True)
    if broken:
        sys.exit(1)


@main.command()
@click.argument("site_names", nargs=-1)
@click.option("--every", default="30m", show_default=True, help="Interval between rounds.")
@click.option("--runs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Stop after this many rounds (0 = run until interrupted).")
@db_option
@sites_dir_option
@settings_option("A Scrapy setting passed on to each crawl, e.g. -s DOWNLOAD_DELAY=1.")
def schedule(site_names: tuple[str, ...], every: str, runs: int, db_url: str | None,
             sites_dir: str, overrides: dict[str, str]) -> None:
    """Crawl sites (default: all configured) every interval, in the foreground, each crawl
    in its own process.

    Example: newsarchive schedule --every 30m demo
    """
    from newsarchive.crawl.schedule import run_schedule
    from newsarchive.crawl.sites import SiteConfigError, parse_duration, scan_sites

    try:
        interval = parse_duration(every)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--every") from exc
    try:
        known, broken = scan_sites(sites_dir)
    except SiteConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--sites-dir") from exc
    _check_settings(overrides)
    names = list(site_names) or sorted(known)
    missing = [n for n in names if n not in known]
    if missing or not names:
        unusable = f"; unusable: {'; '.join(str(e) for e in broken)}" if broken else ""
        raise click.BadParameter(f"unknown site(s): {', '.join(missing) or 'none configured'}"
                                 f"{unusable}", param_hint="SITE_NAMES")
    for error in broken:
        click.echo(f"WARNING unusable site file, skipped: {_one_line(str(error))}", err=True)
    extra = ["--sites-dir", sites_dir, "--db", db_url or default_db_url()]
    for name, value in overrides.items():
        extra += ["-s", f"{name}={value}"]
    run_schedule(names, interval, extra, runs=runs, echo=click.echo)


# Bytes `newsarchive extract` reads from one input at most (the crawl's DOWNLOAD_MAXSIZE).
EXTRACT_MAX_SIZE = 10 * 1024 * 1024


def _extract_inputs(paths: tuple[str, ...], url: str | None, from_list: IO[str] | None
                    ) -> Iterator[tuple[str, str]]:
    for path in paths:
        yield path, url or Path(path).resolve().as_uri()
    if from_list is not None:
        for number, line in enumerate(from_list, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            path, _, page_url = line.partition("\t")
            yield path, page_url.strip() or Path(path).resolve().as_uri()


def extract_record(path: str, url: str, site: SiteConfig | None = None,
                   max_size: int = EXTRACT_MAX_SIZE) -> dict[str, Any]:
    """One page file -> the JSON object `newsarchive extract` prints (with `error` on failure);
    a SiteConfig's timezone and hints apply when given. No more than `max_size` bytes are read
    (0: no cap): a larger input (or an endless one, /dev/zero) is an error at once."""
    from newsarchive.extract import ExtractionError, extract

    try:
        with open(path, "rb") as file:
            body = file.read(max_size + 1) if max_size else file.read()
    except OSError as exc:
        return {"path": path, "url": url, "error": f"cannot read file: {exc.strerror or exc}"}
    if max_size and len(body) > max_size:
        return {"path": path, "url": url,
                "error": f"too large: more than {max_size:,} bytes (--max-size)"}
    try:
        article = extract(body, url, timezone=site.timezone if site else None,
                          hints=site.hints.as_dict() if site else None)
    except ExtractionError as exc:
        return {"path": path, "url": url, "error": exc.reason}
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
        return {"path": path, "url": url, "error": f"extractor failed: {type(exc).__name__}: {exc}"}
    data = article.to_dict()
    data["path"] = path
    return {key: data.get(key) for key in EXTRACT_FIELDS}


@main.command(name="extract")
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--url", default=None, help="The URL the page was fetched from (one PATH).")
@click.option("--from-list", type=click.File("r", encoding="utf-8"), default=None,
              help="A file of lines PATH<TAB>URL.")
@click.option("--site", "site_name", default=None, metavar="NAME",
              help="Apply this site's timezone and CSS/XPath hints (a name in --sites-dir).")
@click.option("--max-size", default="10MB", show_default=True, metavar="SIZE",
              help="Read at most this much of each input (e.g. 512KB, 1GB; 0: no cap).")
@sites_dir_option
def extract_command(paths: tuple[str, ...], url: str | None, from_list: IO[str] | None,
                    site_name: str | None, max_size: str, sites_dir: str) -> None:
    """Extract articles from saved pages; no network, no database. One JSON object per input.

    Example: newsarchive extract page.html --url https://news.example.cn/a/1.html --site
    example-portal """
    from newsarchive.crawl.sites import SiteConfigError, find_site, parse_size

    try:
        cap = parse_size(max_size)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-size") from exc
    try:
        site = find_site(site_name, sites_dir) if site_name else None
    except SiteConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="--site") from exc
    if not paths and from_list is None:
        raise click.UsageError("give at least one PATH or --from-list FILE")
    if url is not None and len(paths) > 1:
        raise click.UsageError("--url names the URL of a single PATH")
    failed = 0
    for path, page_url in _extract_inputs(paths, url, from_list):
        record = extract_record(path, page_url, site, cap)
        failed += "error" in record
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        click.echo(f"{failed} page(s) could not be extracted", err=True)
        sys.exit(1)


def filter_options(func: F) -> F:
    """The shared article filters: --site, --since, --until, --author."""
    for option in reversed([
        click.option("--site", default=None, metavar="HOST", callback=_not_blank,
                     help="Only articles of this site."),
        click.option("--since", default=None, metavar="DATE", help="Published at or after (ISO)."),
        click.option("--until", default=None, metavar="DATE", help="Published before (ISO)."),
        click.option("--author", default=None, metavar="NAME", callback=_not_blank,
                     help="One of the authors, exactly."),
    ]):
        func = option(func)
    return func


def _filter(site: str | None, since: str | None, until: str | None,
            author: str | None) -> Any:
    from newsarchive.archive.filters import ArticleFilter

    start, end = _parse_when(since), _parse_when(until, "--until")
    if start is not None and end is not None and start >= end:
        raise click.BadParameter(f"--since {since} is not before --until {until}: nothing "
                                 "can match", param_hint="--since/--until")
    return ArticleFilter(site, start, end, author)


@main.command()
@db_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True)
@click.option("--revisions", is_flag=True, help="Every revision, not only current articles.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              callback=_output_file, help="Write to FILE instead of stdout (needed for parquet).")
def export(db_url: str | None, site: str | None, since: str | None, until: str | None,
           author: str | None, fmt: str, revisions: bool, output: str | None) -> None:
    """Export articles (or every revision) with provenance as JSONL, CSV or Parquet.

    Example: newsarchive export --format csv --since 2024-01-01 -o articles.csv
    """
    from newsarchive.archive import Archive
    from newsarchive.query import export as run_export

    flt = _filter(site, since, until, author)
    with Archive(db_url or default_db_url(), readonly=True) as archive:
        count = run_export(archive, fmt, output or sys.stdout, site=flt.site, since=flt.since,
                           until=flt.until, author=flt.author, revisions=revisions)
    click.echo(f"{count} {'revision' if revisions else 'article'}(s) exported", err=True)


@main.command()
@click.argument("query", callback=_query_text)
@db_option
@filter_options
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
def search(query: str, db_url: str | None, site: str | None, since: str | None,
           until: str | None, author: str | None, limit: int, fmt: str) -> None:
    """Ranked articles whose title or body contains QUERY; Simplified also finds Traditional.

    Example: newsarchive search 电信诈骗 --site news.example.cn --limit 5
    """
    from newsarchive.archive import Archive
    from newsarchive.query import search as find

    flt = _filter(site, since, until, author)
    with Archive(db_url or default_db_url(), readonly=True) as archive:
        hits = find(archive, query, limit=limit, site=flt.site, since=flt.since,
                    until=flt.until, author=flt.author)
    if fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False))
    else:
        _print_hits(hits)
    click.echo(f"{len(hits)} hit(s)", err=True)


@main.command()
@db_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def stats(db_url: str | None, site: str | None, since: str | None, until: str | None,
          author: str | None, fmt: str) -> None:
    """Articles per site per day, deletions, revisions, and failures by kind.

    Example: newsarchive stats --site news.example.cn
    """
    from newsarchive.archive import Archive
    from newsarchive.query import stats as archive_stats

    flt = _filter(site, since, until, author)
    with Archive(db_url or default_db_url(), readonly=True) as archive:
        result = archive_stats(archive, site=flt.site, since=flt.since, until=flt.until,
                               author=flt.author)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for row in result["per_site_day"]:
        click.echo(f"{row['site']:30}  {row['day']:10}  {row['articles']:>7}")
    click.echo(f"articles {result['articles']}, revisions {result['revisions']} "
               f"({result['revised_articles']} revised), deleted now {result['deleted_now']} "
               f"(deletions {result['deletions']}, restorations {result['restorations']})")
    for kind, count in result["failures"].items():
        click.echo(f"failure  {count:>7}  {kind}")


@main.command()
@db_option
@filter_options
def reextract(db_url: str | None, site: str | None, since: str | None, until: str | None,
              author: str | None) -> None:
    """Re-run the current extractor over archived pages (no network); new revisions where changed.

    Example: newsarchive reextract --site news.example.cn --since 2024-01-01
    """
    from newsarchive.archive import Archive
    from newsarchive.archive.db import require_archive
    from newsarchive.archive.reextract import reextract as run_reextract

    flt = _filter(site, since, until, author)
    url = db_url or default_db_url()
    require_archive(url)
    with Archive(url) as archive:
        counts = run_reextract(archive, flt)
    click.echo(f"{counts['checked']} checked, {counts['changed']} changed, "
               f"{counts['unchanged']} unchanged, {len(counts['failed'])} failed")
    for failure in counts["failed"]:
        click.echo(f"  article {failure['article_id']}: {failure['reason']}", err=True)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """The address serve listens on can be had, before the archive is opened."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise click.BadParameter(f"{host!r} is not an address of this machine ({exc})",
                                 param_hint="--host") from exc
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            sock.bind(address)
        except OSError as exc:
            raise _RuntimeLine(f"cannot listen on {host}:{port}: {exc.strerror or exc} "
                               "(another server there? choose another --port)") from exc


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; other than loopback needs --token or --no-auth.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", default=None, envvar="NEWSARCHIVE_TOKEN", metavar="TOKEN",
              help="Require this token on every request [env NEWSARCHIVE_TOKEN].")
@click.option("--no-auth", is_flag=True,
              help="Listen beyond loopback with no token: anyone who reaches the port reads "
                   "the whole archive.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes answering requests: more than one serves concurrent readers on "
                   "several cores.")
def serve(db_url: str | None, host: str, port: int, token: str | None, no_auth: bool,
          workers: int) -> None:
    """Serve the researchers' web interface and JSON API over the archive, read-only.

    Search, articles with revisions and provenance, deletions, sites and crawls, exports;
    /api/openapi.json describes the API.

    Example: newsarchive serve --db sqlite:///newsarchive.db --port 8000 --workers 2
    """
    import os

    import uvicorn

    from newsarchive.archive.db import shown_url
    from newsarchive.web import create_app
    from newsarchive.web.app import SERVE_DB_ENV, SERVE_TOKEN_ENV

    if not _loopback(host) and not token and not no_auth:
        raise click.UsageError(f"--host {host} listens beyond this machine: give --token TOKEN, "
                               "or --no-auth to expose the archive to anyone who can reach it")
    _check_port(host, port)
    url = db_url or default_db_url()
    app = create_app(url, token=token)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving {shown_url(url)} read-only at http://{shown}:{port}/"
               + (" (token required)" if token else ""))
    if no_auth and not _loopback(host) and not token:
        click.echo(f"WARNING: no authentication on {host}:{port}: every article, revision, raw "
                   "page and export of this archive is readable by anyone who can reach it",
                   err=True)
    if workers == 1:
        try:
            uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
        finally:
            app.app.state.archive.close()
        return
    # Each worker opens the archive itself; this process only checked that it opens.
    app.app.state.archive.close()
    os.environ[SERVE_DB_ENV] = url
    os.environ[SERVE_TOKEN_ENV] = token or ""
    uvicorn.run("newsarchive.web.app:app_from_environment", factory=True, workers=workers,
                host=host, port=port, log_level="warning", access_log=False)


@main.command(name="datasette-metadata")
@db_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              callback=_output_file, help="Write to FILE instead of stdout.")
def datasette_metadata(db_url: str | None, output: str | None) -> None:
    """Write a Datasette metadata file for the archive: table and column descriptions (those
    of docs/schema.md), facets, and canned queries ("deleted this week", "most revised").

    Example: newsarchive datasette-metadata -o metadata.json && datasette newsarchive.db
    -m metadata.json
    """
    from newsarchive.archive.db import sqlite_path
    from newsarchive.query.datasette import metadata

    url = db_url or default_db_url()
    path = sqlite_path(url)
    database = path.stem if path is not None else "newsarchive"
    text_ = json.dumps(metadata(database), ensure_ascii=False, indent=2)
    if output:
        Path(output).write_text(text_ + "\n", encoding="utf-8")
        click.echo(f"wrote {output} (database {database!r})", err=True)
    else:
        click.echo(text_)


if __name__ == "__main__":  # pragma: no cover
    main()
