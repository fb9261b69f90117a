"""Crawl speed end to end: a local portal of N articles crawled into SQLite by `newsarchive crawl`,
next to plain Scrapy fetching the same URLs with no pipelines; pages/s, articles/s, peak memory.

Each article has its own text (as a portal's do: identical bodies would make every stored article
a near-duplicate of all the others) and the chrome portals wrap articles in. Peak memory is the
largest summed proportional set size (PSS) of the command's whole process tree (extractor workers
included, shared pages counted once). The crawl process's CPU is also given for its main (reactor)
thread alone; the rest is its other threads' (the store's writer thread). Plain Scrapy does all its
work on the reactor thread, so the split shows where our overhead is.

Both crawls run `--repeat` times, alternately (plain, ours, plain, ours ...), and each figure is the
median run's: on two cores a single pair of runs differed by up to ±0.08 in the ratio.

Usage: .venv/bin/python -m benchmarks.crawl [--articles 5000] [--per-page 20] [--concurrency 16]
                                            [--repeat 3] [-s NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.mockserver import Page, Portal, section_html

# Words article texts are drawn from (a seeded draw per article: every run serves the same portal).
_WORDS_TEXT = (
    "城市 乡村 政府 企业 学校 医院 工人 农民 学生 教师 记者 专家 市场 价格 经济 发展 改革 "
    "建设 项目 资金 技术 创新 环境 保护 交通 道路 铁路 机场 港口 能源 电力 水利 农业 工业 "
    "服务 社区 居民 家庭 健康 教育 文化 体育 旅游 科技 网络 数据 安全 法律 法院 警方 调查 "
    "会议 报告 计划 政策 措施 标准 质量 效率 成本 收入 就业 人才 合作 交流 国际 地区 全国 "
    "今年 去年 近日 目前 已经 正在 将要 继续 进一步 明显 持续 逐步 全面 重点 主要 相关"
)
WORDS = tuple(_WORDS_TEXT.split())
MEMORY_POLL_S = 0.1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

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


def article_page(number: int, title: str, paragraphs: int = 8) -> bytes:
    """An article page with its own text, and a portal's navigation, hot list and footer."""
    draw = random.Random(number)
    body = "".join(
        "<p>" + "，".join("".join(draw.choices(WORDS, k=draw.randint(4, 9)))
                         for _ in range(draw.randint(3, 6))) + "。</p>"
        for _ in range(paragraphs))
    nav = "".join(
        f'<a href="/channel/{c}/">{c}频道</a> ' for c in ("国内", "国际", "财经", "体育", "科技")
    )
    sides = "".join(
        f'<div class="side"><h3>{name}</h3><ul>'
        + "".join(f'<li><a href="/news/0/a{(number * 7 + k) % 997 + 1}.html">{name}第{k}条：'
                  f'{"".join(draw.choices(WORDS, k=6))}</a></li>' for k in range(15))
        + "</ul></div>" for name in ("热点排行", "相关阅读", "图片新闻"))
    footer = " ".join(f'<a href="/site/{k}.html">网站链接{k}</a>' for k in range(40))
    script = "<script>var config = {" + ",".join(f'"k{k}": {k}' for k in range(300)) + "};</script>"
    return (
        f"<html><head><title>{title}_测试网</title>{script}"
        f'<meta name="keywords" content="新闻,测试"></head><body>'
        f'<div class="nav"><a href="/">首页</a> {nav}</div>'
        f'<div class="main"><h1>{title}</h1>'
        f'<div class="info">2024-05-06 10:20:30 来源：测试网 作者：张三</div>'
        f'<div class="content">{body}</div></div>{sides}'
        f'<div class="footer">{footer} 版权所有 测试网 京ICP备00000000号</div></body></html>'
    ).encode()


def build_portal(articles: int, per_page: int) -> tuple[dict[str, Page], list[str]]:
    """Pages of a portal with `articles` articles, and every path a full crawl fetches."""
    pages: dict[str, Page] = {}
    count = (articles + per_page - 1) // per_page
    lists = ["/news/"] + [f"/news/index_{n}.html" for n in range(2, count + 1)]
    for number, list_path in enumerate(lists):
        items = []
        for i in range(number * per_page, min(articles, (number + 1) * per_page)):
            title = f"第{i + 1}号新闻：基准测试用的新闻报道标题"
            pages[f"/news/{i // 1000}/a{i + 1}.html"] = Page(article_page(i + 1, title))
            items.append((f"/news/{i // 1000}/a{i + 1}.html", title))
        following = lists[number + 1] if number + 1 < len(lists) else None
        # A short pager (first, previous, next), as portals show it.
        nearby = [lists[0]] + lists[max(1, number - 1):number + 2]
        pages[list_path] = Page(section_html(items, following, nearby))
    return pages, [p for p in pages if p != "/robots.txt"]


@dataclass
class Run:
    """A measured command: wall seconds, peak memory of its process tree (MiB), CPU seconds of
    its own process (and of its main thread alone) and of its descendants (extractor workers),
    and its stdout."""

    seconds: float
    peak_mb: int
    main_cpu_s: float
    reactor_cpu_s: float
    helpers_cpu_s: float
    stdout: str


