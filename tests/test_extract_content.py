"""Content choice on hand-made pages: one-cell wrappers, paragraph runs split across wrappers, blog
pages of several dated posts, CMS body classes that read like chrome, short closing lines."""

from __future__ import annotations

from pathlib import Path

from newsarchive.extract import Article, extract

FIXTURES = Path(__file__).parent / "fixtures" / "extract"


def load(name: str) -> Article:
    return extract((FIXTURES / name).read_bytes(), "http://site.example.test/a/1.html", {})


def test_one_cell_wrapper_lets_the_following_table_join() -> None:
    article = load("one_cell_table.html")
    assert article.paragraphs[0] == "一、培养目标："
    assert article.paragraphs[8:] == [
        "附：招生专业及考试科目",
        "01艺术学原理 | 1、英语或俄语或日语，2、艺术概论，3、艺术学原理，4、中外艺术史",
        "02艺术人类学 | 1、英语或俄语或日语，2、中外艺术史，3、艺术人类学，4、民族艺术概论",
        "03艺术美学 | 1、英语或俄语或日语，2、美学原理，3、艺术美学，4、中国美学史",
        "04中国音乐史 | 1、英语或俄语或日语，2、中国音乐史，3、音乐美学，4、中国传统音乐",
    ]


def test_paragraphs_split_across_wrappers_of_one_kind_are_all_kept() -> None:
    article = load("split_paragraphs.html")
    assert article.paragraphs[:3] == [
        "The president made an unscheduled trip to the hospital on Saturday, the White House said, for a quick exam.",
        "You shouldn't just believe them.",
        "Which is not to say that the visit was not routine. It is to say that the record gives little reason for trust.",
    ]
    assert len(article.paragraphs) == 8
    assert article.paragraphs[-1] == ("In the past, the letters about his health were written in a style that, "
                                      "critics said, sounded like his own.")
    assert not any("Trade talks" in p for p in article.paragraphs)


def test_one_paragraph_per_card_all_kept() -> None:
    article = load("card_paragraphs.html")
    assert article.title == "Scientists confirm water vapour on a distant moon"
    assert article.paragraphs == [
        "Scientists using a telescope on a mountain top have confirmed water vapour above the moon's surface.",
        "The find almost certainly means the moon has liquid water, an essential ingredient for life.",
        ("The team measured the vapour over several nights, and the signal appeared on only one of them, they said, "
        "which suggests the plumes come and go."),
        "The results were published on Monday.",
    ]


def test_blog_page_of_dated_posts_gives_the_first_post() -> None:
    article = load("blog_posts.html")
    assert article.paragraphs == [
        ("周末去公园散步，樱花开得正好，湖边有很多人在拍照。我们沿着湖走了一圈，又在草地上坐了一会儿，看孩子们放风筝，"
        "听老人们拉二胡。傍晚起风了，我们才慢慢走回家。路上买了一束花，插在窗台的瓶子里，整个屋子都亮了起来。"),
    ]
    assert article.published is not None and article.published.isoformat() == "2005-03-21T01:20:44+08:00"


def test_body_block_named_like_chrome_is_kept_with_its_short_last_line() -> None:
    article = load("cms_editor_class.html")
    assert article.paragraphs == [
        "今年秋天，县里的土豆又迎来了丰收，田间地头到处是忙碌的身影。",
        "合作社负责人介绍，今年全县种植土豆三万亩，亩产比去年提高了一成，销路也比往年更好。",
        "村民们说，种土豆的收入已经成了家里最主要的收入来源。",
    ]


def test_forum_post_without_title_tag_signature_and_poster() -> None:
    article = extract((FIXTURES / "forum_post.html").read_bytes(), "http://bbs.example.test/read.php?id=1", {})
    assert article.title == "老唱片里的城市记忆"
    assert article.paragraphs == [
        "小时候家里有一台旧唱机，每到周末，父亲就会放上一张老唱片，屋子里立刻热闹起来。",
        "这些年城市变化很大，老街拆了，唱片店也关了，可那些旋律一响起，我就又回到了那条窄窄的巷子里。",
        "前几天在旧货市场又遇到一张同样的唱片，我毫不犹豫地买了下来，回家放给孩子听，他也听得很入迷。",
    ]
    assert article.authors == ["duscha"]
    assert article.evidence["authors"] == {"rule": "posted-by"}
    assert article.published is not None and article.published.isoformat() == "2005-03-15T22:36:13+08:00"


def test_lead_paragraphs_beside_the_body_block_are_kept() -> None:
    article = load("paywall_lead.html")
    assert article.paragraphs[:2] == [
        ("Shares of the home improvement retailer are dropping in early trading after the company cut its full-year "
         "sales growth guidance."),
        ("The retailer reported $2.53 in per-share earnings for the third quarter. Analysts had predicted $2.52 a share, "
         "and sales came in lower."),
    ]
    assert len(article.paragraphs) == 8


def test_body_split_into_component_blocks_all_kept() -> None:
    article = load("body_components.html")
    assert article.title == "Harbour ferry returns after a winter of repairs"
    assert article.paragraphs == [
        ("The harbour ferry sailed again on Tuesday morning after four months in dry dock, carrying its first "
         "passengers of the year across the bay."),
        ("Engineers replaced both engines and the steering gear, and the hull was repainted in the colours it wore "
         "when it was launched in 1962."),
        ("The operator said the timetable would return to four crossings an hour from next week, with an extra late "
         "boat on Fridays and Saturdays."),
        "Season tickets bought last year remain valid until the end of June.",
    ]


