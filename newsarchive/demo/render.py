"""HTML of the demo portal's pages: article pages, list pages and the site's other pages, with the
chrome
and noise that real Chinese portals carry (spam bar, nav, breadcrumbs, sidebars, link walls)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape

from newsarchive.demo.content import SECTIONS, STYLES, Block, SourceArticle, section_path

SPAM = (
    "澳门葡京娱乐在线", "免费领取百元话费", "代开各类发票电话", "彩票平台注册送彩金",
    "一夜暴富投资秘籍", "正品名表特价批发", "网络兼职日结工资", "特效减肥三天见效",
)
COUNTIES = (
    "敦煌市",
    "淄博市",
    "红安县",
    "登封市",
    "商城县",
    "威远县",
    "南通市",
    "迁西县",
    "裕民县",
    "桂阳县",
    "开化县",
    "江油市",
    "海林市",
    "法库县",
    "惠安县",
    "丹阳市",
    "都兰县",
    "无棣县",
    "鄂州市",
    "华容县",
    "合山市",
    "永靖县",
    "诏安县",
    "武功县",
    "同心县",
    "鹤峰县",
    "盖州市",
    "平南县",
    "拜城县",
    "青铜峡市",
)
COUNTIES_TRAD = (
    "敦煌市",
    "淄博市",
    "紅安縣",
    "登封市",
    "商城縣",
    "威遠縣",
    "南通市",
    "遷西縣",
    "裕民縣",
    "桂陽縣",
    "開化縣",
    "江油市",
    "海林市",
    "法庫縣",
    "惠安縣",
    "丹陽市",
    "都蘭縣",
    "無棣縣",
    "鄂州市",
    "華容縣",
    "合山市",
    "永靖縣",
    "詔安縣",
    "武功縣",
    "同心縣",
    "鶴峰縣",
    "蓋州市",
    "平南縣",
    "拜城縣",
    "青銅峽市",
)
SPECIALS_TRAD = (
    "2025年冬季文旅消費季專題",
    "聚焦2025年全國職業技能大賽",
    "數字鄉村建設觀察",
    "一圖讀懂城市更新行動",
)
SPECIALS = (
    (1, "2025年冬季文旅消费季专题", "2025-11-28 10:00"),
    (2, "聚焦2025年全国职业技能大赛", "2025-11-20 09:30"),
    (3, "数字乡村建设观察", "2025-11-12 15:20"),
    (4, "一图读懂城市更新行动", "2025-10-30 08:00"),
)
# Pinyin that some CMS exports glue after traditional characters (網 -> 網(wǎng));
# the truth has none.
PINYIN = {
    "網": "wǎng", "發": "fā", "經": "jīng", "據": "jù", "統": "tǒng", "數": "shù", "聯": "lián",
    "現": "xiàn", "業": "yè", "區": "qū", "內": "nèi", "戰": "zhàn", "態": "tài", "環": "huán",
    "節": "jié",
}

TRAD = {
    "首页": "首頁",
    "新闻": "新聞",
    "科技": "科技",
    "文化": "文化",
    "关于我们": "關於我們",
    "联系我们": "聯絡我們",
    "网站地图": "網站地圖",
    "热门排行": "熱門排行",
    "推荐阅读": "推薦閱讀",
    "最新专题": "最新專題",
    "相关新闻": "相關新聞",
    "上一篇": "上一篇",
    "下一篇": "下一篇",
    "分享到": "分享到",
    "关键词": "關鍵詞",
    "责任编辑": "責任編輯",
    "来源": "來源",
    "作者": "作者",
    "上一页": "上一頁",
    "下一页": "下一頁",
    "尾页": "尾頁",
    "微信": "微信",
    "微博": "微博",
    "QQ空间": "QQ空間",
    "江ICP备08012345号": "江ICP備08012345號",
    "当前位置": "當前位置",
    "广告服务": "廣告服務",
}


def label(text: str, section: str | None) -> str:
    """A chrome label in the section's script (traditional for the Big5 section)."""
    return TRAD.get(text, text) if section == "culture" else text


