"""Forum and Q&A threads on hand-made pages: every post kept, each with its poster and time."""

from __future__ import annotations

import json
import pickle

from newsarchive.extract import Article, Post, extract

PHPBB_LIKE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Tube amp hums at idle - Amp Builders Forum</title></head><body>
<div class="banner"><a href="/">Amp Builders Forum</a> <a href="/login">Log in</a> <a href="/register">Register</a></div>
<ul class="nav"><li><a href="/f/1">Board index</a></li><li><a href="/f/2">Amplifiers</a></li></ul>
<h1 class="topic-title">Tube amp hums at idle</h1>
<div id="posts">
 <div class="post" id="p101"><div class="post-head"><a class="username" href="/member/ann">ann_s</a> <span class="post-time">2021-03-05 10:21</span> <a href="#p101">#1</a></div>
  <div class="post-content">My push-pull amp hums as soon as it warms up, even with the volume at zero. The hum is at mains frequency and gets louder when I touch the chassis. What should I check first?</div></div>
 <div class="post" id="p102"><div class="post-head"><a class="username" href="/member/bob">bob_k</a> <span class="post-time">2021-03-05 11:02</span> <a href="#p102">#2</a></div>
  <div class="post-content">Check the ground scheme first. A star ground with the filter caps returned to one point usually cures it.</div></div>
 <div class="post" id="p103"><div class="post-head"><a class="username" href="/member/ann">ann_s</a> <span class="post-time">2021-03-06 08:15</span> <a href="#p103">#3</a></div>
  <div class="post-content">That was it. Thanks!</div></div>
</div>
<div class="footer">Powered by a forum package. All times are UTC+8.</div>
</body></html>"""


def thread() -> Article:
    return extract(PHPBB_LIKE.encode(), "http://forum.example.test/t/55.html", {}, timezone="Asia/Shanghai")


def test_every_post_of_the_thread_is_the_body() -> None:
    article = thread()
    assert article.paragraphs == [
        "My push-pull amp hums as soon as it warms up, even with the volume at zero. The hum is at mains frequency and gets louder when I touch the chassis. What should I check first?",
        "Check the ground scheme first. A star ground with the filter caps returned to one point usually cures it.",
        "That was it. Thanks!",
    ]
    assert article.page_type == "article"


def test_posts_keep_poster_and_time() -> None:
    posts = thread().posts
    assert [(p.author, p.published.isoformat() if p.published else None) for p in posts] == [
        ("ann_s", "2021-03-05T10:21:00+08:00"),
        ("bob_k", "2021-03-05T11:02:00+08:00"),
        ("ann_s", "2021-03-06T08:15:00+08:00"),
    ]
    assert posts[1].text.startswith("Check the ground scheme first.")


def test_thread_author_and_date_are_the_first_posts() -> None:
    article = thread()
    assert article.authors == ["ann_s"]
    assert article.evidence["authors"]["rule"] == "thread-poster"
    assert article.published is not None and article.published.isoformat() == "2021-03-05T10:21:00+08:00"


def test_thread_title_is_the_topic_not_the_banner() -> None:
    assert thread().title == "Tube amp hums at idle"


def test_posts_in_to_dict_and_pickle() -> None:
    article = thread()
    data = json.loads(json.dumps(article.to_dict()))
    assert data["posts"][0] == {"author": "ann_s", "published": "2021-03-05T10:21:00+08:00",
                                "text": article.posts[0].text}
    assert data["body"] == article.body
    assert pickle.loads(pickle.dumps(article)).posts == article.posts
    assert Post(author="x").to_dict() == {"author": "x", "published": None, "text": ""}


CHINESE_BBS = """<html><head><meta charset="gbk"><title>求助：家里的路由器经常断线 - 电脑网络 - 某某论坛</title></head><body>
<div class="hd">某某论坛 | <a href="/">首页</a> | <a href="/reg">注册</a></div>
<table class="t_main"><tr><td class="t_user"><a href="space-uid-11.html">老王</a><br>积分：230</td>
<td><div class="t_info">发表于 2008-4-9 21:05</div><div class="t_msg">家里的路由器最近经常断线，一天要断好几次，重启以后能好一阵子。请问这是路由器坏了还是宽带的问题？</div></td></tr></table>
<table class="t_main"><tr><td class="t_user"><a href="space-uid-12.html">小李</a><br>积分：88</td>
<td><div class="t_info">发表于 2008-4-9 21:30</div><div class="t_msg">先看看是不是过热，放在通风的地方试试。</div></td></tr></table>
<table class="t_main"><tr><td class="t_user"><a href="space-uid-11.html">老王</a><br>积分：230</td>
<td><div class="t_info">发表于 2008-4-10 09:12</div><div class="t_msg">换了个位置，今天一次都没断，谢谢！</div></td></tr></table>
</body></html>"""


def test_chinese_bbs_thread_with_posters_and_times() -> None:
    article = extract(CHINESE_BBS.encode("gbk"), "http://bbs.example.test/thread-1-1.html", {})
    assert [p.author for p in article.posts] == ["老王", "小李", "老王"]
    assert [p.published.isoformat() if p.published else None for p in article.posts] == [
        "2008-04-09T21:05:00+08:00", "2008-04-09T21:30:00+08:00", "2008-04-10T09:12:00+08:00"]
    assert article.paragraphs[-1] == "换了个位置，今天一次都没断，谢谢！"
    assert article.authors == ["老王"]
    assert article.title == "求助：家里的路由器经常断线"


def test_news_article_with_a_summary_box_is_no_thread() -> None:
    page = """<html><head><title>Rates rise again</title><meta property="og:type" content="article"></head><body>
