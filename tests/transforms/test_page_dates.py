"""The published date of a web page and where it came from: the date shown by the headline,
<time>, meta tags, JSON-LD, the URL; never a modified date; the day the page shows in its own
time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from transforms.page_metadata import html_metadata

TODAY = dt.date(2025, 1, 1)
TEXT = " ".join(["The council met on Tuesday to discuss the budget for next year."] * 6)


def page(head: str = "", top: str = "", url: str = "", foot: str = "") -> str:
    link = f'<link rel="canonical" href="{url}">' if url else ""
    return (f"<!doctype html><html><head>{link}{head}</head><body><nav><a href='/'>Home</a>"
            f"</nav><article><h1>Council passes the budget</h1>{top}<p>{TEXT}</p></article>"
            f"<footer><p>{foot}</p></footer></body></html>")


LD = '<script type="application/ld+json">{{"@type": "NewsArticle", {}}}</script>'


@pytest.mark.parametrize(("markup", "expected"), [
    # the date shown under the headline, in the formats pages write it
    (page(top="<p class='meta'>By Jane Doe | June 19, 2024</p>"),
     (dt.date(2024, 6, 19), "visible")),
    (page(top="<div>Published 12.03.2024</div>"), (dt.date(2024, 3, 12), "visible")),
    (page(top="<span>Nov 18, 2019 at 9:24 pm ET</span>"), (dt.date(2019, 11, 18), "visible")),
    # the URL's date beats everything; <time> in the article beats meta tags
    (page(top="<p>June 19, 2024</p>", url="https://x.test/2024/06/18/budget/"),
     (dt.date(2024, 6, 18), "url")),
    (page(head='<meta property="article:published_time" content="2024-06-01">',
          top='<time datetime="2024-06-02">June 2</time>'), (dt.date(2024, 6, 2), "time")),
    # the page's own day, not its UTC day: 21:24 in New York is the 18th
    (page(head='<meta property="article:published_time" content="2019-11-18T21:24:00-05:00">'),
     (dt.date(2019, 11, 18), "meta")),
    (page(head=LD.format('"datePublished": "2020-05-05"')), (dt.date(2020, 5, 5), "json_ld")),
    # negatives: an "Updated" date is never the published one; nor a day the page's data names
    # as modified; a date in the footer is not the article's
    (page(top="<p>Updated June 19, 2024</p>"), (None, None)),
    (page(top="<p>Updated June 19, 2024</p>",
          head=LD.format('"datePublished": "2020-05-05", "dateModified": "2024-06-19"')),
     (dt.date(2020, 5, 5), "json_ld")),
    (page(top="<p>June 19, 2024</p>",
          head=LD.format('"datePublished": "2020-05-05", "dateModified": "2024-06-19"')),
     (dt.date(2020, 5, 5), "json_ld")),
    (page(head='<meta property="article:modified_time" content="2023-03-03">'), (None, None)),
    (page(top="<p>June 19, 2024</p>", foot="Posted March 3, 2001"),
     (dt.date(2024, 6, 19), "visible")),
    (page(), (None, None)),
])
def test_published_date_and_its_source(markup: str, expected: tuple) -> None:
    meta = html_metadata(markup, today=TODAY)
    assert (meta.get("published_date"), meta.get("date_source")) == expected
