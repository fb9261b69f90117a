"""decode_html over a table of real-world encoding situations, the fixture pages, the seed and the
bench. """

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from newsarchive.extract.decode import Decoded, decode_html, normalise_label, repair_mojibake
from newsarchive.extract.errors import EmptyPage

FIXTURES = Path(__file__).parent / "fixtures" / "decode"

ZH_SIMP = "郑州警方共打掉电信网络诈骗团伙170多个，涉案金额达数亿元。"
ZH_TRAD = "鄭州警方共打掉電信網絡詐騙團伙170多個，涉案金額達數億元。"
# Characters in GBK but not in GB2312: what "gb2312" pages really send.
ZH_GBK_ONLY = "朱镕基、陶喆和王堃出席了会议，網絡詐騙團伙被打掉。"
ZH_4BYTE = "吉野家的“𠮷”字和表情😀都是四字节序列。"
JA = "東京都は本日、新しい交通計画を発表しました。"
KO = "서울시는 오늘 새로운 교통 계획을 발표했습니다."
FR = "L’été à Zürich : « très » cher, 20 € — naïve œuvre."
EN = "Plain ASCII news about the city council."


def page(text: str, meta: str = "", xml: str = "") -> str:
    """A small news page around one paragraph, with an optional charset declaration."""
    return (
        f"{xml}<!DOCTYPE html><html><head>{meta}<title>{text[:6]}</title></head><body><h1>{text[:6]}</h1>"
        f"<div class='content'><p>{text}</p><p>{text}</p><p>{text}</p></div></body></html>"
    )


def meta_charset(label: str) -> str:
    return f'<meta charset="{label}">'


def meta_http_equiv(label: str) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={label}" />'