<h1>Rates rise again</h1>
<div class="box"><div class="txt">Key points: the bank raised rates by a quarter point on 5 March 2021.</div></div>
<div class="box"><p class="by">By Jane Roe</p><div class="txt"><p>The central bank raised its main rate by a quarter point on Friday, the third rise this year, citing stubborn inflation.</p><p>Markets had expected the move, and the currency barely changed.</p></div></div>
</body></html>"""
    article = extract(page.encode(), "http://news.example.test/2021/03/05/rates.html", {})
    assert article.posts == []


# The poster's name in a 'heading'-classed box with a profile link, and a header whose pieces
# ('2 posts', '3 days ago') stand in separate elements with no space between them.
HEADED_POSTERS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Cron job runs twice - Hosting Help</title></head><body>
<div class="top"><a href="/">Hosting Help</a> <a href="/categories">Categories</a></div>
<h1>Cron job runs twice</h1>
<ul class="posts-list">
 <li class="post"><div class="post-side"><div class="media-heading"><a class="item-title" href="/u/mira/17/">mira_t</a><span class="status">Offline</span></div><span class="postcount">2 posts</span></div>
  <div class="post-heading"><a class="posted-on" href="/t/cron/9/post/1/">3 days ago</a><a class="posted-on" href="/t/cron/9/post/1/">3 days ago</a></div>
  <div class="post-body"><p>Every job in my crontab runs twice at the same minute since I moved the site to the new server.</p></div></li>
 <li class="post"><div class="post-side"><div class="media-heading"><a class="item-title" href="/u/oskar/3/">oskar</a><span class="status">Online</span></div><span class="postcount">912 posts</span></div>
  <div class="post-heading"><a class="posted-on" href="/t/cron/9/post/2/">2 days ago</a><a class="posted-on" href="/t/cron/9/post/2/">2 days ago</a></div>
  <div class="post-body"><p>Both the user crontab and the system one probably hold the job. Remove one of them.</p></div></li>
 <li class="post"><div class="post-side"><div class="media-heading"><a class="item-title" href="/u/mira/17/">mira_t</a><span class="status">Offline</span></div><span class="postcount">3 posts</span></div>
  <div class="post-heading"><a class="posted-on" href="/t/cron/9/post/3/">1 day ago</a><a class="posted-on" href="/t/cron/9/post/3/">1 day ago</a></div>
  <div class="post-body"><p>That was it, thank you.</p></div></li>
</ul>
</body></html>"""


def test_poster_boxes_named_heading_are_no_headlines() -> None:
    article = extract(HEADED_POSTERS.encode(), "http://help.example.test/t/cron/9/", {})
    assert article.paragraphs == [
        "Every job in my crontab runs twice at the same minute since I moved the site to the new server.",
        "Both the user crontab and the system one probably hold the job. Remove one of them.",
        "That was it, thank you.",
    ]
    assert [post.author for post in article.posts] == ["mira_t", "oskar", "mira_t"]


# Each post's author box carries the poster's rank as a heading (<h5>Member</h5>): a rank is no
# post headline, so the page stays a thread and not a blog's index.
RANKED_POSTERS = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Backups fail after upgrade - Tools Forum</title></head><body>
<div class="topic-view"><h1>Backups fail after upgrade</h1>
 <div class="row post-row"><div class="author"><div class="author-name"><h4><a href="/user/lena">lena</a></h4></div>
  <div class="author-title"><h5>Member</h5></div><div class="author-posts">Posts: 4</div></div>
  <div class="post-box"><div class="post-meta"><a href="/post/11"><time datetime="2023-06-01T09:12:00+02:00">2023-06-01 09:12</time></a> <strong>#1</strong></div>
  <div class="post-content"><p>Since the upgrade every nightly backup stops halfway with a permission error on the lock file.</p></div></div></div>
 <div class="row post-row"><div class="author"><div class="author-name"><h4><a href="/user/admin">admin</a></h4></div>
  <div class="author-title"><h5>Administrator</h5></div><div class="author-posts">Posts: 803</div></div>
  <div class="post-box"><div class="post-meta"><a href="/post/12"><time datetime="2023-06-01T10:40:00+02:00">2023-06-01 10:40</time></a> <strong>#2</strong></div>
  <div class="post-content"><p>The new release keeps its lock file in another folder; give the backup user write access there.</p></div></div></div>
