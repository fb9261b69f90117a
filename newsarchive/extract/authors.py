"""Authors and reporters of an article: byline lines, end bylines, account lines, JSON-LD and meta,
never editors. """

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsarchive.extract.metadata import dedupe, first_meta
from newsarchive.extract.owner import blog_owner

Normalise = Callable[[str], str]

# Roles whose names are authors; longest first so '本报记者' wins over '记者'.
AUTHOR_ROLES = (
    "实习记者",
    "實習記者",
    "特约记者",
    "特約記者",
    "见习记者",
    "見習記者",
    "本报记者",
    "本報記者",
    "本报实习生",
    "本報實習生",
    "首席记者",
    "首席記者",
    "记者",
    "記者",
    "通讯员",
    "通訊員",
    "实习生",
    "實習生",
    "作者",
    "撰稿人",
    "撰稿",
    "撰文",
    "采写",
    "採寫",
    "执笔人",
    "執筆人",
    "执笔",
    "執筆",
    "文/图",
    "文／图",
    "图/文",
    "图／文",
    "文图",
    "图文",
    "文字",
    "文",
    "口述",
)
OTHER_ROLES = (
    "责任编辑",
    "責任編輯",
    "实习编辑",
    "值班编辑",
    "编辑",
    "編輯",
    "责编",
    "責編",
    "主编",
    "审核",
    "審核",
    "校对",
    "校對",
    "摄影",
    "攝影",
    "摄像",
    "攝像",
    "摄",
    "攝",
    "图片",
    "圖片",
    "图",
    "圖",
    "来源",
    "來源",
    "制图",
    "製圖",
    "视频",
    "視頻",
    "翻译",
    "翻譯",
    "编译",
    "編譯",
    "译",
    "譯",
    "设计",
    "設計",
    "策划",
    "策劃",
    "监制",
    "監製",
    "出品",
    "统筹",
    "統籌",
)
_LONG_ROLES = sorted((r for r in AUTHOR_ROLES + OTHER_ROLES if len(r) > 1), key=len, reverse=True)
_SHORT_ROLES = "".join(r for r in AUTHOR_ROLES + OTHER_ROLES if len(r) == 1)
# One-character roles ('文/', '摄 ') only as a label, never inside a word like '正文'.
_ROLE_RE = re.compile(
    "("
    + "|".join(re.escape(r) for r in _LONG_ROLES)
    + rf"|(?<![\u4e00-\u9fff])[{_SHORT_ROLES}](?=\s*[:：/／|｜]|\s))"
    + r"\s*[:：/／|｜]?\s*"
)
_BULLETS = " \t\u3000□■●◆▲△☆★◇·•-—|｜"
_BRACKETED_RE = re.compile(r"^[（(【\[]\s*(.+?)\s*[)）】\]]$")
_TRAILER_RE = re.compile(
    r"(?:\s*(?:发自|發自|报道|報道)\s*\S{0,8}|\s+\S{1,6}(?:报道|報道|电|電)|(?<=\S)(?:报道|報道))$"
)
_NAME_CJK = r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{1,6})?"
_NAME_TOKEN_RE = re.compile(
    rf"^(?:{_NAME_CJK}|[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){{0,3}}|[A-Za-z][\w.-]{{2,20}})$"
)
_NAME_WITH_LATIN_RE = re.compile(rf"({_NAME_CJK})\s*[（(]\s*([A-Za-z][A-Za-z .'-]+?)\s*[)）]")
_SPLIT_NAMES_RE = re.compile(r"\s*[、,，;；/／|｜和与與及&]\s*|\s+")
NOT_NAMES = frozenset(
    {
        "本报",
        "本報",
        "报道",
        "報道",
        "综合",
        "綜合",
        "整理",
        "专稿",
        "專稿",
        "电",
        "電",
        "网友",
        "網友",
        "佚名",
        "未知",
        "admin",
        "匿名",
        "本网",
        "本網",
        "讯",
        "訊",
        "原创",
        "原創",
        "转载",
        "轉載",
        "独家",
        "獨家",
        "发布",
        "發布",
        "时间",
        "時間",
        "更新",
        "阅读",
        "閱讀",
        "评论",
        "評論",
        "分享",
        "收藏",
        "小编",
        "小編",
        "编者",
        "編者",
        "北京",
        "上海",
        "广州",
        "深圳",
        "今日",
        "昨日",
        "unknown",
        "none",
    }
)
# Words that make a token a label, not a name ('最新文章', '更多作品').
_NOT_NAME_PART_RE = re.compile(
    r"文章|最新|更多|相关|相關|热门|熱門|推荐|推薦|查看|全部|专栏|專欄|主页|主頁|首页|首頁|介绍|介紹|"
    r"简介|簡介|作品|关注|關注|粉丝|粉絲|登录|登錄|注册|註冊|用户|用戶"
)
# Common surnames: a bare name list is taken only when every name starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲"
    "虞敖巩明佘池查麻苑迟邝閆劉陳楊黃趙吳許韓馮鄧蔣葉蘇呂盧鍾譚陸範賈韋鄒孫賀龔嚴聶魯關藍蘭")
