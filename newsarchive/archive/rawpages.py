"""Raw page bodies as stored: zstd with a per-site trained dictionary; every stored form read back.

Portal pages of one site share tens of KB of chrome (scripts, navigation, link lists,
footer). A zstd dictionary trained on a host's first DICTIONARY_SAMPLES pages holds that
chrome, so each later page of the host stores little more than its own part: 0.18× the
bytes of zlib level 6 at a tenth of its CPU time on benchmarks/archive.py's pages, 0.56×
on real portal pages with a dictionary from only three of them. Pages of a host with no
dictionary yet are plain zstd. Rows written before zstd (``compression = 'zlib'``) still read.

A dictionary becomes usable for later batches only once the transaction that stored it
has committed (`RawPageCodec.committed`); a rolled-back batch takes its dictionaries, and
the pages compressed with them, away together.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import zstandard
from sqlalchemy import Table, func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from newsarchive.archive.models import Fetch, RawPage, RawPageDictionary

ZSTD_LEVEL = 3
# Pages of a host a dictionary is trained on: enough to cover a portal's few templates.
DICTIONARY_SAMPLES = 32
# Room for several templates' chrome: on the benchmark's pages (4 templates a site) 112 KB
# leaves 8,807 bytes a page, 256 KB 3,914, 512 KB 2,687; on real pages (zh-news-dev,
# zh-classic-dev, three samples) 0.75×, 0.68×, 0.56× zlib level 6. Stored once per host.
DICTIONARY_BYTES = 512 * 1024
# Training's segment size. zstd's own search for it (the default) keeps too little of a
# template repeated exactly (a 19 KB dictionary for 28 KB pages); long segments keep it
# whole and do as well on varied templates.
SEGMENT_BYTES = 8192
# Sample pages held in memory while they wait for their dictionary; past it the host that
# started sampling longest ago gives its samples up (it samples anew if it comes back).
# A body larger than its share (2 MB) is no sample.
SAMPLE_BUDGET = 64 * 1024 * 1024
# Dictionaries kept ready (as a compressor or decompressor, ~2 MB each); others load again.
DICTIONARIES_KEPT = 64

_dictionaries = cast(Table, RawPageDictionary.__table__)


class UnknownCompression(ValueError):
    """A stored body in a form this version cannot read."""


def train(samples: Sequence[bytes]) -> bytes:
    """A dictionary for pages like `samples`: zstd-trained, or (when training finds too
    little to work with, as with a few small pages) their last DICTIONARY_BYTES as raw content."""
    try:
        return zstandard.train_dictionary(DICTIONARY_BYTES, list(samples), k=SEGMENT_BYTES,
                                          d=8, level=ZSTD_LEVEL).as_bytes()
    except zstandard.ZstdError:
        return b"".join(samples)[-DICTIONARY_BYTES:]


def _dictionary(data: bytes) -> zstandard.ZstdCompressionDict:
    # Trained dictionaries start with zstd's magic number; anything else is raw content.
    return zstandard.ZstdCompressionDict(data, dict_type=zstandard.DICT_TYPE_AUTO)


def _keep(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    """Put `value` in the least-recently-used `cache`, forgetting the oldest past DICTIONARIES_KEPT.
    """
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > DICTIONARIES_KEPT:
        cache.popitem(last=False)


class RawPageCodec:
    """Compresses an archive's raw pages, one dictionary per host (used by one writer at a time)."""

    def __init__(self) -> None:
        self._plain = zstandard.ZstdCompressor(level=ZSTD_LEVEL)
        self._compressors: OrderedDict[str, tuple[int, zstandard.ZstdCompressor]] = OrderedDict()
        self._without: set[str] = set()  # hosts the archive has no dictionary for (yet)
        self._samples: dict[str, list[bytes]] = {}
        self._sample_bytes = 0
        self._pending: dict[str, tuple[int, zstandard.ZstdCompressor]] = {}

    def compress(self, connection: Connection, pages: Sequence[tuple[str, bytes]],
                 ) -> list[tuple[int | None, bytes]]:
        """(dictionary id or None, zstd frame) for each (host, body), in order."""
        ready = self._look_up(connection, {host for host, _ in pages})
        out: list[tuple[int | None, bytes]] = []
        for host, body in pages:
            current = self._pending.get(host) or ready.get(host)
            if current is not None:
                out.append((current[0], current[1].compress(body)))
                continue
            out.append((None, self._plain.compress(body)))
            self._sample(connection, host, body)
        return out

    def committed(self) -> None:
        """The transaction holding the new dictionaries committed: later batches use them."""
        for host, compressor in self._pending.items():
            self._without.discard(host)
            _keep(self._compressors, host, compressor)
        self._pending.clear()

    def rolled_back(self) -> None:
        """The transaction rolled back: its dictionaries are gone; those hosts sample anew."""
        self._pending.clear()

    def _look_up(self, connection: Connection, hosts: set[str],
                 ) -> dict[str, tuple[int, zstandard.ZstdCompressor]]:
        """The compressor of each of `hosts` that has a dictionary, loading the newest stored
        one of a host not in memory."""
        ready = {}
        for host in hosts & set(self._compressors):
            self._compressors.move_to_end(host)
            ready[host] = self._compressors[host]
        wanted = sorted(hosts - set(ready) - self._without)
        if wanted:
            newest = (select(func.max(_dictionaries.c.id))
                      .where(_dictionaries.c.host.in_(wanted)).group_by(_dictionaries.c.host))
            rows = connection.execute(select(_dictionaries.c.host, _dictionaries.c.id,
                                             _dictionaries.c.data)
                                      .where(_dictionaries.c.id.in_(newest.scalar_subquery())))
            for host, dictionary_id, data in rows:
                ready[host] = (dictionary_id, self._compressor(data))
                _keep(self._compressors, host, ready[host])
            self._without.update(set(wanted) - set(ready))
        return ready

    def _sample(self, connection: Connection, host: str, body: bytes) -> None:
        """Keep `body` as a training sample; with enough, store the host's dictionary."""
        if len(body) > SAMPLE_BUDGET // DICTIONARY_SAMPLES:
            return  # no portal's HTML is this large (a PDF, an image): no sample of its chrome
        while self._sample_bytes + len(body) > SAMPLE_BUDGET and set(self._samples) - {host}:
            oldest = next(h for h in self._samples if h != host)
            self._sample_bytes -= sum(map(len, self._samples.pop(oldest)))
        samples = self._samples.setdefault(host, [])
        samples.append(body)
        self._sample_bytes += len(body)
        if len(samples) < DICTIONARY_SAMPLES:
            return
        del self._samples[host]
        self._sample_bytes -= sum(map(len, samples))
        data = train(samples)
        dictionary_id = connection.execute(insert(_dictionaries).returning(_dictionaries.c.id),
                                           {"host": host, "created_at": datetime.now(UTC),
                                            "samples": len(samples), "data": data}).scalar_one()
        self._pending[host] = (dictionary_id, self._compressor(data))

    @staticmethod
    def _compressor(data: bytes) -> zstandard.ZstdCompressor:
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL, dict_data=_dictionary(data))


