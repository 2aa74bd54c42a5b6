from __future__ import annotations

import pytest

from flows.adapters.resources import credit_table
from transforms.captions import (
    Caption,
    Credit,
    caption_records,
    is_credit_line,
    parse_credit,
    split_inline_credit,
)
from transforms.schemas import CAPTIONS, PARTITION, stable_id

TABLE = credit_table()


CREDITS = [
    # credit line, photographer, agency, distributor
    ("Anthony Wallace | AFP | Getty Images", "Anthony Wallace", "AFP", "Getty Images"),
    ("Contributors | Getty Images News | Getty Images", None, "Getty Images News", "Getty Images"),
    ("Staff | Reuters", None, "Reuters", None),
    ("Stringer | Reuters", None, "Reuters", None),
    ("Adam Jeffery | CNBC", "Adam Jeffery", "CNBC", None),
    ("Mandel Ngan/AFP via Getty Images", "Mandel Ngan", "AFP", "Getty Images"),
    ("Jung Yeon-je/AFP via Getty Images", "Jung Yeon-je", "AFP", "Getty Images"),
    ("Pool/AFP via Getty Images", None, "AFP", "Getty Images"),
    ("Handout/Reuters", None, "Reuters", None),
    ("(AP Photo/Evan Vucci)", "Evan Vucci", "AP", None),
    ("AP Photo/Evan Vucci, File", "Evan Vucci", "AP", None),
    ("(AP Photo/Ahn Young-joon, Pool)", "Ahn Young-joon", "AP", None),
    ("REUTERS/Evelyn Hockstein", "Evelyn Hockstein", "Reuters", None),
    ("Reuters/Evelyn Hockstein/File Photo", "Evelyn Hockstein", "Reuters", None),
    ("Photo by Chip Somodevilla/Getty Images", "Chip Somodevilla", "Getty Images", None),
    ("Photo by Anna Moneymaker/AFP", "Anna Moneymaker", "AFP", None),
    ("Photo: Jane Doe / Bloomberg", "Jane Doe", "Bloomberg", None),
    ("Photograph: Evan Vucci/AP", "Evan Vucci", "AP", None),
    ("Credit: Doug Mills for The New York Times", "Doug Mills", "The New York Times", None),
    ("Credit...Doug Mills/The New York Times", "Doug Mills", "The New York Times", None),
    ("Getty Images", None, "Getty Images", None),
    ("Getty.", None, "Getty Images", None),
    ("Joe Raedle/Getty Images", "Joe Raedle", "Getty Images", None),
    ("Scott Olson via Getty Images.", "Scott Olson", "Getty Images", None),
    ("EPA-EFE/Jim Lo Scalzo", "Jim Lo Scalzo", "EPA-EFE", None),
    ("Jim Lo Scalzo/EPA-EFE/Shutterstock", "Jim Lo Scalzo", "EPA-EFE", "Shutterstock"),
    ("MANDEL NGAN/afp", "MANDEL NGAN", "AFP", None),
    ("Courtesy of the White House", None, "the White House", None),
    ("Photo by Name Surname/SOPA Images/LightRocket via Getty Images", "Name Surname",
     "SOPA Images", "Getty Images"),
]