def test_article_above_a_longer_comment_thread_is_the_body() -> None:
    article = load("comment_thread.html")
    assert article.paragraphs == [
        ("The town council voted on Monday to build a new library on the site of the old bus depot, "
         "ending a debate of three years."),
        "Work is to start next spring, and the building should open in two years, the mayor said after the vote.",
    ]


def test_captions_and_credits_left_out_and_repeated_short_lines_kept() -> None:
    article = load("captions_repeats.html")
    assert not any("Photo:" in p or "ready in ten minutes" in p or "on a counter" in p for p in article.paragraphs)
    assert article.paragraphs.count("Breakfast") == 2
    assert article.paragraphs.count("Eat within an hour of waking") == 2
    assert article.paragraphs[-1].startswith("Both plans give about the same calories")
    assert article.image_caption == "Prepared bowls on a counter. Photo: A. Cook"


def test_articles_nested_in_the_article_are_teasers_left_out() -> None:
    article = load("nested_articles.html")
    assert article.paragraphs[:2] == [
        "Só quem se ama de verdade consegue amar o outro sem medo, sem cobranças e sem esperar nada em troca, todos os dias.",
        "Amar a si mesmo não é egoísmo: é o primeiro passo para cuidar bem de quem está ao nosso lado, com calma e paciência.",
    ]
    assert len(article.paragraphs) == 2


def test_most_read_block_inside_the_body_is_cut() -> None:
    html = ("<html><head><title>Hunter falls ill after eating a rabbit</title></head><body><article>"
            "<h1>Hunter falls ill after eating a rabbit</h1>"
            "<p>A hunter has fallen ill with the plague after he caught and ate a wild rabbit, officials said on Sunday.</p>"
            "<p>He is being treated in hospital, and twenty-eight people he met are under medical watch, they added.</p>"
            "<h3>Most read in world news</h3><p>ROYAL PARTY</p><p><a href='/1'>Prince parties in unearthed pictures</a></p>"
            "<p>TIME TRAVELLER</p><p><a href='/2'>Theorists say they spotted a star in an old photo</a></p>"
            "<p>The region has had several cases in recent years, most of them after people ate wild animals, doctors said.</p>"
            "</article></body></html>")
    article = extract(html.encode(), "http://site.example.test/a/2.html", {})
    assert article.paragraphs == [
        "A hunter has fallen ill with the plague after he caught and ate a wild rabbit, officials said on Sunday.",
        "He is being treated in hospital, and twenty-eight people he met are under medical watch, they added.",
        "The region has had several cases in recent years, most of them after people ate wild animals, doctors said.",
    ]


def test_dialogs_over_the_page_are_not_its_text() -> None:
    # A consent centre (role=alertdialog, aria-modal), an editor's help (role=dialog) and a
    # <dialog> each hold more prose than the thread's posts; none is the page's text.
    article = load("dialogs_over_thread.html")
    body = article.body
    assert "I am planning a week of walking in the hills in May" in body
    assert "Take the two-person tent." in body
    for dialog_text in ("cookies", "emoji", "Sign in to reply"):
        assert dialog_text not in body


def test_a_block_in_the_pages_own_footer_is_never_the_best_block() -> None:
    # The footer's consent notice holds more prose than the one short post; by HTML semantics
    # the page's <footer> is chrome.
    article = load("long_footer_short_post.html")
    assert article.paragraphs == [
        "Hi everyone, my delay patch clicks every time the tempo changes. Is there a way to smooth it?"
    ]


def test_control_characters_around_a_dropped_element() -> None:
    # lxml parses a vertical tab but refuses it when the tail of a hidden element is joined to
    # the text before it; the page used to fail with a bare ValueError.
    page = (b"<html><body><p>Some text\x0b<span hidden>menu</span>\x0btail of the paragraph, "
            b"long enough to be prose.</p></body></html>")
    article = extract(page, "http://site.example.test/a/2.html", {})
    assert article.body == "Some texttail of the paragraph, long enough to be prose."


def test_a_video_players_controls_are_not_the_articles_text() -> None:
    page = """<html><head><meta charset="utf-8"><title>北京影人访谈今晚播出</title></head><body>
    <h1>北京影人访谈今晚播出</h1><div class="content">
    <div class="video-player"><div class="mplayer"><div class="bar">正在为您切换到高清，请稍候。</div>
    <div class="rate">播放速度：2X</div><div class="rate">1.5X</div><div class="rate">1.0X</div></div></div>
    <p>访谈节目《北京影人》5月20日起在电影频道播出，每晚22点与观众见面。</p>
    <p>节目邀请多位导演和演员，讲述他们与北京这座城市的故事。</p></div></body></html>"""
    article = extract(page.encode(), "http://site.example.test/a/3.html", {})
    assert article.paragraphs == [
        "访谈节目《北京影人》5月20日起在电影频道播出，每晚22点与观众见面。",
        "节目邀请多位导演和演员，讲述他们与北京这座城市的故事。",
    ]
