"""Dates: one string to one timezone-aware instant, and a page's published/updated dates by trust."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from lxml.html import HtmlElement

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

    def evidence(self) -> dict[str, Any]:
        """JSON-ready record of the value and how it was found."""
        return {"value": self.value.isoformat(), "raw": self.raw, "rule": self.rule, "has_time": self.has_time}


def default_timezone(language: str | None) -> str:
    """The timezone assumed for pages that give none: Asia/Shanghai for Chinese, else UTC."""
    if language and language.lower().replace("_", "-").split("-")[0] == "zh":
        return "Asia/Shanghai"
    return "UTC"


# ---------------------------------------------------------------- string normalisation

_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3,
              "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER_RE = re.compile("([〇零○一二两兩三四五六七八九十]+)(?=[年月日号號时時点點分秒])")


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
    return re.sub(r"\s+", " ", text).strip()


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
_RELATIVE_RE = re.compile(r"(?P<n>\d+|半|几|幾)\s*(?P<unit>秒|分钟|分鐘|分|小时|小時|个小时|個小時|天|日|周|週|星期)\s*(?:以)?前")
_DAYWORD_RE = re.compile(r"(?P<word>刚刚|剛剛|刚才|剛才|今天|今日|昨天|昨日|前天|大前天)(?:" + _TIME + r")?")
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_WESTERN_RE = re.compile(rf"\b(?:{_MONTHS})[a-z]*\.?\b", re.IGNORECASE)
_UPDATED_LABEL_RE = re.compile(r"(更新|修改|修订|修訂|編輯於|更新于|updated?|modified|last\s+modified)", re.IGNORECASE)
_PUBLISHED_LABEL_RE = re.compile(
    r"(发布|發布|发表|發表|时间|時間|日期|published|posted|date|出版|刊登|来源|來源|稿件)", re.IGNORECASE
)
_UNIT_SECONDS = {"秒": 1, "分钟": 60, "分鐘": 60, "分": 60, "小时": 3600, "小時": 3600, "个小时": 3600,
                 "個小時": 3600, "天": 86400, "日": 86400, "周": 604800, "週": 604800, "星期": 604800}


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


def _build(year: int, month: int, day: int, match: re.Match[str], zone: tzinfo) -> tuple[datetime, bool] | None:
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
               url: str | None = None) -> FoundDate | None:
    """The one date in a short string (labels, Chinese and Western forms, relative forms), or None."""
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
        built = _build(int(match.group("year")), int(match.group("month")), int(match.group("day")), match, zone)
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

    match = _YEARLESS_RE.search(norm)
    if match and (match.group("sep") == "月" or match.groupdict().get("hour")):
        return _resolve_yearless(match, raw, zone, now, url)

    match = _COMPACT_RE.search(norm)
    if match:
        built = _build(int(match.group("year")), int(match.group("month")), int(match.group("day")), match, zone)
        if built is not None and _not_future(built[0], now):
            return FoundDate(built[0], raw, "text", built[1])
    return None


def _parse_iso(text: str, zone: tzinfo) -> FoundDate | None:
    """ISO 8601 strings that the full-date pattern does not cover (e.g. 2020-01-09T07:56:40.123+08:00)."""
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


def _parse_western(text: str, zone: tzinfo) -> FoundDate | None:
    """Western forms python-dateutil knows (9 January 2020, Jan 9, 2020 7:56 PM EST)."""
    from dateutil import parser as date_parser  # type: ignore[import-untyped]

    try:
        value, _tokens = date_parser.parse(text, fuzzy_with_tokens=True, default=datetime(1, 1, 1))
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
        if word in ("刚刚", "剛剛", "刚才", "剛才"):
            return FoundDate(local_now.replace(microsecond=0), text, "text", True)
        back = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "大前天": 3}[word]
        day = (local_now - timedelta(days=back)).date()
        if match.group("hour"):
            value = datetime.combine(day, time(_hour(match), int(match.group("minute")),
                                               int(match.group("second") or 0)), zone)
            return FoundDate(value, text, "text", True)
        return FoundDate(datetime.combine(day, time(), zone), text, "text", False)
    return None


def _resolve_yearless(match: re.Match[str], raw: str, zone: tzinfo, now: datetime,
                      url: str | None) -> FoundDate | None:
    """A month-day date with its year from the URL, else the latest year that is not in the future."""
    month, day = int(match.group("month")), int(match.group("day"))
    from_url = date_from_url(url, tz=str(zone)) if url else None
    years = [from_url.value.year] if from_url else []
    local_now = now.astimezone(zone)
    years += [local_now.year, local_now.year - 1]
    for year in years:
        built = _build(year, month, day, match, zone)
        if built is not None and _not_future(built[0], now):
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
            value = datetime(int(match.group("year")), int(match.group("month")), int(match.group("day")),
                             tzinfo=zone)
        except ValueError:
            continue
        return FoundDate(value, match.group(0), "url", False)
    return None


# ---------------------------------------------------------------- page

# pubDate/upDate: Baidu's "cambrian" JSON-LD, which many Chinese portals publish.
_LD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate", "pubDate")
_LD_UPDATED = ("dateModified", "upDate")
_META_PUBLISHED = {
    "articlepublishedtime", "ogpublishedtime", "ogarticlepublishedtime", "publishdate", "publishdatetime",
    "pubdate", "publicationdate", "publishtime", "pubtime", "publishedtime", "datepublished", "date",
    "dcdate", "dcdateissued", "dcdatecreated", "dctermscreated", "dctermsissued", "sailthrudate",
    "parselypubdate", "articlepublished", "firstpublishedtime", "weiboarticlecreateat",
    "bytedancearticlepublishtime", "apubtime", "releasedate", "createdate", "originalpublicationdate",
    "citationpublicationdate", "citationdate", "eprintsdatepublished",
}
_META_UPDATED = {
    "articlemodifiedtime", "ogupdatedtime", "ogarticlemodifiedtime", "datemodified", "lastmodified",
    "dctermsmodified", "dcdatemodified", "lastmodifiedtime", "modifiedtime", "updatetime", "updatedtime",
    "articleupdated", "weiboarticleupdateat",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "select", "option", "textarea", "button"}
_BOILERPLATE_TAGS = {"aside", "footer", "nav"}
_BOILERPLATE_RE = re.compile(
    r"(?:^|[\s_-])(?:side|sidebar|aside|footer|foot|comment|comments|reply|related|relate|recommend|"
    r"rank|news-?list|nav|menu|breadcrumb|crumb|copyright|share|ad|ads|banner)(?:$|[\s_-]|\d)",
    re.IGNORECASE,
)


def _key(name: str) -> str:
    """A meta name reduced to lowercase letters and digits (article:published_time -> articlepublishedtime)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _strict_date(text: str, tz: str, now: datetime | None, url: str | None, rule: str) -> FoundDate | None:
    """parse_date on a structured value, tagged with the rule that found it."""
    found = parse_date(text, tz=tz, now=now, url=url)
    return replace(found, rule=rule) if found is not None else None