def annotate_pinyin(text: str) -> str:
    """Glue the pinyin of common traditional characters after them, as a broken CMS export does."""
    return "".join(f"{ch}({PINYIN[ch]})" if ch in PINYIN else ch for ch in text)


def format_date(value: datetime, style: str, with_time: bool = True) -> str:
    """A date the way a section prints it."""
    if style == "dash":
        return f"{value:%Y-%m-%d %H:%M:%S}" if with_time else f"{value:%Y-%m-%d}"
    if style == "cjk":
        return f"{value:%Y年%m月%d日 %H:%M}" if with_time else f"{value:%Y年%m月%d日}"
    day = f"{value.year}/{value.month}/{value.day}"
    return f"{day} {value.hour}:{value:%M}" if with_time else day


def short_date(value: datetime, style: str) -> str:
    """The date beside a headline in lists and sidebars."""
    if style == "cjk":
        return f"{value:%m月%d日 %H:%M}"
    if style == "slash":
        return f"{value.year}/{value.month}/{value.day}"
    return f"{value:%Y-%m-%d %H:%M}"


def head(title: str, section: str | None, keywords: str = "", description: str = "") -> str:
    """<head> with the declared charset and the usual scripts."""
    charset = STYLES[section].meta_charset if section else "utf-8"
    meta = f'<meta name="keywords" content="{escape(keywords)}" />\n' if keywords else ""
    if description:
        meta += f'<meta name="description" content="{escape(description)}" />\n'
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"<title>{escape(title)}</title>\n{meta}"
        '<link rel="stylesheet" href="/static/css/site.css" type="text/css" />\n'
        '<script type="text/javascript">var _hmt = _hmt || [];'
        '(function(){var hm=document.createElement('
        '"script");hm.src="/static/js/count.js";})();</script>\n</head><body>\n'
    )


def top(section: str | None) -> str:
    """Spam link bar, logo and nav bar."""
    spam = "|".join(
        f'<a href="http://www{i}.example-spam.cc/" target="_blank">{s}</a>'
        for i, s in enumerate(SPAM)
    )
    site = STYLES[section].site_name if section else "星河网"
    nav = [f'<li><a href="/">{label("首页", section)}</a></li>']
    nav += [f'<li><a href="{s.index_path}">{label(s.name, section)}</a></li>' for s in SECTIONS]
    nav += [f'<li><a href="/about.html">{label("关于我们", section)}</a></li>',
            f'<li><a href="/contact.html">{label("联系我们", section)}</a></li>']
    return (
        f'<div class="topad" style="height:24px;overflow:hidden"><p>{spam}</p></div>\n'
        f'<div class="header"><div class="logo">'
        f'<a href="/"><img src="/static/img/logo.png" alt="{site}" />'
        f'</a></div>\n<ul class="nav">{"".join(nav)}</ul></div>\n'
    )


def footer(section: str | None) -> str:
    """County link wall, site links and copyright."""
    counties = COUNTIES_TRAD if section == "culture" else COUNTIES
    wall = "| ".join(
        f'<a href="http://difang.xinghe.example/{i}/" target="_blank">{c}</a>'
        for i, c in enumerate(counties)
    )
    site = STYLES[section].site_name if section else "星河网"
    links = " | ".join((
        f'<a href="/about.html">{label("关于我们", section)}</a>',
        f'<a href="/contact.html">{label("联系我们", section)}</a>',
        f'<a href="/sitemap.html">{label("网站地图", section)}</a>',
        f'<a href="/about.html#ads">{label("广告服务", section)}</a>',
    ))
    return (
        f'<div class="footer"><p class="links">{wall}|</p>\n<p class="site">{links}</p>\n'
        f"<p>Copyright &copy; 2008-2025 {site} All Rights Reserved "
        f"{label('江ICP备08012345号', section)}</p></div>\n"
        "</body></html>\n"
    )


