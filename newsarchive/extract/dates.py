"""Dates: one string to one timezone-aware instant, and a page's published/updated dates by trust.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree
from lxml.html import HtmlElement

from newsarchive.extract.vocab import (
    MONTHS,
    NON_TEXT_TAGS,
    PUBLISHED_WORDS,
    PUBLISHED_WORDS_EN,
    RAIL_TAGS,
    UPDATED_WORDS,
    alternation,
    label_matches,
    label_of,
    label_pattern,
    labelled,
)

MIN_YEAR = 1990
# How much page text after the headline may hold its date line.
_VISIBLE_BUDGET = 600
# How much of the content's start may hold the date (some portals put it in the first line).
_CONTENT_START_BUDGET = 120


@dataclass(frozen=True)
class FoundDate:
    """A date found on a page, with the string and the rule it came from."""

    value: datetime
    raw: str
    rule: str
    has_time: bool
    # The same instant as another source wrote it (a meta time in UTC beside the printed local
    # time): kept for provenance.
    also: FoundDate | None = None

    def evidence(self) -> dict[str, Any]:
        """JSON-ready record of the value and how it was found."""
        out: dict[str, Any] = {
            "value": self.value.isoformat(),
            "raw": self.raw,
            "rule": self.rule,
            "has_time": self.has_time,
        }
        if self.also is not None:
            out["also"] = self.also.evidence()
        return out


def default_timezone(language: str | None) -> str:
    """The timezone assumed for pages that give none: Asia/Shanghai for Chinese, else UTC."""
    if language and language.lower().replace("_", "-").split("-")[0] == "zh":
        return "Asia/Shanghai"
    return "UTC"


# ---------------------------------------------------------------- string normalisation

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# The numerals a Chinese date is written in (二〇二〇年三月十日).
_CN_NUMERALS = "〇零○一二两兩三四五六七八九十"
_CN_NUMBER_RE = re.compile(f"([{_CN_NUMERALS}]+)(?=[年月日号號时時点點分秒])")


def _cn_number(token: str) -> str:
    """A run of Chinese numerals as decimal digits (二〇二〇 -> 2020, 二十三 -> 23)."""
    if "十" not in token:
        return "".join(str(_CN_DIGITS[ch]) for ch in token if ch in _CN_DIGITS)
    tens, _, ones = token.partition("十")
    value = (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return str(value)


def _normalise(text: str) -> str:
    """Full-width forms to ASCII, Chinese numerals before date units to digits, spaces collapsed."""
    text = text.translate(_FULLWIDTH)
    text = _CN_NUMBER_RE.sub(lambda m: _cn_number(m.group(1)), text)
    return " ".join(text.split())


# ---------------------------------------------------------------- patterns

_TIME = (
    r"(?:\s*(?:T|\s)\s*|\s*)"
    r"(?:(?P<ampm>上午|下午|晚上|早上|凌晨|中午|AM|PM|am|pm)\s*)?"
    r"(?P<hour>[01]?\d|2[0-3])\s*(?:[:：]|时|時|点|點)\s*(?P<minute>[0-5]\d)(?:\s*分)?"
    r"(?:\s*[:：]\s*(?P<second>[0-5]\d)(?:\.\d+)?(?:\s*秒)?)?"
    r"(?:\s*(?P<ampm2>AM|PM|am|pm)\b)?"
    r"(?:\s*(?P<tz>Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d|(?:GMT|UTC)\s*[+-]\s*\d{1,2}(?::?\d\d)?|GMT|UTC|北京时间|北京時間|CST\b))?"
)
_FULL_DATE_RE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d\d)\s*(?:[-/.年]|\s(?=\d))\s*(?P<month>0?[1-9]|1[0-2])\s*(?:[-/.月])\s*"
    r"(?P<day>0?[1-9]|[12]\d|3[01])(?!\d)\s*(?:日|号|號)?"
    r"(?:(?:\s*(?:星期|周|週|礼拜|禮拜)[一二三四五六日天])?\s*(?:\([^)]{1,6}\))?" + _TIME + r")?"
)
_COMPACT_RE = re.compile(
    r"(?<![\d.])(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?:[T ]?(?P<hour>[01]\d|2[0-3])(?P<minute>[0-5]\d)(?P<second>[0-5]\d)?)?(?![\d.])"
)
_YEARLESS_RE = re.compile(
    r"(?<![\d/.-])(?<!\d:)(?P<month>0?[1-9]|1[0-2])\s*(?P<sep>[-/月])\s*(?P<day>0?[1-9]|[12]\d|3[01])(?![\d/.])\s*(?:日|号|號)?"
    r"(?:" + _TIME + r")?"
)
# 19-09-07 / 18-03-08 23:16: a two-digit year, which portals print next to the headline.
_SHORT_YEAR_RE = re.compile(
    r"(?<![\d/.-])(?<!\d:)(?P<year>\d\d)(?P<sep>[-/.])(?P<month>0[1-9]|1[0-2])(?P=sep)(?P<day>0[1-9]|[12]\d|3[01])(?![\d/.:-])"
    r"(?:" + _TIME + r")?"
)
# The units of a relative date ('3小时前') and their lengths; a longer unit before its prefix
# ('分钟' before '分'), as the pattern below tries them in this order.
_UNIT_SECONDS = {
    "秒": 1,
    "分钟": 60,
    "分鐘": 60,
    "分": 60,
    "小时": 3600,
    "小時": 3600,
    "个小时": 3600,
    "個小時": 3600,
    "天": 86400,
    "日": 86400,
    "周": 604800,
    "週": 604800,
    "星期": 604800,
}
_RELATIVE_RE = re.compile(
    rf"(?P<n>\d+|半|几|幾)\s*(?P<unit>{'|'.join(_UNIT_SECONDS)})\s*(?:以)?前"
)
# The words for now, and for a day some days back.
_NOW_WORDS = ("刚刚", "剛剛", "刚才", "剛才")
_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}
_DAYWORD_RE = re.compile(
    rf"(?P<word>{'|'.join((*_NOW_WORDS, *_DAYS_BACK))})(?:" + _TIME + r")?"
)
_WESTERN_RE = re.compile(rf"\b(?:{'|'.join(MONTHS)})[a-z]*\.?\b", re.IGNORECASE)
_UPDATED_LABEL_RE = re.compile(
    f"({alternation(UPDATED_WORDS)}|updated?|"
    r"modified|last\s+modified|last\s+edited|edited)",
    re.IGNORECASE,
)
_PUBLISHED_EN = "|".join(PUBLISHED_WORDS_EN)


def _zone(tz: str) -> tzinfo:
    """A tzinfo from an IANA name, UTC when the name is unknown."""
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError):
        return UTC


def _offset(label: str | None, default: tzinfo) -> tzinfo:
    """The tzinfo an explicit zone mark in the string names, else the default."""
    if not label:
        return default
    label = label.strip()
    if label in ("Z", "GMT", "UTC"):
        return UTC
    if label in ("北京时间", "北京時間", "CST"):
        return ZoneInfo("Asia/Shanghai")
    match = re.search(r"([+-])\s*(\d{1,2}):?(\d\d)?", label)
    if not match:
        return default
    sign = -1 if match.group(1) == "-" else 1
    delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(sign * delta)


def _hour(match: re.Match[str]) -> int:
    """The 24-hour clock hour of a matched time, applying 下午/PM marks."""
    hour = int(match.group("hour"))
    mark = (match.group("ampm") or match.group("ampm2") or "").lower()
    if mark in ("下午", "晚上", "pm") and hour < 12 or mark in ("中午",) and hour < 11:
        hour += 12
    elif mark in ("am", "凌晨", "上午", "早上") and hour == 12:
        hour = 0
    return hour


def _build(
    year: int, month: int, day: int, match: re.Match[str], zone: tzinfo
) -> tuple[datetime, bool] | None:
    """A datetime from matched parts, None when the parts make an impossible date."""
    if year < MIN_YEAR:
        return None
    has_time = bool(match.groupdict().get("hour"))
    try:
        if has_time:
            value = datetime(year, month, day, _hour(match), int(match.group("minute")),
                             int(match.group("second") or 0))
        else:
            value = datetime(year, month, day)
    except ValueError:
        return None
    tz_label = match.groupdict().get("tz")
    return value.replace(tzinfo=_offset(tz_label, zone)), has_time


def _not_future(value: datetime, now: datetime) -> bool:
    """Whether a date is not after the crawl time (a day of slack for zones and clocks)."""
    return value <= now + timedelta(days=1)


def parse_date(text: str, *, tz: str = "Asia/Shanghai", now: datetime | None = None,
               url: str | None = None, reference: datetime | None = None) -> FoundDate | None:
    """The one date in a short string (labels, Chinese and Western forms, relative forms), or None.

    A date without a year takes it from `reference` (another date of the same page), else the URL,
    else the crawl time, never landing in the future.
    """
    if not text:
        return None
    zone = _zone(tz)
    now = now if now is not None else datetime.now(zone)
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    raw = text.strip()
    norm = _normalise(raw)

    match = _FULL_DATE_RE.search(norm)
    if match:
        built = _build(
            int(match.group("year")),
            int(match.group("month")),
            int(match.group("day")),
            match,
            zone,
        )
        if built is not None and _not_future(built[0], now):
            return FoundDate(built[0], raw, "text", built[1])
        return None

    iso = _parse_iso(norm, zone)
    if iso is not None:
        return replace(iso, raw=raw) if _not_future(iso.value, now) else None

    found = _parse_relative(norm, now, zone)
    if found is not None:
        return replace(found, raw=raw)

    if _WESTERN_RE.search(norm):
        western = _parse_western(norm, zone)
        if western is not None:
            return replace(western, raw=raw) if _not_future(western.value, now) else None

    match = _SHORT_YEAR_RE.search(norm)
    if match:
        year = 2000 + int(match.group("year"))
        if year > now.astimezone(zone).year:
            year -= 100
        built = _build(year, int(match.group("month")), int(match.group("day")), match, zone)
        if built is not None and _not_future(built[0], now):
            return FoundDate(built[0], raw, "text", built[1])

    match = _YEARLESS_RE.search(norm)
    if match and (match.group("sep") == "月" or match.groupdict().get("hour")):
        return _resolve_yearless(match, raw, zone, now, url, reference)

    match = _COMPACT_RE.search(norm)
    if match:
        built = _build(
            int(match.group("year")),
            int(match.group("month")),
            int(match.group("day")),
            match,
            zone,
        )
        if built is not None and _not_future(built[0], now):
            return FoundDate(built[0], raw, "text", built[1])
    return None


def _parse_iso(text: str, zone: tzinfo) -> FoundDate | None:
    """ISO 8601 strings that the full-date pattern does not cover (e.g.
    2020-01-09T07:56:40.123+08:00). """
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.year < MIN_YEAR:
        return None
    has_time = bool(re.search(r"[T ]\d", text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return FoundDate(value, text, "text", has_time)


# Zone abbreviations English-language news pages print after a time, as UTC offsets in hours
# (dateutil knows only UTC/GMT and the machine's own). CST is left out: China's or US Central.
_ZONE_ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9,
    "HST": -10, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IST": 5.5,
    "SGT": 8, "HKT": 8, "AWST": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12,
    "NZDT": 13,
}
_TZINFOS = {name: int(hours * 3600) for name, hours in _ZONE_ABBREVIATIONS.items()}


def _parse_western(text: str, zone: tzinfo) -> FoundDate | None:
    """Western forms python-dateutil knows (9 January 2020, Jan 9, 2020 7:56 PM EST)."""
    from dateutil import parser as date_parser  # type: ignore[import-untyped]

    try:
        value, _tokens = date_parser.parse(text, fuzzy_with_tokens=True, default=datetime(1, 1, 1),
                                           tzinfos=_TZINFOS)
    except (ValueError, OverflowError):
        return None
    if value.year < MIN_YEAR or not re.search(r"(?:19|20)\d\d", text):
        return None
    has_time = bool(re.search(r"\d:\d\d", text))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return FoundDate(value, text, "text", has_time)


def _parse_relative(text: str, now: datetime, zone: tzinfo) -> FoundDate | None:
    """刚刚, 3小时前, 30分钟前, 昨天 12:30, 前天 relative to the fetch time."""
    local_now = now.astimezone(zone)
    match = _RELATIVE_RE.search(text)
    if match:
        n = match.group("n")
        amount = 0.5 if n == "半" else 3 if n in ("几", "幾") else int(n)
        seconds = amount * _UNIT_SECONDS[match.group("unit")]
        value = local_now - timedelta(seconds=seconds)
        has_time = seconds < 86400
        if not has_time:
            value = value.replace(hour=0, minute=0, second=0, microsecond=0)
        return FoundDate(value.replace(microsecond=0), text, "text", has_time)
    match = _DAYWORD_RE.search(text)
    if match:
        word = match.group("word")
        if word in _NOW_WORDS:
            return FoundDate(local_now.replace(microsecond=0), text, "text", True)
        back = _DAYS_BACK[word]
        day = (local_now - timedelta(days=back)).date()
        if match.group("hour"):
            value = datetime.combine(day, time(_hour(match), int(match.group("minute")),
                                               int(match.group("second") or 0)), zone)
            return FoundDate(value, text, "text", True)
        return FoundDate(datetime.combine(day, time(), zone), text, "text", False)
    return None


def _resolve_yearless(match: re.Match[str], raw: str, zone: tzinfo, now: datetime,
                      url: str | None, reference: datetime | None = None) -> FoundDate | None:
    """A month-day date with its year from the page's other date, the URL, else the crawl time.

    The year chosen is the latest that does not put the date after its anchor (the other date,
    the URL's day or the crawl time), so "12-30" next to a 2020-01-02 date is 2019-12-30.
    """
    month, day = int(match.group("month")), int(match.group("day"))
    from_url = date_from_url(url, tz=str(zone)) if url else None
    if reference is not None:
        anchor = reference.astimezone(zone)
    elif from_url is not None:
        anchor = from_url.value + timedelta(days=1)
    else:
        anchor = now.astimezone(zone)
    anchor = min(anchor, now.astimezone(zone))
    for year in (anchor.year, anchor.year - 1):
        built = _build(year, month, day, match, zone)
        if built is not None and built[0] <= anchor + timedelta(days=1):
            return FoundDate(built[0], raw, "text", built[1])
    return None


# ---------------------------------------------------------------- URL

_URL_DATE_RE = re.compile(
    r"(?<![\d])(?P<year>(?:19|20)\d\d)(?P<s1>[-/_.]?)(?P<month>0[1-9]|1[0-2])(?P<s2>[-/_.]?)"
    r"(?P<day>0[1-9]|[12]\d|3[01])(?!\d)"
)


def date_from_url(url: str, *, tz: str = "Asia/Shanghai") -> FoundDate | None:
    """The date a URL path carries (/2020-01/09/, /20200109/, t20200109_), or None."""
    if not url:
        return None
    parts = urlsplit(url)
    path = unquote(parts.path)
    zone = _zone(tz)
    for match in _URL_DATE_RE.finditer(path):
        try:
            value = datetime(
                int(match.group("year")),
                int(match.group("month")),
                int(match.group("day")),
                tzinfo=zone,
            )
        except ValueError:
            continue
        return FoundDate(value, match.group(0), "url", False)
    return None


# ---------------------------------------------------------------- page

# pubDate/upDate: Baidu's "cambrian" JSON-LD, which many Chinese portals publish.
_LD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate", "pubDate")
_LD_UPDATED = ("dateModified", "upDate")
_META_PUBLISHED = {
    "articlepublishedtime",
    "ogpublishedtime",
    "ogarticlepublishedtime",
    "publishdate",
    "publishdatetime",
    "pubdate",
    "publicationdate",
    "publishtime",
    "pubtime",
    "publishedtime",
    "datepublished",
    "date",
    "dcdate",
    "dcdateissued",
    "dcdatecreated",
    "dctermscreated",
    "dctermsissued",
    "sailthrudate",
    "parselypubdate",
    "articlepublished",
    "firstpublishedtime",
    "weiboarticlecreateat",
    "bytedancearticlepublishtime",
    "apubtime",
    "releasedate",
    "createdate",
    "originalpublicationdate",
    "citationpublicationdate",
    "citationdate",
    "eprintsdatepublished",
}
_META_UPDATED = {
    "articlemodifiedtime",
    "ogupdatedtime",
    "ogarticlemodifiedtime",
    "datemodified",
    "lastmodified",
    "dctermsmodified",
    "dcdatemodified",
    "lastmodifiedtime",
    "modifiedtime",
    "updatetime",
    "updatedtime",
    "articleupdated",
    "weiboarticleupdateat",
    "dateupdate",
    "dateupdated",
}
# Keys that inline page data (window.DATA = {...}, hidden inputs, data-* attributes) use for the
# article.
_DATA_PUBLISHED = {
    "pubtime", "ptime", "publishtime", "publishdate", "pubdate", "publishedtime", "publishedat",
    "datepublished", "firstpublishtime", "releasetime", "newstime", "posttime", "ct", "createtime",
}
_NOT_KEY_CHAR_RE = re.compile(r"[^a-z0-9]")
_ITEMPROP_DATES = frozenset({"datePublished", "dateModified"})
_DATA_UPDATED = {
    "updatetime",
    "modifytime",
    "modifiedtime",
    "datemodified",
    "updatedat",
    "lastmodified",
}
# A key and a date value in inline script data; or a Unix time under a short key (a WeChat
# article's `var ct = "1615953060"`).
_SCRIPT_PAIR_RE = re.compile(
    r"""["']?(?P<key>[A-Za-z_]{2,24})["']?\s*[:=]\s*(?:["'](?P<value>(?:19|20)\d\d[-/年.]\d{1,2}"""
    r"""[-/月.]\d{1,2}[^"'\n]{0,24})["']|["']?(?P<epoch>1\d{9})(?!\d))"""
)
# Chrome that never holds the article's own date line (by tag: vocab.RAIL_TAGS).
_DATE_CHROME = label_pattern(
    "date-chrome",
    r"(?:^|[\s_-])(?:side|sidebar|aside|comment|comments|reply|replies|related|relate|recommend|"
    r"rank|hot|news-?list|nav|menu|breadcrumb|crumb|ad|ads|banner)(?:$|[\s_-]|\d)",
)
# Page footers and share bars: chrome, unless they sit inside the article and carry its date line.
_FOOTER_TAGS = {"footer"}
_FOOTER = label_pattern(
    "footer", r"(?:^|[\s_-])(?:footer|foot|copyright|share|bottom)(?:$|[\s_-]|\d)|(?:foot|footer)$"
)
_ARTICLE = label_pattern(
    "article", r"(?:^|[\s_-])(?:article|post|entry|blog|content|detail|main)(?:$|[\s_-]|\d)"
)
_COPYRIGHT_RE = re.compile(
    rf"©|&copy;|copyright|{alternation(('版权', '备案'))}|ICP", re.IGNORECASE
)


@lru_cache(maxsize=4096)
def _key(name: str) -> str:
    """A meta name reduced to lowercase letters and digits (article:published_time ->
    articlepublishedtime).

    Cached: data-* attribute names repeat on every item of a page, and across pages."""
    return _NOT_KEY_CHAR_RE.sub("", name.lower())


def _strict_date(
    text: str, tz: str, now: datetime | None, url: str | None, rule: str
) -> FoundDate | None:
    """parse_date on a structured value, tagged with the rule that found it."""
    found = parse_date(text, tz=tz, now=now, url=url)
    return replace(found, rule=rule) if found is not None else None


def _epoch(seconds: int, tz: str, rule: str) -> FoundDate | None:
    """A Unix time as a date in the page's timezone."""
    try:
        value = datetime.fromtimestamp(seconds, UTC).astimezone(_zone(tz))
    except (OverflowError, OSError, ValueError):
        return None
    return FoundDate(value, str(seconds), rule, True) if value.year >= MIN_YEAR else None


# The keys under which a page says when it was served (`var svr_time = "1615953060"`): what its
# relative dates ('2天前') count back from.
_CLOCK_KEYS = frozenset({"svrtime", "servertime"})


def page_clock(tree: HtmlElement, headers: Mapping[str, Any] | None = None) -> datetime | None:
    """The page's own reference time: a server time in its script data, else the response's Date
    header; None when it gives neither."""
    for script in tree.iter("script"):
        for match in _SCRIPT_PAIR_RE.finditer(script.text or ""):
            if match.group("epoch") and _key(match.group("key")) in _CLOCK_KEYS:
                return datetime.fromtimestamp(int(match.group("epoch")), UTC)
    for key, value in (headers or {}).items():
        if str(key).lower() == "date":
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            try:
                return parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    return None


def _walk_json(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, outermost first."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk_json(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk_json(item)


Pair = tuple[FoundDate | None, FoundDate | None]


def _json_ld_dates(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> Pair:
    """datePublished / dateModified from the page's JSON-LD."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for script in (s for s in tree.iter("script") if "ld+json" in (s.get("type") or "").lower()):
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        for obj in _walk_json(data):
            for key in _LD_PUBLISHED:
                if published is None and isinstance(obj.get(key), str):
                    published = _strict_date(obj[key], tz, now, url, f"json-ld:{key}")
            for key in _LD_UPDATED:
                if updated is None and isinstance(obj.get(key), str):
                    updated = _strict_date(obj[key], tz, now, url, f"json-ld:{key}")
    return published, updated


def _meta_dates(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> Pair:
    """Published/updated dates from meta tags (article:published_time, pubdate, dcterms...)."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for meta in tree.iter("meta"):
        name = (
            meta.get("property")
            or meta.get("name")
            or meta.get("itemprop")
            or meta.get("http-equiv")
        )
        content = meta.get("content")
        if not name or not content:
            continue
        key = _key(name)
        if published is None and key in _META_PUBLISHED:
            published = _strict_date(content, tz, now, url, f"meta:{name}")
        elif updated is None and key in _META_UPDATED:
            updated = _strict_date(content, tz, now, url, f"meta:{name}")
    return published, updated


def _page_data_dates(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> Pair:
    """Dates the page keeps as data: hidden inputs, data-* attributes, inline script objects."""
    published: FoundDate | None = None
    updated: FoundDate | None = None

    def take(key: str, value: str, rule: str) -> None:
        nonlocal published, updated
        if published is None and key in _DATA_PUBLISHED:
            published = _strict_date(value, tz, now, url, rule)
        elif updated is None and key in _DATA_UPDATED:
            updated = _strict_date(value, tz, now, url, rule)

    for element in (
        e for e in tree.iter("input") if e.get("type") == "hidden" and e.get("value") is not None
    ):
        name = element.get("name") or element.get("id") or ""
        take(_key(name), element.get("value", ""), f"input:{name}")
    for element in _dated_data_elements(tree):
        for attribute, value in element.items():
            if _is_date_data(attribute):
                take(_key(attribute[5:]), value, f"attr:{attribute}")
        if published is not None and updated is not None:
            break
    for script in tree.iter("script"):
        kind = (script.get("type") or "").lower()
        if "ld+json" in kind or not script.text:
            continue
        # The article's own object comes first in the page data; later ones are lists of other
        # items.
        for match in _SCRIPT_PAIR_RE.finditer(script.text):
            key = _key(match.group("key"))
            if match.group("epoch") is None:
                take(key, match.group("value"), f"script:{match.group('key')}")
            elif published is None and key in _DATA_PUBLISHED:
                published = _epoch(int(match.group("epoch")), tz, f"script:{match.group('key')}")
    return published, updated


def _dated_data_elements(tree: HtmlElement) -> Iterator[HtmlElement]:
    """The elements under <body> with a data-* attribute naming a date, in document order.

    A walk in Python over attribute names beats the XPath '//body//*[@*[starts-with(name(),
    'data-')]]',
    and skipping the many data-* attributes that are not dates (data-src, data-id) spares a call
    each. """
    for body in tree.iter("body"):
        for element in body.iterdescendants():
            for attribute in element.keys():  # noqa: SIM118 - iterating an element gives its children
                if _is_date_data(attribute):
                    yield element
                    break


@lru_cache(maxsize=4096)
def _is_date_data(attribute: str) -> bool:
    """Whether an attribute is a data-* one whose name is a published or updated key (names repeat:
    cached). """
    return attribute.startswith("data-") and (
        _key(attribute[5:]) in _DATA_PUBLISHED or _key(attribute[5:]) in _DATA_UPDATED
    )


def _time_element_dates(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> Pair:
    """Dates from <time datetime> and itemprop date elements outside sidebars and lists."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    # A walk in Python beats this XPath's attribute tests ('//*[@itemprop=...][not(self::meta)]').
    for element in (
        e for e in tree.iter() if e.get("itemprop") in _ITEMPROP_DATES and e.tag != "meta"
    ):
        value = element.get("datetime") or element.get("content") or element.text_content()
        if _is_boilerplate(element):
            continue
        if element.get("itemprop") == "datePublished" and published is None:
            published = _strict_date(value, tz, now, url, "itemprop:datePublished")
        elif element.get("itemprop") == "dateModified" and updated is None:
            updated = _strict_date(value, tz, now, url, "itemprop:dateModified")
    if published is None:
        for element in tree.iter("time"):
            value = element.get("datetime")
            if not value or _is_boilerplate(element) or element.xpath("ancestor::li"):
                continue
            found = _strict_date(value, tz, now, url, "time[datetime]")
            if found is None:
                continue
            if _UPDATED_LABEL_RE.search(f"{element.get('class', '')} {element.text_content()}"):
                updated = updated or found
                continue
            published = found
            break
    return published, updated


def _is_boilerplate(element: HtmlElement, stop: HtmlElement | None = None,
                    shared: frozenset[HtmlElement] = frozenset()) -> bool:
    """Whether an element sits in a sidebar, nav, comment block, list of other items or the page
    footer.

    A footer or share bar inside the article (an <article>, or a post/entry container that also
    holds the headline) is the article's own date line, not chrome; the page footer is chrome.
    """
    node: HtmlElement | None = element
    footer: HtmlElement | None = None
    while node is not None and node is not stop and node not in shared:
        tag = node.tag if isinstance(node.tag, str) else ""
        label = label_of(node)
        if tag in RAIL_TAGS or label_matches(_DATE_CHROME, label):
            return True
        if footer is None and (tag in _FOOTER_TAGS or label_matches(_FOOTER, label)):
            footer = node
        node = node.getparent()
    if footer is None:
        return False
    return not _inside_article(footer, shared)


def _inside_article(footer: HtmlElement, shared: frozenset[HtmlElement]) -> bool:
    """Whether a footer-like element belongs to the article rather than to the page."""
    if _COPYRIGHT_RE.search(footer.text_content()[:400]):
        return False
    for ancestor in footer.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag in ("body", "html"):
            return False
        if tag == "article" or ancestor in shared:
            return True
        if labelled(ancestor, _ARTICLE) and ancestor.xpath(".//h1|.//h2"):
            return True
    return False


def _texts_after(start: HtmlElement, stop: HtmlElement | None) -> Iterator[tuple[str, HtmlElement]]:
    """Text pieces in document order after `start`, each with the element holding it.

    Walks only what follows `start` (its tail, its later siblings, then its ancestors' tails and
    later siblings), never the page before it.
    """
    if any(
        not isinstance(node.tag, str) or node.tag in NON_TEXT_TAGS
        for node in (start, *start.iterancestors())
    ):
        return
    node: HtmlElement | None = start
    while node is not None:
        if node.tail:
            yield node.tail, node.getparent()
        sibling = node.getnext()
        while sibling is not None:
            if not isinstance(sibling.tag, str) or sibling.tag in NON_TEXT_TAGS:
                if sibling.tail:
                    yield sibling.tail, sibling.getparent()
            else:
                for event, element in _iterwalk(sibling):
                    if event == "start" and element is stop:
                        return
                    if event == "start" and element.text:
                        yield element.text, element
                    elif event in ("end", "tail-only") and element.tail:
                        yield element.tail, element.getparent()
            sibling = sibling.getnext()
        node = node.getparent()


def _texts_in(root: HtmlElement) -> Iterator[tuple[str, HtmlElement]]:
    """Text pieces in document order inside `root`, each with the element holding it."""
    for event, element in _iterwalk(root):
        if event == "start" and element.text:
            yield element.text, element
        elif event in ("end", "tail-only") and element.tail and element is not root:
            yield element.tail, element.getparent()


def _iterwalk(root: HtmlElement) -> Iterator[tuple[str, HtmlElement]]:
    """start/end events over an element tree, skipping script-like subtrees and comments
    ("tail-only" for those).

    lxml's iterwalk does the walk in C; a skipped element still gets its "end", where its tail is
    reported, and a comment or processing instruction its own event.
    """
    if not isinstance(root.tag, str):
        return
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        skipped = element is not root and (
            not isinstance(element.tag, str) or element.tag in NON_TEXT_TAGS
        )
        if event in ("comment", "pi"):
            if element.tail:
                yield "tail-only", element
        elif event == "start":
            if skipped:
                walker.skip_subtree()
            else:
                yield "start", element
        elif skipped:
            if element.tail:
                yield "tail-only", element
        else:
            yield "end", element


def _visible_candidates(tree: HtmlElement, headline: HtmlElement | None,
                        content: HtmlElement | None) -> Iterator[tuple[str, HtmlElement]]:
    """Text pieces between the headline and the start of the content, in document order."""
    if headline is not None and not headline.text_content().strip():
        headline = None
    if headline is None:
        found = [h1 for h1 in tree.iter("h1") if h1.text_content().strip(" \t\r\n")]
        headline = found[0] if len(found) == 1 else None
    if headline is None:
        if content is None:
            return
        # Without a headline, the date line is the text just before the content.
        preceding = content.xpath("preceding::text()[normalize-space()][position() <= 12]")
        for piece in reversed(preceding):
            parent = piece.getparent()
            if parent is not None and parent.tag not in NON_TEXT_TAGS:
                yield str(piece), parent
        yield from _content_start(content)
        return
    budget = _VISIBLE_BUDGET
    # A title block may hold its own info line after the title ('<div class=title><div>Title</div>
    # <ul><li>2023-12-01 14:43</li></ul></div>').
    inside = [(text.strip(), element) for text, element in _texts_in(headline) if text.strip()]
    for text, element in inside[1:]:
        budget -= len(text)
        yield text, element
    for text, element in _texts_after(headline, content):
        if budget <= 0:
            break
        stripped = text.strip()
        if not stripped:
            continue
        budget -= len(stripped)
        yield stripped, element
    if content is not None:
        yield from _content_start(content)


def _content_start(content: HtmlElement) -> Iterator[tuple[str, HtmlElement]]:
    """The first text pieces of the content, where some portals print the date line."""
    budget = _CONTENT_START_BUDGET
    for text, element in _texts_in(content):
        if budget <= 0:
            return
        if text.strip():
            budget -= len(text.strip())
            yield text.strip(), element


_TIME_START_RE = re.compile(r"\s*(?:[01]?\d|2[0-3])[:：][0-5]\d(?:[:：][0-5]\d)?(?!\d)")


def _scan(
    pieces: list[tuple[str, HtmlElement]],
    dropped: Callable[[HtmlElement], bool],
    tz: str,
    now: datetime | None,
    url: str,
    reference: datetime | None,
    *,
    labelled_only: bool,
) -> Pair:
    """The first published date and the first 更新 date in a run of text pieces, those `dropped`
    (chrome) left out.

    A date followed by a time in the next kept piece (发布时间：10-08 | 12:00) is read as one line.
    With `labelled_only`, a date counts only after a publication label (发布时间：, 发表于, posted).
    Only pieces holding a date and their kept neighbours are tested with `dropped`, the costly part.
    """
    published: FoundDate | None = None
    updated: FoundDate | None = None
    kept: dict[int, bool] = {}

    def is_kept(index: int) -> bool:
        if index not in kept:
            kept[index] = not dropped(pieces[index][1])
        return kept[index]

    def neighbour(index: int, step: int) -> str:
        index += step
        while 0 <= index < len(pieces):
            if is_kept(index):
                return pieces[index][0]
            index += step
        return ""

    for index, (text, element) in enumerate(pieces):
        # _visible_parse reads only a date inside the piece itself: others are skipped unexamined.
        if (
            not _MAY_HOLD_DATE_RE.search(text)
            or not _DATE_IN_LINE_RE.search(_normalise(text))
            or not is_kept(index)
        ):
            continue
        previous, following = neighbour(index, -1), neighbour(index, 1)
        found = _visible_parse(
            text, tz, now, url, reference, previous=previous, following=following
        )
        if found is None:
            continue
        if len(_normalise(text)) > len(_normalise(found.raw)) + 6 and _in_link(element):
            # A dated link text is another article's headline (上一篇: 今日行情--2019年8月19日).
            continue
        label_only = not _DATE_IN_LINE_RE.search(_normalise(previous))
        is_updated = found.rule == "visible:updated" or (
            label_only
            and bool(_UPDATED_LABEL_RE.search(previous[-12:]))
            and not _PUBLISHED_ONLY_RE.match(text)
        )
        if labelled_only and not is_updated and found.rule != "visible:labelled":
            continue
        if is_updated:
            updated = updated or replace(found, rule="visible:updated")
        elif published is None:
            published = replace(found, rule="visible:headline")
        if published is not None and updated is not None:
            break
    return published, updated


def _in_link(element: HtmlElement) -> bool:
    """Whether a text piece's element is, or sits in, a link."""
    return element.tag == "a" or any(a.tag == "a" for a in element.iterancestors())


def _visible_dates(
    tree: HtmlElement,
    headline: HtmlElement | None,
    content: HtmlElement | None,
    tz: str,
    now: datetime | None,
    url: str,
    reference: datetime | None,
) -> Pair:
    """The date line next to the headline: the first full date, a labelled 更新 date apart."""
    pieces = list(_visible_candidates(tree, headline, content))
    # Containers the headline itself sits in say nothing about the date line beside it.
    shared = frozenset(headline.iterancestors()) if headline is not None else frozenset()
    return _scan(
        pieces,
        lambda element: (
            element is not content and _is_boilerplate(element, stop=content, shared=shared)
        ),
        tz,
        now,
        url,
        reference,
        labelled_only=False,
    )


# A publication label just before a date: 发布时间：, 发表于, 时间:, Posted on.
_LINE_LABEL_RE = re.compile(
    rf"(?:{alternation((*PUBLISHED_WORDS, '刊发', '出版', '上传', '创建'))})"
    rf"(?:{alternation(('时间', '日期', '于'))})?\s*[:：]?\s*$"
    rf"|(?:{alternation(('时间', '日期'))})\s*[:：]\s*$"
    rf"|(?:{_PUBLISHED_EN})(?:\s+(?:on|at))?\s*:?\s*$",
    re.IGNORECASE,
)


def _labelled_dates(
    tree: HtmlElement,
    headline: HtmlElement | None,
    tz: str,
    now: datetime | None,
    url: str,
    reference: datetime | None,
) -> Pair:
    """With no date beside the headline: the first labelled date line anywhere outside the chrome.

    This finds a blog's "发表于 2005-07-31 12:30" under the post and a forum's first "发布时间"
    (replies come later in the page), never a date in running text or in a sidebar.
    """
    body = tree.find("body")
    if body is None:
        return None, None
    shared = frozenset(headline.iterancestors()) if headline is not None else frozenset()
    pieces: list[tuple[str, HtmlElement]] = []
    for text, element in _texts_in(body):
        stripped = text.strip()
        if stripped and len(stripped) <= 200:
            pieces.append((stripped, element))
    return _scan(
        pieces,
        lambda element: _is_boilerplate(element, shared=shared),
        tz,
        now,
        url,
        reference,
        labelled_only=True,
    )


_PUBLISHED_ONLY_RE = re.compile(
    rf"\s*({alternation(PUBLISHED_WORDS)}|{_PUBLISHED_EN})", re.IGNORECASE
)


_DATE_IN_LINE_RE = re.compile(
    r"(?:(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}(?!\d)(?:\s*[日号號])?|(?<!\d)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:[0-3]\d)(?!\d)"
    r"|(?<![\d/.-])(?<!\d:)\d\d[-/.]\d\d[-/.]\d\d(?![\d/.:-])"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号號]|(?<![\d/.-])(?<!\d:)\d{1,2}[-/]\d{1,2}(?![\d/.-])"
    r"|\d+\s*(?:秒|分钟|分鐘|小时|小時|天)前|刚刚|剛剛|昨天|前天|今天"
    # a Western date with its month named ('November 2, 2023', '2 Nov 2023')
    rf"|(?i:\b(?:{'|'.join(MONTHS)})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d"
    rf"|\b\d{{1,2}}\.?\s+(?:{'|'.join(MONTHS)})[a-z]*\.?,?\s+(?:19|20)\d\d))"
)
# A character every text holds whose normalised form _DATE_IN_LINE_RE can match (a digit, full-width
# ones
# included, a Chinese numeral, 刚/剛/昨/前/今): a cheap test that spares normalising the many other
# pieces.
_MAY_HOLD_DATE_RE = re.compile(rf"[\d{_CN_NUMERALS}刚剛昨前今]")
# What may stand around a relative or month-day date on a date line; running text has words there.
_LINE_EDGE_RE = re.compile(
    r"^(?:$|[\s|·•/:：()（）\[\]【】-]|星期|周|週|\d|[上下]午|凌晨|晚上|早上|中午|"
    rf"{alternation(('来源', '作者'))})"
)


def _visible_parse(
    text: str,
    tz: str,
    now: datetime | None,
    url: str,
    reference: datetime | None = None,
    *,
    previous: str = "",
    following: str = "",
) -> FoundDate | None:
    """A date from a short visible line: each date-like span is parsed on its own, labels respected.
    """
    normalised = _normalise(text)
    if len(normalised) > 200:
        return None
    for match in _DATE_IN_LINE_RE.finditer(normalised):
        span = match.group(0)
        # A year first, or last in a month-named date ('2 Nov. 2023'); the latter only on a line of
        # its own or after a label, never inside running text (a caption, a sentence).
        western = re.search(r"[a-z.,]\s+(?:19|20)\d\d$", span, re.IGNORECASE) is not None
        full_year = western or re.match(r"(?:19|20)\d\d", span) is not None
        prefix = normalised[: match.start()]
        rest = normalised[match.end():]
        labelled = bool(
            _LINE_LABEL_RE.search(prefix[-16:])
            or (not prefix.strip() and _LINE_LABEL_RE.search(_normalise(previous)[-16:]))
            or _UPDATED_LABEL_RE.search(prefix[-12:])
        )
        if western and not labelled and len(normalised) - len(span) > _WESTERN_LINE_EXTRA:
            continue
        if not full_year:
            # Relative words and month-days are date lines only when they stand alone on the line,
            # never inside a sentence ("昨天去金矿玩", "5月20日至31日", "1月8日上午,警方召开…").
            if not _LINE_EDGE_RE.match(rest) or (prefix.strip() and not labelled
                                                 and not _LINE_EDGE_RE.match(prefix[-1:])):
                continue
            if (
                re.fullmatch(r"\d\d[-/.]\d\d[-/.]\d\d", span) is None
                and re.fullmatch(r"\d{1,2}[-/]\d{1,2}", span)
                and not labelled
                and not _TIME_START_RE.match(rest)
            ):
                continue
        if re.fullmatch(r"(?:19|20)\d{6}", span) and (
            prefix.strip() and not labelled or rest.strip()
        ):
            # Eight digits are a date line only alone or labelled, not in keywords or file names.
            continue
        # Parse from the match with what follows (the time) but not what precedes (another date).
        tail = normalised[match.start(): match.start() + 40]
        shown = tail
        if labelled and re.fullmatch(r"\d{1,2}[-/]\d{1,2}", span):
            # A labelled month-day (发布时间：10-08) is a date line even without its time.
            tail = re.sub(r"^(\d{1,2})[-/](\d{1,2})", r"\1月\2日", tail)
        found = parse_date(tail, tz=tz, now=now, url=url, reference=reference)
        if (
            (found is None or not found.has_time)
            and not rest.strip()
            and _TIME_START_RE.match(following)
        ):
            # The time sits in the next element: 发布时间：10-08 | 12:00.
            joined = parse_date(
                f"{tail} {_normalise(following)[:12]}", tz=tz, now=now, url=url, reference=reference
            )
            if joined is not None and joined.has_time:
                found = joined
                shown = f"{shown} {_TIME_START_RE.match(following).group(0).strip()}"  # type: ignore[union-attr]
        if found is None:
            continue
        if (not full_year and not found.has_time and not labelled
                and len(normalised) - len(span) > 10):
            continue
        if full_year and not found.has_time and not labelled and _SENTENCE_AFTER_RE.match(rest):
            # "2005年4月18日吴宗宪进棚录像…": a date that opens a sentence of the body.
            continue
        if _UPDATED_LABEL_RE.search(prefix[-12:]):
            return replace(found, raw=span, rule="visible:updated")
        after = re.sub(r"^\s*(?:\d{1,2}[:：]\d\d(?:[:：]\d\d)?)?\s*", "", rest)
        suffix = _SUFFIX_LABEL_RE.match(after if not prefix.strip() else "")
        if suffix and _UPDATED_LABEL_RE.match(suffix.group(0)):
            return replace(found, raw=shown.strip(), rule="visible:updated")
        return replace(
            found, raw=shown.strip(), rule="visible:labelled" if labelled or suffix else "text"
        )
    return None


# What a month-named date line may hold besides the date: its time and zone ('3:53 PM EDT').
_WESTERN_LINE_EXTRA = 24
_SENTENCE_AFTER_RE = re.compile(r"^[日号號]?+(?:[,、]|(?![星周週礼禮电電讯訊])[\u4e00-\u9fff])")
# A label after the date, on a line that begins with it: "2005-04-05 06:40更新", "2020-01-09 07:56
# 发布".
_SUFFIX_LABEL_RE = re.compile(
    rf"^(?:{alternation((*PUBLISHED_WORDS, '更新'))}|updated|{_PUBLISHED_EN})", re.IGNORECASE
)


@dataclass(frozen=True)
class DateRule:
    """One structured source of the date cascade: a name and a function from the page to its
    (published, updated) pair ((None, None) = none)."""

    name: str
    find: Callable[[HtmlElement, str, datetime | None, str], Pair]


# The structured date sources, by trust: all are read, the first published and the first updated
# found win, and the others settle a disagreement (see _settle). Extend the table with
# register_date_rule (a site's override belongs in its config, not here: no rule names a site).
DATE_RULES: list[DateRule] = [
    DateRule("json-ld", _json_ld_dates),
    DateRule("meta", _meta_dates),
    DateRule("page-data", _page_data_dates),
    DateRule("time-element", _time_element_dates),
]


def register_date_rule(rule: DateRule, *, before: str | None = None) -> None:
    """Add a rule to the structured sources, before the named one (else last); a rule's name is
    unique."""
    if any(existing.name == rule.name for existing in DATE_RULES):
        raise ValueError(f"a date rule named {rule.name!r} exists")
    names = [existing.name for existing in DATE_RULES]
    DATE_RULES.insert(names.index(before) if before in names else len(DATE_RULES), rule)


def find_dates(tree: HtmlElement, *, url: str, headline: HtmlElement | None = None,
               content: HtmlElement | None = None, tz: str = "Asia/Shanghai",
               now: datetime | None = None) -> Pair:
    """The page's (published, updated) dates.

    By trust: the structured sources of DATE_RULES (JSON-LD, meta, the page's own data, <time>),
    the date line next to the headline, a labelled date line elsewhere in the article, the URL.
    Structured sources that disagree are settled by the visible date line, else by the earliest.
    """
    found: list[Pair] = [rule.find(tree, tz, now, url) for rule in DATE_RULES]
    candidates = [pair[0] for pair in found if pair[0] is not None]
    updated = next((pair[1] for pair in found if pair[1] is not None), None)
    published = candidates[0] if candidates else None
    from_url = date_from_url(url, tz=tz)
    reference = next((c.value for c in [*candidates, updated] if c is not None), None)
    if reference is None and from_url is not None:
        reference = from_url.value + timedelta(days=1)

    visible_published, visible_updated = _visible_dates(
        tree, headline, content, tz, now, url, reference
    )
    if visible_published is None and (published is None or not published.has_time):
        labelled_published, labelled_updated = _labelled_dates(
            tree, headline, tz, now, url, reference
        )
        visible_published = labelled_published
        visible_updated = visible_updated or labelled_updated
        if published is None and visible_published is not None:
            visible_published = replace(visible_published, rule="visible:dateline")
    if published is None and visible_published is None:
        visible_published = _dated_element(tree, tz, now, url, reference)
    published = _settle(published, candidates, visible_published)
    record = _record_date(tree, tz, now, url)
    if record is not None and (published is None or published.value.date() != record.value.date()):
        # An official document's own date outranks the day the portal put it online.
        published = record
    updated = updated or visible_updated
    if published is None and from_url is not None:
        published = _more_precise(from_url, _same_day_line(tree, from_url, headline, tz, now, url))
    if published is None and updated is None:
        updated = _last_modified(tree, tz, now, url)
    if published is None and updated is not None:
        # A page that gives only its 更新 time was published no later: the best date it offers.
        published = replace(updated, rule=f"updated:{updated.rule}")
    return published, updated


def _last_modified(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> FoundDate | None:
    """A page's 'last modified' line wherever it stands (a wiki's footer), for a page that dates
    itself in no other way."""
    body = tree.find("body")
    if body is None:
        return None
    for text, _ in _texts_in(body):
        stripped = text.strip()
        if 8 <= len(stripped) <= 160 and _UPDATED_LABEL_RE.search(stripped):
            found = parse_date(stripped, tz=tz, now=now, url=url)
            if found is not None:
                return replace(found, rule="visible:last-modified")
    return None


# The label of an official document's date of record in a government portal's metadata table
# (索引号 / 发文机关 / 成文日期 / 发布日期): the date the document bears, signed at its end too.
_RECORD_LABEL_RE = re.compile(rf"成文(?:{alternation(('日期', '时间'))})\s*[:：]?\s*")


def _record_date(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> FoundDate | None:
    """A government document's 成文日期, labelled in the page outside the chrome, or None.

    The label and its date share a text piece or stand in neighbouring cells of the table.
    """
    body = tree.find("body")
    # Only government pages carry the label: the text, serialised in C, tells most pages at a
    # fraction of the walk's cost (as metadata._holding does for breadcrumb separators).
    if body is None or "成文" not in etree.tostring(
        body, method="text", encoding=str, with_tail=False
    ):
        return None
    waiting = False
    for text, element in _texts_in(body):
        stripped = text.strip()
        if not stripped:
            continue
        label = _RECORD_LABEL_RE.search(stripped)
        rest = stripped[label.end():] if label is not None else stripped if waiting else ""
        waiting = label is not None and not rest
        if rest and len(rest) <= 40 and not _is_boilerplate(element):
            found = parse_date(rest, tz=tz, now=now, url=url)
            if found is not None:
                return replace(found, raw=rest, rule="visible:document")
    return None


def _settle(
    trusted: FoundDate | None, candidates: list[FoundDate], visible: FoundDate | None
) -> FoundDate | None:
    """The published date from the trusted source, the other structured ones and the visible line.
    """
    if trusted is None:
        return visible
    timed = [
        c for c in candidates if c.has_time and abs(c.value - trusted.value) <= timedelta(hours=36)
    ]
    if visible is not None and visible.has_time:
        for candidate in timed:
            printed = _as_printed(candidate, visible)
            if printed is not None:
                return printed
    # A difference of whole hours is one time read in two zones, not two times.
    disagreeing = [
        c
        for c in timed
        if (c.value.minute, c.value.second) != (trusted.value.minute, trusted.value.second)
    ]
    if trusted.has_time and disagreeing:
        # Sources that disagree: a re-publication or edit time is later, the first release earliest.
        return min([trusted, *disagreeing], key=lambda c: c.value)
    return _more_precise(trusted, visible)


def _as_printed(structured: FoundDate, visible: FoundDate) -> FoundDate | None:
    """The structured instant in the offset the page prints it in, when the visible line shows the
    same minute in some zone (a meta time in UTC, the page's local time); else None."""
    wall = visible.value.replace(tzinfo=None, second=0, microsecond=0)
    utc = structured.value.astimezone(UTC).replace(tzinfo=None, second=0, microsecond=0)
    shift = wall - utc
    if abs(shift) > timedelta(hours=14) or shift % timedelta(minutes=15):
        return None
    value = structured.value.astimezone(timezone(shift))
    if value.replace(tzinfo=None, second=0, microsecond=0) != wall:
        return None
    if structured.value.utcoffset() == value.utcoffset():
        return structured  # written alike: the structured source, to the second
    return FoundDate(value, visible.raw, visible.rule, True, also=structured)


def _same_minute(first: datetime, second: datetime) -> bool:
    """Whether two instants fall in the same minute."""
    return first.replace(second=0, microsecond=0) == second.replace(second=0, microsecond=0)


def _same_day_line(tree: HtmlElement, day: FoundDate, headline: HtmlElement | None, tz: str,
                   now: datetime | None, url: str) -> FoundDate | None:
    """A labelled date line that gives the time of a day known from the URL."""
    found, _ = _labelled_dates(tree, headline, tz, now, url, day.value)
    if found is not None and found.value.date() == day.value.date():
        return replace(found, rule="visible:dateline")
    return None


def _more_precise(trusted: FoundDate | None, other: FoundDate | None) -> FoundDate | None:
    """The trusted date, or the other one when it is the same day and also gives the time."""
    if trusted is None:
        return other
    if (other is not None and not trusted.has_time and other.has_time
            and other.value.date() == trusted.value.date()):
        return other
    return trusted


_DATED = label_pattern("dated", r"time|date|pub|publish|post|info|source|meta|byline|fbsj|sj")


def _dated_element(tree: HtmlElement, tz: str, now: datetime | None, url: str,
                   reference: datetime | None) -> FoundDate | None:
    """With no headline to go by: the first short element named like a date line, outside the
    chrome. """
    for element in tree.iter("span", "div", "p", "em", "i", "small", "td", "font"):
        if not labelled(element, _DATED) or _is_boilerplate(element):
            continue
        text = element.text_content().strip()
        if not text or len(text) > 80:
            continue
        found = _visible_parse(text, tz, now, url, reference)
        if found is not None and found.rule != "visible:updated":
            return replace(found, rule="visible:dateline")
    return None


def to_date(found: FoundDate | None) -> date | None:
    """The calendar date of a found date, in its own timezone."""
    return found.value.date() if found is not None else None
