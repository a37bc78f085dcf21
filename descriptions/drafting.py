"""One draft for a seller: the engine's text, checked, regenerated while it states what the listing does
not hold, and replaced by the template's when it keeps doing so. No Django here."""

from __future__ import annotations

from dataclasses import dataclass

from descriptions.checks import Finding, description_check
from descriptions.engines import DescriptionEngine, EmptyDraft
from descriptions.engines.template import TemplateEngine
from descriptions.facts import ListingFacts


@dataclass(frozen=True)
class Draft:
    """``text`` by ``engine`` after ``tries`` engine drafts, its ``findings`` (none for a draft that
    passed), and a ``note`` for the seller when the text is not the engine's first try."""

    text: str
    engine: str
    findings: list[Finding]
    tries: int
    note: str = ""


def draft_write(
    facts: ListingFacts, *, tone: str, seed: int, engine: DescriptionEngine, max_tries: int,
    fallback: DescriptionEngine | None = None,
) -> Draft:
    """Draft with ``engine`` up to ``max_tries`` times (seeds ``seed``, ``seed + 1``, …) until a draft has
    no finding and is about the listing (``about_the_listing``); if none passes, the ``fallback`` (the template engine) drafts instead, with a note. The
    template engine itself is never retried: its draft is returned as it is, findings included (a bug
    worth seeing, never hidden)."""
    if max_tries < 1:
        raise ValueError(f"max_tries must be at least 1, not {max_tries}.")
    fallback = fallback or TemplateEngine()
    if engine.name == fallback.name:
        text = engine.draft(facts, tone=tone, seed=seed)
        return Draft(text=text, engine=engine.name, findings=description_check(text, facts), tries=1)
    for attempt in range(max_tries):
        try:
            text = engine.draft(facts, tone=tone, seed=seed + attempt)
        except EmptyDraft:  # only reasoning, or out of tokens: a failed try like a draft with findings
            continue
        findings = description_check(text, facts)
        if not findings and about_the_listing(text, facts):
            earlier = f"{attempt} earlier draft{'s' if attempt > 1 else ''}"
            note = f"{earlier} did not pass the checks; this one did." if attempt else ""
            return Draft(text=text, engine=engine.name, findings=[], tries=attempt + 1, note=note)
    text = fallback.draft(facts, tone=tone, seed=seed)
    return Draft(
        text=text, engine=fallback.name, findings=description_check(text, facts), tries=max_tries,
        note=f"The {engine.name} engine's {max_tries} drafts each stated something the listing does not hold "
             "(or said nothing about it); this draft is written from the listing's facts by our template instead.",
    )


def about_the_listing(text: str, facts: ListingFacts) -> bool:
    """Whether a draft names the listing's city or make, where the facts hold one: a model's rambling that
    claims nothing would pass the checks, but it does not describe this listing."""
    names = [name.lower() for name in (facts.city, facts.make) if name]
    lowered = text.lower()
    return not names or any(name in lowered for name in names)
