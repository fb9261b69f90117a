"""WARC copies of every fetch, for archivists who keep WARCs (the optional ``warc`` extra).

Each fetch becomes one gzip-compressed ``response`` record (its own gzip member, so a
reader can seek straight to it) in rotating files ``<prefix>-<n>.warc.gz``; the archive
stores each record's file name and offset in ``fetches.warc_file`` / ``warc_offset``.
The payload is the body as the archive keeps it: Scrapy has already undone any
Content-Encoding, so that header and Transfer-Encoding are left out of the record.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

# A new file once the current one passes this size (the common 1 GB WARC convention).
MAX_FILE_BYTES = 1 << 30
_DROPPED_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


class WarcNotAvailable(RuntimeError):
    """WARC output was asked for but warcio is not installed."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"WARC output needs warcio (pip install 'newsarchive[warc]'): {reason}")


def _reason_phrase(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcFiles:
    """Appends response records to rotating gzip WARC files in one directory."""

    def __init__(self, directory: str | Path, prefix: str,
                 max_bytes: int = MAX_FILE_BYTES) -> None:
        try:
            from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]
        except ImportError as error:
            raise WarcNotAvailable(str(error)) from error
        self._writer_class = WARCWriter
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._file: IO[bytes] | None = None
        self._name = ""
        self._writer: Any = None

    def _open_next(self) -> None:
        self.close()
        number = len(list(self.directory.glob(f"{self.prefix}-*.warc.gz")))
        self._name = f"{self.prefix}-{number:05d}.warc.gz"
        self._file = open(self.directory / self._name, "ab")  # noqa: SIM115 - kept open
        self._writer = self._writer_class(self._file, gzip=True)

    def write_response(self, url: str, status: int, headers: dict[str, list[str]],
                       body: bytes, fetched_at: datetime) -> tuple[str, int]:
        """Append one response record; (file name, offset of the record in it)."""
        from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]

        if self._file is None or self._file.tell() >= self.max_bytes:
            self._open_next()
        assert self._file is not None
        http_headers = StatusAndHeaders(
            f"{status} {_reason_phrase(status)}",
            [(name, value) for name, values in headers.items()
             if name.lower() not in _DROPPED_HEADERS for value in values],
            protocol="HTTP/1.1")
        when = fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=http_headers, warc_headers_dict={"WARC-Date": when})
        offset = self._file.tell()
        self._writer.write_record(record)
        return self._name, offset

    def flush(self) -> None:
        """Push written records to the OS (before the database commit that points at them)."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Close the current file."""
        if self._file is not None:
            self._file.close()
            self._file = None


__all__ = ["MAX_FILE_BYTES", "WarcFiles", "WarcNotAvailable"]
