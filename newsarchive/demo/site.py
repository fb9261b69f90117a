"""Every page of the demo portal as bytes with its Content-Type, and the ground truth derived from
them. """

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from newsarchive.demo import render
from newsarchive.demo.content import (
    SECTIONS,
    STYLES,
    ExpectedArticle,
    SourceArticle,
    expected,
    load_articles,
)

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n"


@dataclass(frozen=True)
class Resource:
    """One response: body bytes, the Content-Type header (None: no header at all), status."""

    body: bytes
    content_type: str | None
    status: int = 200


@dataclass(frozen=True)
class ListPage:
    """One page of a section list: the articles its main list links, and the other list pages it
    links. """

    path: str
    section: str
    number: int
    article_paths: tuple[str, ...]
    page_paths: tuple[str, ...]


def list_path(index_path: str, number: int) -> str:
    """/news/ for page 1, /news/index_2.html for page 2, ..."""
    return index_path if number == 1 else f"{index_path}index_{number}.html"


def _content_type(article: SourceArticle) -> str:
    style = STYLES[article.section]
    if "wrongcharset" in article.flags:
        wrong = "utf-8" if style.encoding != "utf-8" else "gbk"
        return f"text/html; charset={wrong}"
    if "nocharset" in article.flags or style.header_charset is None:
        return "text/html"
    return f"text/html; charset={style.header_charset}"


def _section_type(section: str) -> str:
    charset = STYLES[section].header_charset
    return f"text/html; charset={charset}" if charset else "text/html"


def _encode(html: str, section: str | None) -> bytes:
    codec = STYLES[section].encoding if section else "utf-8"
    # Only the pinyin letters of annotated Big5 pages need references; the truth is checked strict.
    return html.encode(codec, errors="xmlcharrefreplace")


@cache
def all_articles() -> tuple[SourceArticle, ...]:
    """Every article (the robots-disallowed one included), sections in order, newest first."""
    return tuple(load_articles())


def public_articles() -> tuple[SourceArticle, ...]:
    """The articles a polite crawler may archive."""
    return tuple(a for a in all_articles() if "private" not in a.flags)


def _own_only(section: str) -> bool:
    """The Big5 section's sidebars show only its own (traditional) headlines."""
    return STYLES[section].encoding == "big5"


def _hot(section: str) -> list[SourceArticle]:
    pool = [a for a in public_articles() if not _own_only(section) or a.section == section]
    return sorted(pool, key=lambda a: (a.id * 7919) % 101)[:8]


def _later(article: SourceArticle | None, section: str, count: int) -> list[SourceArticle]:
    """Headlines published after `article` (other sections' where allowed); the newest when too few.
    """
    own = _own_only(section)
    pool = [
        a for a in public_articles()
        if (a.section == section) == own or (not own and article is None)
        if article is None or a.path != article.path
    ]
    pool.sort(key=lambda a: (a.published, a.id))
    if article is not None:
        later = [a for a in pool if a.published > article.published][:count]
        if len(later) == count:
            return later
    return pool[-count:][::-1]


def _neighbours(items: Sequence[SourceArticle], index: int, count: int) -> list[SourceArticle]:
    around = [a for i, a in enumerate(items) if i != index and "private" not in a.flags]
    around.sort(key=lambda a: abs(items.index(a) - index))
    return around[:count]


