"""Page bytes to text: weigh every encoding claim, verify it on the bytes, keep the evidence."""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from newsarchive.extract.errors import EmptyPage

# Labels pages use for a charset whose superset is what they really send.
SUPERSETS: dict[str, str] = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "x-euc-cn": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "cp950": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "windows-1252": "cp1252",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "ksc5601": "cp949",
    "windows-949": "cp949",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    # A document that could be parsed as HTML is not UTF-16 unless it has a BOM (WHATWG).
    "utf-16": "utf-8",
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "unicode": "utf-8",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEAD_BYTES = 16384
_META_RE = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.+-]+)", re.IGNORECASE)
_XML_RE = re.compile(
    rb"^\s*<\?xml\b[^>]*?encoding\s*=\s*[\"']\s*([A-Za-z0-9_:.+-]+)", re.IGNORECASE
)
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([^\s;\"',]+)", re.IGNORECASE)
_NON_ASCII_RUN_RE = re.compile(r"[^\x00-\x7f]+")
# What the commonest Chinese characters and 。 become when their UTF-8 bytes are read as GBK.
_GBK_MOJIBAKE_SIGNS_RE = re.compile("[銆鐨鏄涓鍦鍙鏂鍏鎵鍒浠瀹闆]")
_SAMPLE_CHARS = 4000
_PLAUSIBILITY_WINDOW = 1500
# Below this share of common characters, a clean decoding is not taken on trust.
_PLAUSIBLE = 0.85
# Fallback order when no claim holds: the encodings portals in our languages actually use.
_FALLBACKS = ("gb18030", "big5hkscs", "cp932", "cp949", "cp1252")


@dataclass(frozen=True)
class Decoded:
    """The text of a page and how its encoding was decided."""

    text: str
    encoding: str
    method: str
    http_charset: str | None
    meta_charset: str | None
    undecodable_ratio: float
    flagged: bool
    mojibake_repaired: bool

    def evidence(self) -> dict[str, Any]:
        """JSON-ready record of the decision, without the text."""
        data = asdict(self)
        del data["text"]
        return data


def normalise_label(label: str | None) -> str | None:
    """The Python codec to use for a charset label (superset applied), or None if unknown."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in SUPERSETS:
        return SUPERSETS[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    return SUPERSETS.get(name, name)


def header_value(headers: Mapping[str, Any] | None, name: str) -> str | None:
    """One header's first value as str, looked up case-insensitively in any mapping."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in headers.items():
        key_text = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if key_text.lower() != wanted:
            continue
        if isinstance(value, (list, tuple)):
            value = value[0] if value else None
        if value is None:
            return None
        return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return None


def http_charset(headers: Mapping[str, Any] | None) -> str | None:
    """The charset label of the Content-Type header, as written."""
    content_type = header_value(headers, "content-type")
    if not content_type:
        return None
    match = _HEADER_CHARSET_RE.search(content_type)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> tuple[str | None, str | None]:
    """The charset label of the XML declaration or first meta tag, and which one it came from."""
    head = body[:_HEAD_BYTES]
    match = _XML_RE.match(head)
    if match:
        return match.group(1).decode("ascii"), "xml"
    match = _META_RE.search(head)
    if match:
        return match.group(1).decode("ascii"), "meta"
    return None, None


def bom_encoding(body: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark names, and the mark's length."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return encoding, len(bom)
    return None, 0


class _BadBytes(threading.local):
    """Per-thread count of the bytes the counting error handler replaced."""

    count = 0


_BAD_BYTES = _BadBytes()


def _count_and_replace(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: count the undecodable bytes, put one U+FFFD in their place."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _BAD_BYTES.count += max(1, exc.end - exc.start)
    return "\ufffd", exc.end


codecs.register_error("newsarchive-count", _count_and_replace)


def decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode, replacing bad sequences with U+FFFD; return the text and the count of bad bytes."""
    try:
        return data.decode(encoding), 0
    except UnicodeDecodeError:
        pass
    _BAD_BYTES.count = 0
    text = data.decode(encoding, "newsarchive-count")
    return text, _BAD_BYTES.count


@lru_cache(maxsize=1)
def _common_chars() -> frozenset[str]:
    """Characters that dominate real CJK text: GB2312 level 1, Big5 level 1, JIS level 1, KS hangul.
    """
    chars: set[str] = set()

    def add(lead: range, trail: list[int], codec: str) -> None:
        for b1 in lead:
            for b2 in trail:
                try:
                    chars.add(bytes((b1, b2)).decode(codec))
                except UnicodeDecodeError:
                    continue

    add(range(0xB0, 0xD8), list(range(0xA1, 0xFF)), "gb2312")
    add(range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)), "big5")
    add(range(0x88, 0x99), list(range(0x40, 0x7F)) + list(range(0x80, 0xFD)), "shift_jis")
    add(range(0xB0, 0xC9), list(range(0xA1, 0xFF)), "euc-kr")
    # Kana, CJK punctuation, full-width forms and Latin-1 letters are plausible too.
    for lo, hi in ((0x3000, 0x30FF), (0xFF01, 0xFF5E), (0xC0, 0xFF), (0x2010, 0x2027)):
        chars.update(chr(c) for c in range(lo, hi + 1))
    chars.discard("\xd7")
    chars.discard("\xf7")
    return frozenset(chars)


def sample_text(text: str, size: int = _SAMPLE_CHARS) -> str:
    """Three windows of a text (at a quarter, half, three quarters): cheap evidence about all of it.
    """
    if len(text) <= 3 * size:
        return text
    return "".join(
        text[at : at + size] for at in (len(text) // 4, len(text) // 2, 3 * len(text) // 4)
    )


def plausibility(text: str) -> float:
    """Share of the non-ASCII characters (sampled) that real text in our languages is made of."""
    chars = "".join(_NON_ASCII_RUN_RE.findall(sample_text(text, _PLAUSIBILITY_WINDOW)))
    if not chars:
        return 1.0
    common = _common_chars()
    return sum(map(common.__contains__, chars)) / len(chars)


def _detect(body: bytes) -> str | None:
    """charset-normalizer's best guess, as a codec name."""
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    return normalise_label(best.encoding) if best is not None else None


def decode_html(
    body: bytes, headers: Mapping[str, Any] | None = None, *, url: str | None = None
) -> Decoded:
    """Decode a page: BOM, HTTP header, meta/XML claims and detection, each verified on the bytes.
    """
    if not body or not body.strip():
        raise EmptyPage(url or "", "empty page: no bytes to decode")
    http_label = http_charset(headers)
    meta_label, meta_kind = meta_charset(body)

    def finish(text: str, encoding: str, method: str, bad: int, flagged: bool = False) -> Decoded:
        repaired, did_repair = repair_mojibake(text)
        return Decoded(
            text=repaired,
            encoding=encoding,
            method=method,
            http_charset=http_label,
            meta_charset=meta_label,
            undecodable_ratio=round(bad / len(body), 6),
            flagged=flagged,
            mojibake_repaired=did_repair,
        )

    bom, skip = bom_encoding(body)
    if bom is not None:
        text, bad = decode_counting(body[skip:], bom)
        return finish(text, bom, "bom", bad, flagged=bad > 0)

    claims: list[tuple[str, str]] = []
    for label, method in ((http_label, "http"), (meta_label, meta_kind or "meta")):
        encoding = normalise_label(label)
        if encoding is not None and all(encoding != seen for seen, _ in claims):
            claims.append((encoding, method))

    if body.isascii():
        encoding, method = claims[0] if claims else ("utf-8", "fallback")
        if encoding in _NOT_ASCII_COMPATIBLE:
            encoding = "utf-8"
        return finish(body.decode(encoding, "replace"), encoding, method, 0)

    # Valid UTF-8 with multi-byte sequences is overwhelming evidence: legacy bytes almost never are.
    try:
        utf8_text: str | None = body.decode("utf-8")
    except UnicodeDecodeError:
        utf8_text = None
    if utf8_text is not None:
        method = next((m for enc, m in claims if enc == "utf-8"), "detected")
        return finish(utf8_text, "utf-8", method, 0)

    choice = _choose(body, claims)
    return finish(choice.text, choice.encoding, choice.method, choice.bad, flagged=choice.bad > 0)


_NOT_ASCII_COMPATIBLE = frozenset({"utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be", "hz"})


@dataclass
class _Candidate:
    """One encoding tried on the bytes."""

    encoding: str
    method: str
    text: str
    bad: int
    score: float = -1.0

    def plausible(self) -> float:
        """The candidate's plausibility, computed once."""
        if self.score < 0:
            self.score = plausibility(self.text)
        return self.score


def _choose(body: bytes, claims: list[tuple[str, str]]) -> _Candidate:
    """The best decoding of non-UTF-8 bytes: a claim that decodes cleanly into plausible text wins.
    """
    tried: dict[str, _Candidate] = {}

    def attempt(encoding: str, method: str) -> _Candidate:
        if encoding not in tried:
            text, bad = decode_counting(body, encoding)
            tried[encoding] = _Candidate(encoding, method, text, bad)
        return tried[encoding]

    for encoding, method in claims:
        candidate = attempt(encoding, method)
        if candidate.bad == 0 and candidate.plausible() >= _PLAUSIBLE:
            return candidate

    # Verify the encodings our portals use on the bytes themselves; a strict decode of the wrong
    # multi-byte encoding usually fails within the first few hundred bytes, so this is cheap.
    clean = []
    for encoding in _FALLBACKS:
        text = _strict(body, encoding)
        if text is not None:
            candidate = tried.setdefault(encoding, _Candidate(encoding, "detected", text, 0))
            if candidate.plausible() >= _PLAUSIBLE:
                clean.append(candidate)
    if clean:
        return max(clean, key=lambda candidate: candidate.plausible())

    # Nothing we know decodes cleanly and plausibly: ask charset-normalizer (slow, so last).
    detected = _detect(body)
    if detected is not None:
        candidate = attempt(detected, "detected")
        if candidate.bad == 0 and candidate.plausible() >= _PLAUSIBLE:
            return candidate
    for encoding in _FALLBACKS:
        attempt(encoding, "fallback")

    # Weigh plausibility against lost bytes; the claims come first and win ties.
    def merit(candidate: _Candidate) -> float:
        return candidate.plausible() - 10.0 * candidate.bad / len(body)

    return max(tried.values(), key=merit)


def _strict(body: bytes, encoding: str) -> str | None:
    """The strict decoding of the bytes, or None when they are not valid in that encoding."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        return None


_LATIN_MOJIBAKE_RE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def _undo_gbk_piece(piece: str) -> str | None:
    """One stretch of GBK-read UTF-8 put right; bytes the misreading lost at its edges become
    U+FFFD. """
    try:
        data = piece.encode("gb18030")
    except UnicodeEncodeError:
        return None
    # The misreading pairs bytes across character boundaries, so a stretch may start or end
    # inside a UTF-8 sequence; at most two bytes at either edge belong to a neighbour.
    for lo in range(3):
        for hi in range(3):
            try:
                core = data[lo : len(data) - hi].decode("utf-8")
            except UnicodeDecodeError:
                continue
            return ("\ufffd" if lo else "") + core + ("\ufffd" if hi else "")
    return None


def _repair_gbk_runs(text: str) -> str | None:
    """Text whose non-ASCII runs were UTF-8 bytes read as GBK, put right; None unless nearly every
    run agrees. """
    runs = set(_NON_ASCII_RUN_RE.findall(text))
    if len(runs) < 3:
        return None
    fixed: dict[str, str] = {}
    good = total = 0
    for run in runs:
        total += len(run)
        pieces = [_undo_gbk_piece(piece) if piece else "" for piece in run.split("\ufffd")]
        if any(piece is None for piece in pieces):
            continue
        # One lost character shows as one U+FFFD, however many bytes it lost.
        fixed[run] = re.sub(
            "\ufffd+", "\ufffd", "\ufffd".join(piece for piece in pieces if piece is not None)
        )
        good += len(run)
    if good < 0.9 * total:
        return None
    repaired = _NON_ASCII_RUN_RE.sub(lambda m: fixed.get(m.group(0), m.group(0)), text)
    if plausibility(repaired) < plausibility(text) + 0.3:
        return None
    return repaired


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 read as cp1252/latin-1 or as GBK, only where the repair is certain."""
    sample = sample_text(text)
    if sample.isascii():
        return text, False
    # Cheap substring tests first: most pages show neither sign and need no regex pass.
    latin_sign = "Ã" in sample or "â€" in sample or "Â" in sample
    if latin_sign and sum(1 for _ in zip(range(3), _LATIN_MOJIBAKE_RE.finditer(sample))) >= 3:
        import ftfy

        # ftfy on the few lines that show the sign, not the whole page: same result, far faster.
        lines = text.split("\n")
        changed = False
        for index, line in enumerate(lines):
            if _LATIN_MOJIBAKE_RE.search(line):
                fixed = ftfy.fix_encoding(line)
                if fixed != line:
                    lines[index] = fixed
                    changed = True
        if changed:
            return "\n".join(lines), True
    gbk_sign = "銆" in sample or "鐨" in sample or "鏄" in sample or "涓" in sample
    if gbk_sign and len(_GBK_MOJIBAKE_SIGNS_RE.findall(sample)) >= 5 and plausibility(text) < 0.8:
        repaired = _repair_gbk_runs(text)
        if repaired is not None:
            return repaired, True
    return text, False
