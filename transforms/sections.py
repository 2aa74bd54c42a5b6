"""The unit every extractor reads: one section of an article (title, body or a caption) and its
spaCy ``Doc``. Offsets produced by extractors index ``doc.text``, which is the section's text."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc

# the Doc.spans key where the pipeline's annotator puts the learned attribution spans (SOURCE,
# CUE, CONTENT) that transforms.claims reads
LEARNED_SPANS = "attribution"


@dataclass(frozen=True)
class Span:
    """A character span ``[start, end)`` into a section's text, with the text it covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    name: str  # "title", "body" or "caption"
    doc: Doc
    caption_id: str | None = None

    @cached_property
    def text(self) -> str:
        # Doc.text joins every token on each call; extractors ask for it per mention.
        return self.doc.text

