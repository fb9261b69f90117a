"""The web layer stands on the query layer only: web -> query -> archive -> extract."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "newsarchive"
# What the web layer may import of newsarchive: the query layer, the package's version, and
# the Archive class to open the database read-only.
ALLOWED = ("newsarchive.query", "newsarchive.web")


def imports(path: Path) -> list[tuple[str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
    return found


def test_web_imports_only_the_query_layer() -> None:
    for path in sorted((PACKAGE / "web").rglob("*.py")):
        for module, names in imports(path):
            if not module.startswith("newsarchive"):
                continue
            ok = (module.startswith(ALLOWED) or (module == "newsarchive" and names in (
                ["__version__"], ["query"], ["__version__", "query"]))
                or (module == "newsarchive.archive" and names == ["Archive"]))
            assert ok, f"{path.name} imports {module} {names}"


def test_nothing_below_imports_the_web_layer() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "web" in path.relative_to(PACKAGE).parts or path.name == "cli.py":
            continue
        for module, _ in imports(path):
            assert not module.startswith("newsarchive.web"), f"{path} imports {module}"
