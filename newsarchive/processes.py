"""How a crawl starts its helper processes (extractor workers, the archive writer)."""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext, SpawnContext

# What a helper process may need, imported once in the fork server rather than in every helper.
PRELOAD = ["newsarchive.extract_pool", "newsarchive.store_writer"]


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



def loop_running() -> bool:
    """Whether this thread runs an event loop (helpers report to it)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
