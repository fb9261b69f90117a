"""Bad invocations of the real `newsarchive` command: each ends with exactly one line on stderr
(no traceback), exit 2 for a usage error and 1 for a runtime one, and leaves every file of
its working directory as it was (same sha256, nothing made: no -wal/-shm, no new archive)."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newsarchive.archive.db import PG_CONNECT_TIMEOUT_S, upgrade
from newsarchive.cli import _Commands
from tests.mockserver import free_port

REPO = Path(__file__).resolve().parents[1]
# The installed console script, as a user runs it (python -m newsarchive.cli where there is none).
SCRIPT = Path(sys.executable).with_name("newsarchive")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "newsarchive.cli"]
USAGE, RUNTIME = 2, 1
NOT_UTF8 = b"caf\xe9"  # Latin-1, as a shell in a Latin-1 locale passes it


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str | bytes, ...]
    code: int
    says: str  # in the one line on stderr: the cause, or the fix
    db_env: str = "sqlite:///ok.db"  # $NEWSARCHIVE_DB


CASES = [
    # --db: URLs and files that are no archive; nothing is created in their place.
    Case("db-not-a-url", ("search", "x", "--db", "notaurl"), RUNTIME, "not a database URL"),
    Case("db-missing-dir", ("search", "x", "--db", "sqlite:///nodir/x.db"), RUNTIME,
         "no archive at nodir/x.db"),
    Case("db-not-sqlite", ("search", "x", "--db", "sqlite:///bad.db"), RUNTIME,
         "not an SQLite database"),
    Case("db-directory", ("search", "x", "--db", "sqlite:///dir.db"), RUNTIME, "is a directory"),
    Case("db-pg-unreachable", ("stats", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/test"),
         RUNTIME, "does not answer"),
    Case("db-pg-no-such-db",
         ("stats", "--db", "postgresql+psycopg://postgres@127.0.0.1:5432/no_such_db_newsarchive"),
         RUNTIME, "no_such_db_newsarchive"),
    Case("db-driver-missing", ("search", "x", "--db", "postgresql+pg8000://postgres@127.0.0.1/t"),
         RUNTIME, "(pg8000) is not installed"),
    Case("db-mysql-driver-missing", ("export", "--db", "mysql://u@127.0.0.1/x"), RUNTIME,
         "(MySQLdb) is not installed"),
    Case("db-unknown-kind", ("stats", "--db", "nosuch://x"), RUNTIME, "unknown database kind"),
    Case("db-typo-search", ("search", "x", "--db", "sqlite:///typo.db"), RUNTIME,
         "no archive at typo.db"),
    Case("db-typo-stats", ("stats", "--db", "sqlite:///typo.db"), RUNTIME, "no archive at typo.db"),
    Case("db-typo-export", ("export", "--db", "sqlite:///typo.db"), RUNTIME,
         "no archive at typo.db"),
    Case("db-typo-reextract", ("reextract", "--db", "sqlite:///typo.db"), RUNTIME,
         "no archive at typo.db"),
    Case("db-typo-serve", ("serve", "--db", "sqlite:///typo.db", "--port", "{free_port}"),
         RUNTIME, "no archive at typo.db"),
    Case("db-typo-env", ("search", "x"), RUNTIME, "no archive at typo.db",
         db_env="sqlite:///typo.db"),
    Case("db-env-not-utf8", ("stats",), USAGE, "$NEWSARCHIVE_DB is not UTF-8",
         db_env=os.fsdecode(b"sqlite:///caf\xe9.db")),
    Case("db-no-schema", ("search", "x", "--db", "sqlite:///plain.db"), RUNTIME,
         "not a newsarchive archive"),
    Case("db-older-schema", ("search", "x", "--db", "sqlite:///old.db"), RUNTIME,
         "run `newsarchive migrate --db URL`"),
    Case("db-newer-schema", ("stats", "--db", "sqlite:///newer.db"), RUNTIME,
         "upgrade newsarchive"),
    Case("db-in-memory", ("search", "x", "--db", "sqlite://"), RUNTIME, "in-memory"),
    Case("db-damaged", ("search", "x", "--db", "sqlite:///damaged.db"), RUNTIME,
         "the archive could not be read"),
    Case("migrate-directory", ("migrate", "--db", "sqlite:///dir.db"), RUNTIME,
         "dir.db is a directory"),
    Case("migrate-missing-dir", ("migrate", "--db", "sqlite:///nodir/x.db"), RUNTIME,
         "directory nodir does not exist"),
    Case("migrate-not-sqlite", ("migrate", "--db", "sqlite:///bad.db"), RUNTIME,
         "not an SQLite database"),
    Case("crawl-db-directory", ("crawl", "http://127.0.0.1:1/", "--db", "sqlite:///dir.db"),
         RUNTIME, "dir.db is a directory"),
    # Query commands' options.
    Case("limit-huge", ("search", "x", "--limit", "99999999999999999999"), USAGE, "--limit"),
    Case("limit-zero", ("search", "x", "--limit", "0"), USAGE, "1<=x<=10000"),
    Case("limit-not-a-number", ("search", "x", "--limit", "many"), USAGE, "not a valid integer"),
    Case("query-empty", ("search", ""), USAGE, "is empty"),
    Case("query-blank", ("search", "  \t "), USAGE, "is empty"),
    Case("query-not-utf8", ("search", NOT_UTF8), USAGE, "not UTF-8"),
    Case("site-not-utf8", ("search", "x", "--site", NOT_UTF8), USAGE, "not UTF-8"),
    Case("since-not-a-date", ("search", "x", "--since", "yesterday"), USAGE, "--since"),
    Case("until-not-a-date", ("stats", "--until", "2024-13-45"), USAGE, "--until"),
    Case("since-after-until", ("export", "--since", "2024-02-01", "--until", "2024-01-01"),
         USAGE, "is not before --until"),
    Case("site-empty", ("search", "x", "--site", ""), USAGE, "is empty"),
    Case("author-blank", ("stats", "--author", " "), USAGE, "is empty"),
    Case("search-format", ("search", "x", "--format", "xml"), USAGE, "'xml' is not one of"),
    Case("export-dir-missing", ("export", "-o", "/nonexistent/x.jsonl"), USAGE,
         "directory /nonexistent does not exist"),
    Case("export-to-directory", ("export", "-o", "dir.db"), USAGE, "is a directory"),
    Case("export-parquet-stdout", ("export", "--format", "parquet"), RUNTIME,
         "needs an output file"),
    Case("datasette-dir-missing", ("datasette-metadata", "-o", "/nonexistent/m.json"), USAGE,
         "does not exist"),
    Case("demo-query-blank", ("demo", "--query", " "), USAGE, "is empty"),
    # crawl and schedule.
    Case("job-escapes", ("crawl", "--job", "../evil", "http://127.0.0.1:1/"), USAGE,
         "not a job name"),
    Case("job-path", ("crawl", "--job", "a/b", "http://127.0.0.1:1/"), USAGE, "not a job name"),
    Case("crawl-ftp", ("crawl", "ftp://news.example.cn/"), USAGE, "not an http(s) URL"),
    Case("crawl-file-url", ("crawl", "file:///etc/passwd"), USAGE, "not an http(s) URL"),
    Case("crawl-no-host", ("crawl", "http:///world/"), USAGE, "with a host"),
    Case("crawl-url-no-scheme", ("crawl", "news.example.cn/world/"), USAGE,
         "starts with http:// or https://"),
    Case("crawl-unknown-site", ("crawl", "nosuch"), USAGE, "no site named 'nosuch' (known: demo)"),
    Case("crawl-two-sites", ("crawl", "demo", "other"), USAGE, "give one SITE name"),
    Case("crawl-no-target", ("crawl",), USAGE, "Missing argument"),
    Case("crawl-no-sites-dir", ("crawl", "demo", "--sites-dir", "/nonexistent"), USAGE,
         "no such directory"),
    Case("crawl-redis-down", ("crawl", "--distributed", "--redis-url", "redis://127.0.0.1:1/0",
                              "http://127.0.0.1:1/"), RUNTIME, "Redis at redis://127.0.0.1:1/0"),
    Case("crawl-redis-url", ("crawl", "--distributed", "--redis-url", "notredis",
                             "http://127.0.0.1:1/"), USAGE, "not a Redis URL"),
    Case("crawl-max-pages", ("crawl", "--max-pages", "-1", "http://127.0.0.1:1/"), USAGE,
         "--max-pages"),
    Case("crawl-revisit", ("crawl", "--revisit", "5x", "http://127.0.0.1:1/"), USAGE,
         "not a duration"),
    Case("crawl-setting", ("crawl", "-s", "NOEQUALS", "http://127.0.0.1:1/"), USAGE,
         "is not NAME=VALUE"),
    Case("crawl-setting-number", ("crawl", "-s", "DOWNLOAD_DELAY=slow", "http://127.0.0.1:1/"),
         USAGE, "DOWNLOAD_DELAY takes a number"),
    Case("crawl-setting-flag", ("crawl", "-s", "ROBOTSTXT_OBEY=maybe", "http://127.0.0.1:1/"),
         USAGE, "ROBOTSTXT_OBEY takes true or false"),
    Case("crawl-port-range", ("crawl", "http://127.0.0.1:99999/"), USAGE, "Port out of range"),
    Case("crawl-warc-is-file", ("crawl", "--warc", "bad.db/warc", "http://127.0.0.1:1/"), USAGE,
         "bad.db is a file, not a directory"),
    Case("schedule-setting", ("schedule", "-s", "DOWNLOAD_TIMEOUT=long", "demo"), USAGE,
         "DOWNLOAD_TIMEOUT takes a number"),
    Case("schedule-every", ("schedule", "--every", "5x"), USAGE, "not a duration"),
    Case("schedule-unknown", ("schedule", "nosuch"), USAGE, "unknown site(s): nosuch"),
    # Site files.
    Case("validate-no-dir", ("sites", "validate", "--sites-dir", "/nonexistent"), USAGE,
         "no such directory"),
    Case("validate-empty-dir", ("sites", "validate", "--sites-dir", "empty"), RUNTIME,
         "no site files"),
    Case("validate-not-utf8", ("sites", "validate", "sites/latin1.toml"), RUNTIME,
         "not UTF-8 text"),
    Case("validate-not-toml", ("sites", "validate", "sites/broken.toml"), RUNTIME,
         "not valid TOML"),
    Case("validate-missing-file", ("sites", "validate", "nosuch.toml"), RUNTIME, "cannot read"),
    Case("list-no-dir", ("sites", "list", "--sites-dir", "/nonexistent"), USAGE,
         "no such directory"),
    # extract.
    Case("extract-missing-file", ("extract", "missing.html"), RUNTIME,
         "1 page(s) could not be extracted"),
    Case("extract-list-not-utf8", ("extract", "--from-list", "latin1.tsv"), RUNTIME,
         "not UTF-8 text"),
    Case("extract-max-size", ("extract", "--max-size", "lots", "missing.html"), USAGE,
         "'lots' is not a size"),
    Case("extract-dev-zero", ("extract", "/dev/zero"), RUNTIME,
         "1 page(s) could not be extracted"),
    Case("extract-list-missing", ("extract", "--from-list", "nosuch.tsv"), USAGE, "nosuch.tsv"),
    Case("extract-url-many", ("extract", "a.html", "b.html", "--url", "http://x.test/"), USAGE,
         "single PATH"),
    Case("extract-unknown-site", ("extract", "--site", "nosuch", "a.html"), USAGE,
         "no site named 'nosuch'"),
    Case("extract-nothing", ("extract",), USAGE, "at least one PATH"),
    # serve.
    Case("serve-port-range", ("serve", "--port", "70000"), USAGE, "--port"),
    Case("serve-open-host", ("serve", "--host", "0.0.0.0"), USAGE, "--token"),
    Case("serve-port-busy", ("serve", "--port", "{busy_port}"), RUNTIME, "cannot listen"),
    # The command line itself.
    Case("no-such-command", ("nosuch",), USAGE, "No such command 'nosuch'"),
    Case("no-such-option", ("--bogus",), USAGE, "No such option '--bogus'"),
    Case("no-such-subcommand", ("sites", "nosuch"), USAGE, "(see 'newsarchive sites --help')"),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(directory: Path) -> dict[str, str]:
    """Every file and directory under `directory` by relative path: its sha256, or 'dir'."""
    return {str(p.relative_to(directory)): "dir" if p.is_dir() else _sha(p)
            for p in sorted(directory.rglob("*"))}


def _workspace(root: Path) -> Path:
    """A directory of good and bad archives, site files and inputs that the cases name."""
    work = root / "template"
    work.mkdir()
    upgrade(f"sqlite:///{work / 'ok.db'}")
    upgrade(f"sqlite:///{work / 'old.db'}", "0006")
    shutil.copy(work / "ok.db", work / "newer.db")
    shutil.copy(work / "ok.db", work / "damaged.db")
    with sqlite3.connect(work / "newer.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_future'")
    conn.close()
    with sqlite3.connect(work / "damaged.db") as conn:
        conn.execute("DROP VIEW article_search_source")
        conn.execute("DROP TABLE article_search")
    conn.close()
    with sqlite3.connect(work / "plain.db") as conn:
        conn.execute("CREATE TABLE notes (x TEXT)")
    conn.close()
    (work / "bad.db").write_text("not a database\n", encoding="utf-8")
    (work / "dir.db").mkdir()
    (work / "empty").mkdir()
    sites = work / "sites"
    sites.mkdir()
    shutil.copy(REPO / "sites" / "demo.toml", sites / "demo.toml")
    (sites / "broken.toml").write_text("name = \n", encoding="utf-8")
    (sites / "latin1.toml").write_bytes(b'name = "caf\xe9"\nsections = ["http://x.test/"]\n')
    (work / "latin1.tsv").write_bytes(b"caf\xe9.html\thttp://x.test/1.html\n")
    for name in ("ok.db", "old.db"):
        assert not (work / f"{name}-wal").exists() and not (work / f"{name}-shm").exists()
    return work


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    before: dict[str, str]
    after: dict[str, str]


def _run(case: Case, template: Path, root: Path, ports: dict[str, str]) -> Outcome:
    work = root / case.id
    shutil.copytree(template, work, symlinks=True)
    before = snapshot(work)
    args = [a.format(**ports).encode() if isinstance(a, str) else a for a in case.args]
    env = {**os.environ, "NEWSARCHIVE_DB": case.db_env}
    env.pop("NEWSARCHIVE_DEBUG", None)
    done = subprocess.run([*map(os.fsencode, COMMAND), *args],
                          cwd=work, env=env, capture_output=True, timeout=120, check=False)
    return Outcome(done.returncode, done.stderr.decode("utf-8", "replace"), before,
                   snapshot(work))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    root = tmp_path_factory.mktemp("cli-errors")
    template = _workspace(root)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        ports = {"busy_port": str(busy.getsockname()[1]), "free_port": str(free_port())}
        # A few at a time: each is a Python start-up, and the machine is shared.
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = pool.map(lambda c: (c.id, _run(c, template, root, ports)), CASES)
            yield dict(results)


def test_the_table_is_large_and_its_ids_unique() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_bad_invocation_is_one_line_and_changes_nothing(case: Case,
                                                          outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[case.id]
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert case.says in lines[0], lines[0]
    assert outcome.code == case.code, lines[0]
    assert outcome.after == outcome.before


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    work = _workspace(tmp_path)
    before = snapshot(work)
    env = {**os.environ, "NEWSARCHIVE_DEBUG": "1"}
    done = subprocess.run([*COMMAND, "search", "x", "--db",
                           "sqlite:///damaged.db"], cwd=work, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert "sqlite3.OperationalError: no such fts5 table: main.article_search" in done.stderr
    assert snapshot(work) == before


def _group_with_a_bug() -> click.Group:
    @click.group(cls=_Commands)
    def group() -> None:
        """A command group as newsarchive's."""

    @group.command()
    def divide() -> None:
        """A command with a bug in it."""
        print(1 // 0)

    return group


def test_an_unexpected_error_is_one_line_saying_it_is_a_bug() -> None:
    result = CliRunner().invoke(_group_with_a_bug(), ["divide"], env={"NEWSARCHIVE_DEBUG": ""})
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected error ZeroDivisionError: integer division or modulo by zero; this is "
        "a bug, please report it (NEWSARCHIVE_DEBUG=1 shows the traceback)\n")
    debug = CliRunner().invoke(_group_with_a_bug(), ["divide"], env={"NEWSARCHIVE_DEBUG": "1"})
    assert isinstance(debug.exception, ZeroDivisionError)