def headline_items(items: Sequence[SourceArticle], section: str | None, style: str = "dash") -> str:
    """<li> headlines with their dates, for sidebars."""
    return "".join(
        f'<li><a href="{a.path}" target="_blank">{escape(a.title)}</a>'
        f'<span class="date">{short_date(a.published, style)}</span></li>'
        for a in items
    )


def sidebar(
    section: str | None, hot: Sequence[SourceArticle], recommended: Sequence[SourceArticle]
) -> str:
    """热门排行, 推荐阅读 and 最新专题 boxes, each headline with its own date."""
    style = STYLES[section].date_format if section else "dash"
    ranked = "".join(
        f'<li><em>{i}</em><a href="{a.path}" target="_blank">{escape(a.title)}</a>'
        f'<span class="date">{short_date(a.published, style)}</span></li>'
        for i, a in enumerate(hot, 1)
    )
    specials = "".join(
        f'<li><a href="/special/{n}.html" target="_blank">'
        f'{SPECIALS_TRAD[i] if section == "culture" else t}</a>'
        f'<span class="date">{d}</span></li>'
        for i, (n, t, d) in enumerate(SPECIALS)
    )
    return (
        f'<div class="side"><div class="box hot"><h2>{label("热门排行", section)}</h2>'
        f"<ol>{ranked}</ol></div>\n"
        f'<div class="box"><h2>{label("推荐阅读", section)}</h2>'
        f"<ul>{headline_items(recommended, section, style)}</ul></div>\n"
        f'<div class="box"><h2>{label("最新专题", section)}</h2><ul>{specials}</ul></div></div>\n'
    )


def _display(text: str, pinyin: bool) -> str:
    return escape(annotate_pinyin(text) if pinyin else text)


def _block_html(block: Block, section: str, pinyin: bool, n: int) -> str:
    if block.kind == "img":
        return f'<p style="text-align:center"><img src="/uploads/{n}.jpg" alt="" /></p>'
    text = _display(block.text, pinyin)
    if block.kind == "h":
        if section == "tech":
            return f"<h3>{text}</h3>"
        if section == "culture":
            return f"<p><b>{text}</b></p>"
        return f'<p style="text-align:center"><strong>{text}</strong></p>'
    return f"<p>\u3000\u3000{text}</p>"


def _info(article: SourceArticle, pinyin: bool) -> str:
    style = STYLES[article.section]
    when = format_date(article.published, style.date_format)
    src = _display(article.source, pinyin) if article.source else ""
    by = _display(article.byline, pinyin) if article.byline else ""
    if article.section == "news":
        parts = [f'<span class="time">{when}</span>']
        if src:
            parts.append(f'<span class="source">来源：<a href="/" target="_blank">{src}</a></span>')
        if by:
            parts.append(f'<span class="author">作者：{by}</span>')
        return f'<div class="info">{"".join(parts)}</div>'
    if article.section == "tech":
        parts = [when] + ([f"来源：{src}"] if src else []) + ([f"作者：{by}"] if by else [])
        return '<div class="info">' + "\u3000".join(parts) + "</div>"
    parts = (
        [f"發佈時間：{when}"] + ([f"來源：{src}"] if src else []) + ([f"作者：{by}"] if by else [])
    )
    return f'<p class="info">{" | ".join(parts)}</p>'


def _lead(article: SourceArticle) -> str:
    paragraphs = [b.text for b in article.blocks if b.kind == "p"]
    lead = next((p for p in paragraphs if len(p) > 40), paragraphs[0])
    return lead[:70]


