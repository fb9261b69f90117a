"""Article metadata from the tree and its text lines: title, authors, source, editor, keywords, breadcrumbs."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from difflib import SequenceMatcher
from typing import Any, cast

from lxml import etree
from lxml.html import HtmlElement

Normalise = Callable[[str], str]

_TITLE_SPLIT_RE = re.compile(r"\s*(?:_|\||｜|--|::)\s*|\s+[-—–]\s+")
_TITLE_CLASS_RE = re.compile(r"title|headline|biaoti|heading|(^|[\s_-])(bt|tit|hd)(\d|[\s_-]|$)", re.IGNORECASE)
_LINK_HEAVY_TITLE = 0.8

_COLON = r"\s*[:：]\s*"
_SOURCE_RE = re.compile(r"(?:来源|來源|稿源|出处|出處|信息来源|信息來源|文章来源|文章來源|本文来源|本文來源)" + _COLON
                        + r"([^\s|｜()（）【】\[\]]+(?:\s(?![^\s]*[:：])[A-Za-z][\w.]*)?)")
_EDITOR_RE = re.compile(r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯|值班编辑|本文编辑)" + _COLON + r"?([^\s|｜()（）【】\[\]:：]+)")
_KEYWORDS_RE = re.compile(r"^[【\[]?\s*(?:关键词|關鍵詞|关键字|關鍵字|标签|標籤|tags?|keywords?)\s*[】\]]?\s*[:：]?\s*(.+)$",
                          re.IGNORECASE)
_KEYWORD_SPLIT_RE = re.compile(r"[\s,，、;；|｜/]+")
_AUTHOR_ROLES = ("实习记者", "實習記者", "特约记者", "特約記者", "见习记者", "見習記者", "本报记者", "本報記者",
                 "记者", "記者", "通讯员", "通訊員", "作者", "撰稿", "撰文", "采写", "採寫", "文")
_OTHER_ROLES = ("责任编辑", "責任編輯", "编辑", "編輯", "责编", "責編", "摄影", "攝影", "摄", "攝", "图", "圖",
                "校对", "校對", "来源", "來源", "制图", "製圖", "视频", "視頻", "翻译", "翻譯", "编译", "編譯")
_ROLE_RE = re.compile("(" + "|".join(sorted(_AUTHOR_ROLES + _OTHER_ROLES, key=len, reverse=True)) + r")\s*[:：/／]?\s*")
_REPORTER_PAREN_RE = re.compile(r"[（(]\s*((?:[^（()）]{0,6}?)(?:记者|記者|通讯员|通訊員|作者)[^（()）]{1,60})[)）]")
_REPORTER_LEAD_RE = re.compile(r"^(?:本报|本報|新华社|新華社|中新社|中新网|中新網)?[^，,。]{0,12}?"
                               r"(?:记者|記者)\s*([\u4e00-\u9fff]{2,4}(?:(?:\s*[、,，和]\s*|\s+)[\u4e00-\u9fff]{2,4})*)"
                               r"(?=\s|报道|報道|[/／）)】]|$)")
# A bare name list closing the last paragraph, as in '……新春佳节。（常书香 马丹阳）'.
_CLOSING_NAMES_RE = re.compile(r"[（(]\s*([\u4e00-\u9fff]{2,3}(?:\s+[\u4e00-\u9fff]{2,3}){0,3})\s*[)）]$")
# Common surnames: a bare name list is taken only when every name starts with one.
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲"
    "虞敖巩明佘池查麻苑迟邝閆劉陳楊黃趙吳許韓馮鄧蔣蔡葉蘇呂盧薑鍾譚陸範賈韋鄒孫賀龔嚴戴譚聶魯關藍蘭")
# 'Name/Publication' right under the headline.
_NAME_SLASH_RE = re.compile(r"^([\u4e00-\u9fff]{2,4})\s*[/／]\s*\S{2,20}$")
_AUTHOR_LABEL_RE = re.compile(r"(?:作者|撰稿|撰文|采写|採寫|记者|記者)\s*[:：]\s*(.{2,40})|(?:^|\s)文\s*[/／|]\s*(.{2,30})")
_NAME_RE = re.compile(r"^(?:[\u4e00-\u9fff·]{2,5}|[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})$")
_NOT_NAMES = frozenset({"本报", "本報", "报道", "報道", "综合", "綜合", "整理", "专稿", "專稿", "电", "電", "通讯员", "記者",
                        "记者", "编辑", "編輯", "网友", "網友", "佚名", "未知", "admin", "匿名", "本网", "本網", "讯",
                        "实习生", "實習生"})
_BYLINE_CLASS_RE = re.compile(r"byline|author|writer|(^|[\s_-])by([\s_-]|$)", re.IGNORECASE)
_BY_PREFIX_RE = re.compile(r"^\s*(?:by|written by|posted by|from)\s+", re.IGNORECASE)
_CRUMB_CLASS_RE = re.compile(r"crumb|breadcrumb|position|location|weizhi|dqwz|(^|[\s_-])(path|place|navpath|nav_path|"
                             r"site-?path|daohang|lmdh|curpos|current)([\s_-]|$)", re.IGNORECASE)
_CRUMB_SEP_RE = re.compile(r"\s*(?:>>|>|»|›|＞|→|/|\||｜|-&gt;|::)\s*")
_CRUMB_LEAD_RE = re.compile(r"^.{0,8}?(?:当前位置|當前位置|您的位置|你的位置|现在位置|所在位置|位置|您现在的位置是|"
                            r"您现在的位置|you are here)\s*[:：]?\s*", re.IGNORECASE)
_CRUMB_DROP = frozenset({"正文", "正文内容", "內容", "内容", "正文內容", "详情", "詳情", "文章", "阅读文章", "閱讀文章",
                         "浏览文章", "瀏覽文章", "查看文章", "内容页", "內容頁", "详细内容", "詳細內容", "article", "content"})


def first_meta(tree: HtmlElement, *names: str) -> str | None:
    """The first non-empty <meta> content whose name or property is one of `names`."""
    wanted = {name.lower() for name in names}
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if key in wanted and content and key not in found:
            found[key] = content
    for name in names:
        if name.lower() in found:
            return found[name.lower()]
    return None


def json_ld(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page (nested @graph items flattened)."""
    out: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                if "@graph" in item:
                    stack.append(item["@graph"])
    return out


