"""What a kind of claim is: a pattern, the words it needs, and a judge. No Django here."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from descriptions.checks.numbers import Qualifier
from descriptions.facts import ListingFacts

# The message of the finding when the facts do not back the matched claim; None when they do.
Judge = Callable[[re.Match[str], ListingFacts, Qualifier], "str | None"]


@dataclass(frozen=True)
class Claim:
    """A kind of claim. ``pattern`` reads the lower-cased text, or the text as written when ``cased``
    (names and places, which are capitalized). ``triggers`` are words of which the pattern cannot
    match without one (none: always read): a cheap test before the pattern runs. ``span_group`` is
    the group that is the claim's span (None: the whole match); a ``qualified`` claim's span also
    takes the qualifier written before it ("about 45k miles"), which its judge receives."""

    pattern: re.Pattern[str]
    judge: Judge
    triggers: tuple[str, ...] = ()
    span_group: str | None = None
    cased: bool = False
    qualified: bool = False
