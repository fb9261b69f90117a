"""CLI round trips: help for every command, extract on files, errors that do not stop the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main

COMMANDS = sorted(main.commands)


def test_the_documented_commands_exist() -> None:
    assert {"demo", "crawl", "extract", "export", "search"} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example: newsarchive " + command in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme(command: str) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"newsarchive {command}" in readme


def test_extract_seed_prints_expected_fields(shared_dir: Path) -> None:
    seed = shared_dir / "seed"
    expected = json.loads((seed / "expected.json").read_text(encoding="utf-8"))
    result = CliRunner().invoke(main, ["extract", str(seed / "article.html"), "--url", expected["url"]])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.strip())
    assert record["path"] == str(seed / "article.html")
    assert record["url"] == expected["url"]
    for field in ("title", "published", "source", "authors", "editor", "keywords", "section_path"):
        assert record[field] == expected[field], field
    assert record["body"] == "\n".join(expected["body_paragraphs"])
    assert record["encoding"] == "gb18030"


def test_extract_goes_on_after_a_bad_input(shared_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    seed = shared_dir / "seed" / "article.html"
    listing = tmp_path / "list.tsv"
    listing.write_text(
        f"{tmp_path / 'missing.html'}\thttp://x.test/1.html\n{empty}\thttp://x.test/2.html\n"
        f"{seed}\thttp://news.example-portal.test/news/yw/2020/0109/488.html\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["extract", "--from-list", str(listing)])
    # Every input is still tried and printed; the exit code says that some failed.
    assert result.exit_code == 1
    assert result.stderr == "2 page(s) could not be extracted\n"
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["url"] for r in records] == [
        "http://x.test/1.html", "http://x.test/2.html",
        "http://news.example-portal.test/news/yw/2020/0109/488.html",
    ]
    assert records[0]["error"].startswith("cannot read file")
    assert records[1]["error"] == "no bytes"
    assert "error" not in records[2]
    assert records[2]["published"] == "2020-01-09T07:56:40+08:00"


def test_extract_needs_an_input() -> None:
    result = CliRunner().invoke(main, ["extract"])
    assert result.exit_code == 2
    assert "at least one PATH" in result.output