def split_site_suffix(title: str) -> str:
    """A <title> without the site name around it: its longest part between separators."""
    parts = [part for part in _TITLE_SPLIT_RE.split(title) if part and part.strip()]
    if len(parts) <= 1:
        return title.strip()
    return max(parts, key=len).strip()


def _similarity(candidate: str, reference: str) -> float:
    """How well a headline candidate matches the <title> text (1.0 when it is all of it)."""
    if not candidate or not reference:
        return 0.0
    if candidate in reference:
        return len(candidate) / len(split_site_suffix(reference)) if len(candidate) >= 4 else 0.0
    matcher = SequenceMatcher(None, candidate, reference, autojunk=False)
    if matcher.real_quick_ratio() * 0.8 < 0.45 or matcher.quick_ratio() * 0.8 < 0.45:
        return 0.0
    return matcher.ratio() * 0.8


def find_title(tree: HtmlElement, body: HtmlElement | None, normalise: Normalise) -> tuple[str | None, HtmlElement | None]:
    """The headline text and its element: the headline-like element that best matches <title>/og:title."""
    title_element = tree.find(".//title")
    page_title = normalise(title_element.text_content()) if title_element is not None else ""
    og_title = normalise(first_meta(tree, "og:title", "twitter:title") or "")
    reference = page_title or og_title
    best: tuple[float, str, HtmlElement] | None = None
    seen: list[HtmlElement] = []
    if body is not None:
        for element in _headline_candidates(body):
            text = normalise(element.text_content())
            if not 2 <= len(text) <= 150:
                continue
            tag = element.tag
            bonus = {"h1": 0.3, "h2": 0.15, "h3": 0.05}.get(tag, 0.1)
            sim = max(_similarity(text, page_title), _similarity(text, og_title))
            linked = sum(len(a.text_content()) for a in element.iter("a"))
            if linked >= _LINK_HEAVY_TITLE * len(text):
                bonus -= 0.25
            if reference and sim < 0.45:
                continue
            if not reference:
                # No <title> to match: the first headline-like element wins, h1 before named ones.
                if not 4 <= len(text) <= 80 or linked >= _LINK_HEAVY_TITLE * len(text):
                    continue
                sim = 1.0 - 0.001 * len(seen)
            seen.append(element)
            value = sim + bonus
            if best is None or value > best[0]:
                best = (value, text, element)
    if best is not None:
        return best[1], best[2]
    if og_title:
        return split_site_suffix(og_title) if page_title and og_title == page_title else og_title, None
    if page_title:
        return split_site_suffix(page_title), None
    return None, None


