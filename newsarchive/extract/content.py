"""The main content: a DOM scorer (text, link and punctuation density) and paragraph-level
boilerplate removal. """

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from lxml.html import HtmlElement

from newsarchive.extract.article import Post
from newsarchive.extract.clean import Segment
from newsarchive.extract.threads import ThreadPost, find_posts, poster, thread_date
from newsarchive.extract.vocab import (
    CHROME_TAGS,
    CJK_RE,
    EDITOR_WORDS,
    KEYWORD_WORDS,
    META_WORDS,
    RAIL_TAGS,
    SOURCE_WORDS,
    alternation,
    label_matches,
    label_pattern,
    labelled,
)

_PUNCT_RE = re.compile(r"[，。；：！？、,.;!?“”\"]")
# Class/id words of containers that hold an article body, and of those that never do.
_POSITIVE = label_pattern(
    "content",
    r"article|content|post|entry|text|body|story|main|detail|news|zw|zhengwen|neirong|con\b|cont\b|"
    r"blog",
)
_NEGATIVE = label_pattern(
    "not-content",
    r"comment|sidebar|side\b|aside|footer|foot\b|footnote|nav|menu|header|masthead|banner|sponsor|\bads?\b|"
    r"advert|promo|related|recommend|share|social|widget|popular|hot|rank|tags?\b|breadcrumb|crumb|"
    r"copyright|login|search|links?\b|friend|xgxw|xgyd|tuijian|paihang|remen",
)
# Class/id words of blocks inside the body that are chrome, not text.
_CHROME = label_pattern(
    "chrome",
    r"(^|[\s_-])(share|bdshare|jiathis|social|related|relate|recommend|comment|comments|tags?|keywords?|"
    r"editor|zbj|bianji|copyright|banquan|ad|ads|advert|gg|pages?|pager|pagination|page-?nav|prev|next|"
    r"author-?info|toolbar|tool|print|fontsize|zihao|breadcrumb|crumb|position|location|qrcode|ewm|"
    r"xgxw|xgyd|tuijian|paihang|hot|rank|footer|sidebar|nav|player)"
    r"([_-]?(box|bar|list|wrap|area|btn|buttons?|links?|con|cont|div|mod|module|panel|info))?\d*(\s|$)"
    # image captions and photo credits: text about a picture, not the article's prose
    r"|(?:^|[\s_-])(?:fig)?(?:caption|credits?)"
    # a related-items block named in one word ('relatedpoststitle', 'related_stories-list')
    r"|related[_-]?(?:posts?|stories|articles|news|links|content|items?|reads?)"
    # a newsletter sign-up, a call to subscribe, an 'about the company/author' box
    r"|(?:^|[\s_-])(?:newsletter|subscribe|subscription|signup|sign-up|author-bio|bio-box|cta|"
    r"about-(?:the-)?(?:company|us|author|publisher|site))(?:[\s_-]|$)",
)
# Reader comment threads: however much prose they hold, the page is about the article above them.
_COMMENTS = label_pattern("comments", r"comment|repl(?:y|ies)|respond|discuss|disqus")
_MIN_CHARS = 20
# A date between two posts of a blog or forum page.
_POST_DATE_RE = re.compile(
    r"(?:19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}|\b\d{1,2}[-/]\d{1,2}[-/](?:19|20)?\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}",
    re.IGNORECASE,
)
_SIBLING_SHARE = 0.2
_POST_MIN = 10.0
_SIBLING_P_CHARS = 80
# How much of a block's score reaches each ancestor (the block itself first).
_DECAY = (1.0, 1.0, 0.5, 1 / 6, 1 / 9, 1 / 12)


@dataclass
class Stats:
    """Text, link text and score gathered under one element."""

    chars: int = 0
    linked: int = 0
    score: float = 0.0


@dataclass
class Content:
    """The chosen content elements, their score, and the segments inside them."""

    roots: list[HtmlElement]
    score: float
    segments: list[Segment] = field(default_factory=list)
    # Lines of a signature block cut from the body's end (a poster's 'posted ... by' line lives
    # there).
    signature: list[str] = field(default_factory=list)
    # On a thread page, its posts in order (roots are then their bodies).
    posts: list[ThreadPost] = field(default_factory=list)


