"""The failure kinds of issue 13, each on a hand-made page: bylines, dates, titles, bodies, types.

Every page here is written for the test (no dev or hidden page is copied)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsarchive.extract import Article, extract

PARAS = [
    "市政府昨天召开新闻发布会，介绍今年城市绿化工作的进展情况。截至目前，全市已新建公园十二座，改造街头绿地三十余处，市民出门五百米即可见绿。",
    "据介绍，明年还将继续推进河道两岸的绿化工程，并在老城区增加一批口袋公园，方便周边居民休闲散步。",
]


def zh_page(body: str, *, title: str = "城市绿化工作取得新进展", head: str = "", extra: str = "") -> bytes:
    return f"""<html><head><meta charset="utf-8"><title>{title}_某某新闻网</title>{extra}</head><body>
<div class="nav"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/city/">城市</a></div>
<h1>{title}</h1><div class="info">{head}</div>
<div class="content">{body}</div>
<div class="footer">版权所有 某某新闻网</div></body></html>""".encode()


def run(page: bytes, url: str = "http://news.example.test/2005/0321/12.html", **kw) -> Article:
    return extract(page, url, {}, **kw)


# ---------------------------------------------------------------- 2000s bylines

def test_reporter_in_parentheses_at_the_body_end() -> None:
    body = f"<p>{PARAS[0]}</p><p>{PARAS[1]}（记者 王小明 李华）</p>"
    assert run(zh_page(body, head="2005年03月21日 11:21")).authors == ["王小明", "李华"]


def test_reporter_in_the_first_sentence() -> None:
    body = f"<p>本报讯 记者张明日前从市园林局获悉，{PARAS[0]}</p><p>{PARAS[1]}</p>"
    assert run(zh_page(body, head="2005年03月21日 11:21")).authors == ["张明"]


def test_name_slash_wen() -> None:
    body = f"<p>李娜/文</p><p>{PARAS[0]}</p><p>{PARAS[1]}</p>"
    assert run(zh_page(body, head="2005年03月21日 11:21")).authors == ["李娜"]


def test_several_reporters_joined_by_dunhao() -> None:
    head = "2005年03月21日 11:21 来源：某某日报 记者 张三、李四、王五"
    assert run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head=head)).authors == ["张三", "李四", "王五"]


def test_compilation_words_are_never_authors() -> None:
    head = "2005年03月21日 11:21 来源：某某网 整合"
    for byline in ("文/张三 整合", "（记者 张三 综合整理）"):
        body = f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p><p>{byline}</p>"
        assert run(zh_page(body, head=head)).authors == ["张三"], byline
    assert run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head="作者：整合")).authors == []


def test_profile_stats_line_is_never_a_name() -> None:
    head = "粉丝：23文章：11</div><div class='date'>2020-03-09 18:14"
    article = run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head=head), "http://blog.example.test/p/1")
    assert article.authors == []


# ---------------------------------------------------------------- WeChat

WECHAT = """<html><head><meta charset="utf-8"><title>春天来了，公园的花都开了</title>
<meta property="og:title" content="春天来了，公园的花都开了">
<script>var nickname = htmlDecode("城市生活");
var ct = "1615953060";
var msg_link = "http://mp.example.test/s/abc";</script></head><body>
<h1 class="rich_media_title">春天来了，公园的花都开了</h1>
<div class="rich_media_meta_list"><span class="rich_media_meta">2天前</span></div>
<div class="rich_media_content"><p>这个周末天气晴好，城东公园的樱花和桃花都开了，不少市民带着孩子前来赏花拍照。</p><p>公园管理处提醒游客文明赏花，不要攀折花枝，也不要在草坪上生火野炊。</p></div>
</body></html>"""


def test_wechat_account_from_the_script_variable() -> None:
    assert run(WECHAT.encode(), "http://mp.example.test/s/abc").authors == ["城市生活"]


def test_wechat_date_from_the_script_not_the_crawl_time() -> None:
    fetched = datetime(2026, 1, 5, tzinfo=UTC)
    article = run(WECHAT.encode(), "http://mp.example.test/s/abc", fetched_at=fetched)
    assert article.published is not None
    assert article.published.isoformat() == "2021-03-17T11:51:00+08:00"


def test_relative_date_resolves_against_the_pages_own_time() -> None:
    page = WECHAT.replace('var ct = "1615953060";', 'var svr_time = "1615953060";').encode()
    fetched = datetime(2026, 1, 5, tzinfo=UTC)
    article = run(page, "http://mp.example.test/s/abc", fetched_at=fetched)
    assert article.published is not None
    assert article.published.date().isoformat() == "2021-03-15"


# ---------------------------------------------------------------- European bylines

EN_BODY = ("<p>The council approved the new harbour plan on Tuesday after a two-hour debate, "
           "with eleven votes in favour and four against.</p>"
           "<p>Work on the first quay is due to start in the spring and to last about two years.</p>")


def en_page(byline: str = "", extra: str = "") -> bytes:
    return f"""<html lang="de"><head><meta charset="utf-8"><title>Harbour plan approved | Nordstadt Post</title>{extra}</head>