_CANDIDATES = etree.XPath("//h1 | //h2 | //h3 | //*[@class or @id]")
_CANDIDATE_TAGS = frozenset({"div", "span", "td", "p", "font", "strong", "b"})


def _headline_candidates(body: HtmlElement) -> Iterator[HtmlElement]:
    """Headings and title-named elements, in document order, at most a few dozen."""
    count = 0
    for element in cast("list[HtmlElement]", _CANDIDATES(body)):
        if element.tag not in ("h1", "h2", "h3"):
            if element.tag not in _CANDIDATE_TAGS:
                continue
            label = f"{element.get('class', '')} {element.get('id', '')}"
            if not _TITLE_CLASS_RE.search(label):
                continue
        yield element
        count += 1
        if count >= 60:
            return


def find_source(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The source named on a 来源/稿源 line, and that line."""
    for line in lines:
        if len(line) > 200:
            continue
        match = _SOURCE_RE.search(line)
        if match:
            value = re.split(r"(?:作者|编辑|編輯|责任编辑|责编|记者|記者|时间|時間|发布|發布|点击|點擊|浏览|瀏覽|字号|"
                             r"\d{4}[-/年])", match.group(1))[0].strip(" ,，;；:：")
            if value:
                return value, line
    return None, None


def find_editor(lines: Iterable[str]) -> tuple[str | None, str | None]:
    """The editor on a 责任编辑/编辑 line, and that line."""
    for line in lines:
        if len(line) > 120:
            continue
        match = _EDITOR_RE.search(line)
        if match and match.group(1).strip():
            return match.group(1).strip(" ,，;；"), line
    return None, None


def find_keywords(lines: Iterable[str], tree: HtmlElement, normalise: Normalise) -> tuple[list[str], str]:
    """Keywords from the visible 关键词/标签 line, else from <meta name=keywords>; and where from."""
    for line in lines:
        if len(line) > 200:
            continue
        match = _KEYWORDS_RE.match(line)
        if match:
            words = _dedupe(word.strip() for word in _KEYWORD_SPLIT_RE.split(match.group(1)))
            if words:
                return words, "visible"
    meta = first_meta(tree, "keywords", "news_keywords")
    if meta:
        return _dedupe(normalise(word) for word in re.split(r"[,，;；、|]+", meta)), "meta"
    return [], "none"


def _dedupe(words: Iterable[str]) -> list[str]:
    """Non-empty words, first occurrence kept."""
    out: list[str] = []
    for word in words:
        if word and word not in out:
            out.append(word)
    return out


def _names(text: str) -> list[str]:
    """Author names in a byline fragment such as '記者 王韶卿 通訊員 閆亞平', skipping editors and photographers."""
    names: list[str] = []
    role_ok = True
    position = 0
    for match in _ROLE_RE.finditer(text):
        if role_ok:
            names.extend(_plain_names(text[position:match.start()]))
        role_ok = match.group(1) in _AUTHOR_ROLES
        position = match.end()
    if role_ok:
        names.extend(_plain_names(text[position:]))
    return _dedupe(names)


def _plain_names(text: str) -> list[str]:
    """Name tokens of a fragment with no role words in it."""
    out = []
    for token in re.split(r"[\s、,，;；/／|和与與及]+", text):
        token = token.strip(" .。:：()（）[]【】")
        if token and token not in _NOT_NAMES and _NAME_RE.match(token):
            out.append(token)
    return out


def find_authors(head_lines: list[str], body: list[str], tree: HtmlElement, ld: list[dict[str, Any]],
                 normalise: Normalise) -> tuple[list[str], str]:
    """Authors (reporters, writers), not editors or photographers; and the rule that found them."""
    for line in head_lines[:4]:
        match = _NAME_SLASH_RE.match(line)
        if match and match.group(1)[0] in _SURNAMES:
            return [match.group(1)], "name-slash"
    for line in head_lines:
        if len(line) > 150:
            continue
        match = _AUTHOR_LABEL_RE.search(line)
        if match:
            fragment = re.split(r"\s{2,}|来源|來源|时间|時間|发布|發布|\d{4}[-/年]|点击|點擊", match.group(1) or match.group(2))[0]
            names = _names(("作者 " if match.group(1) else "文 ") + fragment)
            if names:
                return names, "byline"
    for paragraph in body[:3] + body[-3:]:
        for match in _REPORTER_PAREN_RE.finditer(paragraph):
            names = _names(match.group(1))
            if names:
                return names, "reporter-paren"
    for paragraph in body[:2]:
        match = _REPORTER_LEAD_RE.match(paragraph)
        if match:
            names = _dedupe(re.split(r"\s*[、,，和]\s*|\s+", match.group(1)))
            if names:
                return names, "reporter-lead"
    if body:
        match = _CLOSING_NAMES_RE.search(body[-1])
        if match:
            names = match.group(1).split()
            if all(name[0] in _SURNAMES and name not in _NOT_NAMES for name in names):
                return names, "closing-names"
    for item in ld:
        names = _ld_names(item.get("author"))
        if names and str(item.get("@type", "")).lower() not in ("organization", "website", "webpage"):
            return [normalise(name) for name in names], "json-ld"
    byline = _byline(tree, normalise)
    if byline:
        return byline, "byline-class"
    meta = first_meta(tree, "author", "article:author", "dc.creator", "sailthru.author")
    if meta and not meta.startswith("http"):
        names = [normalise(_BY_PREFIX_RE.sub("", part)) for part in re.split(r"\s*(?:,|;|\band\b|、|，)\s*", meta)]
        names = [name for name in names if name and name not in _NOT_NAMES and len(name) <= 40]
        if names:
            return _dedupe(names), "meta"
    return [], "none"


def _ld_names(value: Any) -> list[str]:
    """Person names in a JSON-LD author value."""
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        if str(value.get("@type", "person")).lower() == "organization":
            return []
        name = value.get("name")
        return [name] if isinstance(name, str) and name.strip() else []
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item)]
    return []


_BYLINE_ELEMENTS = etree.XPath("//*[self::span or self::div or self::p or self::a or self::address or self::li]"
                               "[@class or @id or @rel]")


def _byline(tree: HtmlElement, normalise: Normalise) -> list[str]:
    """Names in a byline/author-named element (English 'By A and B' forms)."""
    for element in cast("list[HtmlElement]", _BYLINE_ELEMENTS(tree)):
        label = f"{element.get('class', '')} {element.get('id', '')} {element.get('rel', '')}"
        if not _BYLINE_CLASS_RE.search(label):
            continue
        text = normalise(element.text_content())
        if not 2 <= len(text) <= 80:
            continue
        text = _BY_PREFIX_RE.sub("", text)
        names = [part.strip() for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", text)]
        names = [name for name in names if name and _NAME_RE.match(name)]
        if names:
            return _dedupe(names)
    return []


def find_section_path(body: HtmlElement | None, title: str | None, normalise: Normalise) -> list[str]:
    """Breadcrumb items (home first), without 正文/current-page markers or the headline."""
    if body is None:
        return []
    for element in body.iter("div", "nav", "p", "span", "td", "ol", "ul"):
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if not label.strip() or not _CRUMB_CLASS_RE.search(label):
            continue
        items = _crumb_items(element, title, normalise)
        if len(items) >= 2:
            return items
    for element in body.iter("div", "p", "td", "span"):
        links = element.findall(".//a")
        if len(links) < 2 or len(links) > 10:
            continue
        text = normalise(element.text_content())
        if len(text) > 100 or text.count(">") + text.count("»") + text.count("›") + text.count("＞") < 1:
            continue
        items = _crumb_items(element, title, normalise)
        if len(items) >= 2:
            return items
    return []


def _crumb_items(element: HtmlElement, title: str | None, normalise: Normalise) -> list[str]:
    """The items of one breadcrumb element."""
    text = normalise(element.text_content())
    if not text or len(text) > 150:
        return []
    text = _CRUMB_LEAD_RE.sub("", text)
    items = []
    for part in _CRUMB_SEP_RE.split(text):
        part = part.strip(" :：")
        if not part or part.lower() in _CRUMB_DROP or (title and (part == title or len(part) > 30)):
            continue
        items.append(part)
    return items
