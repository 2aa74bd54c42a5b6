"""Web pages: trafilatura's main text plus captions, credits, headings and the page's own
metadata; the same article as plain text and as a page gives the same body and captions."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
from difflib import SequenceMatcher

import pytest

from flows.adapters.resources import credit_table
from tests.conftest import SEEDS
from transforms.documents import Paragraph, ParsedDocument, parse_plain_text
from transforms.html import parse_html, with_metadata
from transforms.page_metadata import html_metadata
from transforms.values import coerce_authors, coerce_date, coerce_datetime, language_code

TABLE = credit_table()


SEED_TEXT = (SEEDS / "000_8aaec8a11970715b.txt").read_text(encoding="utf-8")
TODAY = dt.date(2025, 1, 1)
TITLE = "Kim Jong Un rolls out the red carpet for Putin in Pyongyang"
URL = "https://news.example.com/2024/12/26/kim-putin-pyongyang"


def word_similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def article_markup(parsed: ParsedDocument) -> str:
    """The article's paragraphs as the markup of a news site's <article>."""
    out: list[str] = []
    paras = parsed.paragraphs
    i = 0
    while i < len(paras):
        p = paras[i]
        esc = html_lib.escape(p.text)
        if p.role == "caption":
            credit = paras[i + 1].text if i + 1 < len(paras) and paras[i + 1].role == "credit" \
                else None
            span = f' <span class="credit">{html_lib.escape(credit)}</span>' if credit else ""
            out.append(f'<figure><img src="/img/{i}.jpg" alt=""><figcaption>{esc}{span}'
                       f"</figcaption></figure>")
            i += 2 if credit else 1
            continue
        if p.role == "body":
            out.append(f"<p>{esc}</p>")
        elif p.role == "heading":
            out.append(f"<h2>{esc}</h2>")
        i += 1
    return "\n".join(out)


def seed_page(parsed: ParsedDocument | None = None) -> str:
    """The seed article as a full web page: header, nav, JSON-LD, footer, comment section."""
    parsed = parsed or parse_plain_text(SEED_TEXT, today=TODAY, credits=TABLE)
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
          "datePublished": "2024-12-26T08:30:00+09:00",
          "author": [{"@type": "Person", "name": "Jane Doe"},
                     {"@type": "Person", "name": "John Roe"}],
          "publisher": {"@type": "Organization", "name": "Example News"}}
    return f"""<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8">
