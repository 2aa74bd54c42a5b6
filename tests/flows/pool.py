"""Input files whose versions fill each table in some runs and leave it empty in others: the
pool the empty-to-filled tests draw runs from (tests/flows/test_empty_tables.py,
tests/reliability/test_publish_kills.py).

Each file has versions (a file may change between runs):

    council.txt  0: quotes, claims, people, places     1: changed text, another quote
    bridge.txt   0: a photo caption with its credit    1: the same story without it
    repost.txt   0: a republished copy of council 0 (a duplicate link while council is 0)
    weather.txt  0: an article with no quote, claim or named entity
    late.txt     0: empty (a reject)                   1: readable, with a caption

So every table (articles, captions, quotes, entities, claims, rejects) and the duplicate links
can be empty at a run's publish and filled at a later one, and go back to empty when a file
changes."""

from __future__ import annotations

from pathlib import Path

COUNCIL = ("Council approves bridge plan\n\n"
           "The city council of Riverton voted on Monday to build a new bridge over the Kettle "
           "River, ending a debate that had lasted for more than ten years in the town.\n\n"
           "\"We will open the new bridge in spring,\" Mayor Jane Smith said after the vote. "
           "Smith said the project would cost about four million dollars and would be paid "
           "for by the state.\n\n"
           "Council member Robert Hale said he expected the work to start in April. Residents "
           "who crowded the hall cheered when the result was read out by the clerk.\n")
COUNCIL_CHANGED = ("Riverton votes for a bridge\n\n"
                   "Riverton's council backed the Kettle River crossing late on Monday night.\n\n"
                   "\"This is a good day for Riverton,\" council member Robert Hale told "
                   "reporters outside the hall, where a few residents were still waiting for "
                   "the buses home after the long evening meeting. The state has promised to "
                   "pay for most of the work, which should begin next spring.\n")
BRIDGE = ("Old bridge closes for repairs\n\n"
          "The old iron bridge in Portsmouth closed on Tuesday for repairs that engineers "
          "expect to take most of the summer, the county said in a statement.\n\n"
          "{caption}"
          "Drivers were told to use the ring road while the work goes on, and the ferry will "
          "run every half hour during the day for those who travel on foot.\n")
CAPTION = ("Workers close the old iron bridge in Portsmouth on Tuesday morning.\n"
           "(AP Photo/Evan Vucci)\n\n")
WEATHER = ("A mild week ahead\n\n"
           "The week will begin with mild weather and light winds, and most places will stay "
           "dry until the middle of the week, when a band of rain moves in from "
           "the west and brings cooler air behind it.\n\n"
           "It will be cool after dark but frost is unlikely, and the weekend should be bright "
           "with long sunny spells after a cloudy start in the morning.\n")
LATE = ("Library reopens after flood\n\n"
        "The public library in Greenfield reopened on Thursday, six months after a flood "
        "filled its basement and ruined thousands of books in the children's section.\n\n"
        "Readers queue at the door of the library in Greenfield on Thursday.\n"
        "(AP Photo/Ahn Young-joon)\n\n"
        "Librarian Maria Lopez said donations had replaced most of the books, and that the "
        "reading room would stay open late on Fridays for the rest of the year.\n")

VERSIONS: dict[str, tuple[str, ...]] = {
    "council.txt": (COUNCIL, COUNCIL_CHANGED),
    "bridge.txt": (BRIDGE.format(caption=CAPTION), BRIDGE.format(caption="")),
    "repost.txt": (COUNCIL.replace(" the town.", " the small town."),),
    "weather.txt": (WEATHER,),
    "late.txt": ("", LATE),
}

# One run writes these files (name -> version) into the input folder and keeps the others.
Run = dict[str, int]


def written(seeds: Path, run: Run) -> None:
    seeds.mkdir(parents=True, exist_ok=True)
    for name, version in sorted(run.items()):
        (seeds / name).write_text(VERSIONS[name][version], encoding="utf-8")


def final_set(runs: list[Run]) -> Run:
    """The files after every run: each one's last written version."""
    out: Run = {}
    for run in runs:
        out.update(run)
    return out
