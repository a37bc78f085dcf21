"""Description engines: each drafts a listing description from its facts, in a tone. No Django here.

An engine is anything with a ``name`` and a ``draft`` method; the template engine needs no model
and is the default. Drafts are checked (``descriptions.checks``) before a seller sees them.
"""

from __future__ import annotations

from typing import Protocol

from descriptions.facts import ListingFacts

TONES: tuple[str, ...] = ("concise", "warm", "premium")


class EmptyDraft(RuntimeError):
    """The model wrote no description: only reasoning, only special tokens, or nothing within its token budget."""


class UnknownTone(ValueError):
    """A tone that is not one of TONES."""


class DescriptionEngine(Protocol):
    name: str

    def draft(self, facts: ListingFacts, *, tone: str, seed: int) -> str:
        """A description of the listing stating only ``facts``, in ``tone`` (one of TONES); the same
        facts, tone and seed give the same text. UnknownTone for another tone."""
        ...


def tone_check(tone: str) -> str:
    """``tone`` when it is one of TONES, else UnknownTone naming them."""
    if tone not in TONES:
        raise UnknownTone(f"Unknown tone {tone!r}: one of {', '.join(TONES)}.")
    return tone
