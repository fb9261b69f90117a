"""Who owns a crawl run, and whether it is still alive: a run whose process is gone (same host)
or whose heartbeat stopped (any host) was killed, and the next run closes it as such."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

# A run that has not beaten for this long is taken for dead, wherever it ran (the crawl beats
# every NEWSARCHIVE_HEARTBEAT_S, 60 s by default).
STALE_AFTER = timedelta(minutes=10)
KILLED = "killed"


@dataclass(frozen=True)
class Owner:
    """The process a run belongs to."""

    pid: int
    host: str


def this_process() -> Owner:
    return Owner(os.getpid(), socket.gethostname()[:255])


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def owner_gone(pid: int | None, host: str | None, last_alive: datetime, now: datetime,
               me: Owner, stale_after: timedelta = STALE_AFTER) -> bool:
    """Whether an open run's owner is dead: on this host, whether its process is gone; on
    another (or with no owner recorded), whether it has not beaten (`last_alive`: the last
    heartbeat, else the start) for `stale_after`."""
    if pid is not None and host == me.host:
        return pid != me.pid and not pid_alive(pid)
    return now - last_alive > stale_after