# (id, text, byte encoding, Content-Type header or None, meta tag, expected codec, expected method)
CASES: list[tuple[str, str, str, str | None, str, str, str]] = [
    # The header is right, in every spelling portals use.
    ("h-gb2312", ZH_SIMP, "gb2312", "text/html; charset=gb2312", "", "gb18030", "http"),
    ("h-GB2312-upper", ZH_SIMP, "gb2312", "text/html; charset=GB2312", "", "gb18030", "http"),
    ("h-gbk", ZH_GBK_ONLY, "gbk", "text/html; charset=gbk", "", "gb18030", "http"),
    ("h-x-gbk", ZH_GBK_ONLY, "gbk", "text/html; charset=x-gbk", "", "gb18030", "http"),
    ("h-gb18030", ZH_4BYTE, "gb18030", "text/html; charset=GB18030", "", "gb18030", "http"),
    ("h-big5", ZH_TRAD, "big5", "text/html; charset=big5", "", "big5hkscs", "http"),
    ("h-Big5-quoted", ZH_TRAD, "big5", 'text/html; charset="Big5"', "", "big5hkscs", "http"),
    ("h-big5-hkscs", ZH_TRAD, "big5hkscs", "text/html; charset=big5-hkscs", "", "big5hkscs", "http"),
    ("h-utf-8", ZH_SIMP, "utf-8", "text/html; charset=utf-8", "", "utf-8", "http"),
    ("h-UTF8", ZH_TRAD, "utf-8", "text/html;charset=UTF8", "", "utf-8", "http"),
    ("h-shift_jis", JA, "cp932", "text/html; charset=shift_jis", "", "cp932", "http"),
    ("h-sjis", JA, "cp932", "text/html; charset=Shift-JIS", "", "cp932", "http"),
    ("h-euc-kr", KO, "cp949", "text/html; charset=euc-kr", "", "cp949", "http"),
    ("h-iso-8859-1", FR, "cp1252", "text/html; charset=iso-8859-1", "", "cp1252", "http"),
    ("h-windows-1252", FR, "cp1252", "text/html; charset=windows-1252", "", "cp1252", "http"),
    ("h-latin1", FR, "cp1252", "text/html; charset=latin1", "", "cp1252", "http"),
    ("h-cp936", ZH_GBK_ONLY, "gbk", "text/html; charset=cp936", "", "gb18030", "http"),
    ("h-euc-cn", ZH_SIMP, "gb2312", "text/html; charset=EUC-CN", "", "gb18030", "http"),
    # The meta tag is right (HTML5 and http-equiv forms), the header names no charset.
    ("m-gb2312-gbk-bytes", ZH_GBK_ONLY, "gbk", "text/html", meta_http_equiv("gb2312"), "gb18030", "meta"),
    ("m-gb2312-trad-in-gbk", ZH_TRAD, "gbk", "text/html", meta_http_equiv("gb2312"), "gb18030", "meta"),
    ("m-gbk", ZH_SIMP, "gbk", None, meta_charset("gbk"), "gb18030", "meta"),
    ("m-GBK-upper", ZH_TRAD, "gbk", None, meta_charset("GBK"), "gb18030", "meta"),
    ("m-gb18030", ZH_4BYTE, "gb18030", None, meta_charset("gb18030"), "gb18030", "meta"),
    ("m-big5", ZH_TRAD, "big5", None, meta_charset("big5"), "big5hkscs", "meta"),
    ("m-big5-http-equiv", ZH_TRAD, "big5", None, meta_http_equiv("big5"), "big5hkscs", "meta"),
    ("m-utf-8", ZH_SIMP, "utf-8", None, meta_charset("utf-8"), "utf-8", "meta"),
    ("m-utf-8-http-equiv", JA, "utf-8", None, meta_http_equiv("UTF-8"), "utf-8", "meta"),
    ("m-shift_jis", JA, "cp932", None, meta_charset("shift_jis"), "cp932", "meta"),
    ("m-euc-kr", KO, "cp949", None, meta_charset("euc-kr"), "cp949", "meta"),
    ("m-ks_c_5601", KO, "cp949", None, meta_http_equiv("ks_c_5601-1987"), "cp949", "meta"),
    ("m-iso-8859-1", FR, "cp1252", None, meta_charset("iso-8859-1"), "cp1252", "meta"),
    ("m-unquoted", ZH_SIMP, "gbk", None, "<meta charset=gbk>", "gb18030", "meta"),
    ("m-single-quotes", ZH_SIMP, "gbk", None, "<meta http-equiv='content-type' content='text/html;charset=gbk'>",
     "gb18030", "meta"),
    ("m-attribute-order", ZH_TRAD, "big5", None, '<meta content="text/html; charset=big5" http-equiv="Content-Type">',
     "big5hkscs", "meta"),
    ("m-utf-16-label-means-utf-8", ZH_SIMP, "utf-8", None, meta_charset("utf-16"), "utf-8", "meta"),
    # The header lies, the meta tells the truth.
    ("hl-utf8-header-gbk-bytes", ZH_SIMP, "gbk", "text/html; charset=utf-8", meta_charset("gbk"), "gb18030", "meta"),
    ("hl-utf8-header-big5-bytes", ZH_TRAD, "big5", "text/html; charset=UTF-8", meta_charset("big5"), "big5hkscs",
     "meta"),
    ("hl-latin1-header-gbk-bytes", ZH_SIMP, "gbk", "text/html; charset=ISO-8859-1", meta_charset("gb2312"),
     "gb18030", "meta"),
    ("hl-gbk-header-big5-bytes", ZH_TRAD, "big5", "text/html; charset=gbk", meta_charset("big5"), "big5hkscs",
     "meta"),
    ("hl-big5-header-gbk-bytes", ZH_GBK_ONLY, "gbk", "text/html; charset=big5", meta_charset("gbk"), "gb18030",
     "meta"),
    ("hl-utf8-header-sjis-bytes", JA, "cp932", "text/html; charset=utf-8", meta_charset("shift_jis"), "cp932", "meta"),
    ("hl-latin1-header-euckr-bytes", KO, "cp949", "text/html; charset=iso-8859-1", meta_charset("euc-kr"), "cp949",
     "meta"),
    ("hl-gbk-header-utf8-bytes", ZH_SIMP, "utf-8", "text/html; charset=gbk", meta_charset("utf-8"), "utf-8", "meta"),
    ("hl-big5-header-utf8-bytes", ZH_TRAD, "utf-8", "text/html; charset=big5", meta_charset("utf-8"), "utf-8", "meta"),
    ("hl-unknown-label", ZH_SIMP, "gbk", "text/html; charset=no-such-charset", meta_charset("gbk"), "gb18030", "meta"),
    # Header and meta both lie, or say nothing: the bytes decide.
    ("bl-latin1-and-big5-gbk-bytes", ZH_SIMP, "gbk", "text/html; charset=iso-8859-1", meta_charset("big5"),
     "gb18030", "detected"),
    ("bl-utf8-and-utf8-big5-bytes", ZH_TRAD, "big5", "text/html; charset=utf-8", meta_charset("utf-8"), "big5hkscs",
     "detected"),
    ("bl-big5-and-big5-gbk-bytes", ZH_GBK_ONLY, "gbk", "text/html; charset=big5", meta_charset("big5"), "gb18030",
     "detected"),
    ("bl-gbk-and-gbk-utf8-bytes", ZH_SIMP, "utf-8", "text/html; charset=gbk", meta_charset("gbk"), "utf-8",
     "detected"),
    ("bl-gb2312-declared-utf8-bytes", ZH_TRAD, "utf-8", None, meta_charset("gb2312"), "utf-8", "detected"),
    ("bl-cp1252-declared-utf8-bytes", FR, "utf-8", "text/html; charset=windows-1252", "", "utf-8", "detected"),
    ("bl-latin1-declared-utf8-chinese", ZH_SIMP, "utf-8", "text/html; charset=iso-8859-1", "", "utf-8", "detected"),
    ("bl-big5-header-only-gbk-bytes", ZH_SIMP, "gbk", "text/html; charset=big5", "", "gb18030", "detected"),
    ("bl-gbk-header-only-big5-bytes", ZH_TRAD, "big5", "text/html; charset=gbk", "", "big5hkscs", "detected"),
    ("bl-latin1-header-only-gbk-bytes", ZH_TRAD, "gbk", "text/html; charset=iso-8859-1", "", "gb18030", "detected"),
    ("bl-utf8-header-only-big5", ZH_TRAD, "big5", "text/html; charset=utf-8", "", "big5hkscs", "detected"),
    ("nd-gbk", ZH_SIMP, "gbk", None, "", "gb18030", "detected"),
    ("nd-gbk-trad", ZH_TRAD, "gbk", None, "", "gb18030", "detected"),
    ("nd-big5", ZH_TRAD, "big5", None, "", "big5hkscs", "detected"),
    ("nd-utf8", ZH_SIMP, "utf-8", None, "", "utf-8", "detected"),
    ("nd-utf8-japanese", JA, "utf-8", "text/html", "", "utf-8", "detected"),
    ("nd-sjis", JA, "cp932", None, "", "cp932", "detected"),
    ("nd-gb18030-4byte", ZH_4BYTE, "gb18030", None, "", "gb18030", "detected"),
    ("nd-cp1252", FR, "cp1252", None, "", "cp1252", "detected"),
    # A byte-order mark outranks every claim.
    ("bom-utf8-meta-gbk", ZH_SIMP, "utf-8-sig", None, meta_charset("gbk"), "utf-8", "bom"),
    ("bom-utf8-header-big5", ZH_TRAD, "utf-8-sig", "text/html; charset=big5", "", "utf-8", "bom"),
    ("bom-utf8-header-latin1", FR, "utf-8-sig", "text/html; charset=iso-8859-1", "", "utf-8", "bom"),
    ("bom-utf16le", ZH_SIMP, "utf-16", None, meta_charset("utf-16"), "utf-16-le", "bom"),
    ("bom-utf16be", ZH_TRAD, "utf-16-be-bom", None, "", "utf-16-be", "bom"),
    # Pure ASCII pages.
    ("ascii-no-decl", EN, "ascii", None, "", "utf-8", "fallback"),
    ("ascii-header-latin1", EN, "ascii", "text/html; charset=iso-8859-1", "", "cp1252", "http"),
    ("ascii-meta-gbk", EN, "ascii", None, meta_charset("gbk"), "gb18030", "meta"),
    ("ascii-meta-utf16", EN, "ascii", None, meta_charset("utf-16"), "utf-8", "meta"),
    # The XML declaration is a claim too.
    ("xml-gbk", ZH_SIMP, "gbk", None, "", "gb18030", "xml"),
    ("xml-big5", ZH_TRAD, "big5", None, "", "big5hkscs", "xml"),
]
XML_DECL = {"xml-gbk": '<?xml version="1.0" encoding="gbk"?>\n', "xml-big5": "<?xml version='1.0' encoding='big5'?>\n"}


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    return text.encode(encoding)


