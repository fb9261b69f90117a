"""The package's four parts import one way: crawl -> archive, extract; query -> archive -> extract;
web -> query. A walk over every import statement (function-level ones too) checks it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsarchive"
PARTS = ("crawl", "extract", "archive", "query", "web")
# What each part may not import: a lower layer never reaches up.
FORBIDDEN = {
    "extract": {"crawl", "archive", "query", "web", "cli", "settings", "demo"},
    "archive": {"crawl", "query", "web", "cli", "settings", "demo"},
    "query": {"crawl", "web", "cli", "settings", "demo"},
    "web": {"crawl", "cli", "settings", "demo"},
}


def _imports(path: Path) -> list[str]:
    """Every module an import statement in `path` names (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[:-node.level]
                base = ".".join([*parent, base] if base else parent)
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return names


def _part(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "newsarchive" else None


def _modules(part: str) -> list[Path]:
    return sorted((PACKAGE / part).rglob("*.py"))


def test_the_package_holds_only_its_four_parts() -> None:
    entries = {p.name for p in PACKAGE.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert entries <= {*PARTS, "cli.py", "settings.py", "demo", "__init__.py"}
    assert {"crawl", "extract", "archive", "query"} <= entries


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_no_import_runs_upward(part: str) -> None:
    wrong = sorted({f"{path.relative_to(PACKAGE)} imports {name}"
                    for path in _modules(part) for name in _imports(path)
                    if _part(name) in FORBIDDEN[part]})
    assert not wrong


def test_extraction_never_imports_scrapy() -> None:
    wrong = sorted({f"{path.relative_to(PACKAGE)} imports {name}"
                    for path in _modules("extract") for name in _imports(path)
                    if name.split(".")[0] in ("scrapy", "twisted", "sqlalchemy")})
    assert not wrong


def test_migrations_import_no_live_code() -> None:
    """An old migration must do what it did when written: it may use only the frozen helpers."""
    versions = PACKAGE / "archive" / "migrations" / "versions"
    wrong = sorted({f"{path.name} imports {name}" for path in versions.glob("*.py")
                    for name in _imports(path) if name.startswith("newsarchive")
                    and not name.startswith("newsarchive.archive.migrations.frozen")})
    assert not wrong
    frozen = PACKAGE / "archive" / "migrations" / "frozen.py"
    assert not [name for name in _imports(frozen) if name.startswith("newsarchive")]
