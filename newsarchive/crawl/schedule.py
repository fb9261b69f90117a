"""Crawl sites on an interval in the foreground; each crawl in its own process, because Twisted's
reactor cannot be restarted within one."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta


def crawl_command(site: str, extra: Sequence[str] = ()) -> list[str]:
    """The command line of one scheduled crawl of `site`."""
    return [sys.executable, "-m", "newsarchive.cli", "crawl", site, "--progress", "0", *extra]


def run_schedule(sites: Sequence[str], every: timedelta, extra: Sequence[str] = (), *,
                 runs: int = 0, echo: Callable[[str], None] = print) -> list[int]:
    """Crawl every site, wait out the interval (from round start), repeat; the exit codes.

    `runs` = 0 repeats until interrupted. A failed crawl is reported and the schedule goes on.
    """
    codes: list[int] = []
    round_number = 0
    while runs == 0 or round_number < runs:
        round_number += 1
        started = time.monotonic()
        for site in sites:
            echo(f"[{datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z] round {round_number}: crawl {site}")
            result = subprocess.run(crawl_command(site, extra), check=False)
            codes.append(result.returncode)
            if result.returncode != 0:
                echo(f"crawl {site} failed with exit code {result.returncode}")
        if runs and round_number >= runs:
            break
        time.sleep(max(0.0, every.total_seconds() - (time.monotonic() - started)))
    return codes
