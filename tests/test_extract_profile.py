"""Per-site profiles on a hand-made portal: blocks repeated across a host's pages are its chrome."""

from __future__ import annotations

import json
import pickle

import pytest

from newsarchive.extract import SiteProfile, extract
from newsarchive.extract.profile import fingerprint, page_fingerprints

STORIES = [
    ("Harbour crane order signed", "The port authority signed an order for four electric cranes on Monday, the largest purchase in its history.",
     "Deliveries start next spring, and the old diesel cranes will be sold to a smaller port."),
    ("Ferry timetable changes", "The island ferry will run every forty minutes from June, up from once an hour, the operator said.",
     "Evening sailings stay as they are, and the first morning boat leaves ten minutes earlier."),
    ("New cycle lane opens", "A two-kilometre cycle lane along the river opened on Saturday after eight months of work.",
     "The city plans to link it to the station by the end of next year."),
    ("Library hours extended", "The central library will open until ten at night on weekdays from next month.",
     "The longer hours are paid for by a grant from the regional council."),
]


def page(title: str, first: str, second: str) -> bytes:
    return f"""<html><head><title>{title} | Harbour Daily</title></head><body>
<div class="top"><a href="/">Harbour Daily</a></div>
<h1>{title}</h1>
<div class="story">
<p>{first}</p>
<p>{second}</p>
<p>About Harbour Daily: an independent newsroom covering the port and the islands since 1998.</p>
<p>Get the morning briefing in your inbox every weekday at seven.</p>
</div>
</body></html>""".encode()


def pages() -> list[tuple[bytes, str]]:
    return [(page(*story), f"http://harbour.example.test/news/{i}.html") for i, story in enumerate(STORIES)]


def test_without_a_profile_the_standing_boxes_stay() -> None:
    body, url = pages()[0]
    assert "Get the morning briefing in your inbox every weekday at seven." in extract(body, url).paragraphs


def test_profile_from_the_other_pages_drops_the_standing_boxes() -> None:
    all_pages = pages()
    profile = SiteProfile.from_pages("harbour.example.test", all_pages[1:])
    body, url = all_pages[0]
    article = extract(body, url, profile=profile)
    assert article.paragraphs == [STORIES[0][1], STORIES[0][2]]
    assert article.title == "Harbour crane order signed"
    assert article.evidence["profile"] == {"host": "harbour.example.test", "pages": 3,
                                           "chrome_blocks": len(profile.chrome)}


def test_profile_is_a_pure_value() -> None:
    profile = SiteProfile.learn("h", [page_fingerprints(b, u) for b, u in pages()])
    assert pickle.loads(pickle.dumps(profile)) == profile
    assert SiteProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile
    assert profile.is_chrome("About Harbour Daily: an independent newsroom covering the port and the islands since 1998.")
    assert not profile.is_chrome(STORIES[0][1])
    with pytest.raises(ValueError):
        SiteProfile.from_dict({"version": 0})


def test_one_page_teaches_nothing() -> None:
    body, url = pages()[0]
    assert SiteProfile.from_pages("h", [(body, url)]).chrome == frozenset()


def test_fingerprint_folds_digits_and_spaces() -> None:
    assert fingerprint("Read 1,234 times") == fingerprint("Read  99 times")
    assert fingerprint("短") is None
