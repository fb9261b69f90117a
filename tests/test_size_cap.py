"""Bodies decompressed layer by layer up to the cap, whatever the codec; broken ones named."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from newsarchive.crawl.items import CrawlError
from newsarchive.crawl.limits import decompress
from newsarchive.crawl.sites import parse_size

PAGE = "<html><body><p>正文</p></body></html>".encode() * 300  # 12 kB
CAP = 4096


def _zstd(data: bytes) -> bytes:
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found,no-redef]
    return bytes(zstd.compress(data))


def _raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("encoding", "pack"), [
    (b"gzip", gzip.compress), (b"x-gzip", gzip.compress), (b"deflate", zlib.compress),
    (b"deflate", _raw_deflate), (b"br", brotli.compress), (b"zstd", _zstd),
])
def test_each_codec_is_undone_whole_under_the_cap(encoding: bytes, pack: object) -> None:
    body = pack(PAGE)  # type: ignore[operator]
    assert decompress(body, [encoding], 0) == (PAGE, [], None)
    cut_body, left, reason = decompress(body, [encoding], CAP)
    assert cut_body == PAGE[:CAP] and left == []
    assert reason == f"over {CAP:,} bytes once decompressed ({encoding.decode()}): kept the first {CAP:,}"


def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(bytes(64 * 1024 * 1024)) * 4  # 256 MiB in four members
    body, _, reason = decompress(bomb, [b"gzip"], 1024 * 1024)
    assert body == bytes(1024 * 1024) and reason is not None


def test_layers_are_undone_last_first_and_unknown_ones_kept() -> None:
    double = gzip.compress(gzip.compress(PAGE))
    assert decompress(double, [b"gzip, gzip"], 0) == (PAGE, [], None)
    assert decompress(double, [b"gzip", b"gzip"], 0) == (PAGE, [], None)
    odd = gzip.compress(PAGE)
    assert decompress(odd, [b"x-odd, gzip"], 0) == (PAGE, [b"x-odd"], None)
    assert decompress(PAGE, [b"identity"], 0) == (PAGE, [], None)


def test_a_truncated_body_gives_what_it_holds_and_garbage_is_named() -> None:
    truncated = gzip.compress(PAGE)[:-40]
    body, _, reason = decompress(truncated, [b"gzip"], 0)
    assert PAGE.startswith(body) and len(body) > 1000 and reason is None
    with pytest.raises(CrawlError) as caught:
        decompress(b"not gzip at all", [b"gzip"], CAP)
    assert caught.value.kind == "decode"
    assert caught.value.reason.startswith("gzip body cannot be decompressed")


@pytest.mark.parametrize(("text", "size"), [("20MB", 20 * 1024**2), ("0", 0), ("1 kb", 1024),
                                            ("2GiB", 2 * 1024**3), ("100b", 100)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MB", "-1MB", "20 TB", "1e3"])
def test_bad_sizes(text: str) -> None:
    with pytest.raises(ValueError, match="is not a size such as 20MB"):
        parse_size(text)