<title>{TITLE} | Example News</title>
<meta property="og:site_name" content="Example News">
<meta property="og:title" content="{TITLE}">
<link rel="canonical" href="{URL}">
<script type="application/ld+json">{json.dumps(ld)}</script>
</head><body>
<header class="site-header"><a class="logo" href="/">Example News</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/markets">Markets</a></li>
<li><a href="/politics">Politics</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
</header>
<main><article>
<h1>{TITLE}</h1>
<p class="byline">By Jane Doe and John Roe</p>
<time datetime="2024-12-26T08:30:00+09:00">Thu, Dec 26 2024</time>
{article_markup(parsed)}
</article>
<section id="comments" class="comments"><h3>2 Comments</h3>
<div class="comment"><p class="author">kimfan99</p><p>What a spectacle, I could not
believe the size of the crowds that came out to greet the Russian leader that morning.</p></div>
<div class="comment"><p class="author">realist</p><p>Propaganda, plain and simple. None of
this changes anything for the people who live there and never will.</p></div>
<form><textarea name="comment"></textarea><button>Post comment</button></form>
</section></main>
<footer><p>© 2024 Example News. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li>
</ul></footer>
</body></html>"""


@pytest.fixture(scope="module")
def txt_doc() -> ParsedDocument:
    return parse_plain_text(SEED_TEXT, today=TODAY, credits=TABLE)


@pytest.fixture(scope="module")
def html_doc(txt_doc: ParsedDocument) -> ParsedDocument:
    return parse_html(seed_page(txt_doc), {}, today=TODAY, credits=TABLE)


def test_page_body_matches_the_plain_text(txt_doc: ParsedDocument,
                                          html_doc: ParsedDocument) -> None:
    assert word_similarity(txt_doc.body_text, html_doc.body_text) >= 0.98


def test_page_keeps_captions_with_credits_in_order(txt_doc: ParsedDocument,
                                                   html_doc: ParsedDocument) -> None:
    assert [(c.text, c.credit) for c in html_doc.captions] == \
        [(c.text, c.credit) for c in txt_doc.captions]
    assert html_doc.captions[0].credit == "Anthony Wallace | AFP | Getty Images"


def test_page_keeps_headings_in_body(txt_doc: ParsedDocument, html_doc: ParsedDocument) -> None:
    headings = [p.text for p in html_doc.paragraphs if p.role == "heading"]
    assert headings == [p.text for p in txt_doc.paragraphs if p.role == "heading"]
    assert "What did Russia gain?" in html_doc.body_text


@pytest.mark.parametrize("dropped", [
    "Example News. All rights reserved", "Privacy policy", "Markets", "kimfan99",
    "Propaganda, plain and simple", "By Jane Doe", "Post comment",
])
def test_page_furniture_is_dropped(html_doc: ParsedDocument, dropped: str) -> None:
    assert dropped not in html_doc.body_text
    assert all(dropped not in c.text for c in html_doc.captions)


def test_page_title_and_date(html_doc: ParsedDocument) -> None:
    assert html_doc.title == TITLE
    assert html_doc.published_date == dt.date(2024, 12, 26)


def test_html_metadata_reads_the_page() -> None:
    meta = html_metadata(seed_page(), today=TODAY)
    assert meta == {"title": TITLE, "published_date": dt.date(2024, 12, 26),
                    "date_source": "json_ld", "authors": ["Jane Doe", "John Roe"],
                    "publisher": "Example News",
                    "url": URL, "canonical_url": URL, "language": "en"}


def page(head: str = "", body: str = "", lang: str = "") -> str:
    text = " ".join(["The council met on Tuesday to discuss the budget for next year."] * 6)
    return (f"<!doctype html><html{lang}><head>{head}</head><body><article>{body}"
            f"<p>{text}</p></article></body></html>")


@pytest.mark.parametrize(("markup", "expected"), [
    (page(head='<meta property="article:published_time" content="2024-06-19T10:00:00Z">'),
     dt.date(2024, 6, 19)),
    (page(body='<time datetime="2023-03-04">March 4</time>'), dt.date(2023, 3, 4)),
    (page(head='<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
               '{"@type": "NewsArticle", "datePublished": "2022-02-02"}]}</script>'),
     dt.date(2022, 2, 2)),
    # trusted first (transforms.page_dates.TRUST): <time> in the article, then the publication
    # meta tags, which beat JSON-LD; a modified date is never the publication date
    (page(head='<meta name="pubdate" content="2021-01-01"><script type="application/ld+json">'
               '{"@type": "Article", "datePublished": "2020-05-05"}</script>',
          body='<time datetime="2019-09-09">x</time>'), dt.date(2019, 9, 9)),
    (page(head='<meta name="pubdate" content="2021-01-01"><script type="application/ld+json">'
               '{"@type": "Article", "datePublished": "2020-05-05"}</script>'),
     dt.date(2021, 1, 1)),
    (page(head='<script type="application/ld+json">{"@type": "Article", "datePublished": '
               '"2020-05-05", "dateModified": "2023-03-03"}</script>'), dt.date(2020, 5, 5)),
    (page(head='<meta property="article:modified_time" content="2023-03-03">'
               '<meta property="article:published_time" content="2020-05-05">'),
     dt.date(2020, 5, 5)),
    # negatives: a future date, a date before 1990, broken JSON-LD, no date at all
    (page(head='<meta property="article:published_time" content="2031-01-01">'), None),
    (page(body='<time datetime="1970-01-01">x</time>'), None),
    (page(head='<script type="application/ld+json">{"datePublished": </script>'), None),
    (page(), None),
])
def test_page_date(markup: str, expected: dt.date | None) -> None:
    assert html_metadata(markup, today=TODAY).get("published_date") == expected


@pytest.mark.parametrize(("lang", "expected"), [
    (' lang="en-GB"', "en"), (' lang="DE"', "de"), (' lang="x"', None), ("", None),
])
def test_page_language(lang: str, expected: str | None) -> None:
    assert html_metadata(page(lang=lang)).get("language") == expected


@pytest.mark.parametrize(("figure", "caption", "credit"), [
    ('<figure><img src="a.jpg"><figcaption>Crowds in the square. <span class="credit">'
     "Anthony Wallace | AFP | Getty Images</span></figcaption></figure>",
     "Crowds in the square.", "Anthony Wallace | AFP | Getty Images"),
    # credit at the end of the caption, no span
    ('<figure><img src="b.jpg"><figcaption>Crowds in the square. (AP Photo/Evan Vucci)'
     "</figcaption></figure>", "Crowds in the square.", "(AP Photo/Evan Vucci)"),
    # credit outside the figcaption, inside the figure
    ('<figure><img src="c.jpg"><figcaption>Crowds in the square.</figcaption>'
     '<small class="image-credit">Reuters</small></figure>', "Crowds in the square.", "Reuters"),
    # negatives: no credit; a sentence that only looks like one
    ('<figure><img src="d.jpg"><figcaption>Crowds in the square.</figcaption></figure>',
     "Crowds in the square.", None),
    ('<figure><img src="e.jpg"><figcaption>Crowds gathered, AFP reported.</figcaption>'
     "</figure>", "Crowds gathered, AFP reported.", None),
])
def test_figure_captions_and_credits(figure: str, caption: str, credit: str | None) -> None:
    parsed = parse_html(page(body=f"<p>{'Opening words of the story here. ' * 5}</p>{figure}"),
                        credits=TABLE)
    assert [(c.text, c.credit) for c in parsed.captions] == [(caption, credit)]
    assert caption not in parsed.body_text


@pytest.mark.parametrize("where", [
    "<nav>{}</nav>", "<footer>{}</footer>", '<div class="related-stories">{}</div>',
])
def test_figures_outside_the_article_are_ignored(where: str) -> None:
    fig = ('<figure><img src="x.jpg"><figcaption>Promo picture <span class="credit">'
           "Getty Images</span></figcaption></figure>")
    markup = page().replace("<body>", "<body>" + where.format(fig))
    assert parse_html(markup, credits=TABLE).captions == ()


@pytest.mark.parametrize("markup", [
    "", "   ", "<html><body></body></html>",
    "<!doctype html><html><body><nav><a href='/'>Home</a></nav><footer>© 2024 Site</footer>"
    "</body></html>",
])
def test_pages_without_an_article_have_no_body(markup: str) -> None:
    assert parse_html(markup, {}, credits=TABLE).body_text == ""


def test_caller_metadata_wins_over_the_page() -> None:
    parsed = parse_html(seed_page(), {"title": "Wire headline",
                                      "published_date": dt.date(2024, 12, 27)}, today=TODAY,
                        credits=TABLE)
    assert (parsed.title, parsed.published_date) == ("Wire headline", dt.date(2024, 12, 27))


TEXT_WITH_GUESSED_TITLE = "Markets rallied on Friday\n\nStocks rose sharply as investors cheered."


@pytest.mark.parametrize(("metadata", "title", "date", "body_starts"), [
    ({}, "Markets rallied on Friday", None, "Stocks"),
    ({"title": "Markets rallied on Friday"}, "Markets rallied on Friday", None, "Stocks"),
    # the known title differs: the guessed "title" was the first body line
    ({"title": "Wall Street closes higher"}, "Wall Street closes higher", None, "Markets"),
    ({"published_date": "2024-06-19T10:00:00Z"}, "Markets rallied on Friday",
     dt.date(2024, 6, 19), "Stocks"),
    ({"published_date": "not a date", "title": "  "}, "Markets rallied on Friday", None,
     "Stocks"),
])
def test_with_metadata(metadata: dict, title: str, date: dt.date | None,
                       body_starts: str) -> None:
    parsed = parse_plain_text(TEXT_WITH_GUESSED_TITLE, today=TODAY, credits=TABLE)
    before = parsed
    out = with_metadata(parsed, metadata, today=TODAY)
    assert (out.title, out.published_date) == (title, date)
    assert out.body_text.startswith(body_starts)
    assert parsed == before and parsed.paragraphs[0] == Paragraph(
        "Markets rallied on Friday", "title")  # input untouched


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-06-19", dt.date(2024, 6, 19)), ("2024-06-19T23:30:00-05:00", dt.date(2024, 6, 19)),
    ("June 19, 2024", dt.date(2024, 6, 19)), (dt.datetime(2024, 6, 19, 5), dt.date(2024, 6, 19)),
    ("", None), (None, None), ("yesterday", None), ("2099-01-01", None), ([2024], None),
])
def test_coerce_date(value: object, expected: dt.date | None) -> None:
    assert coerce_date(value, TODAY) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("2024-06-19T10:00:00Z", dt.datetime(2024, 6, 19, 10, tzinfo=dt.UTC)),
    ("2024-06-19T10:00:00", dt.datetime(2024, 6, 19, 10, tzinfo=dt.UTC)),
    (0, dt.datetime(1970, 1, 1, tzinfo=dt.UTC)), ("nope", None), (None, None), (True, None),
])
def test_coerce_datetime(value: object, expected: dt.datetime | None) -> None:
    assert coerce_datetime(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Jane Doe", ["Jane Doe"]), ("By Jane Doe and John Roe", ["Jane Doe", "John Roe"]),
    ("Jane Doe; John Roe", ["Jane Doe", "John Roe"]), (["Jane Doe", "Jane Doe"], ["Jane Doe"]),
    ([{"@type": "Person", "name": "Jane Doe"}], ["Jane Doe"]),
    ("https://example.com/staff/jane", None), ("", None), (None, None), (42, None),
    # bylines in the languages of the pages, role words and degrees left out
    ("Von Anna Schmidt und Jan Roe", ["Anna Schmidt", "Jan Roe"]),
    ("Von: Björn Jahner", ["Björn Jahner"]),
    ("Veröffentlicht vonChris Jung", ["Chris Jung"]), ("Autor: Peter Maahn", ["Peter Maahn"]),
    ("Text von Christian Seiler", ["Christian Seiler"]), ("par Marie Dupont", ["Marie Dupont"]),
    ("Interview Julia Lauter", ["Julia Lauter"]), ("Grant Tinsley, PhD", ["Grant Tinsley"]),
    ("Sara Zinnecker Stand 12.01.2022", ["Sara Zinnecker"]),
    # names that merely start like a prefix stay whole
    ("Vonnegut Kurt", ["Vonnegut Kurt"]), ("Jane Byrne", ["Jane Byrne"]),
    ("Parker Posey", ["Parker Posey"]),
])
def test_coerce_authors(value: object, expected: list[str] | None) -> None:
    assert coerce_authors(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("en", "en"), ("en-US", "en"), ("pt_BR", "pt"), ("english", None), ("", None), (None, None),
])
def test_language_code(value: object, expected: str | None) -> None:
    assert language_code(value) == expected


SITE = '<meta property="og:site_name" content="Example News">'


@pytest.mark.parametrize(("head", "body", "expected"), [
    # og:site_name names the suffix
    (f"{SITE}<title>Budget passes | Example News</title>", "", "Budget passes"),
    # the domain names it (no og:site_name)
    ('<title>Plejaden, M45 - Abenteuer Astronomie</title>'
     '<link rel="canonical" href="https://www.abenteuer-astronomie.de/plejaden">', "",
     "Plejaden, M45"),
    # the page banner names it
    ("<title>Was ist Virales Marketing? | DimidoBlog</title>",
     '<header><div class="site-title">DimidoBlog</div></header>', "Was ist Virales Marketing?"),
    # the article's h1 where it agrees with og:title (a kicker line apart from the headline)
    (f'{SITE}<meta property="og:title" content="Paris - Drinks by boat to the centre">',
     "<h1>Paris<br>Drinks by boat to the centre</h1>", "Drinks by boat to the centre"),
    # one headline broken over two lines stays one headline
    (f'{SITE}<meta property="og:title" content="Dance at the depot: Washed in all waters">',
     "<h1>Dance at the depot:<br>Washed in all waters</h1>",
     "Dance at the depot: Washed in all waters"),
    # an h1 that is the site's name is not the title
    (f'{SITE}<meta property="og:title" content="Budget passes">', "<h1>Example News</h1>",
     "Budget passes"),
    # negatives: separators inside a real title stay when nothing says they are the site
    ("<title>Leasing oder Finanzierung – was lohnt sich mehr?</title>", "",
     "Leasing oder Finanzierung – was lohnt sich mehr?"),
    (f"{SITE}<title>Kim meets Putin: what we know | Russia and North Korea</title>", "",
     "Kim meets Putin: what we know | Russia and North Korea"),
    # a short tail after the headline is a section or a format, not part of it
    (f"{SITE}<title>Kim meets Putin: what we know | Analysis</title>", "",
     "Kim meets Putin: what we know"),
    ("<title>Best Movers in NYC 2025 | Top 19 Companies</title>",
     "<h1>Best Movers in NYC 2025 | Top 19 Companies</h1>", "Best Movers in NYC 2025"),
    # the article's only headline, where og:title says something else
    (f'{SITE}<meta property="og:title" content="Ten tips for renting a car">',
     "<h1>Need a change? How to rent a car</h1>", "Need a change? How to rent a car"),
])
def test_page_title_strips_the_site_only_on_evidence(head: str, body: str, expected: str) -> None:
    markup = (page(head=head).replace("<body>", f"<body>{body}") if body.startswith("<header")
              else page(head=head, body=body))  # a page banner sits outside the article
    assert html_metadata(markup).get("title") == expected


@pytest.mark.parametrize(("head", "body", "expected"), [
    # JSON-LD people first; an organisation there is passed over for the byline
    ('<script type="application/ld+json">{"@type": "NewsArticle", "author": [{"@type": '
     '"Person", "name": "Jane Doe"}]}</script>', '<p class="byline">By John Roe</p>',
     ["Jane Doe"]),
    ('<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": '
     '"Organization", "name": "Example News"}}</script>', '<span class="author">By John Roe'
     "</span>", ["John Roe"]),
    # a byline line in the article
    ("", "<p><i>von Daniela Obers</i></p>", ["Daniela Obers"]),
    ("", "<p><strong>Text:</strong> Klausmartin Friedrich</p>", ["Klausmartin Friedrich"]),
    # the site itself is no author, even when nothing else signs the article
    (f'{SITE}<meta name="author" content="Example News">', "", None),
    (f'{SITE}<meta name="author" content="Example News">', '<a rel="author">Jane Doe</a>',
     ["Jane Doe"]),
    # negatives: a long sentence, a comment's author, nothing at all
    ("", "<p>By the time the council met, the budget had already been cut twice.</p>", None),
    ("", '<div class="comments"><span class="author">kimfan99</span></div>', None),
    ("", "", None),
])
def test_page_authors(head: str, body: str, expected: list[str] | None) -> None:
    assert html_metadata(page(head=head, body=body)).get("authors") == expected