def _walk_json(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, outermost first."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk_json(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk_json(item)


def _json_ld_dates(tree: HtmlElement, tz: str, now: datetime | None,
                   url: str) -> tuple[FoundDate | None, FoundDate | None]:
    """datePublished / dateModified from the page's JSON-LD."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for script in tree.xpath('//script[contains(translate(@type,"LDJSON","ldjson"),"ld+json")]'):
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


def _meta_dates(tree: HtmlElement, tz: str, now: datetime | None,
                url: str) -> tuple[FoundDate | None, FoundDate | None]:
    """Published/updated dates from meta tags (article:published_time, pubdate, dcterms...)."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for meta in tree.iter("meta"):
        name = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if not name or not content:
            continue
        key = _key(name)
        if published is None and key in _META_PUBLISHED:
            published = _strict_date(content, tz, now, url, f"meta:{name}")
        elif updated is None and key in _META_UPDATED:
            updated = _strict_date(content, tz, now, url, f"meta:{name}")
    return published, updated


def _is_boilerplate(element: HtmlElement, stop: HtmlElement | None = None,
                    shared: frozenset[HtmlElement] = frozenset()) -> bool:
    """Whether an element sits in a sidebar, footer, nav, comment block or list of other items."""
    node: HtmlElement | None = element
    while node is not None and node is not stop and node not in shared:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _BOILERPLATE_TAGS:
            return True
        label = f"{node.get('class', '')} {node.get('id', '')}"
        if label.strip() and _BOILERPLATE_RE.search(label):
            return True
        node = node.getparent()
    return False


def _time_element_dates(tree: HtmlElement, tz: str, now: datetime | None,
                        url: str) -> tuple[FoundDate | None, FoundDate | None]:
    """Dates from <time datetime> and itemprop date elements outside sidebars and lists."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for element in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified'][not(self::meta)]"):
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


def _texts_after(start: HtmlElement, stop: HtmlElement | None) -> Iterator[tuple[str, HtmlElement]]:
    """Text pieces in document order after `start`, each with the element holding it."""
    root = start.getroottree().getroot()
    seen_start = False
    for event, element in _iterwalk(root):
        if element is start:
            if event == "end":
                seen_start = True
                if element.tail:
                    yield element.tail, element.getparent()
            continue
        if not seen_start:
            continue
        if stop is not None and element is stop and event == "start":
            return
        if event == "start" and element.text:
            yield element.text, element
        elif event in ("end", "tail-only") and element.tail:
            yield element.tail, element.getparent()


def _iterwalk(root: HtmlElement) -> Iterator[tuple[str, HtmlElement]]:
    """start/end events over an element tree, skipping script-like subtrees and comments."""
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = []
    if not isinstance(root.tag, str):
        return
    yield "start", root
    stack.append((root, iter(root)))
    while stack:
        parent, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield "end", parent
            continue
        if not isinstance(child.tag, str) or child.tag in _SKIP_TAGS:
            if child.tail:
                # A comment or script still has a tail that belongs to the page text.
                yield "tail-only", child
            continue
        yield "start", child
        stack.append((child, iter(child)))


def _visible_candidates(tree: HtmlElement, headline: HtmlElement | None,
                        content: HtmlElement | None) -> Iterator[tuple[str, HtmlElement]]:
    """Text pieces between the headline and the start of the content, in document order."""
    if headline is None:
        found = tree.xpath("//h1")
        headline = found[0] if len(found) == 1 else None
    if headline is None:
        if content is None:
            return
        # Without a headline, the date line is the text just before the content.
        preceding = content.xpath("preceding::text()[normalize-space()][position() <= 12]")
        for piece in reversed(preceding):
            parent = piece.getparent()
            if parent is not None and parent.tag not in _SKIP_TAGS:
                yield str(piece), parent
        yield from _content_start(content)
        return
    budget = _VISIBLE_BUDGET
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
    for event, element in _iterwalk(content):
        if budget <= 0:
            return
        text = element.text if event == "start" else element.tail if element is not content else None
        if text and text.strip():
            budget -= len(text.strip())
            yield text.strip(), element


def _visible_dates(tree: HtmlElement, headline: HtmlElement | None, content: HtmlElement | None, tz: str,
                   now: datetime | None, url: str) -> tuple[FoundDate | None, FoundDate | None]:
    """The date line next to the headline: the first full date, a labelled 更新 date apart."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    pieces = list(_visible_candidates(tree, headline, content))
    # Containers the headline itself sits in say nothing about the date line beside it.
    shared = frozenset(headline.iterancestors()) if headline is not None else frozenset()
    for index, (text, element) in enumerate(pieces):
        if element is not content and _is_boilerplate(element, stop=content, shared=shared):
            continue
        found = _visible_parse(text, tz, now, url)
        if found is None:
            continue
        previous = pieces[index - 1][0] if index > 0 else ""
        label_only = not _DATE_IN_LINE_RE.search(_normalise(previous))
        is_updated = found.rule == "visible:updated" or (
            label_only and bool(_UPDATED_LABEL_RE.search(previous[-12:])) and not _PUBLISHED_ONLY_RE.match(text)
        )
        if is_updated:
            updated = updated or replace(found, rule="visible:updated")
        elif published is None:
            published = replace(found, rule="visible:headline")
        if published is not None and updated is not None:
            break
    return published, updated


_PUBLISHED_ONLY_RE = re.compile(r"\s*(发布|發布|发表|發表|published|posted)", re.IGNORECASE)


_DATE_IN_LINE_RE = re.compile(
    r"(?:(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|(?<!\d)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:[0-3]\d)(?!\d)"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*日|\d{1,2}-\d{1,2}\s+\d{1,2}:\d\d|\d+\s*(?:秒|分钟|分鐘|小时|小時|天)前|刚刚|剛剛|昨天|前天)"
)