# Conventions of issue 20, one row each: credit line, photographer, agency, distributor.
CREDIT_CONVENTIONS = [
    ("three parts after 'Credit:'", "Credit: Ou Dongqu/Xinhua/ZUMA", "Ou Dongqu", "Xinhua",
     None),
    ("German 'Foto' after '©', a web address as the library, a handle as the photographer",
     "© Foto: marcogarrincha/Shutterstock.com", "marcogarrincha", "Shutterstock", None),
    ("stacked prefixes 'Credit: Photo:'", "Credit: Photo: PA", None, "PA", None),
    ("'©' then 'Copyright:'", "© Copyright: iStock.com/asbe", "asbe", "iStock", None),
    ("library name written as one word", "GettyImages", None, "Getty Images", None),
    ("lone library is the agency", "Shutterstock", None, "Shutterstock", None),
    ("'Photo by Name / Agency'", "Photo by Pedro Pardo / AFP", "Pedro Pardo", "AFP", None),
    ("'Name for the Outlet' in lower case", "Photograph: Andrew Yee for the Guardian",
     "Andrew Yee", "The Guardian", None),
    ("'/for Outlet'", "Kevin C. Downs/for New York Daily News", "Kevin C. Downs",
     "New York Daily News", None),
    ("agency passed on by another: 'APA (dpa)'", "© APA/APA (dpa)/Jens Büttner",
     "Jens Büttner", "DPA", "APA"),
    ("a known name that starts like a prefix", "(picture-alliance/dpa/L. Schwedes)",
     "L. Schwedes", "picture alliance", None),
    ("file year and the agency's long name", "(File 2013/The Associated Press)", None, "AP",
     None),
    ("'Uncredited' names no one", "AP Photo/Uncredited", None, "AP", None),
    ("'Name, AP' after 'Photo:'", "Photo: John Locher, AP", "John Locher", "AP", None),
    ("'via' after a bar", "Rep. Mark Meadows | Alex Wong/Getty Images", None, None, None),
]


@pytest.mark.parametrize(("convention", "line", "photographer", "agency", "distributor"),
                         CREDIT_CONVENTIONS[:-1], ids=[c[0] for c in CREDIT_CONVENTIONS[:-1]])
def test_credit_conventions(convention: str, line: str, photographer: str | None,
                            agency: str | None, distributor: str | None) -> None:
    assert is_credit_line(line, TABLE)
    assert parse_credit(line, TABLE) == Credit(photographer, agency, distributor)


@pytest.mark.parametrize(("convention", "caption", "expected"), [
    ("'Credit:' glued to the sentence",
     "Seen from the dish.Credit: Ou Dongqu/Xinhua/ZUMA",
     ("Seen from the dish.", "Credit: Ou Dongqu/Xinhua/ZUMA")),
    ("trailing library after a sentence", "Les clés pour aller bien. Getty Images",
     ("Les clés pour aller bien.", "Getty Images")),
    ("trailing library after a name, no punctuation", "Dee Dee Myers Getty Images",
     ("Dee Dee Myers", "Getty Images")),
    ("agency and library glued to the last word", "Students in southwest EnglandAFP via Getty",
     ("Students in southwest England", "AFP via Getty")),
    ("caption and credit split by a bar", "Rep. Mark Meadows. | Alex Wong/Getty Images",
     ("Rep. Mark Meadows.", "Alex Wong/Getty Images")),
    ("credit after a hyphen", "Young woman at home - Stephen Zeigler/Taxi/Getty Images",
     ("Young woman at home", "Stephen Zeigler/Taxi/Getty Images")),
    ("'©' credit", "Asus VivoBook im Test © Copyright: iStock.com/asbe",
     ("Asus VivoBook im Test", "© Copyright: iStock.com/asbe")),
    ("credit after a closing apostrophe",
     "Wiig: 'It was the biggest role.' Photograph: Andrew Yee for the Guardian",
     ("Wiig: 'It was the biggest role.'", "Photograph: Andrew Yee for the Guardian")),
    # negatives: an agency named as the caption's own words, a person after a hyphen, a
    # trailing name that is no library
    ("negative: an agency as the caption's object", "The minister in an interview with Reuters",
     ("The minister in an interview with Reuters", None)),
    ("negative: a person after a hyphen", "Liverpool - Chelsea at Anfield",
     ("Liverpool - Chelsea at Anfield", None)),
    ("negative: a glued word that is no agency", "The view from the MountainTop",
     ("The view from the MountainTop", None)),
    ("negative: a handle without an agency", "Seen from above. Photo: someone/somewhere",
     ("Seen from above. Photo: someone/somewhere", None)),
], ids=lambda v: v if isinstance(v, str) else "")
def test_inline_credit_conventions_in_picture_text(convention: str, caption: str,
                                                   expected: tuple[str, str | None]) -> None:
    assert split_inline_credit(caption, TABLE, picture=True) == expected


