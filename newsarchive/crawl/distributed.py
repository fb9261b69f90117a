"""Distributed crawls: scrapy-redis's shared queue and dupefilter, plus what it lacks, so that a
worker's death loses nothing.

Each worker keeps the requests it has taken from the shared queue in its own Redis hash until
their item has gone through the pipelines (taking and recording happen in one Lua script, so a
worker killed in between cannot lose a request), and keeps a heartbeat key alive. A worker that
finds the queue empty puts back the requests taken by workers whose heartbeat has expired (again
in one Lua script: a worker killed while putting them back loses none either), and closes only
when the queue is empty and no live worker still holds requests.

What a killed worker costs is exactly its lease hash: the requests it had taken and not yet
seen through to a committed write. The store pipeline bounds that (NEWSARCHIVE_STORE_MAX_LAG_S).
"""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler  # type: ignore[import-untyped]
from twisted.internet import task

# A worker whose heartbeat is older than this is taken for dead.
HEARTBEAT_TTL_S = 5
HEARTBEAT_EVERY_S = 1.0
# The request's meta key holding its lease (the field of the worker's "taken" hash).
LEASE_META = "newsarchive_lease"

# Pop the best request from the shared priority queue (a sorted set, as scrapy-redis's
# PriorityQueue keeps it) and record it as taken by this worker with its priority score,
# atomically. KEYS: queue, taken hash, scores hash, requeued set. Returns {request data, lease
# field, 1 if the request was put back from a dead worker} or nil.
POP_AND_LEASE = """
local popped = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #popped == 0 then return nil end
redis.call('ZREM', KEYS[1], popped[1])
local lease = redis.sha1hex(popped[1])
redis.call('HSET', KEYS[2], lease, popped[1])
redis.call('HSET', KEYS[3], lease, popped[2])
return {popped[1], lease, redis.call('SREM', KEYS[4], lease)}
"""
# Put every request a dead worker had taken back into the queue at its score, mark it as put
# back, and drop the dead worker's hashes, atomically. KEYS: queue, dead worker's taken hash,
# its scores hash, requeued set. Returns how many requests went back.
REQUEUE_DEAD = """
local taken = redis.call('HGETALL', KEYS[2])
for i = 1, #taken, 2 do
  local score = redis.call('HGET', KEYS[3], taken[i]) or 0
  redis.call('ZADD', KEYS[1], score, taken[i + 1])
  redis.call('SADD', KEYS[4], taken[i])
end
redis.call('DEL', KEYS[2], KEYS[3])
return #taken / 2
"""


class SharedScheduler(Scheduler):
    """scrapy-redis's Scheduler with per-worker leases on taken requests."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        scheduler: SharedScheduler = super().from_crawler(crawler)  # type: ignore[assignment]
        scheduler.crawler = crawler
        scheduler.prefix = crawler.settings.get("NEWSARCHIVE_QUEUE_KEY", "newsarchive:crawl")
        scheduler.worker = f"{socket.gethostname()}:{os.getpid()}"
        scheduler._pop_and_lease = scheduler.server.register_script(POP_AND_LEASE)
        scheduler._requeue_dead = scheduler.server.register_script(REQUEUE_DEAD)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(scheduler._item_done, signal=signal)
        crawler.signals.connect(scheduler._idle, signal=signals.spider_idle)
        return scheduler

    def _taken_key(self, worker: str) -> str:
        return f"{self.prefix}:taken:{worker}"

    def _alive_key(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def _scores_key(self, worker: str) -> str:
        return f"{self.prefix}:scores:{worker}"

    @property
    def _requeued_key(self) -> str:
        return f"{self.prefix}:requeued"

    def open(self, spider: Any) -> Any:
        result = super().open(spider)
        self._beat()
        self._heartbeat = task.LoopingCall(self._beat)
        self._heartbeat.start(HEARTBEAT_EVERY_S, now=False)
        return result

    def _beat(self) -> None:
        self.server.set(self._alive_key(self.worker), "1", ex=HEARTBEAT_TTL_S)

    def next_request(self) -> Request | None:
        popped = self._pop_and_lease(keys=[
            self.queue.key, self._taken_key(self.worker), self._scores_key(self.worker),
            self._requeued_key])
        if not popped:
            return None
        data, lease, requeued = popped
        request: Request = self.queue._decode_request(data)
        # Kept in meta, which redirects and retries carry over, to end the lease when done.
        request.meta[LEASE_META] = lease.decode() if isinstance(lease, bytes) else lease
        if requeued:
            # Taken by a worker that died: the links of a list page it had may have been marked
            # seen without their requests reaching the queue (see SectionSpider.parse_section).
            request.dont_filter = True
            request.meta["newsarchive_requeued"] = True
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _item_done(self, item: Any = None, response: Any = None, **_: Any) -> None:
        # `response` is a Failure (with its request) for items from an errback.
        request = getattr(response, "request", None)
        lease = request.meta.get(LEASE_META) if request is not None else None
        if lease is not None:
            pipe = self.server.pipeline(transaction=True)
            pipe.hdel(self._taken_key(self.worker), lease)
            pipe.hdel(self._scores_key(self.worker), lease)
            pipe.execute()

    def requeue_dead(self) -> int:
        """Put back into the shared queue what dead workers had taken; how many requests."""
        moved = 0
        for key in self.server.scan_iter(match=self._taken_key("*")):
            worker = key.decode().rsplit(":taken:", 1)[1]
            if worker == self.worker or self.server.exists(self._alive_key(worker)):
                continue
            moved += int(self._requeue_dead(keys=[
                self.queue.key, key, self._scores_key(worker), self._requeued_key]))
        if moved:
            self.stats.inc_value("newsarchive/requeued_from_dead_workers", moved)
        return moved

    def _others_busy(self) -> bool:
        for key in self.server.scan_iter(match=self._taken_key("*")):
            worker = key.decode().rsplit(":taken:", 1)[1]
            if worker != self.worker and self.server.hlen(key):
                return True
        return False

    def _idle(self, spider: Any = None) -> None:
        if len(self.queue) or self.requeue_dead() or self._others_busy():
            raise DontCloseSpider
        # Our own lingering leases (e.g. the first page of a stitched article) are done now.
        self.server.delete(self._taken_key(self.worker), self._scores_key(self.worker))

    def close(self, reason: str) -> Any:
        if getattr(self, "_heartbeat", None) is not None and self._heartbeat.running:
            self._heartbeat.stop()
        self.server.delete(self._alive_key(self.worker))
        if reason == "finished" and not len(self.queue) and self._others_gone():
            # The crawl is over for every worker: the next run starts with a clean dupefilter.
            self.df.clear()
            self.server.delete(self._requeued_key)
        return super().close(reason)

    def _others_gone(self) -> bool:
        """Whether no other worker is alive, waiting out the heartbeat of one that may have
        died just now (its key expires within HEARTBEAT_TTL_S; a live one keeps it fresh)."""
        deadline = time.monotonic() + HEARTBEAT_TTL_S + HEARTBEAT_EVERY_S
        while any(True for _ in self.server.scan_iter(match=self._alive_key("*"))):
            if time.monotonic() > deadline:
                return False  # still crawling: the last worker to finish clears up
            time.sleep(HEARTBEAT_EVERY_S / 4)
        return True
