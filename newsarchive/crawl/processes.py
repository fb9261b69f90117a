"""How a crawl starts its helper processes (extractor workers, the archive writer)."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from collections.abc import Callable, Sequence
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

# What a helper process may need, imported once in the fork server rather than in every helper.
PRELOAD = ["newsarchive.crawl.extract_pool", "newsarchive.crawl.store_writer"]


def helper_context() -> ForkServerContext | SpawnContext:
    """forkserver where there is one: helpers never inherit the reactor's threads and sockets, as
    fork would, and start from a server that imported the extractor and the archive only (not
    the crawler)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def warm_up() -> None:
    """Start the fork server now: it imports what helpers need on the other core while the crawl
    sets itself up, instead of after, when the first page is waiting for its extractor."""
    if isinstance(helper_context(), ForkServerContext):
        forkserver.ensure_running()


def ignore_stop_signals() -> None:
    """In a helper: leave Ctrl-C and SIGTERM (sent to the whole process group or service) to the
    crawl, which stops gracefully and then closes the helper's pipe; SIGKILL still kills."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def start_helper(target: Callable[..., None], name: str, theirs: Sequence[Connection],
                 *args: Any) -> BaseProcess:
    """A started helper running `target(*theirs, *args)`. The helper's pipe ends (`theirs`) are
    closed here once it has them: they live in the helper only, so its death reads as EOF."""
    process = helper_context().Process(target=target, args=(*theirs, *args), daemon=True,
                                       name=name)
    process.start()
    for end in theirs:
        end.close()
    return process


def reap(process: BaseProcess, wait: float) -> int | None:
    """Wait up to `wait` s for a helper whose pipe is closed to exit, else kill it; its exit code.
    """
    process.join(wait)
    if process.exitcode is None:
        process.kill()
        process.join()
    return process.exitcode


def loop_running() -> bool:
    """Whether this thread runs an event loop (helpers report to it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