def _segment_score(nonlink: str, size: int) -> float:
    """A block's worth as prose: sentence punctuation plus length."""
    return 1.0 + len(_PUNCT_RE.findall(nonlink)) + min(size / 100.0, 3.0)


def _class_weight(element: HtmlElement) -> float:
    """A factor from the element's class and id words."""
    label = f"{element.get('class', '')} {element.get('id', '')}"
    if not label.strip():
        return 1.0
    weight = 1.0
    if label_matches(_NEGATIVE, label):
        weight *= 0.5
    if label_matches(_POSITIVE, label):
        weight *= 1.25
    return weight


def score_tree(segs: list[Segment]) -> dict[HtmlElement, Stats]:
    """Every element's text, link text and propagated prose score.

    The counts come from the segments' lines, which the field rules split anyway (Segment.lines
    caches them). """
    stats: dict[HtmlElement, Stats] = {}
    for seg in segs:
        chars = linked = 0
        for _, line_linked, line_chars in seg.lines():
            chars += line_chars
            linked += line_linked
        own = chars - linked
        score = _segment_score(_unlinked_text(seg), own) if own >= _MIN_CHARS else 0.0
        element: HtmlElement | None = seg.owner
        level = 0
        while element is not None:
            entry = stats.get(element)
            if entry is None:
                entry = stats[element] = Stats()
            entry.chars += chars
            entry.linked += linked
            if score and level < len(_DECAY):
                entry.score += score * _DECAY[level]
            element = element.getparent()
            level += 1
    return stats


def _unlinked_text(seg: Segment) -> str:
    """A segment's text outside links."""
    return "".join(text for text, in_link in seg.pieces if text is not None and not in_link)


def _final(element: HtmlElement, entry: Stats) -> float:
    """The score of an element as the content container."""
    density = entry.linked / entry.chars if entry.chars else 1.0
    return entry.score * (1.0 - density) * _class_weight(element)


def find_content(segs: list[Segment], *, threads: bool = True) -> Content | None:
    """The element(s) holding the article body, or None when no block reads as prose.

    With `threads`, a page of posts repeating the main block's structure (a forum or Q&A thread)
    has all of them as its content; without, such a page keeps its first post (a blog's index).
    """
    stats = score_tree(segs)
    best, best_score = _best_block(stats, skip_comments=True)
    if best is None:
        best, best_score = _best_block(stats, skip_comments=False)
    if best is None:
        return None
    posts = (
        find_posts(best, {element: (entry.chars, entry.linked) for element, entry in stats.items()})
        if threads
        else []
    )
    if posts:
        bodies = [post.body for post in posts]
        inside = _membership(bodies, stats)
        return Content(bodies, best_score, [seg for seg in segs if inside(seg.owner)],
                       posts=posts)
    best = _first_post(best, best_score, stats, segs)
    # A wrapper holding no text beyond the best block (a one-cell table, a lone div) hides the
    # block's
    # siblings: climb to the outermost such wrapper so its siblings can join.
    parent = best.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        parent_stats = stats.get(parent)
        if parent_stats is None or parent_stats.chars != stats[best].chars or _chrome(parent):
            break
        best, parent = parent, parent.getparent()
    roots = [best]
    if parent is not None and best.tag != "body":
        threshold = max(10.0, best_score * _SIBLING_SHARE)
        kinds = _kinds(best, stats)
        roots = []
        for sibling in parent:
            if sibling is best:
                roots.append(sibling)
                continue
            sibling_stats = stats.get(sibling)
            if sibling_stats is None or not isinstance(sibling.tag, str):
                continue
            density = sibling_stats.linked / sibling_stats.chars if sibling_stats.chars else 1.0
            # A paragraph of prose next to the body is body (a lead kept outside a paywall or body
            # wrapper).
            if (
                density < 0.25
                and not _chrome(sibling)
                and (
                    _final(sibling, sibling_stats) >= threshold
                    or _same_kind(sibling, kinds, sibling_stats)
                    or (
                        sibling.tag == "p"
                        and sibling_stats.score > 0
                        and sibling_stats.chars >= _SIBLING_P_CHARS
                    )
                )
            ):
                roots.append(sibling)
    inside = _membership(roots, stats)
    chosen = [seg for seg in segs if inside(seg.owner)]
    return Content(roots, best_score, chosen)


