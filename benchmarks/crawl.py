"""Crawl speed end to end: a local portal of N articles crawled into SQLite by `newsarchive crawl`,
next to plain Scrapy fetching the same URLs with no pipelines; pages/s, articles/s, peak memory.

Usage: .venv/bin/python benchmarks/crawl.py [--articles 5000] [--per-page 20] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fixtures.crawl.portal import Page, Portal, article_html, section_html

# Runs a command and reports its peak resident memory (KiB on Linux) on the last stderr line.
MEASURE = ("import resource, subprocess, sys\n"
           "code = subprocess.run(sys.argv[1:]).returncode\n"
           "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
           " file=sys.stderr)\n"
           "sys.exit(code)\n")

# Plain Scrapy: fetch every URL in a file, parse nothing, store nothing.
PLAIN_SCRAPY = """
import sys
import scrapy
from scrapy.crawler import CrawlerProcess

urls = open(sys.argv[1], encoding="utf-8").read().split()

class Plain(scrapy.Spider):
    name = "plain"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, callback=self.parse)
    def parse(self, response):
        return None

process = CrawlerProcess({
    "LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[2]), "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
})
process.crawl(Plain)
process.start()
"""


def build_portal(articles: int, per_page: int) -> tuple[dict[str, Page], list[str]]:
    """Pages of a portal with `articles` articles, and every path a full crawl fetches."""
    pages: dict[str, Page] = {}
    count = (articles + per_page - 1) // per_page
    lists = ["/news/"] + [f"/news/index_{n}.html" for n in range(2, count + 1)]
    for number, list_path in enumerate(lists):
        items = []
        for i in range(number * per_page, min(articles, (number + 1) * per_page)):
            title = f"第{i + 1}号新闻：基准测试用的新闻报道标题"
            pages[f"/news/{i // 1000}/a{i + 1}.html"] = Page(article_html(title, paragraphs=6))
            items.append((f"/news/{i // 1000}/a{i + 1}.html", title))
        following = lists[number + 1] if number + 1 < len(lists) else None
        # A short pager (first, previous, next), as portals show it.
        nearby = [lists[0]] + lists[max(1, number - 1):number + 2]
        pages[list_path] = Page(section_html(items, following, nearby))
    return pages, [p for p in pages if p != "/robots.txt"]


def timed(command: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak memory (MiB) and stdout of a command."""
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True,
                            text=True, check=False)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[:4]} failed:\n{result.stdout}\n{result.stderr[-3000:]}")
    kib = int(result.stderr.strip().splitlines()[-1].split()[-1])
    return elapsed, kib // 1024, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16, help="requests at a time to the host")
    args = parser.parse_args()
    pages, paths = build_portal(args.articles, args.per_page)
    with tempfile.TemporaryDirectory() as tmp, Portal(pages) as portal:
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(portal.url + p for p in paths), encoding="utf-8")
        plain_s, plain_mb, _ = timed([sys.executable, "-c", PLAIN_SCRAPY, str(url_file),
                                      str(args.concurrency)])
        db = f"sqlite:///{Path(tmp) / 'bench.db'}"
        ours_s, ours_mb, out = timed([
            sys.executable, "-m", "newsarchive.cli", "crawl", portal.url + "/news/", "--db", db,
            "--progress", "0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
            "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}"])
        archived = next(int(line.split()[2]) for line in out.splitlines()
                        if "articles archived:" in line)
    n_pages = len(paths)
    report = {
        "articles_in_portal": args.articles, "pages": n_pages, "archived": archived,
        "newsarchive": {"seconds": round(ours_s, 1), "pages_per_s": round(n_pages / ours_s, 1),
                        "articles_per_s": round(archived / ours_s, 1), "peak_mb": ours_mb},
        "plain_scrapy": {"seconds": round(plain_s, 1), "pages_per_s": round(n_pages / plain_s, 1),
                         "peak_mb": plain_mb},
        "throughput_ratio": round(plain_s / ours_s, 2),
    }
    print(f"{'':14}{'seconds':>9}{'pages/s':>9}{'articles/s':>12}{'peak MB':>9}")
    for name, row in (("newsarchive", report["newsarchive"]), ("plain scrapy", report["plain_scrapy"])):
        print(f"{name:14}{row['seconds']:>9}{row['pages_per_s']:>9}"
              f"{row.get('articles_per_s', '-'):>12}{row['peak_mb']:>9}")
    print(f"throughput ratio newsarchive/plain: {report['throughput_ratio']} "
          f"({archived} of {args.articles} articles archived)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