class RawPageReader:
    """Reads stored bodies back, whatever their compression; keeps the dictionaries it used
    last (a dictionary row never changes)."""

    def __init__(self) -> None:
        self._plain = zstandard.ZstdDecompressor()
        self._decompressors: OrderedDict[int, zstandard.ZstdDecompressor] = OrderedDict()

    def fetch_body(self, connection: Connection | Session, fetch_id: int) -> bytes | None:
        """The exact bytes fetch `fetch_id` received; None if it has no body kept."""
        row = connection.execute(
            select(RawPage.body, RawPage.compression, RawPage.dictionary_id)
            .join(Fetch, Fetch.raw_page_id == RawPage.id).where(Fetch.id == fetch_id)
        ).one_or_none()
        return None if row is None else self.decompress(connection, *row)

    def decompress(self, connection: Connection | Session, body: bytes, compression: str,
                   dictionary_id: int | None) -> bytes:
        """A stored body's original bytes."""
        if compression == "zlib":
            return zlib.decompress(body)
        if compression != "zstd":
            raise UnknownCompression(f"unknown compression {compression!r}")
        if dictionary_id is None:
            return self._plain.decompress(body)
        decompressor = self._decompressors.get(dictionary_id)
        if decompressor is None:
            data: Any = connection.execute(select(_dictionaries.c.data).where(
                _dictionaries.c.id == dictionary_id)).scalar_one()
            decompressor = zstandard.ZstdDecompressor(dict_data=_dictionary(data))
        _keep(self._decompressors, dictionary_id, decompressor)
        return decompressor.decompress(body)


__all__ = ["RawPageCodec", "RawPageReader", "UnknownCompression", "train"]
