"""Extraction's caps: a page nested past the parser's depth limit, too many elements, too long a
body: each fails with its own kind instead of `other` or an exhausted worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.extract import Limits, extract
from newsarchive.extract.errors import FailureKind, NewsarchiveError

URL = "http://news.example.test/2024/0101/1.html"
PARA = ("The council met on Monday evening to discuss the new bridge over the river, which has "
        "been closed to traffic since the spring floods damaged its eastern supports.")


def page(body: str) -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>Bridge to reopen</title></head><body>"
            f"<h1>Bridge to reopen</h1><div class='content'>{body}</div></body></html>").encode()


def failure(body: bytes, **kw: object) -> NewsarchiveError:
    with pytest.raises(NewsarchiveError) as caught:
        extract(body, URL, {}, **kw)  # type: ignore[arg-type]
    return caught.value


def test_a_page_nested_100k_levels_is_too_deep_not_other() -> None:
    deep = "<div>" * 100_000 + f"<p>{PARA}</p>" + "</div>" * 100_000
    error = failure(page(f"<p>{PARA}</p>{deep}"))
    assert error.kind == FailureKind.TOO_DEEP
    assert "depth limit" in error.reason


def test_nesting_under_the_limit_is_extracted() -> None:
    nested = "<div>" * 200 + f"<p>{PARA}</p>" + "</div>" * 200
    assert extract(page(nested), URL, {}).paragraphs == [PARA]


def test_too_many_elements_is_too_large() -> None:
    body = page(f"<p>{PARA}</p>" + "<span>x</span>" * 2_000)
    error = failure(body, limits=Limits(max_elements=1_000))
    assert error.kind == FailureKind.TOO_LARGE
    assert "over the cap of 1,000" in error.reason
    assert extract(body, URL, {}, limits=Limits(max_elements=0)).paragraphs[0] == PARA


def test_a_body_over_the_cap_is_too_large() -> None:
    body = page("".join(f"<p>{PARA} ({i})</p>" for i in range(20)))
    error = failure(body, limits=Limits(max_body_chars=1_000))
    assert error.kind == FailureKind.TOO_LARGE
    assert "over the cap of 1,000" in error.reason
    assert len(extract(body, URL, {}).paragraphs) == 20


def test_binary_bytes_are_no_html_document_not_a_page_without_title() -> None:
    import random

    error = failure(b"<html><body><p>" + random.Random(15).randbytes(64 * 1024))
    assert error.kind == FailureKind.EMPTY
    assert error.reason.startswith("binary data, not a text page")


def test_the_extract_command_reads_no_more_than_its_cap_even_from_dev_zero() -> None:
    import json
    import time

    from tests.mockserver import run_cli

    started = time.monotonic()
    result = run_cli("extract", "/dev/zero", "--url", URL, timeout=60, check=False)
    assert time.monotonic() - started < 30
    assert result.returncode == 1  # an input that could not be extracted says so
    record = json.loads(result.stdout)
    assert record == {"path": "/dev/zero", "url": URL,
                      "error": "too large: more than 10,485,760 bytes (--max-size)"}
    assert result.stderr.strip().splitlines()[-1] == "1 page(s) could not be extracted"


def test_the_extract_command_cap_is_an_option(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from newsarchive.cli import main

    path = tmp_path / "page.html"
    path.write_bytes(page(f"<p>{PARA}</p>" * 40))
    small = CliRunner().invoke(main, ["extract", str(path), "--url", URL, "--max-size", "2KB"])
    assert json.loads(small.stdout)["error"] == "too large: more than 2,048 bytes (--max-size)"
    whole = CliRunner().invoke(main, ["extract", str(path), "--url", URL, "--max-size", "0"])
    assert json.loads(whole.stdout)["title"] == "Bridge to reopen"
    bad = CliRunner().invoke(main, ["extract", str(path), "--max-size", "lots"])
    assert bad.exit_code == 2
    assert "Invalid value for --max-size: 'lots' is not a size such as 20MB" in bad.output