# 'Name/Publication' right under the headline, as in '石佳/中国青年报'.
_NAME_SLASH_RE = re.compile(r"^([\u4e00-\u9fff]{2,4})\s*[/／]\s*\S{2,20}$")
# A labelled author inside a longer head line: '作者：张三  来源：某报  2005-03-21'.
_LABEL_RE = re.compile(
    r"(?:作者|撰稿|撰文|采写|採寫|记者|記者|执笔人?)\s*[:：]\s*(.{2,40})|(?:^|\s)文\s*[/／|]\s*(.{2,30})|"
    r"(?:^|[|｜]\s*)(?:作者|记者|記者)\s*(.{2,30})$"
)
_LABEL_END_RE = re.compile(
    r"\s{2,}|来源|來源|时间|時間|发布|發布|日期|\d{4}\s*[-/.年]|点击|點擊|浏览|瀏覽|阅读|閱讀|字号|字號|"
    r"编辑|編輯|责编|責編|[|｜]"
)
_REPORTER_PAREN_RE = re.compile(
    r"[（(]\s*([^（()）]{0,12}?(?:记者|記者|通讯员|通訊員|作者|实习生|實習生)[^（()）]{1,60})[)）]"
)
_REPORTER_LEAD_RE = re.compile(
    r"^[□■●◆\s]*(?:本报|本報|新华社|新華社|中新社|中新网|中新網)?[^，,。：:]{0,12}?"
    r"(?:记者|記者)\s*([\u4e00-\u9fff]{2,4}(?:(?:\s*[、,，和]\s*|\s+)[\u4e00-\u9fff]{2,4})*)"
    r"(?=\s|报道|報道|发自|發自|[/／）)】]|$)"
)
_CLOSING_PAREN_RE = re.compile(r"[（(]\s*([^（()）]{2,40}?)\s*[)）]\s*$")
_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?|"
    r"\d{1,2}:\d{2}(?::\d{2})?"
)
# A date (and time) then 'by NAME' closing a post line, the name up to a bracket, bar or the line
# end.
_POSTED_BY_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"\s+by\s+([^\s〓|｜\]】)）][^〓|｜\]】)）]{0,30}?)\s*(?:[〓|｜\]】)）]|$)",
    re.IGNORECASE,
)
# How many closing paragraphs may hold an end byline ('文：某某' above a signature block).
_END_LINES = 4
_FOLLOW_RE = re.compile(r"^\+?\s*(?:关注|關注|订阅|訂閱|follow)$", re.IGNORECASE)
_LOOSE_DATE_RE = re.compile(r"\d{1,4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2})?|\d{1,2}:\d{2}")
_ACCOUNT_DROP_RE = re.compile(
    r"原创|原創|首发|首發|[·•|｜/]|发布于|發布於|发布|發布|\d+\s*(?:阅读|閱讀|评论|評論|浏览)"
)
_ORG_SUFFIX_RE = re.compile(
    r"(?:网|網|报|報|社|台|站|刊|频道|頻道|新闻|新聞|日报|日報|晚报|晚報|杂志|雜誌|出版社|公司|集团|"
    r"集團|中心|官网|官網|客户端|客戶端|\.com|\.cn|\.net|\.org|news|times|press|publishers?)$",
    re.IGNORECASE,
)
_LABEL_WORDS_RE = re.compile(
    r"来源|來源|稿源|出处|作者|编辑|編輯|责编|分享|评论|字号|点击|浏览|阅读|时间|時間|日期|source|by\b",
    re.IGNORECASE,
)
_BYLINE_CLASS_RE = re.compile(r"byline|author|writer|(^|[\s_-])by([\s_-]|$)", re.IGNORECASE)
_BY_PREFIX_RE = re.compile(r"^\s*(?:by|written by|posted by|from)\s+", re.IGNORECASE)
_PERSON_RE = re.compile(r"^(?:[\u4e00-\u9fff·]{2,5}|[A-Z][\w'.-]+(?: [A-Z][\w'.-]+){0,3})$")
_BYLINE_TAGS = ("span", "div", "p", "a", "address", "li")