def _best_block(
    stats: dict[HtmlElement, Stats], *, skip_comments: bool
) -> tuple[HtmlElement | None, float]:
    """The highest-scoring element, and its score; with `skip_comments`, none inside a comment
    thread. """
    best: HtmlElement | None = None
    best_score = 0.0
    for element, entry in stats.items():
        if not entry.score or element.tag == "html":
            continue
        # The class factor is at most 1.25: skip the name test when even that cannot win.
        if (
            entry.score * (1.0 - entry.linked / entry.chars if entry.chars else 0.0) * 1.25
            <= best_score
        ):
            continue
        value = _final(element, entry)
        if (
            value > best_score
            and not (skip_comments and (_in_comments(element) or _in_page_chrome(element)))
        ):
            best, best_score = element, value
    return best, best_score


_PAGE_CHROME_TAGS = RAIL_TAGS | {"footer"}


def _in_page_chrome(element: HtmlElement) -> bool:
    """Whether an element sits in the page's own nav, aside or footer (by HTML semantics; an
    <article>'s footer is the article's)."""
    for node in (element, *element.iterancestors()):
        if node.tag == "article":
            return False
        if node.tag in _PAGE_CHROME_TAGS:
            return True
    return False


def _in_comments(element: HtmlElement) -> bool:
    """Whether the element or one of its ancestors is named as a comment thread."""
    return any(labelled(node, _COMMENTS) for node in (element, *element.iterancestors()))


def _first_post(best: HtmlElement, best_score: float, stats: dict[HtmlElement, Stats],
                segs: list[Segment]) -> HtmlElement:
    """On a page of three or more dated posts (prose blocks sharing the best block's tag and class,
    apart from each
    other, with a date between them), the first post: the page is about it, the rest are older
    entries."""
    label = best.get("class", "").strip()
    if not label:
        return best
    parent = best.getparent()
    posts = [
        element
        for element, entry in stats.items()  # reading order: an element enters at its first text
        if element is best
        or (
            element.tag == best.tag
            and element.getparent() is not parent
            and entry.score
            and element.get("class", "").strip() == label
            and _final(element, entry) >= _POST_MIN
            and best not in element.iterancestors()
            and element not in best.iterancestors()
        )
    ]
    if len(posts) < 3 or posts[0] is best:
        return best
    first, second = posts[0], posts[1]
    gap: list[str] = []  # the text after the first post's start and before the second post
    started = False
    for seg in segs:
        owner: HtmlElement | None = seg.owner
        holder = None
        while owner is not None:
            if owner is first or owner is second:
                holder = owner
                break
            owner = owner.getparent()
        if holder is second:
            break
        if holder is first:
            started = True
        elif started:
            gap.extend(text for text, _ in seg.pieces if text)
    return first if _POST_DATE_RE.search("".join(gap)) else best


def _kinds(best: HtmlElement, stats: dict[HtmlElement, Stats]) -> set[str]:
    """The class names of the best block and of its prose children: the marks of one run of
    paragraphs. """
    kinds = {best.get("class", "").strip()}
    for child in best:
        entry = stats.get(child)
        if entry is not None and entry.score > 0:
            kinds.add(child.get("class", "").strip())
    kinds.discard("")
    return kinds


def _kind_word(element: HtmlElement) -> str:
    """An element's first class word: its kind, without modifiers a CMS adds per instance
    ('version-2'). """
    words = element.get("class", "").split()
    return words[0] if words else ""


def _same_kind(sibling: HtmlElement, kinds: set[str], entry: Stats) -> bool:
    """Whether a sibling is another piece of the same run as the best block (one paragraph per
    wrapper). """
    if entry.score <= 0 or not kinds:
        return False
    children = [child for child in sibling if isinstance(child.tag, str)]
    only = children[0] if len(children) == 1 else None
    if sibling.get("class", "").strip() in kinds or (
        only is not None and only.get("class", "").strip() in kinds
    ):
        return True
    # Same first class word but other modifiers ('version-2'): only a block of real prose is the
    # same run.
    if entry.chars - entry.linked < _SIBLING_P_CHARS:
        return False
    words = {_kind_word(block) for block in (sibling, only) if block is not None}
    return bool(words & {kind.split()[0] for kind in kinds})


