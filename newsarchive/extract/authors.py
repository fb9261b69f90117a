"""Authors and reporters of an article: byline lines, end bylines, account lines, JSON-LD and meta,
never editors. """

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsarchive.extract.metadata import dedupe, first_meta
from newsarchive.extract.owner import blog_owner
from newsarchive.extract.vocab import (
    AUTHOR_ROLE_WORDS,
    AUTHOR_WORDS,
    BY_WORDS,
    CJK,
    CJK_RE,
    EDITOR_WORDS,
    META_WORDS,
    ORG_SUFFIXES,
    OTHER_ROLE_WORDS,
    SCRIPT_AUTHOR_KEYS,
    SOURCE_WORDS,
    STATS_RE,
    all_spellings,
    alternation,
    label_pattern,
    labelled,
)

Normalise = Callable[[str], str]

# Roles whose names are authors, and the others (every spelling is matched); longest wins, so
# '本报记者' beats '记者'.
AUTHOR_ROLES = all_spellings(AUTHOR_ROLE_WORDS)
OTHER_ROLES = all_spellings(OTHER_ROLE_WORDS)
_LONG_ROLES = sorted(
    (r for r in AUTHOR_ROLES | OTHER_ROLES if len(r) > 1), key=lambda r: (-len(r), r)
)
_SHORT_ROLES = "".join(sorted(r for r in AUTHOR_ROLES | OTHER_ROLES if len(r) == 1))
# One-character roles ('文/', '摄 ') only as a label, never inside a word like '正文'.
_ROLE_RE = re.compile(
    "("
    + "|".join(re.escape(r) for r in _LONG_ROLES)
    + rf"|(?<!{CJK})[{_SHORT_ROLES}](?=\s*[:：/／|｜]|\s))"
    + r"\s*[:：/／|｜]?\s*"
)
_BULLETS = " \t\u3000□■●◆▲△☆★◇·•-—|｜"
_BRACKETED_RE = re.compile(r"^[（(【\[]\s*(.+?)\s*[)）】\]]$")
_TRAILER_RE = re.compile(
    rf"(?:\s*(?:{alternation(('发自', '报道'))})\s*\S{{0,8}}|"
    rf"\s+\S{{1,6}}(?:{alternation(('报道', '电'))})|(?<=\S)(?:{alternation(['报道'])}))$"
)
_NAME_CJK = f"{CJK}{{2,4}}(?:·{CJK}{{1,6}})?"
_NAME_TOKEN_RE = re.compile(
    rf"^(?:{_NAME_CJK}|[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){{0,3}}|[A-Za-z][\w.-]{{2,20}})$"
)
_NAME_WITH_LATIN_RE = re.compile(rf"({_NAME_CJK})\s*[（(]\s*([A-Za-z][A-Za-z .'-]+?)\s*[)）]")
_SPLIT_LISTED_RE = re.compile(r"\s*[、,，;；/／|｜和与與及&]\s*")
_SPLIT_NAMES_RE = re.compile(rf"{_SPLIT_LISTED_RE.pattern}|\s+")
# A Latin name of two to four capitalised words ('Anna Berg'): one name, never split at its spaces.
_LATIN_NAME_RE = re.compile(r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){1,3}(?![\w'.-])")
# Words that stand where a name would but are not one (every spelling is matched).
NOT_NAMES = all_spellings((
    "本报 报道 综合 整理 整合 编译 摘编 综合报道 专稿 电 网友 佚名 未知 admin 匿名 本网 讯 "
    "原创 转载 独家 发布 时间 更新 阅读 评论 分享 收藏 小编 编者 北京 上海 广州 深圳 今日 昨日 "
    "unknown none 供稿 来稿 通讯 记者 楼主 游客 管理员 展开 收起 全文 分享到 阅读全文 打开"
).split())
# Words of compiling and relaying a story, which stand beside the names in a byline
# ('文/张三 整合', '（记者 张三 综合整理）'): dropped, the names kept.
COMPILING_WORDS = all_spellings("整合 整理 综合 编译 摘编 综合整理 综合报道 整理报道 供稿".split())
# Words that make a token a label, not a name ('最新文章', '更多作品').
_NOT_NAME_PART_RE = re.compile(alternation((
    "文章 最新 更多 相关 热门 推荐 查看 全部 专栏 主页 首页 介绍 简介 作品 关注 粉丝 登录 注册 "
    "用户 积分 帖子 等级 获赞 访问 收藏"
).split()))
# Common surnames: a bare name list is taken only when every name starts with one.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范"
    "金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章"
    "鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾"
    "尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲"
    "虞敖巩明佘池查麻苑迟邝"
) | all_spellings("王李张刘陈杨黄赵吴许韩冯邓蒋叶苏吕卢钟谭陆范贾韦邹孙贺龚严聂鲁关蓝兰闫")
# 'Name/Publication' right under the headline, as in '石佳/中国青年报'.
_NAME_SLASH_RE = re.compile(rf"^({CJK}{{2,4}})\s*[/／]\s*(\S{{1,20}})$")
# A labelled author inside a longer head line: '作者：张三  来源：某报  2005-03-21'.
_LABEL_RE = re.compile(
    rf"(?:{alternation(AUTHOR_WORDS)})\s*[:：]\s*(.{{2,40}})|(?:^|\s)文\s*[/／|]\s*(.{{2,30}})|"
    rf"(?:^|[|｜\s]\s*)(?:{alternation(('作者', '记者'))})\s*(.{{2,30}})$"
)
_LABEL_END_RE = re.compile(
    rf"\s{{2,}}|{alternation(('来源', '日期', *EDITOR_WORDS, *META_WORDS))}|"
    # the next labelled field, whatever its label ('作者：南帆 分享到：')
    r"\d{4}\s*[-/.年]|[|｜]|\s+[^\s:：]{1,8}[:：]"
)
_REPORTER_WORDS = alternation(("记者", "通讯员", "作者", "实习生"))
_REPORTER_PAREN_RE = re.compile(
    rf"[（(]\s*([^（()）]{{0,12}}?(?:{_REPORTER_WORDS})[^（()）]{{1,60}})[)）]"
)
# What follows a reporter's name inside a first sentence ('记者张明日前从……获悉').
_AFTER_NAME_WORDS = (
    "报道 发自 日前 近日 从 在 获悉 了解到 来到 走访 采访 昨天 昨日 今天 今日 前往 实地"
).split()
_REPORTER_LEAD_RE = re.compile(
    rf"^[□■●◆\s]*(?:{alternation(('本报', '新华社', '中新社', '中新网'))})?[^，,。：:]{{0,12}}?"
    rf"(?:{alternation(['记者'])})\s*({CJK}{{2,4}}?(?:(?:\s*[、,，和]\s*|\s+){CJK}{{2,4}}?)*?)"
    rf"(?=\s|{alternation(_AFTER_NAME_WORDS)}|[/／）)】，,。]|$)"
)
_CLOSING_PAREN_RE = re.compile(r"[（(]\s*([^（()）]{2,40}?)\s*[)）]\s*$")
# A full date, and its time if any; or a time alone.
_DAY_AND_TIME = (
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_DATE_RE = re.compile(_DAY_AND_TIME + r"|\d{1,2}:\d{2}(?::\d{2})?")
# A date (and time) then 'by NAME' closing a post line, the name up to a bracket, bar or the line
# end.
_POSTED_BY_RE = re.compile(
    _DAY_AND_TIME
    + r"\s+by\s+([^\s〓|｜\]】)）][^〓|｜\]】)）]{0,30}?)\s*(?:[〓|｜\]】)）]|$)",
    re.IGNORECASE,
)
# How many closing paragraphs may hold an end byline ('文：某某' above a signature block).
_END_LINES = 4
_FOLLOW_RE = re.compile(rf"^\+?\s*(?:{alternation(('关注', '订阅'))}|follow)$", re.IGNORECASE)
_LOOSE_DATE_RE = re.compile(r"\d{1,4}[-/.年]\d{1,2}(?:[-/.月]\d{1,2})?|\d{1,2}:\d{2}")
_ACCOUNT_DROP_RE = re.compile(
    rf"{alternation(('原创', '首发', '发布于', '发布'))}|[·•|｜/]|"
    rf"\d+\s*(?:{alternation(('阅读', '评论', '浏览'))})"
)
_ORG_SUFFIX_RE = re.compile(
    rf"(?:{alternation(ORG_SUFFIXES)}|\.com|\.cn|\.net|\.org|news|times|press|publishers?)$",
    re.IGNORECASE,
)
_LABEL_WORDS_RE = re.compile(
    alternation((*SOURCE_WORDS, *EDITOR_WORDS,
        *"作者 分享 评论 字号 点击 浏览 阅读 时间 日期".split()))
    + r"|source|by\b",
    re.IGNORECASE,
)
_BYLINE = label_pattern("byline", r"byline|author|writer|(^|[\s_-])by([\s_-]|$)")
_BY_PREFIX_RE = re.compile(rf"^\s*(?:{'|'.join(BY_WORDS)})\s+", re.IGNORECASE)
# Where a byline's names end: a bar, a bullet, a dash, or a date.
_BYLINE_END_RE = re.compile(r"\s*(?:[|｜·•—–]|\s-\s|\d{1,4}[./-]\d|\d{1,2}\s+\w+\s+\d{4})")
_NAME_LIST_RE = re.compile(r"\s*(?:,|;|&|\b(?:and|und|et|y|e|en|og|och|i|a)\b)\s*")
_NAME_PARTICLES = frozenset(
    "van der den de del della di da dos das du le la von zu bin al ter ten".split()
)
_CJK_GAP_RE = re.compile(f"(?<={CJK})\\s+(?={CJK})")
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
    for token in _spaced_names(_split_names(text)):
        token = token.strip(" .。:：()（）[]【】\"'“”")
        if not token or token in COMPILING_WORDS:
            continue
        if token in NOT_NAMES or not _NAME_TOKEN_RE.match(token) or _NOT_NAME_PART_RE.search(token):
            return None
        if strict and token[0] not in SURNAMES:
            return None
        out.append(token)
    return out


def _split_names(text: str) -> list[str]:
    """A fragment's name tokens: split at list separators, and at spaces unless the part is a
    Latin name ('作者：Anna Berg 周安' -> 'Anna Berg', '周安')."""
    out: list[str] = []
    for part in _SPLIT_LISTED_RE.split(text):
        part = part.strip()
        latin = _LATIN_NAME_RE.match(part)
        if latin:
            out.append(" ".join(latin.group(0).split()))
            part = part[latin.end():]
        out.extend(_SPLIT_NAMES_RE.split(part))
    return out


def _spaced_names(tokens: list[str]) -> list[str]:
    """Tokens with a two-character name rejoined when a byline spaces it out to align with the
    three-character ones ('王乐文  方  敏' -> '王乐文', '方敏')."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i].strip()
        following = tokens[i + 1].strip() if i + 1 < len(tokens) else ""
        if len(token) == 1 and len(following) == 1 and CJK_RE.match(token) and CJK_RE.match(
            following
        ):
            out.append(token + following)
            i += 2
            continue
        out.append(tokens[i])
        i += 1
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
        [match.group(1).strip()] if is_person(match.group(1).strip()) else None)
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
        or STATS_RE.search(name)
        or _NOT_NAME_PART_RE.search(name)
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
    low = "".join(name.lower().split())
    return any(
        low == s or (len(low) >= 2 and low in s) or (len(s) >= 3 and s in low) for s in sites
    )


@dataclass(frozen=True)
class Page:
    """What the author rules read: the lines around the body, the tree, JSON-LD, the site's names.
    """

    head_lines: list[str]
    body: list[str]
    tail_lines: list[str]
    tree: HtmlElement
    ld: list[dict[str, Any]]
    normalise: Normalise
    sites: set[str]
    url: str = ""


@dataclass(frozen=True)
class AuthorRule:
    """One step of the author cascade: a name and a function from the page to names ([] = none)."""

    name: str
    find: Callable[[Page], list[str]]


def _name_slash(page: Page) -> list[str]:
    """'Name/Publication' under the headline ('石佳/中国青年报'), or 'Name/文' there or opening or
    closing the body (never 'Name/摄', a photographer)."""
    for line in page.head_lines[:4] + page.body[:1] + page.body[-2:]:
        match = _NAME_SLASH_RE.match(line)
        if (
            match
            and match.group(1)[0] in SURNAMES
            and match.group(2) not in OTHER_ROLES
            and (match.group(2) in AUTHOR_ROLES or line in page.head_lines)
        ):
            return [match.group(1)]
    return []


def _head_byline(page: Page) -> list[str]:
    """A byline under the headline ('本报记者 王燕平'), or a labelled author in a head line."""
    lines = page.head_lines
    for i, line in enumerate(lines):
        names = byline_names(line) if len(line) <= 60 else None
        if names:
            return _following(names, lines[i + 1:i + 3])
        names = _labelled(line) if len(line) <= 150 else []
        if names:
            return names
    return []


def _blog_owner(page: Page) -> list[str]:
    """On a blog page, the blog's owner (names in the text are those it quotes or reposts)."""
    owner = blog_owner(page.tree, page.url, page.normalise) if page.url else None
    return [owner] if owner else []


def _body_byline(page: Page) -> list[str]:
    """A byline paragraph among the body's first three or last four."""
    body = page.body
    for lines in (body[:3], body[-_END_LINES:] if len(body) > 3 else []):
        for i, paragraph in enumerate(lines):
            names = byline_names(paragraph) if len(paragraph) <= 60 else None
            if names:
                return _following(names, lines[i + 1:])
    return []


def _reporter_paren(page: Page) -> list[str]:
    """A reporter in parentheses at the body's start or end ('（记者 王小明 李华）')."""
    body = page.body
    for paragraph in body[:3] + body[-3:]:
        for match in _REPORTER_PAREN_RE.finditer(paragraph):
            names = byline_names(match.group(1))
            if names:
                return names
    return []


def _reporter_lead(page: Page) -> list[str]:
    """'记者 X' in the first sentence ('本报讯 记者张明日前从……获悉')."""
    for paragraph in page.body[:2]:
        match = _REPORTER_LEAD_RE.match(paragraph)
        if match:
            names = dedupe(re.split(r"\s*[、,，和]\s*|\s+", match.group(1)))
            if names and all(name not in NOT_NAMES and name[0] in SURNAMES for name in names):
                return names
    return []


def _closing_names(page: Page) -> list[str]:
    """Bare names in parentheses closing the body ('（常书香 马丹阳）'), each with a surname."""
    for paragraph in page.body[-2:]:
        match = _CLOSING_PAREN_RE.search(paragraph)
        if match:
            names = byline_names(match.group(1), bare=True)
            if names:
                return names
    return []


def _tail_byline(page: Page) -> list[str]:
    """A byline line right after the body."""
    for line in page.tail_lines[:6]:
        names = byline_names(line) if len(line) <= 60 else None
        if names:
            return names
    return []


def _posted_by_rule(page: Page) -> list[str]:
    """The poster on a 'posted 2005-03-15 by NAME' line at the body's end."""
    for line in page.body[-3:] + page.tail_lines[:6]:
        names = _posted_by(line)
        if names:
            return names
    return []


def _account_rule(page: Page) -> list[str]:
    """A self-media account's name under the headline ('华夏人文 2020-03-09 18:14')."""
    for i in range(min(4, len(page.head_lines))):
        names = _account(page.head_lines, i, page.sites)
        if names:
            return names
    return []


def _json_ld(page: Page) -> list[str]:
    """JSON-LD authors: a name, a Person object, or a list (organisations kept beside persons)."""
    for item in page.ld:
        if str(item.get("@type", "")).lower() in ("organization", "website", "webpage"):
            continue
        names = _ld_names(item.get("author"))
        names = [page.normalise(name) for name in names if not _is_site(name, page.sites)]
        if names:
            return dedupe(names)
    return []


def _byline_class(page: Page) -> list[str]:
    """Names in a byline-named element or a rel=author link ('By A and B')."""
    return _byline_element(page.tree, page.normalise)


def _meta_author(page: Page) -> list[str]:
    """The author meta tags (and a WeChat page's script variables)."""
    meta = first_meta(page.tree, *_AUTHOR_METAS) or _script_author(page.tree)
    if not meta or meta.startswith("http"):
        return []
    parts = re.split(r"\s*(?:,|;|\band\b|、|，)\s*", meta)
    names = [page.normalise(_BY_PREFIX_RE.sub("", part)) for part in parts]
    names = [_CJK_GAP_RE.sub("", n) for n in names]
    names = [
        n
        for n in names
        if n
        and n not in NOT_NAMES
        and len(n) <= 40
        and not _is_site(n, page.sites)
        and not _ORG_SUFFIX_RE.search(n)
        and not re.fullmatch(r"[\w-]*\d[\w-]*", n)
        and not _NOT_NAME_PART_RE.search(n)
    ]
    return dedupe(names)


_AUTHOR_METAS = (
    "citation_author", "citation_authors", "author", "article:author", "og:article:author",
    "dc.creator", "sailthru.author",
)
# An author or account variable in a page's script data (WeChat: `var nickname = "…"`).
_SCRIPT_AUTHOR_RE = re.compile(
    rf"\b(?:{'|'.join(SCRIPT_AUTHOR_KEYS)})"
    r"\s*[:=]\s*(?:htmlDecode\()?[\"']([^\"'\n]{2,40})[\"']"
)


def _script_author(tree: HtmlElement) -> str | None:
    """The first author or account name a script variable holds."""
    for script in tree.iter("script"):
        if script.text and (match := _SCRIPT_AUTHOR_RE.search(script.text)):
            name = match.group(1).strip()
            if name and not name.startswith(("http", "{", "$")):
                return name
    return None


# The author cascade, in order: the first rule that finds names wins. Extend it with
# register_author_rule (a site's override belongs in its config, not here: no rule names a site).
AUTHOR_RULES: list[AuthorRule] = [
    AuthorRule("name-slash", _name_slash),
    AuthorRule("byline", _head_byline),
    AuthorRule("blog-owner", _blog_owner),
    AuthorRule("body-byline", _body_byline),
    AuthorRule("reporter-paren", _reporter_paren),
    AuthorRule("reporter-lead", _reporter_lead),
    AuthorRule("closing-names", _closing_names),
    AuthorRule("tail-byline", _tail_byline),
    AuthorRule("posted-by", _posted_by_rule),
    AuthorRule("account", _account_rule),
    AuthorRule("json-ld", _json_ld),
    AuthorRule("byline-class", _byline_class),
    AuthorRule("meta", _meta_author),
]


def register_author_rule(rule: AuthorRule, *, before: str | None = None) -> None:
    """Add a rule to the cascade, before the named one (else last); a rule's name is unique."""
    if any(existing.name == rule.name for existing in AUTHOR_RULES):
        raise ValueError(f"an author rule named {rule.name!r} exists")
    names = [existing.name for existing in AUTHOR_RULES]
    AUTHOR_RULES.insert(names.index(before) if before in names else len(AUTHOR_RULES), rule)


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
    """
    page = Page(head_lines, body, tail_lines, tree, ld, normalise, sites, url)
    for rule in AUTHOR_RULES:
        names = rule.find(page)
        if names:
            return names, rule.name
    return [], "none"


def _ld_names(value: Any) -> list[str]:
    """Names in a JSON-LD author value: a string, a Person, or a list; an organisation counts
    only beside a person in a list (a wire agency credited with its reporter)."""
    if isinstance(value, list):
        entries = [_ld_entry(item) for item in value]
        if not any(person for _, person in entries):
            return []
        return [name for name, _ in entries if name]
    name, person = _ld_entry(value)
    return [name] if name and person else []


def _ld_entry(value: Any) -> tuple[str | None, bool]:
    """One JSON-LD author entry: its name, and whether it is a person (not an organisation)."""
    if isinstance(value, str):
        return (value.strip() or None), True
    if isinstance(value, dict):
        kind = value.get("@type", "Person")
        kinds = {str(k).lower() for k in (kind if isinstance(kind, list) else [kind])}
        name = value.get("name")
        if not isinstance(name, str) or not name.strip():
            return None, False
        return name.strip(), not kinds & {"organization", "newsmediaorganization", "corporation"}
    return None, False


def _byline_element(tree: HtmlElement, normalise: Normalise) -> list[str]:
    """Names in a byline/author-named element (English 'By A and B' forms)."""
    # A walk by tag beats the equivalent XPath ('//*[self::span or ...][@class or @id or @rel]')
    # several times over.
    for element in tree.iter(*_BYLINE_TAGS):
        if not labelled(element, _BYLINE, "rel"):
            continue
        text = normalise(element.text_content())
        if not 2 <= len(text) <= 80:
            continue
        text = _BYLINE_END_RE.split(_BY_PREFIX_RE.sub("", text))[0]
        names = [part.strip() for part in _NAME_LIST_RE.split(text)]
        names = [name for name in names if name and is_person(name)]
        if names:
            return dedupe(names)
    return []


def is_person(name: str) -> bool:
    """Whether a string reads as a person's name: 2-5 CJK characters, or up to six words whose
    first and last are capitalised, the ones between capitalised or particles ('van der')."""
    if 2 <= len(name) <= 5 and all(char == "·" or CJK_RE.match(char) for char in name):
        return True
    words = name.split()
    if not 1 <= len(words) <= 6 or len(name) > 48 or any(c.isdigit() for c in name):
        return False
    if not (words[0][0].isupper() and words[-1][0].isupper()):
        return False
    return all(
        word[0].isupper() or word.lower() in _NAME_PARTICLES for word in words
    ) and all(
        word[0].isalpha() and all(c.isalnum() or c in "'.’-" for c in word) for word in words
    )