def article_page(
    article: SourceArticle,
    page: int,
    *,
    prev_next: tuple[SourceArticle | None, SourceArticle | None],
    related: Sequence[SourceArticle],
    hot: Sequence[SourceArticle],
    recommended: Sequence[SourceArticle],
) -> str:
    """One article page (page 2 for the second half of a split article)."""
    sec = article.section
    style = STYLES[sec]
    pinyin = "pinyin" in article.flags
    title = _display(article.title, pinyin)
    suffix = {"news": "_星河网", "tech": "_科技频道_星河网", "culture": " - 星河網"}[sec]
    crumbs = section_path(article)
    index = next(s.index_path for s in SECTIONS if s.key == sec)
    crumb = (
        f'<div class="crumb">{label("当前位置", sec)}：<a href="/">{crumbs[0]}</a> &gt; '
        f'<a href="{index}">{crumbs[1]}</a> &gt; '
        f'<a href="{index}">{crumbs[2]}</a> &gt; 正文</div>\n'
    )
    halves: list[list[Block]] = [[]]
    for block in article.blocks:
        if block.kind == "page":
            halves.append([])
        else:
            halves[-1].append(block)
    blocks = halves[page - 1]
    body = "\n".join(_block_html(b, sec, pinyin, article.id * 10 + i) for i, b in enumerate(blocks))
    if len(halves) > 1:
        first, second = article.path.rsplit("/", 1)[1], article.page2_path.rsplit("/", 1)[1]
        if page == 1:
            pager = (f'<span class="current">1</span> <a href="{second}">2</a> '
                     f'<a href="{second}">{label("下一页", sec)}</a>')
        else:
            pager = (f'<a href="{first}">{label("上一页", sec)}</a> <a href="{first}">1</a> '
                     f'<span class="current">2</span>')
        body += f'\n<div class="page-nav" id="pages">{pager}</div>'
    content_attrs = {
        "news": 'class="content" id="content"',
        "tech": 'class="article-body" id="artibody"',
        "culture": 'class="text" id="text"',
    }[sec]
    summary = ""
    if page == 1:
        summary = f'<div class="summary"><b>【摘要】</b>{_display(_lead(article), pinyin)}</div>\n'
    keywords = " ".join(
        f'<a href="/search.html?kw={i}" target="_blank">{_display(k, pinyin)}</a>'
        for i, k in enumerate(article.keywords)
    )
    kw_line = (
        f'<div class="keywords">{label("关键词", sec)}：{keywords}</div>\n' if keywords else ""
    )
    editor = ""
    if article.editor:
        editor = (f'<div class="editor">（{label("责任编辑", sec)}：'
                  f"{_display(article.editor, pinyin)}）</div>\n")
    share = (
        f'<div class="share"><span>{label("分享到", sec)}：</span><a href="javascript:void(0)">'
        f'{label("微信", sec)}</a><a href="javascript:void(0)">{label("微博", sec)}</a>'
        f'<a href="javascript:void(0)">{label("QQ空间", sec)}</a></div>\n'
    )
    prev_a, next_a = prev_next
    turn = []
    if prev_a is not None:
        turn.append(
            f'<p>{label("上一篇", sec)}：<a href="{prev_a.path}">{escape(prev_a.title)}</a></p>'
        )
    if next_a is not None:
        turn.append(
            f'<p>{label("下一篇", sec)}：<a href="{next_a.path}">{escape(next_a.title)}</a></p>'
        )
    related_box = (
        f'<div class="related"><h2>{label("相关新闻", sec)}</h2>'
        f"<ul>{headline_items(related, sec, style.date_format)}</ul></div>\n"
    )
    meta_kw = ",".join(article.keywords + SPAM[:3])
    return (
        head(f"{article.title if not pinyin else annotate_pinyin(article.title)}{suffix}", sec,
             meta_kw, _lead(article))
        + top(sec)
        + '<div class="wrap"><div class="main">\n'
        + crumb
        + f'<h1 class="title">{title}</h1>\n'
        + _info(article, pinyin) + "\n"
        + summary
        + f"<div {content_attrs}>\n{body}\n</div>\n"
        + kw_line + editor + share
        + f'<div class="turn">{"".join(turn)}</div>\n'
        + related_box
        + "</div>\n"
        + sidebar(sec, hot, recommended)
        + "</div>\n"
        + footer(sec)
    )