def test_broken_site_files_disable_only_themselves(tmp_path: Path, shared_dir: Path) -> None:
    work = _workspace(tmp_path)
    listed = subprocess.run([*COMMAND, "sites", "list"],
                            cwd=work, capture_output=True, text=True, timeout=120, check=False)
    assert listed.returncode == 1
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == ["demo"]
    assert listed.stderr.splitlines() == [
        "unusable: sites/broken.toml: not valid TOML: Invalid value (at line 1, column 8)",
        "unusable: sites/latin1.toml: not UTF-8 text (byte 0xe9 at offset 11): save it as UTF-8",
    ]
    validated = subprocess.run([*COMMAND, "sites", "validate"],
                               cwd=work, capture_output=True, text=True, timeout=120,
                               check=False)
    assert validated.returncode == 1
    assert validated.stdout == "ok: sites/demo.toml (demo, 3 section(s))\n"
    assert len(validated.stderr.splitlines()) == 2
    seed = shared_dir / "seed" / "article.html"
    extracted = subprocess.run(
        [*COMMAND, "extract", str(seed), "--site", "demo",
         "--url", "http://news.example-portal.test/news/yw/2020/0109/488.html"],
        cwd=work, capture_output=True, text=True, timeout=120, check=False)
    assert extracted.returncode == 0, extracted.stderr
    assert extracted.stderr == ""
    assert '"published": "2020-01-09T07:56:40+08:00"' in extracted.stdout