def _name_tokens(text: str, strict: bool = False) -> list[str] | None:
    """The names in a fragment free of role words; None when a token is not a name (the fragment is
    not a byline).
    """
    text = text.strip(_BULLETS + ".。:：;；,，")
    if not text:
        return []
    out: list[str] = []
    for match in _NAME_WITH_LATIN_RE.finditer(text):
        out.append(f"{match.group(1)} ({match.group(2)})")
    text = _NAME_WITH_LATIN_RE.sub(" ", text)
    for token in _SPLIT_NAMES_RE.split(text):
        token = token.strip(" .。:：()（）[]【】\"'“”")
        if not token:
            continue
        if token in NOT_NAMES or not _NAME_TOKEN_RE.match(token) or _NOT_NAME_PART_RE.search(token):
            return None
        if strict and not ("\u4e00" <= token[0] <= "\u9fff" and token[0] in SURNAMES):
            return None
        out.append(token)
    return out


def byline_names(line: str, bare: bool = False) -> list[str] | None:
    """Author names when the whole line is a byline ('本报记者 王燕平 方云凤',
    '(文/图 刘玺东)'), else None.

    With `bare`, a line of names alone counts when every name starts with a common
    surname ('（常书香 马丹阳）').
    """
    text = line.strip(_BULLETS)
    inner = _BRACKETED_RE.match(text)
    if inner:
        text = inner.group(1)
    if not 2 <= len(text) <= 60:
        return None
    text = _TRAILER_RE.sub("", text).strip()
    matches = list(_ROLE_RE.finditer(text))
    if not matches:
        return _name_tokens(text, strict=True) if bare else None
    names: list[str] = []
    prefix = text[:matches[0].start()].strip()
    # Before the first role only an outlet may stand ('扬子晚报记者', '《棱镜》作者').
    if prefix and (len(prefix) > 12 or re.search(r"[，。：:；;,!?！？]", prefix)):
        return None
    saw_author = False
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        fragment = text[match.end():end]
        is_author = match.group(1) in AUTHOR_ROLES
        saw_author = saw_author or is_author
        # A fragment glued to the next role is that role's outlet ('采写：南都见习记者 林子沛').
        if (
            i + 1 < len(matches)
            and fragment
            and not fragment[-1].isspace()
            and len(fragment.strip()) <= 12
            and not text[matches[i + 1].start() - 1].isspace()
        ):
            continue
        tokens = _name_tokens(fragment)
        if tokens is None:
            return None
        if is_author:
            names.extend(tokens)
    return dedupe(names) if saw_author and names else None


def _following(names: list[str], lines: list[str]) -> list[str]:
    """`names` plus those of the byline lines right after (one line per role:
    '本报实习生 …' / '本报记者 …')."""
    for line in lines:
        more = byline_names(line) if len(line) <= 60 else None
        if not more:
            break
        names = dedupe(names + more)
    return names


