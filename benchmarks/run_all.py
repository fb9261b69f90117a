"""Every benchmark: extraction (ours and peers) on each bench dataset with a truth.jsonl, then
listing and decoding.

Example: .venv/bin/python -m benchmarks.run_all            (what `make bench` runs)
         .venv/bin/python -m benchmarks.run_all --peers none --skip-others
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from benchmarks import extraction


def datasets(bench: Path) -> list[Path]:
    """The bench folders that hold a truth.jsonl, by name."""
    return sorted(path for path in bench.iterdir() if (path / "truth.jsonl").is_file())


def main(argv: list[str] | None = None) -> int:
    """Print all benchmark tables; exit status 1 when a sub-benchmark fails."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bench", type=Path, default=extraction.BENCH)
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument(
        "--peers", default="default", help="as in extraction.py: names, 'default' or 'none'"
    )
    parser.add_argument("--skip-others", action="store_true", help="only the extraction benchmark")
    args = parser.parse_args(argv)
    status = 0
    print("## Extraction\n", flush=True)
    for dataset in datasets(args.bench):
        extraction.main(
            [
                str(dataset),
                "--bench",
                str(args.bench),
                "--out",
                str(args.out / "extraction"),
                "--peers",
                args.peers,
            ]
        )
    if not args.skip_others:
        for module, title in (("listing", "Listing"), ("decoding", "Decoding and dates")):
            print(f"## {title}\n", flush=True)
            result = subprocess.run([sys.executable, "-m", f"benchmarks.{module}"], check=False)
            status = status or int(result.returncode != 0)
            print(flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