@cache
def _build() -> tuple[dict[str, Resource], tuple[ListPage, ...]]:
    site: dict[str, Resource] = {}
    lists: list[ListPage] = []
    for section in SECTIONS:
        style = STYLES[section.key]
        hot = _hot(section.key)
        items = [a for a in all_articles() if a.section == section.key]
        public = [a for a in items if "private" not in a.flags]
        for i, article in enumerate(public):
            newer = public[i - 1] if i > 0 else None
            older = public[i + 1] if i + 1 < len(public) else None
            pages = 2 if article.is_split else 1
            for page in range(1, pages + 1):
                html = render.article_page(
                    article,
                    page,
                    prev_next=(newer, older),
                    related=_neighbours(public, i, 4),
                    hot=hot,
                    recommended=_later(article, section.key, 5),
                )
                path = article.path if page == 1 else article.page2_path
                site[path] = Resource(_encode(html, section.key), _content_type(article))
        for article in items:
            if "private" in article.flags:
                html = render.article_page(article, 1, prev_next=(None, None), related=public[:4],
                                           hot=hot, recommended=_later(article, section.key, 5))
                site[article.path] = Resource(_encode(html, section.key), _content_type(article))
        count = -(-len(items) // style.per_page)
        for number in range(1, count + 1):
            chunk = items[(number - 1) * style.per_page: number * style.per_page]
            html = render.list_page(
                section.key, number, count, chunk, hot, _later(None, section.key, 5)
            )
            path = list_path(section.index_path, number)
            site[path] = Resource(_encode(html, section.key), _section_type(section.key))
            others = tuple(
                list_path(section.index_path, n) for n in range(1, count + 1) if n != number
            )
            lists.append(ListPage(path, section.key, number, tuple(a.path for a in chunk), others))
    site.update(_site_pages())
    return site, tuple(lists)


def _site_pages() -> dict[str, Resource]:
    utf8 = "text/html; charset=utf-8"
    newest = sorted(public_articles(), key=lambda a: a.published, reverse=True)[:10]
    pages = {
        "/": Resource(
            render.plain_page(
                "星河网 - 星河之下，万家灯火",
                ["星河网是江州地区综合性新闻门户。今日要闻："],
                [(s.index_path, s.name) for s in SECTIONS] + [(a.path, a.title) for a in newest],
            ).encode(),
            utf8,
        ),
        "/about.html": Resource(
            render.plain_page(
                "关于我们",
                [
                    "星河网创办于2008年，是江州地区综合性新闻门户网站，设有新闻、科技、文化等频道。",
                    "广告服务：欢迎各界客户垂询合作事宜。",
                ],
            ).encode(),
            utf8,
        ),
        "/contact.html": Resource(
            render.plain_page(
                "联系我们",
                [
                    "新闻热线：0571-00000000",
                    "投稿邮箱：tougao@xinghe.example",
                    "地址：江州市星河路1号星河大厦",
                ],
            ).encode(),
            utf8,
        ),
        # Served with no charset in the header: only <meta> says UTF-8.
        "/sitemap.html": Resource(
            render.plain_page(
                "网站地图",
                ["星河网各频道导航："],
                [(s.index_path, s.name) for s in SECTIONS]
                + [("/about.html", "关于我们"), ("/contact.html", "联系我们")],
            ).encode(),
            "text/html",
        ),
        "/search.html": Resource(
            render.plain_page("站内搜索", ["请输入关键词进行搜索。"]).encode(), utf8
        ),
        "/robots.txt": Resource(ROBOTS_TXT.encode("ascii"), "text/plain"),
    }
    for number, title, when in render.SPECIALS:
        pages[f"/special/{number}.html"] = Resource(render.plain_page(
            title, [f"专题上线时间：{when}", "本专题持续更新，敬请关注。"],
            [(a.path, a.title) for a in newest[number:number + 4]],
        ).encode(), utf8)
    return pages


def not_found_page() -> bytes:
    """The body of the 404 page."""
    return render.plain_page(
        "404 页面不存在", ["您访问的页面不存在或已被删除。"], [("/", "返回首页")]
    ).encode()


def build_site() -> dict[str, Resource]:
    """Every path of the portal -> its Resource."""
    return dict(_build()[0])


def list_pages() -> tuple[ListPage, ...]:
    """Every list page of every section, in section and page order."""
    return _build()[1]


def expected_articles() -> tuple[ExpectedArticle, ...]:
    """The ground truth of every archivable article."""
    return tuple(expected(a) for a in public_articles())


def non_article_paths() -> tuple[str, ...]:
    """Pages that exist but must not be archived as articles (site pages, lists, split page 2)."""
    paths = [p for p in _site_pages() if p != "/robots.txt"]
    paths += [lp.path for lp in list_pages()]
    paths += [a.page2_path for a in public_articles() if a.is_split]
    return tuple(paths)


def robots_disallowed_paths() -> tuple[str, ...]:
    """Article pages linked from a list that robots.txt forbids."""
    return tuple(a.path for a in all_articles() if "private" in a.flags)
