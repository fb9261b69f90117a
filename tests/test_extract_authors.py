"""Authors and reporters from byline lines, end bylines, account lines, JSON-LD and meta; never
editors or sites.
"""

from __future__ import annotations

import lxml.html
import pytest

from newsarchive.extract.authors import byline_names, find_authors, site_names
from newsarchive.extract.text import clean_text

EMPTY = lxml.html.document_fromstring("<html><body><p>x</p></body></html>")


def authors(head: list[str], body: list[str], tail: list[str] | None = None) -> list[str]:
    return find_authors(head, body, tail or [], EMPTY, [], clean_text, set())[0]


@pytest.mark.parametrize(("head", "body", "names"), [
    ([], ["……切實守好群眾的錢袋子。(記者 王韶卿 通訊員 閆亞平)"], ["王韶卿", "閆亞平"]),
    ([], ["本报讯 （实习记者 樊亮 张明超 记者惠禾）13岁，正是花季的年龄。"], ["樊亮", "张明超", "惠禾"]),
    (["2005-07-18 来源：21世纪经济报道 作者：宋怡 杨志华"], ["正文。"], ["宋怡", "杨志华"]),
    (["文/张晓明 摄影/李四"], ["正文。"], ["张晓明"]),
    (["石佳/中国青年报", "2019-09-24 09:10"], ["正文。"], ["石佳"]),
    ([], ["澎湃新闻记者 段彦超 廖艳", "7岁小花（化名）事件，仍有许多疑问。"], ["段彦超", "廖艳"]),
    ([], ["顶端新闻·河南商报记者马俊峰/文受访者供图", "正文。"], ["马俊峰"]),
    ([], ["大家认认真真剪出了窗花，过一个廉洁的新春佳节。（常书香 马丹阳 ）"], ["常书香", "马丹阳"]),
    ([], ["这样的说法没有道理，所有的改革难道不都是利益再分配的过程吗？”（姚峰 上海报道）"], ["姚峰"]),
    ([], ["正文第一段。", "（李楠）"], ["李楠"]),
    ([], ["正文。", "采写：南都见习记者 林子沛"], ["林子沛"]),
    ([], ["正文。", "扬子晚报记者 张楠"], ["张楠"]),
    ([], ["正文。", "□ 本报记者 葛灵丹"], ["葛灵丹"]),
    ([], ["正文。", "执笔人：闵乐夫 赵兰波 刘韬"], ["闵乐夫", "赵兰波", "刘韬"]),
    ([], ["共建清朗网络空间。(文/图 刘玺东 易赛楠)"], ["刘玺东", "易赛楠"]),
    ([], ["本报记者罗科苏盈发自北京", "23日下午，论坛在北京举行。"], ["罗科苏盈"]),
    ([], ["本报实习生 刘国栋 周炜", "本报记者 王燕平 方云凤", "正文。"], ["刘国栋", "周炜", "王燕平", "方云凤"]),
    (["作者： 周思博 (Joel Spolsky)"], ["正文。"], ["周思博 (Joel Spolsky)"]),
    (["发表于2014-08-24 21:30| 1164次阅读| 来源CSDN| 0 条评论| 作者魏星"], ["正文。"], ["魏星"]),
    (["撰稿 王五 | 编辑 赵六"], ["正文。"], ["王五"]),
    # the next field's label, whatever it is, ends the name ('分享到：', '浏览：')
    (["时间：2024.05.11 来源：光明日报 作者：林青 分享到："], ["正文。"], ["林青"]),
    (["作者：周安 浏览次数：32"], ["正文。"], ["周安"]),
    # a Latin name keeps its spaces; Chinese names are still split at theirs
    (["作者：Anna Berg 浏览次数：32"], ["正文。"], ["Anna Berg"]),
    ([], ["正文。", "记者 John Smith、周安 王乐"], ["John Smith", "周安", "王乐"]),
    (["华夏人文 2020-03-09 18:14:21"], ["正文。"], ["华夏人文"]),
    (["原创 GameForce 2019-09-04 22:18:34"], ["正文。"], ["GameForce"]),
    (["体育教科书", "发布时间：18-03-0823:16"], ["正文。"], ["体育教科书"]),
    (["2019-08-13 14:07来源：澎湃新闻", "字号", "中国广州发布", "关注"], ["正文。"], ["中国广州发布"]),
    (["2005-03-21 11:21 新华网"], ["正文。"], []),
    ([], ["记者从国家林业和草原局获悉，全国已完成春季造林任务。"], []),
    ([], ["全文完。（新华社）"], []),
    (["（责任编辑：王思远）"], ["正文。"], []),
    (["摄影：李四 校对：王五"], ["正文。"], []),
])
def test_authors(head: list[str], body: list[str], names: list[str]) -> None:
    assert authors(head, body) == names


def test_byline_after_the_body() -> None:
    assert authors([], ["正文。"], ["（本报记者 刘军）", "责任编辑：王某"]) == ["刘军"]


@pytest.mark.parametrize(("line", "names"), [
    ("记者 王韶卿 通讯员 閆亞平", ["王韶卿", "閆亞平"]),
    ("《棱镜》作者 周纯", ["周纯"]),
    ("编辑：山石", None),
    ("记者从国家林业和草原局获悉", None),
    ("常书香 马丹阳", None),
])
def test_byline_names(line: str, names: list[str] | None) -> None:
    assert byline_names(line) == names


def test_authors_from_english_byline() -> None:
    tree = lxml.html.document_fromstring('<html><body><p class="byline">By Jane Doe and John Roe</p></body></html>')
    assert find_authors([], [], [], tree, [], clean_text, set()) == (["Jane Doe", "John Roe"], "byline-class")


def test_authors_from_json_ld_person() -> None:
    ld = [{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Ada Lovelace"}]}]
    assert find_authors([], [], [], EMPTY, ld, clean_text, set()) == (["Ada Lovelace"], "json-ld")


@pytest.mark.parametrize(("html", "url", "names"), [
    ('<title>京沪高速封闭_网易订阅</title><meta name="author" content="网易">', "https://www.163.com/a.html", []),
    ('<title>论坛举办-CSDN.NET</title><meta name="author" content="CSDN.NET">', "http://www.csdn.net/a.html", []),
    ('<meta name="author" content="中文学术期刊,汉斯出版社,Hans Publishers">', "http://x.invalid/", []),
    ('<meta name="author" content="L_104485">', "http://x.invalid/", []),
    ('<meta name="citation_authors" content="赵  培"><meta name="author" content="汉斯出版社">', "http://x.invalid/",
     ["赵培"]),
    ('<title>一篇文章 - 某某网</title><meta name="author" content="张三">', "http://x.invalid/", ["张三"]),
])
def test_meta_author_is_not_the_site(html: str, url: str, names: list[str]) -> None:
    tree = lxml.html.document_fromstring(f"<html><head>{html}</head><body><p>x</p></body></html>")
    assert find_authors([], [], [], tree, [], clean_text, site_names(tree, url))[0] == names


def test_posted_by_line_names_the_poster() -> None:
    from newsarchive.extract.authors import _posted_by

    assert _posted_by("〓 网易娱乐 明星话题 发布时间 2005/03/15 22:36:13 by duscha 〓") == ["duscha"]
    assert _posted_by("发布时间 2005/05/17 22:11:42 by 眉间尺 〓") == ["眉间尺"]
    assert _posted_by("Posted 2019-03-05 by Ann Lee") == ["Ann Lee"]
    assert _posted_by("2019-03-05 stand by me") == []