def _labelled(line: str) -> list[str]:
    """Names after an author label inside a longer line ('作者：张三  来源：某报')."""
    match = _LABEL_RE.search(line)
    if not match:
        return []
    fragment = _LABEL_END_RE.split(match.group(1) or match.group(2) or match.group(3))[0]
    names = byline_names(("文 " if match.group(2) else "作者 ") + fragment.strip())
    return names or []


def _posted_by(line: str) -> list[str]:
    """The poster on a forum/blog post line: '发布时间 2005/03/15 22:36:13 by duscha', 'posted
    2005-03-15 by Ann Lee'.
    """
    if len(line) > 120:
        return []
    match = _POSTED_BY_RE.search(line)
    if not match:
        return []
    names = _name_tokens(match.group(1)) if " " not in match.group(1).strip() else (
        [match.group(1).strip()] if _PERSON_RE.match(match.group(1).strip()) else None)
    return [name for name in names or [] if name not in NOT_NAMES]


def _account(lines: list[str], i: int, site_names: set[str]) -> list[str]:
    """The account name on a head line: '<name> <date>' ('华夏人文 2020-03-09 18:14'), or a
    lone name line right before a date line or a follow button (self-media platforms)."""
    line = lines[i]
    if len(line) > 60 or _LABEL_WORDS_RE.search(line):
        return []
    if _DATE_RE.search(line):
        rest = _ACCOUNT_DROP_RE.sub(" ", _DATE_RE.sub(" ", line)).split()
    else:
        after = lines[i + 1] if i + 1 < len(lines) else ""
        if not (_FOLLOW_RE.match(after) or (len(after) <= 40 and _LOOSE_DATE_RE.search(after))):
            return []
        rest = line.split()
    if len(rest) != 1:
        return []
    name = rest[0].strip("@")
    if (
        not 2 <= len(name) <= 20
        or name in NOT_NAMES
        or _ORG_SUFFIX_RE.search(name)
        or _is_site(name, site_names)
    ):
        return []
    if re.fullmatch(r"[\d\W_]+", name):
        return []
    return [name]


def site_names(tree: HtmlElement, url: str) -> set[str]:
    """Names the site goes by: og:site_name, application-name, <title> parts, host labels
    (lower-cased). """
    names = {
        (
            first_meta(tree, "og:site_name", "application-name", "apple-mobile-web-app-title") or ""
        ).lower()
    }
    title = tree.find(".//title")
    if title is not None:
        parts = [
            p.strip()
            for p in re.split(r"\s*(?:_|\||｜|--|-|—|::)\s*", title.text_content() or "")
            if p.strip()
        ]
        if len(parts) > 1:
            parts.remove(max(parts, key=len))
            names.update(p.lower() for p in parts)
    host = urlsplit(url).hostname or ""
    names.update(
        label
        for label in host.lower().split(".")
        if len(label) >= 3 and label not in ("www", "com", "net")
    )
    return {name for name in names if name}


def _is_site(name: str, sites: set[str]) -> bool:
    """Whether a name is the site's own (or contains/is contained in one of its names)."""
    low = re.sub(r"\s+", "", name.lower())
    return any(
        low == s or (len(low) >= 2 and low in s) or (len(s) >= 3 and s in low) for s in sites
    )


