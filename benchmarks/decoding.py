"""Decoding and dates side by side with peers on ../shared/bench and our fixtures.

Decoding: our decode_html, w3lib's html_to_unicode (what plain Scrapy does) and charset-normalizer
alone, over every page; pages with any U+FFFD, pages whose text differs from ours, time per page.
Dates: date-day / date-minute on bench/zh-*-dev via bench/score.py, ours next to htmldate and
trafilatura. """

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import lxml.html

from newsarchive.extract.dates import find_dates
from newsarchive.extract.decode import decode_html

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
FIXTURES = ROOT / "tests" / "fixtures" / "decode"
# A crawl time after every bench page, so that year-less dates resolve into the past.
CRAWL_TIME = datetime.fromisoformat("2026-11-24T12:00:00+08:00")


def pages() -> list[tuple[str, bytes, dict[str, str]]]:
    """(name, body, headers) for every bench page and every decode fixture."""
    found: list[tuple[str, bytes, dict[str, str]]] = []
    for path in sorted(BENCH.glob("*/pages/*")):
        found.append((f"{path.parent.parent.name}/{path.name}", path.read_bytes(), {}))
    for meta_path in sorted(FIXTURES.glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = (FIXTURES / meta["file"]).read_bytes()
        headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
        found.append((f"fixtures/{meta['file']}", body, headers))
    return found


def ours(body: bytes, headers: dict[str, str]) -> str:
    return decode_html(body, headers).text


def w3lib_decoder(body: bytes, headers: dict[str, str]) -> str:
    from w3lib.encoding import html_to_unicode

    return html_to_unicode(headers.get("Content-Type"), body)[1]


def charset_normalizer_alone(body: bytes, headers: dict[str, str]) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")


DECODERS: dict[str, Callable[[bytes, dict[str, str]], str]] = {
    "newsarchive": ours,
    "w3lib": w3lib_decoder,
    "charset-normalizer": charset_normalizer_alone,
}


def run_decoding(repeat: int) -> dict[str, Any]:
    """Per decoder: pages with U+FFFD, pages differing from ours, mean ms per page."""
    corpus = pages()
    results: dict[str, Any] = {}
    our_texts: dict[str, str] = {}
    flagged = {page for page, body, headers in corpus if decode_html(body, headers).flagged}
    for name, decoder in DECODERS.items():
        texts: dict[str, str] = {}
        start = time.perf_counter()
        for _ in range(repeat):
            for page, body, headers in corpus:
                texts[page] = decoder(body, headers)
        elapsed = time.perf_counter() - start
        if name == "newsarchive":
            our_texts = texts
        carried = {page: body.count("\ufffd".encode("utf-8")) for page, body, _ in corpus}
        results[name] = {
            "pages": len(corpus),
            "with_fffd": sorted(p for p, t in texts.items() if "\ufffd" in t),
            # U+FFFD the bytes do not carry themselves, on pages where a clean decoding exists.
            "avoidable_fffd": sorted(p for p, t in texts.items()
                                     if t.count("\ufffd") > carried[p] and p not in flagged),
            "differ_from_ours": sorted(p for p, t in texts.items() if t != our_texts.get(p)),
            "ms_per_page": round(1000 * elapsed / (repeat * len(corpus)), 3),
        }
    return results


def _page_path(dataset: Path, file: str) -> Path:
    """A truth line's page file, given with or without the pages/ prefix."""
    path = dataset / file
    return path if path.exists() else dataset / "pages" / file


def _truths(dataset: Path) -> list[dict[str, Any]]:
    """The truth lines of a dataset."""
    return [
        json.loads(line)
        for line in (dataset / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def product_extract() -> Callable[..., Any] | None:
    """newsarchive.extract.extract when the extraction layer provides it, else None."""
    try:
        from newsarchive.extract import extract
    except ImportError:
        return None
    return extract  # type: ignore[no-any-return]


def our_date_predictions(dataset: Path) -> tuple[list[dict[str, Any]], str]:
    """Our published date for every page, and which path produced it.

    With extract() available this is the date the product outputs (Article.published); before that,
    find_dates with a stand-in headline (the page's h1 when unique, else the element holding the
    title). """
    extract = product_extract()
    predictions = []
    for truth in _truths(dataset):
        body = _page_path(dataset, truth["file"]).read_bytes()
        url = truth.get("url") or ""
        value: datetime | None = None
        if extract is not None:
            try:
                value = extract(body, url, fetched_at=CRAWL_TIME).published
            except Exception:  # noqa: BLE001 - a page the product rejects has no date, as a peer's crash
                value = None
        else:
            tree = lxml.html.document_fromstring(decode_html(body).text)
            published, _ = find_dates(
                tree, url=url, headline=_headline(tree, truth.get("title")), now=CRAWL_TIME
            )
            value = published.value if published is not None else None
        predictions.append(
            {"id": truth["id"], "published": value.isoformat() if value is not None else None}
        )
    return predictions, "extract()" if extract is not None else "find_dates+stand-in headline"


def _headline(tree: lxml.html.HtmlElement, title: str | None) -> lxml.html.HtmlElement | None:
    """The element holding the headline, as an extractor would hand it over (h1, else the title
    text). """
    h1 = tree.xpath("//h1")
    if len(h1) == 1:
        return h1[0]
    if title:
        for element in tree.xpath(
            "//body//*[self::h1 or self::h2 or self::h3 or self::div or self::p]"
        ):
            if element.text_content().strip() == title.strip():
                return element
    return h1[0] if h1 else None


def peer_date_predictions(dataset: Path, peer: str) -> list[dict[str, Any]]:
    """htmldate's find_date or trafilatura's metadata date for every page of a dataset."""
    predictions = []
    for truth in _truths(dataset):
        body = _page_path(dataset, truth["file"]).read_bytes()
        url = truth.get("url")
        value: str | None = None
        try:
            if peer == "htmldate":
                from htmldate import find_date

                value = find_date(body, url=url, extensive_search=True, original_date=True,
                                  outputformat="%Y-%m-%dT%H:%M:%S")
            else:
                from trafilatura import bare_extraction

                doc = bare_extraction(body, url=url, with_metadata=True)
                value = getattr(doc, "date", None) if doc is not None else None
        except Exception:  # noqa: BLE001 - a peer's crash counts as no date, as anchors.py does
            value = None
        predictions.append({"id": truth["id"], "published": value})
    return predictions


def score_dates(
    dataset: Path, predictions: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, float]]:
    """date-day and date-minute per predictor, from bench/score.py --json."""
    scores: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, rows in predictions.items():
            path = Path(tmp) / f"{name}.jsonl"
            path.write_text(
                "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
            )
            out = subprocess.run(
                [
                    sys.executable,
                    str(BENCH / "score.py"),
                    "--dataset",
                    str(dataset),
                    "--pred",
                    str(path),
                    "--json",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            scores[name] = _date_metrics(json.loads(out.stdout))
    return scores


def _date_metrics(report: dict[str, Any]) -> dict[str, float]:
    """date-day and date-minute of the published field in score.py's JSON."""
    published = report["results"][0]["published"]
    return {"date-day": published["day"]["mean"], "date-minute": published["minute"]["mean"],
            "n-minute": published["n_minute"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--repeat", type=int, default=3, help="decode passes over the corpus for timing"
    )
    parser.add_argument(
        "--no-peers", action="store_true", help="skip htmldate/trafilatura date runs"
    )
    args = parser.parse_args()

    print("== decoding (pages with U+FFFD, pages differing from ours, ms/page)")
    decoding = run_decoding(args.repeat)
    for name, row in decoding.items():
        print(f"{name:20} pages={row['pages']:4} fffd={len(row['with_fffd']):3} "
              f"avoidable-fffd={len(row['avoidable_fffd']):3} "
              f"differ={len(row['differ_from_ours']):3} ms/page={row['ms_per_page']:.3f}")
        for page in row["avoidable_fffd"][:8]:
            print(f"{'':22}U+FFFD: {page}")
    ratio = decoding["newsarchive"]["ms_per_page"] / max(decoding["w3lib"]["ms_per_page"], 1e-9)
    print(f"time ratio newsarchive / w3lib: {ratio:.2f}")

    print("== published dates (bench/score.py)")
    for dataset in sorted(BENCH.glob("zh-*-dev")):
        ours_rows, path = our_date_predictions(dataset)
        predictions = {"newsarchive": ours_rows}
        if not args.no_peers:
            predictions["htmldate"] = peer_date_predictions(dataset, "htmldate")
            predictions["trafilatura"] = peer_date_predictions(dataset, "trafilatura")
        for name, metrics in score_dates(dataset, predictions).items():
            shown = " ".join(
                f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in metrics.items()
            )
            print(
                f"{dataset.name:16} {name:14} {shown}"
                + (f"  ({path})" if name == "newsarchive" else "")
            )
    if not args.no_peers and (BENCH / "en-articles").exists():
        print(sanity_line(BENCH / "en-articles"))


def sanity_line(dataset: Path) -> str:
    """Pages without date truth: how often we give a date, none in the future, same day as htmldate.
    """
    ours_rows, _ = our_date_predictions(dataset)
    peer_rows = peer_date_predictions(dataset, "htmldate")
    ours = {row["id"]: row["published"] for row in ours_rows}
    peer = {row["id"]: row["published"] for row in peer_rows}
    both = [key for key in ours if ours[key] and peer.get(key)]
    same_day = sum(ours[key][:10] == peer[key][:10] for key in both)
    future = sum(bool(v) and datetime.fromisoformat(v) > CRAWL_TIME for v in ours.values())
    return (
        f"{dataset.name:16} no date truth: "
        f"ours dated {sum(bool(v) for v in ours.values())}/{len(ours)}, "
        f"htmldate dated {sum(bool(v) for v in peer.values())}/{len(peer)}, same day as htmldate "
        f"{same_day}/{len(both)}, future dates {future}"
    )

if __name__ == "__main__":
    main()