def pager(section: str, index_path: str, page: int, pages: int) -> str:
    """首页 上一页 1 2 3 ... 下一页 尾页, as the section numbers its list pages."""
    def href(n: int) -> str:
        name = "" if n == 1 else f"index_{n}.html"
        # The Big5 section links relatively, the others absolutely, as different CMSs do.
        return name or "./" if section == "culture" else index_path + name

    parts = [f'<a href="{href(1)}">{label("首页", section)}</a>']
    if page > 1:
        parts.append(f'<a href="{href(page - 1)}">{label("上一页", section)}</a>')
    for n in range(1, pages + 1):
        parts.append(
            f'<span class="current">{n}</span>' if n == page else f'<a href="{href(n)}">{n}</a>'
        )
    if page < pages:
        parts.append(f'<a href="{href(page + 1)}">{label("下一页", section)}</a>')
    parts.append(f'<a href="{href(pages)}">{label("尾页", section)}</a>')
    return f'<div class="pages">{" ".join(parts)}</div>\n'


def _list_items(section: str, items: Sequence[SourceArticle]) -> str:
    style = STYLES[section].date_format
    rows = []
    for i, a in enumerate(items):
        when = short_date(a.published, style)
        blurb = _lead(a)[:36] + "…" if i % 3 == 1 else ""
        if section == "news":
            extra = f'<p class="brief">{escape(blurb)}</p>' if blurb else ""
            rows.append(f'<li><a href="{a.path}" target="_blank">{escape(a.title)}</a>'
                        f'<span class="date">{when}</span>{extra}</li>')
        elif section == "tech":
            extra = f"<p>{escape(blurb)}</p>" if blurb else ""
            rows.append(
                f'<div class="item"><h3><a href="{a.path}" target="_blank">'
                f"{escape(a.title)}</a></h3>"
                f'{extra}<span class="time">{when}</span></div>'
            )
        else:
            extra = f'<br /><span class="brief">{escape(blurb)}</span>' if blurb else ""
            rows.append(
                f'<tr><td class="t"><a href="{a.path}" target="_blank">'
                f"{escape(a.title)}</a>{extra}</td>"
                f'<td class="d">{when}</td></tr>'
            )
    if section == "news":
        return f'<ul class="news-list">{"".join(rows)}</ul>'
    if section == "tech":
        return f'<div class="list-box">{"".join(rows)}</div>'
    return f'<table class="list" width="100%">{"".join(rows)}</table>'


def list_page(
    section: str, page: int, pages: int, items: Sequence[SourceArticle],
    hot: Sequence[SourceArticle], recommended: Sequence[SourceArticle],
) -> str:
    """One page of a section's article list."""
    sec = next(s for s in SECTIONS if s.key == section)
    style = STYLES[section]
    title = f"{sec.name}_{style.site_name}" + (f"_第{page}页" if page > 1 else "")
    crumb = (f'<div class="crumb">{label("当前位置", section)}：<a href="/">{style.home}</a> &gt; '
             f"{sec.name}</div>\n")
    return (
        head(title, section, f"{sec.name},{style.site_name}")
        + top(section)
        + '<div class="wrap"><div class="main">\n'
        + crumb
        + f'<div class="list">{_list_items(section, items)}</div>\n'
        + pager(section, sec.index_path, page, pages)
        + "</div>\n"
        + sidebar(section, hot, recommended)
        + "</div>\n"
        + footer(section)
    )


def plain_page(title: str, paragraphs: Sequence[str], links: Sequence[tuple[str, str]] = ()) -> str:
    """A UTF-8 page of the site's own (about, contact, sitemap, specials, 404)."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    link_list = "".join(f'<li><a href="{href}">{escape(text)}</a></li>' for href, text in links)
    return (
        head(f"{title}_星河网", None)
        + top(None)
        + f'<div class="wrap"><div class="main"><h2>{escape(title)}</h2>{body}'
        + (f"<ul>{link_list}</ul>" if link_list else "")
        + "</div></div>\n"
        + footer(None)
    )