def cpu_seconds(stat_path: str) -> tuple[int, float]:
    """The parent pid and the CPU seconds (user + system) in a /proc .../stat file."""
    fields = Path(stat_path).read_text().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_sample(root: int) -> tuple[int, dict[int, float]]:
    """Summed proportional memory (KiB) of a process and its descendants (Linux /proc; pages the
    processes share count once, not once per process), and each one's CPU seconds so far."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent, cpu[int(entry)] = cpu_seconds(f"/proc/{entry}/stat")
            except OSError:
                continue  # the process ended meanwhile
            children.setdefault(parent, []).append(int(entry))
    total, todo, seen = 0, [root], dict[int, float]()
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        seen[pid] = cpu.get(pid, 0.0)
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in rollup.splitlines()
                       if line.startswith("Pss:")), 0)
    return total, seen


def timed(command: list[str]) -> Run:
    """Run a command, sampling its process tree until it ends."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err, text=True)
        peak, cpu, reactor_cpu = 0, dict[int, float](), 0.0
        while process.poll() is None:
            pss, seen = tree_sample(process.pid)
            peak = max(peak, pss)
            cpu |= seen
            try:
                reactor_cpu = cpu_seconds(f"/proc/{process.pid}/task/{process.pid}/stat")[1]
            except OSError:
                pass  # the process ended meanwhile
            time.sleep(MEMORY_POLL_S)
        elapsed = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(f"{command[:4]} failed:\n{stdout}\n{stderr[-3000:]}")
    main_cpu = cpu.pop(process.pid, 0.0)
    return Run(elapsed, peak // 1024, round(main_cpu, 1), round(reactor_cpu, 1),
               round(sum(cpu.values()), 1), stdout)


def extraction_ms(pages: dict[str, Page], sample: int = 50) -> float:
    """Mean ms the extractor spends on one of the portal's article pages (inline, one process):
    how heavy this portal's pages are next to real ones."""
    from newsarchive.extract import extract

    articles = [(path, page.body) for path, page in pages.items() if "/a" in path][:sample]
    started = time.perf_counter()
    for path, body in articles:
        extract(body, "http://portal.test" + path, {"Content-Type": ["text/html; charset=utf-8"]})
    return (time.perf_counter() - started) * 1000 / max(1, len(articles))


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda run: run.seconds)[(len(runs) - 1) // 2]


def row(run: Run, pages: int, archived: int | None) -> dict[str, Any]:
    """One command's figures for the report."""
    figures: dict[str, Any] = {"seconds": round(run.seconds, 1),
                               "pages_per_s": round(pages / run.seconds, 1)}
    if archived is not None:
        figures["articles_per_s"] = round(archived / run.seconds, 1)
    return figures | {"peak_mb": run.peak_mb, "main_cpu_s": run.main_cpu_s,
                      "reactor_cpu_s": run.reactor_cpu_s, "helpers_cpu_s": run.helpers_cpu_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument(
        "--concurrency", type=int, default=16, help="requests at a time to the host"
    )
    parser.add_argument(
        "-s",
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra Scrapy setting for our crawl, e.g. NEWSARCHIVE_EXTRACT_WORKERS=0",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each crawl, alternated")
    args = parser.parse_args()
    pages, paths = build_portal(args.articles, args.per_page)
    with tempfile.TemporaryDirectory() as tmp, Portal(pages) as portal:
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(portal.url + p for p in paths), encoding="utf-8")
        plain_runs, our_runs = [], []
        for attempt in range(args.repeat):
            plain_runs.append(timed([sys.executable, "-c", PLAIN_SCRAPY, str(url_file),
                                     str(args.concurrency)]))
            db = f"sqlite:///{Path(tmp) / f'bench{attempt}.db'}"
            our_runs.append(timed([
                sys.executable, "-m", "newsarchive.cli", "crawl", portal.url + "/news/", "--db", db,
                "--progress", "0", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
                "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={args.concurrency}",
                *(arg for setting in args.set for arg in ("-s", setting))]))
        plain, ours = median_run(plain_runs), median_run(our_runs)
        archived = next(int(line.split()[2]) for line in ours.stdout.splitlines()
                        if "articles archived:" in line)
    n_pages = len(paths)
    report = {
        "articles_in_portal": args.articles, "pages": n_pages, "archived": archived,
        "newsarchive": row(ours, n_pages, archived),
        "plain_scrapy": row(plain, n_pages, None),
        "throughput_ratio": round(plain.seconds / ours.seconds, 2),
        "runs_seconds": {"newsarchive": [round(r.seconds, 1) for r in our_runs],
                         "plain_scrapy": [round(r.seconds, 1) for r in plain_runs]},
        # The crawl process's CPU time bounds its rate when a core is free: steadier under load.
        "main_cpu_ratio": round(plain.main_cpu_s / ours.main_cpu_s, 2),
        "reactor_cpu_ratio": round(plain.reactor_cpu_s / ours.reactor_cpu_s, 2),
        "extraction_ms_per_article": round(extraction_ms(pages), 2),
        "our_settings": args.set,
    }
    print(f"{'':14}{'seconds':>9}{'pages/s':>9}{'articles/s':>12}{'peak MB':>9}"
          f"{'CPU s main':>12}{'of it reactor':>15}{'CPU s workers':>15}")
    for name, line in (
        ("newsarchive", report["newsarchive"]),
        ("plain scrapy", report["plain_scrapy"]),
    ):
        print(f"{name:14}{line['seconds']:>9}{line['pages_per_s']:>9}"
              f"{line.get('articles_per_s', '-'):>12}{line['peak_mb']:>9}"
              f"{line['main_cpu_s']:>12}{line['reactor_cpu_s']:>15}{line['helpers_cpu_s']:>15}")
    print(
        f"throughput ratio newsarchive/plain: {report['throughput_ratio']} "
        f"({archived} of {args.articles} articles archived; median of {args.repeat} runs each: "
        f"ours {report['runs_seconds']['newsarchive']} s, "
        f"plain {report['runs_seconds']['plain_scrapy']} s)"
    )
    print(f"crawl-process CPU ratio plain/newsarchive: {report['main_cpu_ratio']} "
          f"(reactor thread alone: {report['reactor_cpu_ratio']})")
    print(f"extraction alone: {report['extraction_ms_per_article']} ms per article page (inline)")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