@pytest.mark.parametrize("text", [
    "Credit: the council voted on Tuesday.",
    "Foto: Das Wetter wird schön",
    "© 2024 Example News",
    "marcogarrincha/somebody",
    "Photograph: what we saw in 2019 was new.",
    "for the Guardian",
    "File 2013",
], ids=lambda v: v)
def test_convention_negatives_are_not_credit_lines(text: str) -> None:
    assert not is_credit_line(text, TABLE)


@pytest.mark.parametrize(("line", "photographer", "agency", "distributor"), CREDITS)
def test_credit_lines_are_recognised_and_parsed(
    line: str, photographer: str | None, agency: str | None, distributor: str | None
) -> None:
    assert is_credit_line(line, TABLE)
    assert parse_credit(line, TABLE) == Credit(photographer, agency, distributor)


@pytest.mark.parametrize("text", [
    "The 24/7 news cycle is relentless.",
    "He said the and/or clause was void.",
    "Trump | Clinton",
    "Either/Or",
    "Photo ID laws are contested in court.",
    "Photo by photo, the exhibit shows how the city changed.",
    "Photo: Trump speaks at a rally in Ohio",
    "Credit card debt soared to a record in June.",
    "Anthony Wallace",
    "Knack for Deals.",
    "What can North Korea get from Putin?",
    "Reuters reported that Kim met Putin. AFP said nothing.",
    "",
    "   ",
    "|||",
    "A" * 500 + " / Getty Images",
    "Courtesy of the family. They said it was taken in 1990. Nobody knows.",
])
def test_ordinary_text_is_not_a_credit_line(text: str) -> None:
    assert not is_credit_line(text, TABLE)