@pytest.mark.parametrize(("case_id", "text", "byte_encoding", "content_type", "meta", "codec", "method"), CASES,
                         ids=[case[0] for case in CASES])
def test_encoding_table(case_id: str, text: str, byte_encoding: str, content_type: str | None, meta: str,
                        codec: str, method: str) -> None:
    html = page(text, meta, XML_DECL.get(case_id, ""))
    headers = {"Content-Type": content_type} if content_type else None
    decoded = decode_html(encode(html, byte_encoding), headers, url=f"http://example.test/{case_id}")
    assert (decoded.encoding, decoded.method) == (codec, method)
    assert f"<p>{text}</p>" in decoded.text
    assert "\ufffd" not in decoded.text
    assert decoded.undecodable_ratio == 0.0 and not decoded.flagged and not decoded.mojibake_repaired


def test_table_has_at_least_eighty_cases() -> None:
    assert len(CASES) + len(HEADER_FORMS) + len(MOJIBAKE) + 6 >= 80


# Header mappings as different clients give them: Scrapy's bytes lists, plain dicts, odd case.
HEADER_FORMS: list[tuple[str, Any]] = [
    ("scrapy-bytes-list", {b"Content-Type": [b"text/html; charset=big5"]}),
    ("bytes-value", {"Content-Type": b"text/html; charset=big5"}),
    ("lower-name", {"content-type": "text/html; charset=big5"}),
    ("upper-name", {"CONTENT-TYPE": ["text/html; charset=big5"]}),
    ("extra-params", {"Content-Type": "text/html; q=1; charset=big5; boundary=x"}),
    ("tuple-list", {"Content-Type": ("text/html;charset=Big5",)}),
]