def _visible_parse(text: str, tz: str, now: datetime | None, url: str) -> FoundDate | None:
    """A date from a short visible line: each date-like span is parsed on its own, labels respected."""
    normalised = _normalise(text)
    if len(normalised) > 200:
        return None
    for match in _DATE_IN_LINE_RE.finditer(normalised):
        # Parse from the match with what follows (the time) but not what precedes (another date).
        tail = normalised[match.start(): match.start() + 40]
        found = parse_date(tail, tz=tz, now=now, url=url)
        if found is None:
            continue
        # A month-day without a year or time is a date line only when the line is short,
        # never a date mentioned in a sentence ("1月8日上午,警方召开…").
        if (not re.match(r"(?:19|20)\d\d", match.group(0)) and not found.has_time
                and len(normalised) - len(match.group(0)) > 10):
            continue
        prefix = normalised[: match.start()]
        if _UPDATED_LABEL_RE.search(prefix[-12:]):
            return replace(found, raw=match.group(0), rule="visible:updated")
        return replace(found, raw=tail.strip())
    return None


def find_dates(tree: HtmlElement, *, url: str, headline: HtmlElement | None = None,
               content: HtmlElement | None = None, tz: str = "Asia/Shanghai",
               now: datetime | None = None) -> tuple[FoundDate | None, FoundDate | None]:
    """The page's (published, updated) dates, by trust: JSON-LD, meta, <time>, headline line, URL."""
    published: FoundDate | None = None
    updated: FoundDate | None = None
    for finder in (_json_ld_dates, _meta_dates, _time_element_dates):
        found_published, found_updated = finder(tree, tz, now, url)
        published = published or found_published
        updated = updated or found_updated
        if published is not None:
            break
    if published is None or updated is None or not published.has_time:
        visible_published, visible_updated = _visible_dates(tree, headline, content, tz, now, url)
        if published is None and visible_published is None:
            visible_published = _dated_element(tree, tz, now, url)
        published = _more_precise(published, visible_published)
        updated = updated or visible_updated
    if published is None:
        published = date_from_url(url, tz=tz)
    return published, updated


def _more_precise(trusted: FoundDate | None, other: FoundDate | None) -> FoundDate | None:
    """The trusted date, or the other one when it is the same day and also gives the time."""
    if trusted is None:
        return other
    if (other is not None and not trusted.has_time and other.has_time
            and other.value.date() == trusted.value.date()):
        return other
    return trusted


_DATED_CLASS_RE = re.compile(r"time|date|pub|publish|post|info|source|meta|byline|fbsj|sj", re.IGNORECASE)


def _dated_element(tree: HtmlElement, tz: str, now: datetime | None, url: str) -> FoundDate | None:
    """With no headline to go by: the first short element named like a date line, outside the chrome."""
    for element in tree.iter("span", "div", "p", "em", "i", "small", "td", "font"):
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if not _DATED_CLASS_RE.search(label) or _is_boilerplate(element):
            continue
        text = element.text_content().strip()
        if not text or len(text) > 80:
            continue
        found = _visible_parse(text, tz, now, url)
        if found is not None and found.rule != "visible:updated":
            return replace(found, rule="visible:dateline")
    return None


def to_date(found: FoundDate | None) -> date | None:
    """The calendar date of a found date, in its own timezone."""
    return found.value.date() if found is not None else None