</div></body></html>"""


def test_a_posters_rank_heading_is_no_post_headline() -> None:
    article = extract(RANKED_POSTERS.encode(), "http://tools.example.test/topic/7-backups", {})
    assert article.paragraphs == [
        "Since the upgrade every nightly backup stops halfway with a permission error on the lock file.",
        "The new release keeps its lock file in another folder; give the backup user write access there.",
    ]
    assert [post.author for post in article.posts] == ["lena", "admin"]


# A Q&A page whose first answer shows its date and whose later, collapsed answers show only their
# writer: signed answers are posts too.
SIGNED_ANSWERS = """<!doctype html><html lang="zh"><head><meta charset="utf-8">
<title>为什么地震时高楼晃得更久？ - 问答社区</title></head><body>
<h1>为什么地震时高楼晃得更久？</h1>
<div class="answers">
 <div class="answer-item"><div class="answer-head"><a class="user-link" href="/people/dengfeng">等风</a> <span>发布于 2024-04-03 09:55</span></div>
  <div class="answer-text">高楼的固有周期长，和远处传来的长周期地震波更接近，于是发生共振，晃动的时间也就更长。</div></div>
 <div class="answer-item"><div class="answer-head"><a class="user-link" href="/people/laoshi">吕老师</a></div>
  <div class="answer-text">软土地基会放大地震波，所以同样的震级，建在沉积平原上的城市震感更强。</div></div>
 <div class="answer-item"><div class="answer-head"><a class="user-link" href="/people/xiaoyu">小雨</a></div>
  <div class="answer-text">住在高层的人感觉明显，住在低层的人往往没有感觉，这也是长周期地震动的特点。</div></div>
</div></body></html>"""


def test_answers_signed_but_undated_are_posts_of_the_thread() -> None:
    article = extract(SIGNED_ANSWERS.encode(), "http://qa.example.test/question/651/", {})
    assert len(article.paragraphs) == 3
    assert article.paragraphs[2].startswith("住在高层的人感觉明显")
    assert [post.author for post in article.posts] == ["等风", "吕老师", "小雨"]
    assert article.authors == ["等风"]


def test_structured_data_author_outranks_the_first_poster() -> None:
    # A review whose readers' comments are signed and dated posts: JSON-LD names the writer.
    page = HEADED_POSTERS.replace(
        "</head>",
        '<script type="application/ld+json">{"@type": "Article", "author": '
        '{"@type": "Person", "name": "Tom Reyes"}}</script></head>',
    )
    article = extract(page.encode(), "http://help.example.test/t/cron/9/", {})
    assert len(article.posts) == 3
    assert article.authors == ["Tom Reyes"]
    assert article.evidence["authors"]["rule"] == "json-ld"


# A thread built with CSS-in-JS class names (digits inside: 'css-1fij07y'), where each post holds
# two paragraph blocks of one class: the paragraph blocks repeat without headers, the posts above
# them carry poster and time.
HASHED_CLASSES = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Two identical patches, different CPU - Patch Forum</title></head><body>
<div class="css-0top1"><a href="/">Patch Forum</a> <a href="/forums">Forums</a></div>
<div class="css-3list9">
 <div class="css-7post2"><div class="css-5head8"><a href="/profile/paolo">Paolo P</a> May 02 2024 | 8:44 pm</div>
  <div class="css-1fij07y"><p>Two patches with the same code use different amounts of processor time depending on where they sit. I measured both for an hour, moved them, swapped them, and rebuilt them from scratch; the one on the right is always faster, by almost half, whatever I do, and I cannot see why.</p></div>
  <div class="css-1fij07y"><p>Is that expected, or am I missing something obvious here?</p></div></div>
 <div class="css-7post2"><div class="css-5head8"><a href="/profile/mizu">mizu</a> May 03 2024 | 9:10 am</div>
  <div class="css-1fij07y"><p>The measurement is meant as a rough guide, not an exact figure for each object.</p></div>
  <div class="css-1fij07y"><p>Run both many times and compare the averages instead.</p></div></div>
</div></body></html>"""


def test_posts_found_past_their_repeated_paragraph_blocks_with_hashed_classes() -> None:
    # Each post's body is still only its first paragraph block (the path from the post down to
    # the main block leads to one block per post): the posts are found, not yet whole.
    article = extract(HASHED_CLASSES.encode(), "http://patch.example.test/forums/two-patches", {})
    assert [post.author for post in article.posts] == ["Paolo P", "mizu"]
    assert "Two patches with the same code" in article.body
    assert "The measurement is meant as a rough guide" in article.body