@pytest.mark.parametrize(("form", "headers"), HEADER_FORMS, ids=[f for f, _ in HEADER_FORMS])
def test_header_forms(form: str, headers: Any) -> None:
    decoded = decode_html(page(ZH_TRAD).encode("big5"), headers)
    assert (decoded.encoding, decoded.method, decoded.http_charset) == ("big5hkscs", "http",
                                                                        decoded.http_charset)
    assert decoded.http_charset is not None and decoded.http_charset.lower() == "big5"
    assert f"<p>{ZH_TRAD}</p>" in decoded.text


MOJIBAKE: list[tuple[str, str, str, bool]] = [
    # (id, text as stored, expected text, repaired)
    ("utf8-read-as-cp1252", ("<p>" + FR + "</p>\n") * 3, ("<p>" + FR + "</p>\n") * 3, True),
    ("utf8-read-as-latin1-pt", "<p>São Paulo: não houver espaço, função</p>\n" * 3,
     "<p>São Paulo: não houver espaço, função</p>\n" * 3, True),
    ("legit-portuguese-caps", "<p>SÃO PAULO É A MAIOR CIDADE DO BRASIL</p>", "<p>SÃO PAULO É A MAIOR CIDADE DO BRASIL</p>",
     False),
    ("legit-chinese-with-rare-chars", "<p>浜松市和涓涓细流，鐨字很少见。</p>", "<p>浜松市和涓涓细流，鐨字很少见。</p>", False),
    ("legit-french", "<p>" + FR + "</p>", "<p>" + FR + "</p>", False),
]


def _mangle(case_id: str, text: str) -> str:
    """The mojibake a wrong decoder made of a text, as a site would then store it."""
    if case_id == "utf8-read-as-cp1252":
        return text.encode("utf-8").decode("cp1252", "replace")
    if case_id == "utf8-read-as-latin1-pt":
        return text.encode("utf-8").decode("latin-1")
    return text


@pytest.mark.parametrize(("case_id", "stored", "expected", "repaired"), MOJIBAKE, ids=[m[0] for m in MOJIBAKE])
def test_mojibake_repair(case_id: str, stored: str, expected: str, repaired: bool) -> None:
    mangled = _mangle(case_id, stored)
    if repaired:
        assert mangled != expected
    decoded = decode_html(f"<html><body>{mangled}</body></html>".encode())
    assert decoded.mojibake_repaired is repaired
    assert decoded.text == f"<html><body>{expected}</body></html>"


GBK_MOJIBAKE_SOURCE = [
    "郑州警方共打掉电信网络诈骗团伙170多个，涉案金额达数亿元。",
    "年终岁尾是电信网络诈骗等侵财案件的高发期。",
    "鄭州警方召開打防電信詐騙犯罪工作通報會。",
    "全市共立电信网络诈骗案件1万多起，在全年刑事案件中的占比不断增加。",
]


def test_utf8_read_as_gbk_is_repaired() -> None:
    """UTF-8 stored after a GBK misreading (lossy at odd byte counts) comes back, lost bytes as
    U+FFFD. """
    original = "".join(f"<p>{line}</p>\n" for line in GBK_MOJIBAKE_SOURCE)
    mangled = original.encode("utf-8").decode("gb18030", "replace")
    assert "电信网络诈骗" not in mangled
    decoded = decode_html(f"<html><body>{mangled}</body></html>".encode())
    assert decoded.mojibake_repaired is True
    assert "<p>郑州警方共打掉电信网络诈骗团\ufffd170多个，涉案金额达数亿元\ufffd</p>" in decoded.text
    assert "<p>年终岁尾是电信网络诈骗等侵财案件的高发期\ufffd</p>" in decoded.text
    assert "<p>鄭州警方召開打防電信詐騙犯罪工作通報會\ufffd</p>" in decoded.text


