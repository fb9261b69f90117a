"""extract_with_profile: a site profile is used only where it leaves the article standing."""

from __future__ import annotations

from newsarchive.extract import SiteProfile, extract
from newsarchive.extract.profiled import extract_with_profile

BOX = "关于本报：本报创办于一九九八年，是本市发行量最大的综合性日报，读者遍及全省各地。"
MORE = "记者从有关部门了解到，相关工作将按计划推进，进展情况将及时向社会公布，欢迎市民监督。"
STORIES = ["市交通部门宣布，跨江大桥将于下月起夜间封闭施工，届时过江车辆需绕行隧道，公交线路也将临时调整。",
           "城南污水处理厂二期工程正式投运，日处理能力提高一倍，周边河道水质将进一步改善。",
           "全市中小学暑期托管服务报名开始，家长可通过学校公众号为孩子选报课程和时段。",
           "今年首批保障性租赁住房开始配租，符合条件的新就业大学生可在网上提交申请。"]
DETAILS = ["施工期间，大桥两端将设置醒目的绕行标志，交警部门将在高峰时段增派警力疏导交通。",
           "据介绍，二期工程采用新型膜处理工艺，出水水质达到地表水准四类标准，可用于绿化灌溉。",
           "托管服务以看护为主，兼顾阅读、体育和艺术活动，收费标准按照成本核定，困难家庭予以减免。",
           "首批房源共计一千二百套，分布在地铁沿线的五个小区，租金低于同地段市场租金的百分之二十。"]


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{text}</p>" for text in (*paragraphs, BOX))
    return (f"<html><head><title>{title}_通报网</title></head><body><h1>{title}</h1>"
            f"<div class='info'>2024-05-06 10:20 来源：通报网</div>"
            f"<div class='story'>{body}</div></body></html>").encode()


def test_a_profile_that_would_leave_no_article_is_not_used() -> None:
    # A host whose pages all carry one and the same text: the profile takes it for chrome.
    pages = [(_page(f"第{n}号通报", [MORE, MORE]), f"http://notice.test/{n}.html")
             for n in range(4)]
    profile = SiteProfile.from_pages("notice.test", pages)
    assert profile.is_chrome(MORE)
    body, url = pages[0]
    article = extract_with_profile(body, url, profile=profile)
    assert article.paragraphs == extract(body, url).paragraphs
    assert article.evidence["profile"]["unused"] == "with it the page held no article"


def test_a_profile_is_used_where_the_article_stands_without_its_chrome() -> None:
    pages = [(_page(f"第{n}号通报", [text, detail]), f"http://notice.test/{n}.html")
             for n, (text, detail) in enumerate(zip(STORIES, DETAILS, strict=True))]
    profile = SiteProfile.from_pages("notice.test", pages[1:])
    body, url = pages[0]
    article = extract_with_profile(body, url, profile=profile)
    assert article.paragraphs == [STORIES[0], DETAILS[0]]
    assert "unused" not in article.evidence["profile"]
    assert extract_with_profile(body, url).paragraphs == [STORIES[0], DETAILS[0], BOX]
