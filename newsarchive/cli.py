"""The `newsarchive` command: a thin shell over the library."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import click

from newsarchive import __version__
from newsarchive.db import default_db_url

F = TypeVar("F", bound=Callable[..., Any])

EXPORT_FIELDS = (
    "url", "canonical_url", "title", "body", "published", "authors", "source", "editor",
    "keywords", "section_path", "language", "encoding", "site", "crawled_at",
)
EXTRACT_FIELDS = (
    "path", "url", "title", "body", "published", "updated", "authors", "source", "editor",
    "keywords", "section_path", "summary", "language", "encoding", "canonical_url",
    "page_type", "page_type_confidence", "next_page_url", "evidence",
)


def db_option(func: F) -> F:
    """The shared --db option: any SQLAlchemy URL, default $NEWSARCHIVE_DB or ./newsarchive.db."""
    return click.option(
        "--db",
        "db_url",
        default=None,
        metavar="URL",
        help="SQLAlchemy database URL [default: $NEWSARCHIVE_DB or sqlite:///newsarchive.db].",
    )(func)


def _parse_when(value: str | None) -> datetime | None:
    """An ISO date or date-time for --since/--until; one without offset is taken as UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not an ISO date (e.g. 2024-03-05)") from exc
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Crawl news portals' sections into an article archive, and query it."""


@main.command()
@db_option
@click.option("--query", default=None, help="Example search to run at the end.")
def demo(db_url: str | None, query: str | None) -> None:
    """Serve the bundled demo portal, crawl it into the archive, show a summary and a query.

    Example: newsarchive demo --db sqlite:///demo.db
    """
    from newsarchive.archive import Archive
    from newsarchive.crawl import crawl
    from newsarchive.demo import DEMO_ORIGIN, DEMO_QUERY, SECTIONS, DemoServer

    db_url = db_url or default_db_url()
    with DemoServer() as server:
        click.echo(f"Demo portal {DEMO_ORIGIN} served at {server.url}")
        overrides = {
            **LOCAL_SERVER_SETTINGS,
            "NEWSARCHIVE_DEMO_PROXY": server.url,
            "DOWNLOADER_MIDDLEWARES": {"newsarchive.demo.proxy.DemoProxyMiddleware": 740},
        }
        sections = [DEMO_ORIGIN + section.index_path for section in SECTIONS]
        summary = crawl(sections, db_url=db_url, overrides=overrides)
    _print_summary(summary)
    archive = Archive(db_url)
    try:
        counts = archive.counts()
        query = query or DEMO_QUERY
        hits = archive.search(query, limit=5)
    finally:
        archive.close()
    click.echo(f"Archive {db_url}: {counts.get('articles', 0)} articles in all")
    click.echo(f"\nExample: newsarchive search {query} --limit 5")
    _print_hits(hits)


# Our own local server needs no politeness delay; real sites keep the settings' defaults.
LOCAL_SERVER_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_START_DELAY": 0.0,
    "AUTOTHROTTLE_MAX_DELAY": 1.0,
    "LOG_LEVEL": "WARNING",
}


@main.command(name="crawl")
@click.argument("urls", nargs=-1, required=True)
@db_option
@click.option(
    "--max-pages", type=click.IntRange(min=0), default=0, show_default=True,
    help="List pages followed per section, the start page included (0 = all).",
)
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=1.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl_command(
    urls: tuple[str, ...], db_url: str | None, max_pages: int, overrides: tuple[str, ...],
    verbose: bool,
) -> None:
    """Crawl section pages (list pages) and their articles into the archive; stays on their sites.

    Example: newsarchive crawl https://news.example.cn/world/ --max-pages 5
    """
    from newsarchive.crawl import crawl

    settings: dict[str, Any] = {"LOG_LEVEL": "INFO" if verbose else "WARNING"}
    for pair in overrides:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        settings[name] = value
    summary = crawl(list(urls), db_url=db_url or default_db_url(), max_list_pages=max_pages,
                    overrides=settings)
    _print_summary(summary)


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


def extract_record(path: str, url: str) -> dict[str, Any]:
    """One page file -> the JSON object `newsarchive extract` prints (with `error` on failure)."""
    from newsarchive.extract import ExtractionError, extract

    try:
        body = Path(path).read_bytes()
    except OSError as exc:
        return {"path": path, "url": url, "error": f"cannot read file: {exc.strerror or exc}"}
    try:
        article = extract(body, url)
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
def extract_command(paths: tuple[str, ...], url: str | None, from_list: IO[str] | None) -> None:
    """Extract articles from saved pages; no network, no database. One JSON object per input.

    Example: newsarchive extract page.html --url https://news.example.cn/a/1.html
    """
    if not paths and from_list is None:
        raise click.UsageError("give at least one PATH or --from-list FILE")
    if url is not None and len(paths) > 1:
        raise click.UsageError("--url names the URL of a single PATH")
    failed = 0
    for path, page_url in _extract_inputs(paths, url, from_list):
        record = extract_record(path, page_url)
        failed += "error" in record
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        click.echo(f"{failed} page(s) could not be extracted", err=True)


def _csv_cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _write_rows(rows: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_cell(row.get(k)) for k in EXPORT_FIELDS})
            count += 1
    else:
        for row in rows:
            out.write(json.dumps({k: row.get(k) for k in EXPORT_FIELDS}, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


@main.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--site", default=None, metavar="HOST", help="Only articles of this site.")
@click.option("--since", default=None, metavar="DATE", help="Published at or after (ISO).")
@click.option("--until", default=None, metavar="DATE", help="Published before (ISO).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE instead of stdout.")
def export(db_url: str | None, fmt: str, site: str | None, since: str | None,
           until: str | None, output: str | None) -> None:
    """Export archived articles as JSONL or CSV (lists are JSON arrays in CSV cells).

    Example: newsarchive export --format csv --since 2024-01-01 -o articles.csv
    """
    from newsarchive.archive import Archive

    archive = Archive(db_url or default_db_url())
    try:
        rows = archive.iter_articles(site=site, since=_parse_when(since),
                                     until=_parse_when(until))
        if output:
            with open(output, "w", encoding="utf-8", newline="") as handle:
                count = _write_rows(rows, fmt, handle)
        else:
            count = _write_rows(rows, fmt, sys.stdout)
    finally:
        archive.close()
    click.echo(f"{count} article(s) exported", err=True)


@main.command()
@click.argument("query")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "jsonl"]), default="table",
              show_default=True)
def search(query: str, db_url: str | None, limit: int, fmt: str) -> None:
    """Find articles whose title or body contains QUERY (Chinese words work as they are).

    Example: newsarchive search 电信诈骗 --limit 5
    """
    from newsarchive.archive import Archive

    archive = Archive(db_url or default_db_url())
    try:
        hits = archive.search(query, limit=limit)
    finally:
        archive.close()
    if fmt == "jsonl":
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False))
    else:
        _print_hits(hits)
    click.echo(f"{len(hits)} hit(s)", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