def test_repair_mojibake_leaves_clean_text() -> None:
    assert repair_mojibake(ZH_TRAD) == (ZH_TRAD, False)
    assert repair_mojibake(EN) == (EN, False)


def test_corrupt_bytes_are_flagged_with_best_decoding() -> None:
    body = page(ZH_SIMP, meta_charset("gb2312")).encode("gbk")
    cut = body.index(ZH_SIMP[:4].encode("gbk")) + 1  # half of a two-byte character
    corrupt = body[:cut] + b"\xff" + body[cut + 1 :]
    decoded = decode_html(corrupt, url="http://example.test/corrupt")
    assert decoded.encoding == "gb18030" and decoded.method == "meta"
    assert decoded.flagged is True
    assert 0 < decoded.undecodable_ratio < 0.01
    assert ZH_SIMP[4:] in decoded.text


def test_bytes_no_encoding_decodes_are_flagged() -> None:
    body = b"<html><body><p>" + bytes(range(0x80, 0x100)) * 4 + b"</p></body></html>"
    decoded = decode_html(body, {"Content-Type": "text/html; charset=utf-8"})
    assert decoded.flagged is True
    assert decoded.undecodable_ratio > 0
    assert decoded.text.startswith("<html><body><p>") and decoded.text.endswith("</p></body></html>")
    assert decoded.evidence()["http_charset"] == "utf-8"


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_page_raises(body: bytes) -> None:
    with pytest.raises(EmptyPage) as info:
        decode_html(body, url="http://example.test/empty")
    assert info.value.url == "http://example.test/empty"


def test_evidence_is_json_ready_and_complete() -> None:
    decoded = decode_html(page(ZH_TRAD, meta_charset("gb2312")).encode("gbk"), {"Content-Type": "text/html"})
    evidence = decoded.evidence()
    assert evidence == {"encoding": "gb18030", "method": "meta", "http_charset": None, "meta_charset": "gb2312",
                        "undecodable_ratio": 0.0, "flagged": False, "mojibake_repaired": False}
    assert json.loads(json.dumps(evidence)) == evidence


@pytest.mark.parametrize(("label", "codec"), [
    ("gb2312", "gb18030"), ("GBK", "gb18030"), ("x-gbk", "gb18030"), ("big5", "big5hkscs"), ("ascii", "cp1252"),
    ("ISO-8859-1", "cp1252"), ("shift_jis", "cp932"), ("euc-kr", "cp949"), ("utf8", "utf-8"), ("nonsense", None),
    ("", None), (None, None),
])
def test_normalise_label(label: str | None, codec: str | None) -> None:
    assert normalise_label(label) == codec


def fixture_cases() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURES.glob("*.json"))]


@pytest.mark.parametrize("case", fixture_cases(), ids=lambda c: c["file"])
def test_fixture_pages(case: dict[str, Any]) -> None:
    body = (FIXTURES / case["file"]).read_bytes()
    headers = {"Content-Type": case["content_type"]} if case["content_type"] else None
    decoded = decode_html(body, headers)
    assert (decoded.encoding, decoded.method) == (case["encoding"], case["method"])
    assert case["snippet"] in decoded.text
    assert decoded.text.count("\ufffd") == 0


def test_seed_page_decodes_cleanly(shared_dir: Path) -> None:
    body = (shared_dir / "seed" / "article.html").read_bytes()
    decoded = decode_html(body, {b"Content-Type": [b"text/html"]})
    assert isinstance(decoded, Decoded)
    assert (decoded.encoding, decoded.method, decoded.meta_charset) == ("gb18030", "meta", "gb2312")
    assert decoded.text.count("\ufffd") == 0
    assert "鄭州警方共打掉電信網(wǎng)絡詐騙團伙170多個" in decoded.text


def test_bench_pages_have_no_avoidable_replacement_characters(shared_dir: Path) -> None:
    """Every bench page decodes without U+FFFD, unless its bytes carry one or are corrupt (then
    flagged). """
    problems = []
    for path in sorted((shared_dir / "bench").glob("*/pages/*")):
        body = path.read_bytes()
        decoded = decode_html(body)
        carried = body.count("\ufffd".encode("utf-8")) if decoded.encoding == "utf-8" else 0
        if decoded.text.count("\ufffd") > carried and not decoded.flagged:
            problems.append(path.name)
    assert problems == []