@pytest.mark.postgres
def test_postgresql_connects_with_a_short_timeout(pg_url: str) -> None:
    from newsarchive.archive import Archive

    with Archive(pg_url) as archive, archive.engine.connect() as connection:
        params = connection.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
    assert params["connect_timeout"] == str(PG_CONNECT_TIMEOUT_S) == "10"


def test_queries_leave_the_archive_as_found(tmp_path: Path) -> None:
    """A read-only open of a WAL archive makes -wal/-shm files; they go when it closes."""
    work = _workspace(tmp_path)
    before = snapshot(work)
    for args in (["search", "x"], ["stats", "--format", "json"], ["export", "-o", "out.jsonl"]):
        done = subprocess.run([*COMMAND, *args, "--db", "sqlite:///ok.db"], cwd=work,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
    (work / "out.jsonl").unlink()
    assert snapshot(work) == before


def test_a_site_name_used_twice_disables_only_the_second_file(tmp_path: Path) -> None:
    from newsarchive.crawl.sites import find_site, scan_sites

    (tmp_path / "a.toml").write_text('name = "x"\nsections = ["http://a.test/"]\n',
                                     encoding="utf-8")
    (tmp_path / "b.toml").write_text('name = "x"\nsections = ["http://b.test/"]\n',
                                     encoding="utf-8")
    (tmp_path / "c.toml").write_text('name = "y"\nsections = ["http://c.test/"]\n',
                                     encoding="utf-8")
    sites, broken = scan_sites(tmp_path)
    assert {name: site.sections for name, site in sites.items()} == {
        "x": ("http://a.test/",), "y": ("http://c.test/",)}
    assert [str(e) for e in broken] == [f"{tmp_path / 'b.toml'}: name: 'x' is also "
                                        f"{tmp_path / 'a.toml'}"]
    assert find_site("y", tmp_path).sections == ("http://c.test/",)


def test_a_group_without_a_command_shows_its_whole_help() -> None:
    for group in ([], ["sites"]):
        done = subprocess.run([*COMMAND, *group], capture_output=True, text=True, timeout=120,
                              check=False)
        shown = done.stdout + done.stderr
        assert shown.startswith(f"Usage: newsarchive {' '.join(group)}".rstrip() + " [OPTIONS]")
        assert "\nCommands:\n" in shown
        assert "Error:" not in shown