def _chrome(element: HtmlElement) -> bool:
    """Whether an element is, by tag or name, a chrome block (share bar, related links, pager...).
    """
    return element.tag in CHROME_TAGS or labelled(element, _CHROME)


def _membership(
    roots: list[HtmlElement], stats: dict[HtmlElement, Stats]
) -> Callable[[HtmlElement], bool]:
    """A test of whether an element is inside one of the roots and not inside chrome there."""
    root_set = set(roots)
    # A block holding most of the content is the body whatever its name says (a CMS's 'TRS_Editor').
    major = sum(stats[root].chars for root in roots if root in stats) / 2
    cache: dict[HtmlElement, bool] = {}

    def inside(element: HtmlElement) -> bool:
        path: list[HtmlElement] = []
        node: HtmlElement | None = element
        result = False
        while node is not None:
            if node in cache:
                result = cache[node]
                break
            if node in root_set:
                result = True
                break
            path.append(node)
            node = node.getparent()
        for item in reversed(path):
            if (
                result
                and (_chrome(item) or _nested_article(item))
                and (item not in stats or stats[item].chars < major)
            ):
                result = False
            cache[item] = result
        return result

    return inside


def _nested_article(element: HtmlElement) -> bool:
    """Whether an <article> sits inside another: by HTML semantics an item related to the outer one
    (a teaser of
    another post, a comment), not part of its text."""
    return element.tag == "article" and any(True for _ in element.iterancestors("article"))


def cjk_share(text: str) -> float:
    """The share of CJK ideographs among the non-space characters of a text."""
    visible = len(text) - text.count(" ")
    return len(CJK_RE.findall(text)) / visible if visible else 0.0


# Lines that are chrome wherever they appear in the body (short ones only, see _is_chrome_line).
_CHROME_LINE_WORDS = (
    *EDITOR_WORDS, *KEYWORD_WORDS, *SOURCE_WORDS,
    *(
        "分享到 分享至 转发到 分享 原标题 上一篇 下一篇 上一页 下一页 返回首页 返回顶部 "
        "打印本页 打印 关闭窗口 收藏本文 字号 点击数 浏览次数 阅读数 扫一扫 用微信扫"
    ).split(),
)
_CHROME_LINE_RE = re.compile(
    rf"^[\[【(（]?\s*(?:{alternation(_CHROME_LINE_WORDS)}|"
    r"tags?|keywords?|share( this)?|related|advertisement)\s*[】\])）]?\s*(?:[:：]|$)",
    re.IGNORECASE)
_RELATED_HEAD_WORDS = (
    "相关新闻 相关阅读 相关文章 相关链接 相关报道 延伸阅读 热门排行 推荐阅读 精彩推荐 阅读排行 "
    "热门推荐 猜你喜欢 热点新闻 最新资讯 为您推荐 更多精彩 今日推荐 图片新闻"
).split()
_RELATED_HEAD_RE = re.compile(
    rf"^[\[【]?\s*(?:{alternation(_RELATED_HEAD_WORDS)}|"
    r"related (?:stories|articles|news|posts)|read more|more from|recommended|you may also like|"
    r"most (?:read|viewed|shared|popular)(?: (?:in|on) [\w ]{1,30})?)"
    r"\s*[】\]]?\s*[:：>»]*$",
    re.IGNORECASE)
