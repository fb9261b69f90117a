"""The demo portal's sections and articles, read from the bundled data files, and their ground
truth. """

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources

TZ_OFFSET = "+08:00"


@dataclass(frozen=True)
class Section:
    """One section of the portal: its key, its name as the nav shows it, its first list page."""

    key: str
    name: str
    index_path: str


@dataclass(frozen=True)
class SectionStyle:
    """How a section is served: encoding, headers, date format, list size, labels."""

    encoding: str            # codec of the bytes: "utf-8" | "gbk" | "big5"
    meta_charset: str        # what <meta> declares
    header_charset: str | None  # charset named in the Content-Type header, None for none
    date_format: (
        str  # "dash" 2024-03-05 08:30:00 | "cjk" 2024年03月05日 08:30 | "slash" 2024/3/5 8:30
    )
    per_page: int
    home: str                # breadcrumb label of the home page
    site_name: str


@dataclass(frozen=True)
class ExpectedArticle:
    """What an ideal extractor returns for one demo article (exactly)."""

    path: str
    section: str
    title: str
    published: str
    authors: tuple[str, ...]
    source: str | None
    editor: str | None
    keywords: tuple[str, ...]
    section_path: tuple[str, ...]
    paragraphs: tuple[str, ...]
    encoding: str


@dataclass(frozen=True)
class Block:
    """One block of an article body as the page renders it."""

    kind: str   # "p" paragraph | "h" subheading | "img" image without text | "page" page break
    text: str = ""


@dataclass(frozen=True)
class SourceArticle:
    """One article as written in the data files, with what the page shows around it."""

    id: int
    section: str
    sub: str
    title: str
    published: datetime
    source: str | None
    editor: str | None
    keywords: tuple[str, ...]
    authors: tuple[str, ...]
    byline: str | None           # shown as 作者：... in the info line
    blocks: tuple[Block, ...]
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def path(self) -> str:
        """The article's URL path (page 1)."""
        top = "private" if "private" in self.flags else self.section
        return f"/{top}/{self.published:%Y}/{self.published:%m%d}/{self.id}.html"

    @property
    def page2_path(self) -> str:
        """The URL path of the second page, for a split article."""
        return self.path.removesuffix(".html") + "_2.html"

    @property
    def is_split(self) -> bool:
        """True when the body runs over two pages."""
        return any(b.kind == "page" for b in self.blocks)

    def text_blocks(self) -> list[Block]:
        """Paragraphs and subheadings in reading order, both pages."""
        return [b for b in self.blocks if b.kind in ("p", "h")]


SECTIONS: tuple[Section, ...] = (
    Section("news", "新闻", "/news/"),
    Section("tech", "科技", "/tech/"),
    Section("culture", "文化", "/culture/"),
)

STYLES: dict[str, SectionStyle] = {
    "news": SectionStyle("utf-8", "utf-8", "utf-8", "dash", 5, "首页", "星河网"),
    "tech": SectionStyle("gbk", "gb2312", None, "cjk", 6, "首页", "星河网"),
    "culture": SectionStyle("big5", "big5", "big5", "slash", 6, "首頁", "星河網"),
}


def _parse_block(line: str) -> Block:
    if line.startswith("## "):
        return Block("h", line[3:].strip())
    if line == "[img]":
        return Block("img")
    if line == "[page]":
        return Block("page")
    return Block("p", line)


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.replace("，", ",").split(",") if v.strip())


def parse_articles(section: str, text: str) -> list[SourceArticle]:
    """Articles of one data file: blocks separated by '===', 'key: value' headers, then 'body:'."""
    articles = []
    for chunk in text.split("\n===\n"):
        lines = [ln.strip() for ln in chunk.strip().splitlines()]
        if not lines or not any(lines):
            continue
        head: dict[str, str] = {}
        body_at = lines.index("body:")
        for line in lines[:body_at]:
            if line and not line.startswith("#"):
                key, _, value = line.partition(":")
                head[key.strip()] = value.strip()
        blocks = tuple(_parse_block(ln) for ln in lines[body_at + 1:] if ln)
        articles.append(SourceArticle(
            id=int(head["id"]),
            section=section,
            sub=head["sub"],
            title=head["title"],
            published=datetime.strptime(head["date"], "%Y-%m-%d %H:%M:%S"),
            source=head.get("source") or None,
            editor=head.get("editor") or None,
            keywords=_split_list(head.get("keywords", "")),
            authors=_split_list(head.get("authors", "")),
            byline=head.get("byline") or None,
            blocks=blocks,
            flags=frozenset(_split_list(head.get("flags", ""))),
        ))
    return articles


def load_articles() -> list[SourceArticle]:
    """Every article of every section, newest first within a section."""
    data = resources.files("newsarchive.demo") / "data"
    articles: list[SourceArticle] = []
    for section in SECTIONS:
        text = (data / f"{section.key}.txt").read_text(encoding="utf-8")
        found = parse_articles(section.key, text)
        articles.extend(sorted(found, key=lambda a: (a.published, a.id), reverse=True))
    return articles


def section_path(article: SourceArticle) -> tuple[str, ...]:
    """Breadcrumb labels without 正文."""
    style = STYLES[article.section]
    name = next(s.name for s in SECTIONS if s.key == article.section)
    return (style.home, name, article.sub)


def expected(article: SourceArticle) -> ExpectedArticle:
    """The ground truth of one article."""
    return ExpectedArticle(
        path=article.path,
        section=article.section,
        title=article.title,
        published=article.published.isoformat() + TZ_OFFSET,
        authors=article.authors,
        source=article.source,
        editor=article.editor,
        keywords=article.keywords,
        section_path=section_path(article),
        paragraphs=tuple(b.text for b in article.text_blocks()),
        encoding=STYLES[article.section].encoding,
    )