<body><header><a href="/">Nordstadt Post</a></header><article><h1>Harbour plan approved</h1>{byline}
<div class="article-body">{EN_BODY}</div></article></body></html>""".encode()


def test_rel_author_link() -> None:
    page = en_page('<p>Von <a rel="author" href="/autoren/jurgen-muller">Jürgen Müller</a></p>')
    assert run(page, "https://nordstadt.example.test/lokales/hafen").authors == ["Jürgen Müller"]


def test_byline_class_with_a_date_after_the_name() -> None:
    page = en_page('<div class="byline">By Ólafur van der Berg | 12 March 2021</div>')
    assert run(page, "https://nordstadt.example.test/lokales/hafen").authors == ["Ólafur van der Berg"]


def test_json_ld_author_object_and_list_with_an_organisation() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Harbour plan approved",'
          ' "author": [{"@type": "Person", "name": "Anna Kowalska"}, {"@type": "Organization", "name": "Baltic Wire"}],'
          ' "publisher": {"@type": "Organization", "name": "Nordstadt Post"}}</script>')
    assert run(en_page(extra=ld), "https://nordstadt.example.test/lokales/hafen").authors == [
        "Anna Kowalska", "Baltic Wire"]
    one = ld.replace('[{"@type": "Person", "name": "Anna Kowalska"}, {"@type": "Organization", "name": "Baltic Wire"}]',
                     '{"@type": "Person", "name": "Anna Kowalska"}')
    assert run(en_page(extra=one), "https://nordstadt.example.test/lokales/hafen").authors == ["Anna Kowalska"]


# ---------------------------------------------------------------- dates

def test_meta_utc_and_printed_local_time_keep_both_and_report_the_printed() -> None:
    extra = '<meta property="article:published_time" content="2021-03-05T02:21:00Z">'
    article = run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head="2021-03-05 10:21", extra=extra),
                  "http://news.example.test/a/12.html")
    assert article.published is not None
    assert article.published.isoformat() == "2021-03-05T10:21:00+08:00"
    evidence = article.evidence["published"]
    assert "2021-03-05 10:21" in evidence["raw"]
    assert evidence["also"]["raw"] == "2021-03-05T02:21:00Z"


def test_yearless_date_takes_the_pages_year_not_the_crawl_year() -> None:
    fetched = datetime(2026, 1, 5, tzinfo=UTC)
    extra = '<meta property="article:modified_time" content="2019-03-22T08:00:00+08:00">'
    article = run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head="3月21日 11:21", extra=extra),
                  "http://news.example.test/a/12.html", fetched_at=fetched)
    assert article.published is not None
    assert article.published.isoformat() == "2019-03-21T11:21:00+08:00"


def test_last_modified_line_dates_a_wiki_page() -> None:
    page = f"""<html><head><title>Harbour - Town Wiki</title></head><body><h1>Harbour</h1>
<div id="content"><p>{EN_BODY}</p></div>
<div id="footer"><ul><li id="footer-info-lastmod">This page was last edited on 5 March 2021, at 10:21.</li></ul></div>
</body></html>"""
    article = run(page.encode(), "https://wiki.example.test/wiki/Harbour")
    assert article.published is not None
    assert article.published.isoformat()[:16] == "2021-03-05T10:21"


# ---------------------------------------------------------------- titles

@pytest.mark.parametrize("raw, title", [
    ("【独家】城市绿化工作取得新进展_某某新闻网", "城市绿化工作取得新进展"),
    ("[视频]城市绿化工作取得新进展-某某新闻网", "城市绿化工作取得新进展"),
    ("【图】城市绿化工作取得新进展 - 某某新闻网 - 中国某某门户", "城市绿化工作取得新进展"),
])
def test_bracketed_promo_prefix_and_site_suffix_stripped(raw: str, title: str) -> None:
    page = f"""<html><head><meta charset="utf-8"><title>{raw}</title></head><body>
<div class="content"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></body></html>"""
    assert run(page.encode()).title == title


def test_blog_title_is_the_post_not_the_blog_banner() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>春天的公园 - 小林的博客 - 某某博客</title></head><body>
<h1 class="blog-name">小林的博客</h1><div class="stats">粉丝：23 文章：11</div>
<div class="post"><h2 class="post-title">春天的公园</h2><div class="post-info">2005-03-21 01:20</div>
<div class="post-body"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></div></body></html>"""
    article = run(page.encode(), "http://blog.example.test/xiaolin/archive/1.html")
    assert article.title == "春天的公园"


# ---------------------------------------------------------------- bodies