_COPYRIGHT_WORDS = ("版权所有", "未经授权", "不得转载", "转载请注明", "免责声明", "ICP备", "ICP证")
_COPYRIGHT_RE = re.compile(
    rf"copyright|©|all rights reserved|{alternation(_COPYRIGHT_WORDS)}", re.IGNORECASE
)
_META_LINE_LABEL = alternation(("来源", "作者", "编辑", *META_WORDS))
_META_LINE_RE = re.compile(
    r"\d{4}\s*[-/年.]\s*\d{1,2}|\d{1,2}:\d{2}|"
    rf"(?:^|[\s|｜/【\[])(?:{_META_LINE_LABEL})|(?:{_META_LINE_LABEL})(?:\s*[:：]|\s*$|\s*\d)|"
    r"published|updated|posted|by\s|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}, \d{4}",
    re.IGNORECASE,
)
_ELLIPSIS_RE = re.compile(rf"(?:\.{{2,}}|…+|\s*\[?(?:{alternation(['详细'])})\]?)$")
_SUMMARY_WORDS = alternation(("摘要", "导语", "导读", "内容提要", "核心提示"))
_SUMMARY_LABEL_RE = re.compile(
    rf"^\s*(?:[【\[]\s*(?:{_SUMMARY_WORDS}|提要)\s*[】\]]\s*[:：]?|(?:{_SUMMARY_WORDS})\s*[:：])\s*"
)
_SHORT = 60
# A live stock quote spliced after a company name: '贝莱德(431.2, 7.37, 1.74%)' -> '贝莱德'.
_QUOTE_RE = re.compile(
    r"\s*[(（]\s*[-+]?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*[,，]\s*[-+]?\d+(?:\.\d+)?\s*%\s*[)）]"
)
# In-body promotion, app-download and login prompts (short lines only, see _is_promo_line).
_PROMO_RE = re.compile(
    r"下载.{0,12}(?:客户端|app|APP|App)|(?:客户端|app|APP|App).{0,6}下载|扫码下载|扫描二维码|扫一扫|长按(?:识别)?二维码|"
    r"请(?:先)?登录|登录后|立即登录|登录/注册|注册/登录|打开.{0,8}(?:app|APP|App|客户端)|关注.{0,12}(?:公众号|微信号|微博)|"
    r"点击(?:下载|关注|订阅|查看更多)|免费订阅|^广告$|^推广$|^赞助$"
    r"|sign up for|subscribe to our|download the app|log in to",
    re.IGNORECASE,
)
_ROW_CELL_MAX = 50
_RULE_LINE_RE = re.compile(r"^[-_=—~*]{6,}$")
_SIGNATURE_LINES = 4
# A whole paragraph seen twice is a copied block (a mobile twin, a pull quote); shorter lines repeat
# on purpose
# (the same label or step under each heading of a plan, a schedule, a recipe).
_REPEAT_MIN = 200


def _is_chrome_line(text: str) -> bool:
    """Whether a body line is an editor/keyword/share/source/copyright/pager line."""
    if len(text) <= 80 and _CHROME_LINE_RE.match(text):
        return True
    return len(text) <= 120 and bool(_COPYRIGHT_RE.search(text))


def _is_promo_line(text: str) -> bool:
    """Whether a short body line is an ad, app-download, subscription or login prompt."""
    return len(text) <= 60 and bool(_PROMO_RE.search(text))


def _is_prose(text: str) -> bool:
    """Whether a line reads as a sentence of the article rather than a label."""
    return len(text) >= 30 and bool(_PUNCT_RE.search(text))


def body_paragraphs(
    content: Content, normalise: Callable[[str], str], title: str | None,
    drop: Callable[[str], bool] | None = None,
) -> list[str]:
    """The article paragraphs inside the content, with link-heavy, chrome and promo lines removed
    (and those `drop` names: a site profile's standing blocks).

    Stock quotes spliced into sentences are cut; a table row of short cells becomes one 'a | b | c'
    line. """
    lines: list[str] = []
    seen: set[str] = set()
    skipping = False
    for raw in _rows(content.segments):
        if isinstance(raw, str):
            candidates = [(raw, 0, len(raw))]
        else:
            candidates = raw.lines()
        for text_raw, linked, total in candidates:
            text = normalise(text_raw)
            if not text:
                continue
            if total and linked / total > 0.5:
                continue
            if _RELATED_HEAD_RE.match(text):
                skipping = True
                continue
            if skipping:
                if _is_prose(text) and linked == 0:
                    skipping = False
                else:
                    continue
            if (
                _is_chrome_line(text)
                or _is_promo_line(text)
                or text == title
                or (text in seen and len(text) >= _REPEAT_MIN)
                or (drop is not None and drop(text))
            ):
                continue
            text = _QUOTE_RE.sub("", text) if "%" in text else text
            seen.add(text)
            lines.append(text)
    lines = _trim_edges(lines)
    # A rule of dashes near the end opens a signature block (forum and blog posts), not article
    # text.
    for i in range(len(lines) - 1, max(-1, len(lines) - 1 - _SIGNATURE_LINES), -1):
        if _RULE_LINE_RE.match(lines[i]):
            content.signature = lines[i + 1:]
            return lines[:i]
    return lines