@pytest.mark.parametrize(("caption", "expected"), [
    ("Kim greets Putin, June 19, 2024. (AP Photo/Evan Vucci)",
     ("Kim greets Putin, June 19, 2024.", "(AP Photo/Evan Vucci)")),
    ("Kim greets Putin on June 19, 2024. REUTERS/Evelyn Hockstein/File Photo",
     ("Kim greets Putin on June 19, 2024.", "REUTERS/Evelyn Hockstein/File Photo")),
    ("Kim greets Putin.\nAnthony Wallace | AFP | Getty Images",
     ("Kim greets Putin.", "Anthony Wallace | AFP | Getty Images")),
    ("Kim greets Putin — Mandel Ngan/AFP via Getty Images",
     ("Kim greets Putin", "Mandel Ngan/AFP via Getty Images")),
    ("Crowds in Pyongyang. Photo: Jane Doe / Bloomberg",
     ("Crowds in Pyongyang.", "Photo: Jane Doe / Bloomberg")),
    # negatives: a wire attribution or a sentence is not a picture credit
    ("Trade rose, he said. (Reuters)", ("Trade rose, he said. (Reuters)", None)),
    ("Trade rose. Reuters", ("Trade rose. Reuters", None)),
    ("Kim greets Putin.", ("Kim greets Putin.", None)),
    ("(AP Photo/Evan Vucci)", ("(AP Photo/Evan Vucci)", None)),
    ("", ("", None)),
])
def test_split_inline_credit(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_inline_credit(caption, TABLE) == expected


def test_parse_credit_of_nonsense_is_empty() -> None:
    assert parse_credit("It rained all day in the capital.", TABLE) == Credit(None, None, None)


def test_caption_records_match_the_schema() -> None:
    captions = [
        Caption(0, "Kim greets Putin.", "Anthony Wallace | AFP | Getty Images"),
        Caption(1, "A crowd.", None),
    ]
    rows = caption_records("a1", captions, TABLE)
    assert rows == [
        {"caption_id": stable_id("a1", "caption", 0), "article_id": "a1", "position": 0,
         "caption_text": "Kim greets Putin.", "credit_text": "Anthony Wallace | AFP | Getty Images",
         "photographer": "Anthony Wallace", "agency": "AFP", "distributor": "Getty Images"},
        {"caption_id": stable_id("a1", "caption", 1), "article_id": "a1", "position": 1,
         "caption_text": "A crowd.", "credit_text": None,
         "photographer": None, "agency": None, "distributor": None},
    ]
    glue_columns = {"source_uri", "content_sha256", PARTITION}
    assert set(rows[0]) == set(CAPTIONS.names) - glue_columns
    assert caption_records("a1", [], TABLE) == []


# -- captions on real markup: one case per convention, as the sites of the issue write them ----
# Each row: the convention, the markup of the picture, then the expected caption text, credit
# line, photographer, agency and distributor. The markup follows the structure of real news
# pages (class names and nesting as published); the texts are short stand-ins.
LEAD = "<p>" + "The council met on Tuesday to discuss the budget for next year. " * 4 + "</p>"
FOLLOW = "<p>Members voted after a long debate about the new schools and roads.</p>"

MARKUP_CASES = [
    ("reuters: figcaption 'FILE PHOTO: ... REUTERS/Name'",
     '<figure><img src="/r.jpg" alt=""><figcaption>FILE PHOTO: A trader works on the floor of '
     "the exchange in New York. REUTERS/Brendan McDermid</figcaption></figure>",
     "FILE PHOTO: A trader works on the floor of the exchange in New York.",
     "REUTERS/Brendan McDermid", "Brendan McDermid", "Reuters", None),
    ("ap: div.caption ending '(AP Photo/Name, File)'",
     '<div class="image"><img src="/ap.jpg" alt=""><div class="caption">Police stand guard '
     "outside the courthouse. (AP Photo/Alan Diaz, File)</div></div>",
     "Police stand guard outside the courthouse.", "(AP Photo/Alan Diaz, File)", "Alan Diaz",
     "AP", None),
    ("separate credit element: div.control-bar-credit 'Photo: Name, AP'",
     '<div class="media"><img src="/m.jpg" alt=""><div class="control-bar"><div '
     'class="control-bar-caption">Firefighters work on the hills above the city.</div>'
     '<div class="control-bar-credit">Photo: Damian Dovarganes, AP</div></div></div>',
     "Firefighters work on the hills above the city.", "Photo: Damian Dovarganes, AP",
     "Damian Dovarganes", "AP", None),
    ("div.image-credit 'Name, Associated Press' beside the caption",
     '<div class="article-image"><img src="/s.jpg" alt=""><div class="image-caption">The '
     'governor signs the bill in Lansing.</div><div class="image-credit">Al Goldis, Associated '
     "Press</div></div>",
     "The governor signs the bill in Lansing.", "Al Goldis, Associated Press", "Al Goldis", "AP",
     None),
    ("embed credit 'Name | Agency | Distributor'",
     '<figure class="embed"><img src="/b.jpg" alt=""><figcaption><span class="caption-text">A '
     'tanker near the port.</span><span class="embed-credit">Natalie Naccache | Bloomberg | '
     "Getty Images</span></figcaption></figure>",
     "A tanker near the port.", "Natalie Naccache | Bloomberg | Getty Images",
     "Natalie Naccache", "Bloomberg", "Getty Images"),
    ("span.newsCaption ending '(Image: GETTY )'",
     '<div class="inline-image"><img src="/e.jpg" alt=""><span class="newsCaption">Fans '
     "gather outside the stadium (Image: GETTY )</span></div>",
     "Fans gather outside the stadium", "(Image: GETTY )", None, "Getty Images", None),
    ("'© Name' in a caption span",
     '<figure><img src="/c.jpg" alt=""><figcaption><span class="caption">The skyline at '
     'dusk.</span> <span class="copyright">© John Brecher</span></figcaption></figure>',
     "The skyline at dusk.", "© John Brecher", "John Brecher", None, None),
    ("img alt text ending '(Shutterstock)'",
     '<img src="/harbour.jpg" alt="Boats in the harbour at sunrise (Shutterstock)">',
     "Boats in the harbour at sunrise", "(Shutterstock)", None, "Shutterstock", None),
    ("guardian: 'Photograph: Name/Agency'",
     '<figure><img src="/g.jpg" alt=""><figcaption><span class="caption">Protesters in '
     'Whitehall.</span> Photograph: Tom Jenkins/The Guardian</figcaption></figure>',
     "Protesters in Whitehall.", "Photograph: Tom Jenkins/The Guardian", "Tom Jenkins",
     "The Guardian", None),
    ("wordpress: div.wp-caption with p.credit and p.wp-caption-text (German 'Bild:')",
     '<div class="wp-caption alignnone"><img src="/w.jpg" alt=""><p class="credit">Bild: Jahr '
     'Media</p><p class="wp-caption-text">Anglerinnen und Angler am Ufer.</p></div>',
     "Anglerinnen und Angler am Ufer.", "Bild: Jahr Media", None, "Jahr Media", None),
    ("itemprop caption with '(C) Name' on its own line",
     '<div itemscope itemtype="https://schema.org/ImageObject"><img src="/i.jpg" alt="">'
     '<p itemprop="caption">Le piquet de grève dans le hall<br>(C) Kab Niang</p></div>',
     "Le piquet de grève dans le hall", "(C) Kab Niang", "Kab Niang", None, None),
    ("span.apCaption holding only the credit",
     '<div class="ap-image"><img src="/a.jpg" alt=""><span class="apCaption">AP Photo/Uncredited'
     "</span></div>",
     "", "AP Photo/Uncredited", None, "AP", None),
    ("div.ssCredit beside the picture",
     '<div class="ssImage"><img src="/s.jpg" alt=""><div class="ssCredit small">(File 2013/The '
     "Associated Press)</div></div>",
     "", "(File 2013/The Associated Press)", None, "AP", None),
    ("p.story-meta__credit away from the picture: 'Caption. | Name/Getty Images'",
     '<div class="story-meta"><p class="story-meta__credit">Rep. Mark Meadows. | Alex '
     "Wong/Getty Images</p></div>",
     "Rep. Mark Meadows.", "Alex Wong/Getty Images", "Alex Wong", "Getty Images", None),
    ("div.article-photo-credit: caption ending '(Name/AFP/Getty Images)'",
     '<div class="article-cover"><img src="/c.jpg" alt=""><div class="article-photo-credit">'
     '<div class="photo-credit">Obama during a meeting in 2009. (Saul Loeb/AFP/Getty Images)'
     "</div></div></div>",
     "Obama during a meeting in 2009.", "(Saul Loeb/AFP/Getty Images)", "Saul Loeb", "AFP",
     "Getty Images"),
    ("span.credit three levels under the picture's wrapper",
     '<div class="lede-image-wrapper"><picture><img src="/l.jpg" alt=""></picture><div '
     'class="lede-image-data"><div class="attribution"><span class="credit">Photo: Olivier '
     "Douliery/AFP via Getty Images</span></div></div></div>",
     "", "Photo: Olivier Douliery/AFP via Getty Images", "Olivier Douliery", "AFP",
     "Getty Images"),
    ("figcaption.tdb-caption-text holding only 'Photo by Name / AFP'",
     '<figure><img src="/t.jpg" alt=""><figcaption class="tdb-caption-text">Photo by Pedro '
     "Pardo / AFP</figcaption></figure>",
     "", "Photo by Pedro Pardo / AFP", "Pedro Pardo", "AFP", None),
    ("div.wp-caption-text ending in a library name without punctuation",
     '<div class="wp-caption"><img src="/w.jpg" alt=""><div class="wp-caption-text featured">'
     "Dee Dee Myers Getty Images</div></div>",
     "Dee Dee Myers", "Getty Images", None, "Getty Images", None),
    ("img alt that is only a credit",
     '<img src="/n.jpg" alt="Mandel Ngan / AFP / Getty Images">',
     "", "Mandel Ngan / AFP / Getty Images", "Mandel Ngan", "AFP", "Getty Images"),
    ("img alt 'Caption. Photo: Name, AP'",
     '<img src="/p.jpg" alt="Crowds on the Strip. Photo: John Locher, AP">',
     "Crowds on the Strip.", "Photo: John Locher, AP", "John Locher", "AP", None),
    ("figcaption with an empty icon span classed caption",
     '<figure><img src="/g.jpg" alt=""><figcaption class="caption"><span class="reveal-caption-'
     'icon"></span> Wiig in Bridesmaids. Photograph: Universal/Everett/Rex</figcaption></figure>',
     "Wiig in Bridesmaids.", "Photograph: Universal/Everett/Rex", "Universal", "Everett", "Rex"),
    ("JSON-LD ImageObject caption and creditText",
     '<script type="application/ld+json">{"@type": "NewsArticle", "image": {"@type": '
     '"ImageObject", "url": "/j.jpg", "caption": "The bridge after the storm.", "creditText": '
     '"REUTERS/Jane Doe"}}</script>',
     "The bridge after the storm.", "REUTERS/Jane Doe", "Jane Doe", "Reuters", None),
]


def _page_with(picture: str) -> str:
    return (f"<!doctype html><html><head><title>Council</title></head><body><article>{LEAD}"
            f"{picture}{FOLLOW}</article><footer><p>© 2024 Example News. All rights reserved."
            f"</p></footer></body></html>")


@pytest.mark.parametrize(("convention", "markup", "text", "credit", "photographer", "agency",
                          "distributor"), MARKUP_CASES, ids=[c[0] for c in MARKUP_CASES])
def test_captions_and_credits_where_pages_put_them(convention: str, markup: str, text: str,
                                                   credit: str, photographer: str | None,
                                                   agency: str | None,
                                                   distributor: str | None) -> None:
    from transforms.html import parse_html

    parsed = parse_html(_page_with(markup), credits=TABLE)
    assert [(c.text, c.credit) for c in parsed.captions] == [(text, credit)]
    assert parse_credit(credit, TABLE) == Credit(photographer, agency, distributor)
    assert credit not in parsed.body_text and (not text or text not in parsed.body_text)
    assert "Members voted" in parsed.body_text


NEGATIVE_MARKUP = [
    ("a footer copyright is not a photo credit", ""),
    ("a byline is not a photo credit", '<p class="byline">By Jane Doe</p>'),
    ("a copyright block outside a picture", '<div class="copyright">© 2024 Example News</div>'),
    ("a logo's alt text", '<img class="site-logo" src="/logo.png" alt="Example News logo '
                          '(Reuters)">'),
    ("an avatar", '<img src="/avatar/jd.jpg" alt="Jane Doe, staff writer (AP)">'),
    ("alt text without a credit", '<img src="/p.jpg" alt="Boats in the harbour at sunrise">'),
    ("a body sentence ending in the wire's name",
     "<p>The vote was delayed until next week, officials said. (Reuters)</p>"),
    ("a credit-classed element far from any picture naming no known source",
     '<p class="story-meta__credit">Rep. Mark Meadows. | Alex Wong</p>'),
    ("related teasers in an aside keep their alt credits",
     '<aside class="related"><img src="/r.jpg" alt="Mandel Ngan / AFP / Getty Images"></aside>'),
    ("a sharebar-classed wrapper without the page's h1 is still outside",
     '<div class="sharebar"><img src="/s.jpg" alt="Mandel Ngan / AFP / Getty Images"></div>'),
]


@pytest.mark.parametrize(("case", "markup"), NEGATIVE_MARKUP, ids=[c[0] for c in NEGATIVE_MARKUP])
def test_what_is_not_a_caption(case: str, markup: str) -> None:
    from transforms.html import parse_html

    assert parse_html(_page_with(markup), credits=TABLE).captions == ()


def test_the_same_photo_twice_is_one_caption() -> None:
    from transforms.html import parse_html

    figure = ('<figure><img src="/x.jpg" alt=""><figcaption>The bridge after the storm. '
              "REUTERS/Jane Doe</figcaption></figure>")
    lazy = figure.replace("<figure>", '<figure class="lazy-copy">')
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", "image": {"@type": '
          '"ImageObject", "caption": "The bridge after the storm."}}</script>')
    parsed = parse_html(_page_with(figure + lazy + ld), credits=TABLE)
    assert [(c.text, c.credit) for c in parsed.captions] == [
        ("The bridge after the storm.", "REUTERS/Jane Doe")]