def test_rail_layout_keeps_the_first_paragraph_and_drops_company_and_newsletter_boxes() -> None:
    page = """<html lang="nl"><head><meta charset="utf-8"><title>Nieuwe brug geopend | Stadskrant</title></head><body>
<nav><a href="/">Home</a> <a href="/stad">Stad</a></nav>
<main><div class="article-header"><h1>Nieuwe brug geopend</h1>
<p class="article-lead">De nieuwe fietsbrug over het kanaal is zaterdag geopend, na twee jaar bouwen en een half jaar vertraging.</p></div>
<div class="article-grid"><aside class="rail"><a href="/share">Delen</a> <a href="/print">Print</a></aside>
<div class="article-body"><p>Honderden fietsers reden in de eerste uren over de brug, die de wijken aan beide kanten van het water met elkaar verbindt.</p>
<p>De gemeente verwacht dat er per dag zo'n vierduizend fietsers gebruik van gaan maken.</p>
<div class="newsletter-signup"><h3>Blijf op de hoogte</h3><p>Schrijf je in voor onze dagelijkse nieuwsbrief en ontvang elke ochtend het belangrijkste nieuws.</p></div>
<div class="about-company"><h3>Over Stadskrant</h3><p>Stadskrant is een onafhankelijke krant voor de stad en de regio, opgericht in 1921.</p></div>
</div></div></main></body></html>"""
    article = run(page.encode(), "https://stadskrant.example.test/stad/brug")
    assert article.paragraphs == [
        "De nieuwe fietsbrug over het kanaal is zaterdag geopend, na twee jaar bouwen en een half jaar vertraging.",
        "Honderden fietsers reden in de eerste uren over de brug, die de wijken aan beide kanten van het water met elkaar verbindt.",
        "De gemeente verwacht dat er per dag zo'n vierduizend fietsers gebruik van gaan maken.",
    ]


def test_2000s_table_page_does_not_pick_the_neighbouring_list() -> None:
    links = "".join(f'<tr><td><a href="/news/2005/03{i:02d}/{i}.html">市区第{i}批老旧小区改造项目今日正式开工建设</a> (03-{i:02d})</td></tr>' for i in range(1, 25))
    page = f"""<html><head><meta charset="gb2312"><title>城市绿化工作取得新进展_某某新闻网</title></head><body>
<table><tr><td width="600"><table><tr><td class="bt">城市绿化工作取得新进展</td></tr>
<tr><td>2005年03月21日 11:21</td></tr><tr><td>{PARAS[0]}<br>{PARAS[1]}</td></tr></table></td>
<td width="200"><table><tr><td>相关新闻</td></tr>{links}</table></td></tr></table></body></html>"""
    article = run(page.encode("gb18030"))
    assert article.paragraphs == PARAS


# ---------------------------------------------------------------- page type

def test_article_with_a_video_player_stays_an_article() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>城市绿化工作取得新进展</title><meta property="og:type" content="video"></head><body>
<h1>城市绿化工作取得新进展</h1><div class="content"><video src="/v/1.mp4"></video><p>{PARAS[0]}</p></div></body></html>"""
    article = run(page.encode())
    assert article.page_type == "article"
    assert article.evidence["page_type"]["doubt"] == "video"
    assert 0.3 <= article.page_type_confidence < 0.5


def test_article_among_many_links_stays_an_article_with_its_doubt() -> None:
    nav = "".join(f'<li><a href="/n/{i}.html">今日要闻第{i}条新闻标题在这里显示</a></li>' for i in range(60))
    page = f"""<html><head><meta charset="utf-8"><title>城市绿化工作取得新进展</title></head><body>
<ul class="menu">{nav}</ul><h1>城市绿化工作取得新进展</h1><div class="content"><p>{PARAS[0]}</p></div></body></html>"""
    article = run(page.encode())
    assert article.page_type == "article"
    assert article.page_type_confidence > 0


def test_two_character_name_spaced_out_to_align_with_three() -> None:
    head = "本报记者  王乐文  方  敏"
    assert run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head=head)).authors == ["王乐文", "方敏"]


def test_interface_words_are_never_names() -> None:
    head = "2005年03月21日 11:21</div><div>城市观察</div><div>展开"
    article = run(zh_page(f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p>", head=head))
    assert "展开" not in article.authors


def test_title_naming_only_the_site_does_not_win() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>-某某历史网</title></head><body>
<div class="logo">某某历史网</div><h1>疫情期间的防疫政策怎么投诉</h1><div class="content"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></body></html>"""
    assert run(page.encode()).title == "疫情期间的防疫政策怎么投诉"


def test_source_line_glued_to_the_headline_is_cut() -> None:
    page = f"""<html><head><meta charset="utf-8"><title>城市绿化工作取得新进展-某某网</title></head><body>
<div class="title"><h1>城市绿化工作取得新进展</h1> 来源：新华社 作者： 2023-12-01 14:43</div>
<div class="content"><p>{PARAS[0]}</p><p>{PARAS[1]}</p></div></body></html>"""
    assert run(page.encode(), "http://news.example.test/a/1.html").title == "城市绿化工作取得新进展"