def _rows(segs: list[Segment]) -> list[Segment | str]:
    """The segments, with each table row of two or more short one-line cells joined into one 'a | b'
    string. """
    out: list[Segment | str] = []
    i = 0
    while i < len(segs):
        row = _row_of(segs[i])
        if row is None:
            out.append(segs[i])
            i += 1
            continue
        j = i
        cells: list[str] = []
        while j < len(segs) and _row_of(segs[j]) is row:
            lines = segs[j].lines()
            if (
                len(lines) != 1
                or lines[0][2] > _ROW_CELL_MAX
                or (lines[0][2] and lines[0][1] / lines[0][2] > 0.5)
            ):
                break
            cells.append(" ".join(lines[0][0].split()))
            j += 1
        if j - i >= 2 and (j >= len(segs) or _row_of(segs[j]) is not row):
            out.append(" | ".join(cells))
            i = j
        else:
            out.append(segs[i])
            i += 1
    return out


def _row_of(seg: Segment) -> HtmlElement | None:
    """The <tr> whose cell owns the segment, if any."""
    owner = seg.owner
    if owner.tag in ("td", "th"):
        parent = owner.getparent()
        if parent is not None and parent.tag == "tr":
            return parent
    return None


def _trim_edges(lines: list[str]) -> list[str]:
    """Drop date/byline lines before the first prose line, and summary boxes that repeat the start.
    """
    start = 0
    while start < len(lines) and not _is_prose(lines[start]):
        if len(lines[start]) <= _SHORT and _META_LINE_RE.search(lines[start]):
            start += 1
            continue
        break
    kept = lines[start:]
    # A summary box repeats the first paragraph's opening (often cut with an ellipsis).
    for i in range(min(3, len(kept) - 1)):
        core = _ELLIPSIS_RE.sub("", _SUMMARY_LABEL_RE.sub("", kept[i]))
        if len(core) >= 15 and any(
            later.startswith(core) and (len(later) > len(core) or core != kept[i])
            for later in kept[i + 1 : i + 4]
        ):
            del kept[i]
            break
    while (
        kept
        and len(kept[-1]) <= 40
        and _META_LINE_RE.search(kept[-1])
        and not _is_prose(kept[-1])
        and not kept[-1].startswith(("(", "（"))
    ):
        kept.pop()
    return kept


def thread_posts(content: Content, normalise: Callable[[str], str], title: str | None, *,
                 tz: str, now: datetime | None, url: str,
                 drop: Callable[[str], bool] | None = None) -> list[Post]:
    """A thread's posts as Post values (poster, time, text), empty posts left out."""
    out: list[Post] = []
    for post in content.posts:
        segments = [seg for seg in content.segments if _inside_post(seg.owner, post.body)]
        lines = body_paragraphs(Content([post.body], 0.0, segments), normalise, title, drop)
        if not lines:
            continue
        found = thread_date(post, tz=tz, now=now, url=url)
        out.append(Post(author=poster(post), published=found.value if found else None,
                        text="\n".join(lines)))
    return out


def _inside_post(element: HtmlElement, body: HtmlElement) -> bool:
    """Whether an element is a post's body or sits inside it."""
    return element is body or any(ancestor is body for ancestor in element.iterancestors())


# A standfirst set apart from the body (a lead in the article's header, beside a rail).
_LEAD = label_pattern("lead", r"lead|standfirst|intro|dek|summary|teaser|subhead|description")
_LEAD_MIN = 40


def lead_segments(segs: list[Segment], headline: HtmlElement, content: Content) -> list[Segment]:
    """Prose paragraphs standing between the headline and the body's first block, outside the
    body's container: the article's lead, which a rail layout keeps in the header."""
    if not content.segments:
        return []
    start = content.segments[0].index
    inside = [seg.index for seg in segs[:start] if _inside_post(seg.owner, headline)]
    if not inside:
        return []
    out = []
    for seg in segs[inside[-1] + 1:start]:
        owner = seg.owner
        lines = seg.lines()
        if len(lines) != 1 or lines[0][1] or lines[0][2] < _LEAD_MIN:
            continue
        if not (owner.tag == "p" or labelled(owner, _LEAD)) or not _is_prose(lines[0][0]):
            continue
        if any(_chrome(node) for node in (owner, *owner.iterancestors())):
            continue
        out.append(seg)
    return out