def find_authors(
    head_lines: list[str],
    body: list[str],
    tail_lines: list[str],
    tree: HtmlElement,
    ld: list[dict[str, Any]],
    normalise: Normalise,
    sites: set[str],
    url: str = "",
) -> tuple[list[str], str]:
    """Authors (reporters, writers), not editors or photographers; and the rule that found them.

    On a blog page the owner comes right after a byline under the headline: names in the text are
    those of the pieces the owner quotes or reposts."""
    for line in head_lines[:4]:
        match = _NAME_SLASH_RE.match(line)
        if match and match.group(1)[0] in SURNAMES:
            return [match.group(1)], "name-slash"
    for i, line in enumerate(head_lines):
        names = byline_names(line) if len(line) <= 60 else None
        if names:
            return _following(names, head_lines[i + 1:i + 3]), "byline"
        names = _labelled(line) if len(line) <= 150 else []
        if names:
            return names, "byline"
    owner = blog_owner(tree, url, normalise) if url else None
    if owner:
        return [owner], "blog-owner"
    for lines in (body[:3], body[-_END_LINES:] if len(body) > 3 else []):
        for i, paragraph in enumerate(lines):
            names = byline_names(paragraph) if len(paragraph) <= 60 else None
            if names:
                return _following(names, lines[i + 1:]), "body-byline"
    for paragraph in body[:3] + body[-3:]:
        for match in _REPORTER_PAREN_RE.finditer(paragraph):
            names = byline_names(match.group(1))
            if names:
                return names, "reporter-paren"
    for paragraph in body[:2]:
        match = _REPORTER_LEAD_RE.match(paragraph)
        if match:
            names = dedupe(re.split(r"\s*[、,，和]\s*|\s+", match.group(1)))
            if names and all(name not in NOT_NAMES for name in names):
                return names, "reporter-lead"
    for paragraph in body[-2:]:
        match = _CLOSING_PAREN_RE.search(paragraph)
        if match:
            names = byline_names(match.group(1), bare=True)
            if names:
                return names, "closing-names"
    for line in tail_lines[:6]:
        names = byline_names(line) if len(line) <= 60 else None
        if names:
            return names, "tail-byline"
    for line in body[-3:] + tail_lines[:6]:
        names = _posted_by(line)
        if names:
            return names, "posted-by"
    for i in range(min(4, len(head_lines))):
        names = _account(head_lines, i, sites)
        if names:
            return names, "account"
    for item in ld:
        names = _ld_names(item.get("author"))
        names = [normalise(name) for name in names if not _is_site(name, sites)]
        if names and str(item.get("@type", "")).lower() not in (
            "organization",
            "website",
            "webpage",
        ):
            return names, "json-ld"
    byline = _byline_element(tree, normalise)
    if byline:
        return byline, "byline-class"
    meta = first_meta(
        tree,
        "citation_author",
        "citation_authors",
        "author",
        "article:author",
        "dc.creator",
        "sailthru.author",
    )
    if meta and not meta.startswith("http"):
        parts = re.split(r"\s*(?:,|;|\band\b|、|，)\s*", meta)
        names = [normalise(_BY_PREFIX_RE.sub("", part)) for part in parts]
        names = [re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", n) for n in names]
        names = [
            n
            for n in names
            if n
            and n not in NOT_NAMES
            and len(n) <= 40
            and not _is_site(n, sites)
            and not _ORG_SUFFIX_RE.search(n)
            and not re.fullmatch(r"[\w-]*\d[\w-]*", n)
        ]
        if names:
            return dedupe(names), "meta"
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


@lru_cache(maxsize=4096)
def _byline_label(label: str) -> bool:
    """Whether a class/id/rel label names a byline (labels repeat within and across pages: cached).
    """
    return bool(_BYLINE_CLASS_RE.search(label))


def _byline_element(tree: HtmlElement, normalise: Normalise) -> list[str]:
    """Names in a byline/author-named element (English 'By A and B' forms)."""
    # A walk by tag beats the equivalent XPath ('//*[self::span or ...][@class or @id or @rel]')
    # several times over.
    for element in tree.iter(*_BYLINE_TAGS):
        cls, ident, rel = element.get("class"), element.get("id"), element.get("rel")
        if (cls is None and ident is None and rel is None) or not _byline_label(
            f"{cls or ''} {ident or ''} {rel or ''}"
        ):
            continue
        text = normalise(element.text_content())
        if not 2 <= len(text) <= 80:
            continue
        text = _BY_PREFIX_RE.sub("", text)
        names = [part.strip() for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", text)]
        names = [name for name in names if name and _PERSON_RE.match(name)]
        if names:
            return dedupe(names)
    return []
